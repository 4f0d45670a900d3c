"""Workshops: pages of the counsellor (the officer's breach pages are in officer_views.py)."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from common.confirm import Confirmation, confirmation, confirmation_needed
from common.exceptions import DomainError, NotAllowedError
from common.forms import add_domain_error
from common.keyset import keyset_page
from common.models import User
from common.permissions import request_user, role_required
from common.roles import Role, has_role
from common.trial_picker import current_trial, trial_shown
from participants.services import personal_data_listed, personal_data_viewed
from trial.selectors import TrialStatus, trials_for
from workshops import selectors
from workshops.forms import (
    AttendanceCorrectionForm,
    AttendanceForm,
    BookingForm,
    CancelForm,
    CycleForm,
    FeedbackForm,
    RegisterRowForm,
)
from workshops.models import Booking, BookingStatus, CalendarToken, Cycle, Session
from workshops.selectors import feed_owner, feed_render
from workshops.services import (
    CyclePlan,
    attendance_correct,
    attendance_record,
    booking_create,
    booking_propose,
    calendar_token_create,
    calendar_token_revoke,
    cycle_create,
    cycle_run_create,
    feedback_record,
    register_viewed,
    session_cancel,
)

if TYPE_CHECKING:
    from participants.models import Participant
    from trial.models import Trial

PAGE_SIZE = 50  # each paged list's rows at a time (the first page shows what the page did before)
ACTIVE_TRIALS = [TrialStatus.RECRUITING, TrialStatus.RECRUITMENT_CLOSED, TrialStatus.FOLLOW_UP]


@role_required(Role.COUNSELLOR)
def dashboard(request: HttpRequest) -> HttpResponse:
    """Show the counsellor's dashboard."""
    user, now, trial = request_user(request), timezone.now(), current_trial(request)
    upcoming = selectors.sessions_visible_to(user, trial).filter(
        starts_at__gt=now, starts_at__lt=now + datetime.timedelta(days=42)
    )
    queue = keyset_page(
        selectors.scheduling_queue(user=user, trial=trial),
        ordering=selectors.QUEUE_ORDER,
        cursor=request.GET.get("queue"),
        size=PAGE_SIZE,
    )
    past = keyset_page(
        selectors.past_deadline(user=user, trial=trial),
        ordering=selectors.QUEUE_ORDER,
        cursor=request.GET.get("past"),
        size=PAGE_SIZE,
    )
    feedback_due = list(selectors.feedback_to_record(user=user, trial=trial)[:50])
    # The lists show names: the look is audited like the man's own page.
    personal_data_listed(
        participants=[*queue.object_list, *past.object_list, *feedback_due],
        by=user,
        what="workshops",
    )
    context = {
        "queue": queue,
        "past_deadline": past,
        "upcoming": upcoming,
        "awaiting": selectors.awaiting_attendance(user=user, now=now, trial=trial),
        "feedback_due": feedback_due,
        "today": timezone.localdate(),
        "feed_live": CalendarToken.objects.filter(user=user, revoked_at__isnull=True).exists(),
    }
    return render(request, "workshops/dashboard.html", context)


def _counsellors(user: User, trial: Trial | None) -> QuerySet[User]:
    """The counsellors of the user's provider in the trial (who may lead a cycle)."""
    return User.objects.filter(
        memberships__role=Role.COUNSELLOR.value,
        memberships__trial=trial,
        provider=user.provider,
        is_active=True,
    ).order_by("first_name", "last_name")


def _cycle_trial(request: HttpRequest, trials: QuerySet[Trial]) -> Trial | None:
    """The trial the cycle form is for: the one posted, else the current one, else the first."""
    posted = request.POST.get("trial", "")
    if posted.isdigit() and (found := trials.filter(pk=int(posted)).first()) is not None:
        return found
    current = current_trial(request)
    if current is not None and trials.filter(pk=current.pk).exists():
        return current
    return trials.first()


@role_required(Role.COUNSELLOR)
def cycle_new(request: HttpRequest) -> HttpResponse:
    """Create one cycle, or a run of cycles at a fixed rhythm."""
    user = request_user(request)
    trials = trials_for(user, Role.COUNSELLOR, statuses=ACTIVE_TRIALS)
    trial = _cycle_trial(request, trials)
    form = CycleForm(
        request.POST or None,
        trials=trials,
        counsellors=_counsellors(user, trial),
        initial={"leads": [user.pk], "count": 1, "trial": trial},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        plan = CyclePlan(
            part_1_starts_at=data["part_1_starts_at"],
            venue=data["venue"],
            leads=list(data["leads"]),
            gap_days=data["gap_days"],
            hours=data["hours"],
            capacity=data["capacity"],
        )
        try:
            if data["count"] == 1:
                cycles = [cycle_create(trial=data["trial"], plan=plan, by=user)]
            else:
                cycles = cycle_run_create(
                    trial=data["trial"],
                    plan=plan,
                    count=data["count"],
                    interval_days=data["interval_days"],
                    by=user,
                )
        except DomainError as error:
            add_domain_error(form, error)
        else:
            numbers = ", ".join(str(c.number) for c in cycles)
            messages.success(request, f"Created cycle {numbers}.")
            return redirect("workshops:cycle", pk=cycles[0].pk)
    return render(request, "workshops/cycle_form.html", {"form": form})


@role_required(Role.COUNSELLOR)
def cycle(request: HttpRequest, pk: int) -> HttpResponse:
    """Show a cycle's two sessions with their fill levels."""
    found = selectors.cycle_get(user=request_user(request), pk=pk)
    trial_shown(request, found.trial)
    sessions = selectors.sessions_visible_to(request_user(request)).filter(cycle=found)
    context = {"cycle": found, "sessions": sessions, "now": timezone.now()}
    return render(request, "workshops/cycle.html", context)


def _render_session(
    request: HttpRequest,
    found: Session,
    errors: dict[int, str] | None = None,
    status: int = 200,
    kept: dict[int, dict[str, str]] | None = None,
    problem: str = "",
) -> HttpResponse:
    """Render a session's register; errors put a refusal in that man's row, kept his answers."""
    user = request_user(request)
    trial_shown(request, found.cycle.trial)
    bookings = list(
        Booking.objects.filter(session=found)
        .select_related("participant", "breach")
        .prefetch_related("corrections")
        .order_by("participant__number")
    )
    for booking in bookings:
        booking.error = (errors or {}).get(booking.pk, "")  # type: ignore[attr-defined]
        booking.kept = (kept or {}).get(booking.pk, {})  # type: ignore[attr-defined]
    if bookings:
        register_viewed(session=found, by=user)
    started = found.starts_at <= timezone.now()
    to_record = [b for b in bookings if b.status == BookingStatus.BOOKED]
    return render(
        request,
        "workshops/session.html",
        {
            "session": found,
            "bookings": bookings,
            "started": started,
            "register_open": started and not found.is_cancelled and bool(to_record),
            "refused": [b for b in bookings if b.error],  # type: ignore[attr-defined]
            "problem": problem,
            "BOOKED": BookingStatus.BOOKED,
            "reason_max": AttendanceForm.REASON_MAX,
        },
        status=status,
    )


@role_required(Role.COUNSELLOR)
def session(request: HttpRequest, pk: int) -> HttpResponse:
    """Show a session's register; a POST records every filled-in row of it at once."""
    user = request_user(request)
    found = selectors.session_get(user=user, pk=pk)
    if request.method != "POST":
        return _render_session(request, found)
    rows = Booking.objects.filter(session=found, status=BookingStatus.BOOKED).select_related(
        "participant"
    )
    errors: dict[int, str] = {}
    kept: dict[int, dict[str, str]] = {}
    saved: list[str] = []
    for booking in rows.order_by("participant__number"):
        # Each row is its own record: a refused row keeps its answers, the others are saved.
        form = RegisterRowForm(request.POST, prefix=f"b{booking.pk}")
        if form.blank:
            continue
        refusal = _register_row_save(form, booking, user)
        if refusal:
            errors[booking.pk] = refusal
            kept[booking.pk] = {
                name: str(request.POST.get(form.add_prefix(name), ""))
                for name in ("attendance", "attendance_reason", "reason_accepted")
            }
        else:
            saved.append(booking.participant.pseudonym)
    if saved:
        messages.success(request, f"Attendance recorded for {', '.join(saved)}.")
    if errors or not saved:
        problem = "" if errors else "Choose attended, did not attend or left early for a man."
        found = selectors.session_get(user=user, pk=pk)  # the fill counts the rows just saved
        return _render_session(request, found, errors, 400, kept, problem)
    return redirect("workshops:session", pk=found.pk)


def _register_row_save(form: RegisterRowForm, booking: Booking, user: User) -> str:
    """Save one register row; return the refusal to show in his row, or "" when saved."""
    if not form.is_valid():
        return " ".join(str(m) for errors in form.errors.values() for m in errors)
    data = form.cleaned_data
    try:
        attendance_record(
            booking=booking,
            attendance=data["attendance"],
            reason=data["attendance_reason"],
            reason_accepted=data["reason_accepted"],
            by=user,
        )
    except DomainError as error:
        return error.message
    return ""


def _register_row_post(
    request: HttpRequest,
    pk: int,
    booking_pk: int,
    form_class: type[AttendanceForm],
    save: Callable[..., Booking],
    done: str,
) -> HttpResponse:
    """Validate one register row's form and save it; a refusal is shown in the man's row."""
    user = request_user(request)
    found = selectors.session_get(user=user, pk=pk)
    booking = Booking.objects.filter(session=found, pk=booking_pk).first()
    if booking is None:
        raise Http404("No such booking.")
    form = form_class(request.POST)
    if not form.is_valid():
        problems = " ".join(str(m) for errors in form.errors.values() for m in errors)
        return _render_session(request, found, {booking.pk: problems}, status=400)
    data = dict(form.cleaned_data)
    try:
        save(
            booking=booking,
            attendance=data.pop("attendance"),
            reason=data.pop("attendance_reason"),
            reason_accepted=data.pop("reason_accepted"),
            by=user,
            **data,  # a correction's "why"
        )
    except DomainError as error:
        return _render_session(request, found, {booking.pk: error.message}, status=400)
    messages.success(request, f"Attendance of {booking.participant.pseudonym} {done}.")
    return redirect("workshops:session", pk=found.pk)


@require_POST
@role_required(Role.COUNSELLOR)
def attendance_correction(request: HttpRequest, pk: int, booking_pk: int) -> HttpResponse:
    """Correct one man's recorded attendance (the old record is kept)."""
    return _register_row_post(
        request, pk, booking_pk, AttendanceCorrectionForm, attendance_correct, "corrected"
    )


@role_required(Role.COUNSELLOR)
def cancel(request: HttpRequest, pk: int) -> HttpResponse:
    """Cancel a session (after a confirmation), moving its men on or flagging them to rebook."""
    user = request_user(request)
    found = selectors.session_get(user=user, pk=pk)
    held = found.starts_at <= timezone.now()  # a session held or under way is not cancelled
    cycles = selectors.open_cycles(user=user, trial=found.cycle.trial, now=timezone.now()).exclude(
        pk=found.cycle_id
    )
    form = CancelForm(request.POST or None, cycles=cycles)
    if request.method == "POST" and not held and form.is_valid():
        if confirmation_needed(request):
            return confirmation(request, _cancel_question(found, form.cleaned_data["move_to"]))
        try:
            result = session_cancel(
                session=found,
                reason=form.cleaned_data["reason"],
                move_to=form.cleaned_data["move_to"],
                by=user,
            )
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(
                request,
                f"Session cancelled: {len(result.moved)} moved, "
                f"{len(result.flagged)} flagged for rebooking.",
            )
            return redirect("workshops:cycle", pk=found.cycle_id)
    status = 400 if request.method == "POST" else 200
    context = {"session": found, "form": form, "held": held}
    return render(request, "workshops/cancel.html", context, status=status)


def _cancel_question(found: Session, move_to: Cycle | None) -> Confirmation:
    """The second step of a cancellation: who loses their place, and where they go."""
    booked = getattr(found, "booked", 0)
    where = (
        f"is moved to cycle {move_to.number} if he fits there, otherwise flagged"
        if move_to is not None
        else "is flagged"
    )
    also = " His part 2 place in this cycle is freed too." if found.part == 1 else ""
    men = (
        "Nobody is booked."
        if not booked
        else (
            f"{booked} booked: each loses his place and {where} for rebooking, and his case "
            f"officer sees it.{also}"
        )
    )
    return Confirmation(
        title=f"Cancel {found.get_part_display().lower()} of cycle {found.cycle.number}?",
        consequence=f"A cancelled session cannot be restored. {men}",
        button="Yes, cancel the session",
        back_url=reverse("workshops:cycle", args=[found.cycle_id]),
    )


def _booking_form(request: HttpRequest, man: Participant, data: Any = None) -> BookingForm:
    user = request_user(request)
    cycles = selectors.open_cycles(user=user, trial=man.trial, now=timezone.now())
    try:
        proposed = booking_propose(participant=man, by=user)
    except NotAllowedError:  # seen as his trial's manager, not as a counsellor of it
        proposed = None
    return BookingForm(
        data,
        cycles=cycles.prefetch_related("sessions"),
        restart=selectors.parts_needed(man) == (2,),
        initial={"cycle": proposed.pk if proposed else None},
    )


@role_required(Role.COUNSELLOR)
def participant(request: HttpRequest, pk: int) -> HttpResponse:
    """Show a workshop-arm man: contact, needs, deadline, booking history; book him."""
    user = request_user(request)
    man = selectors.workshop_participant_get(user=user, pk=pk)
    trial_shown(request, man.trial)
    form = _booking_form(request, man, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            booking_create(
                participant=man,
                cycle=form.cleaned_data["cycle"],
                parts=(1, 2) if form.cleaned_data.get("restart") else None,
                by=user,
            )
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(
                request, f"{man.pseudonym} booked into cycle {form.cleaned_data['cycle'].number}."
            )
            return redirect("workshops:participant", pk=man.pk)
    personal_data_viewed(participant=man, by=user, what="workshops")
    history = selectors.booking_history(participant=man)
    return render(
        request,
        "workshops/participant.html",
        {
            "man": man,
            "form": form,
            "history": history,
            "needed": selectors.parts_needed(man),
            "live": [b for b in history if b.status == BookingStatus.BOOKED],
            "stop": selectors.booking_stop(man, timezone.now()),
            "has_feedback": hasattr(man, "workshop_feedback"),
            "today": timezone.localdate(),
        },
    )


@role_required(Role.COUNSELLOR)
def feedback(request: HttpRequest, pk: int) -> HttpResponse:
    """Record a man's questionnaire after part 2."""
    user = request_user(request)
    man = selectors.workshop_participant_get(user=user, pk=pk)
    form = FeedbackForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            feedback_record(
                participant=man,
                answers=form.answers(),
                comments=form.cleaned_data["comments"],
                by=user,
            )
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, f"Feedback of {man.pseudonym} recorded.")
            return redirect("workshops:dashboard")
    personal_data_viewed(participant=man, by=user, what="feedback")  # the page shows his name
    return render(request, "workshops/feedback.html", {"man": man, "form": form})


def _calendar(request: HttpRequest, template: str, context: dict[str, object]) -> HttpResponse:
    # htmx navigation swaps only the grid; a plain request gets the whole page.
    if request.headers.get("HX-Request"):
        template = template.replace(".html", "_grid.html")
    return render(request, template, context)


@role_required(Role.COUNSELLOR)
def calendar_month(request: HttpRequest) -> HttpResponse:
    """Show a month of sessions with their fill levels."""
    year, month = selectors.parse_month(request.GET.get("month"))
    sessions = selectors.sessions_visible_to(request_user(request), current_trial(request))
    weeks = selectors.month_grid(sessions, year, month)
    return _calendar(
        request,
        "workshops/calendar_month.html",
        {
            "weeks": weeks,
            "first": datetime.date(year, month, 1),
            "previous": selectors.shift_month(year, month, -1),
            "next": selectors.shift_month(year, month, 1),
        },
    )


@role_required(Role.COUNSELLOR)
def calendar_week(request: HttpRequest) -> HttpResponse:
    """Show a week of sessions with their fill levels."""
    monday = selectors.parse_monday(request.GET.get("week"))
    sessions = selectors.sessions_visible_to(request_user(request), current_trial(request))
    days = selectors.week_days(sessions, monday)
    week = datetime.timedelta(days=7)
    return _calendar(
        request,
        "workshops/calendar_week.html",
        {"days": days, "monday": monday, "previous": monday - week, "next": monday + week},
    )


@role_required(Role.COUNSELLOR)
def calendar_feed_settings(request: HttpRequest) -> HttpResponse:
    """Create, replace or revoke the counsellor's calendar-feed address."""
    user = request_user(request)
    new_url = ""
    if request.method == "POST":
        if request.POST.get("action") == "revoke":
            calendar_token_revoke(user=user)
            messages.success(request, "The feed address is revoked: calendars stop updating.")
        else:
            token = calendar_token_create(user=user)
            new_url = request.build_absolute_uri(reverse("workshops:calendar_feed", args=[token]))
    live = CalendarToken.objects.filter(user=user, revoked_at__isnull=True).first()
    return render(request, "workshops/calendar_feed.html", {"live": live, "new_url": new_url})


@login_not_required
def calendar_feed(request: HttpRequest, token: str) -> HttpResponse:
    """Serve a counsellor's sessions as iCalendar to a subscribed calendar (no login)."""
    owner = feed_owner(token)
    if owner is None or not has_role(owner, Role.COUNSELLOR):
        raise Http404("No such calendar.")
    response = HttpResponse(feed_render(user=owner), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="workshops.ics"'
    response["Cache-Control"] = "private, max-age=900"
    return response
