"""Workshop breaches and deadlines: pages of the case officer (trial managers may open all)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse

from common.confirm import Confirmation, confirmation, confirmation_needed
from common.exceptions import DomainError
from common.forms import add_domain_error
from common.keyset import keyset_page
from common.permissions import request_user, role_required
from common.roles import Role
from common.trial_picker import current_trial
from participants.selectors import case_get, deadline_limit
from participants.services import personal_data_viewed
from workshops.forms import BreachDecisionForm, DeadlineDecisionForm, DeadlineExtendForm
from workshops.models import BreachOutcome, BreachStatus, DeadlineOutcome
from workshops.selectors import (
    DECIDED_ORDER,
    QUEUE_ORDER,
    breach_get,
    breaches_visible_to,
    case_workshops,
    past_deadline,
    rebooking_flags_for_officer,
)
from workshops.services import breach_decide, deadline_decide, deadline_extend, rebook_cycle

if TYPE_CHECKING:
    from participants.models import Participant
    from workshops.models import Breach

PAGE_SIZE = 50  # rows of each paged list at a time (the first page shows what it did before)
OFFICER_ROLES = (Role.OFFICER, Role.TRIAL_MANAGER)

# What each decision means, said on the confirmation step (none of them can be undone).
# Keyed by the plain outcome value: breach and deadline decisions share prosecution and NFA.
CONSEQUENCES: dict[str, str] = {
    BreachOutcome.REBOOKED.value: "He goes back to the counsellor's queue, to be booked into a "
    "cycle that ends by his deadline.",
    BreachOutcome.PROSECUTION.value: "He is not booked into workshops again: the case goes forward "
    "for prosecution for the original offence.",
    BreachOutcome.NO_FURTHER_ACTION.value: "He is not booked into workshops again and no further "
    "action is taken on the caution.",
}


@role_required(*OFFICER_ROLES)
def breach_list(request: HttpRequest) -> HttpResponse:
    """Show open breaches (aged), men past their deadline, decided breaches and lost places."""
    user, trial = request_user(request), current_trial(request)
    breaches = breaches_visible_to(user, trial)
    return render(
        request,
        "workshops/breach_list.html",
        {
            # Every open breach awaits the officer: that list is whole, the others are paged.
            "open": breaches.filter(status=BreachStatus.OPEN).order_by("opened_at"),
            "past_deadline": keyset_page(
                past_deadline(user=user, trial=trial),
                ordering=QUEUE_ORDER,
                cursor=request.GET.get("past"),
                size=PAGE_SIZE,
            ),
            "decided": keyset_page(
                breaches.filter(status=BreachStatus.DECIDED),
                ordering=DECIDED_ORDER,
                cursor=request.GET.get("decided"),
                size=PAGE_SIZE,
            ),
            "flags": rebooking_flags_for_officer(user, trial).order_by("session__starts_at")[:50],
        },
    )


def _extend(
    request: HttpRequest, form: DeadlineExtendForm, man: Participant, breach: Breach | None
) -> bool:
    """Extend his deadline from the form; say whether it was done (else the form has why)."""
    try:
        deadline_extend(
            participant=man,
            until=form.cleaned_data["until"],
            reason=form.cleaned_data["reason"],
            by=request_user(request),
            breach=breach,
        )
    except DomainError as error:
        add_domain_error(form, error)
        return False
    messages.success(
        request, f"{man.pseudonym}'s deadline is now {form.cleaned_data['until']:%d/%m/%Y}."
    )
    return True


def _confirm_final(
    request: HttpRequest, *, label: str, man: Participant, outcome: str, back_url: str
) -> HttpResponse:
    """Ask once more before a final decision, naming what it does to his caution."""
    return confirmation(
        request,
        Confirmation(
            title=f"{label}: {man.pseudonym}?",
            consequence=f"The decision is final. {CONSEQUENCES[outcome]}",
            button=f"Yes, {label[0].lower()}{label[1:]}",
            back_url=back_url,
        ),
    )


def _posted(request: HttpRequest, action: str) -> QueryDict | None:
    """The POST data if it is for this page's form of that action (two forms, one page)."""
    if request.method == "POST" and request.POST.get("action", "decide") == action:
        return request.POST
    return None


@role_required(*OFFICER_ROLES)
def breach(request: HttpRequest, pk: int) -> HttpResponse:
    """Show a breach: decide it, or first extend his deadline when no cycle fits before it."""
    user = request_user(request)
    found = breach_get(user=user, pk=pk)
    man = found.participant
    rebook = found.status == BreachStatus.OPEN and rebook_cycle(participant=man) is not None
    form = BreachDecisionForm(_posted(request, "decide"), rebook=rebook)
    extend = DeadlineExtendForm(_posted(request, "extend"), prefix="extend")
    if extend.is_bound and extend.is_valid() and _extend(request, extend, man, found):
        return redirect("breaches:detail", pk=found.pk)
    if form.is_bound and form.is_valid():
        outcome = form.cleaned_data["outcome"]
        if confirmation_needed(request):
            return _confirm_final(
                request,
                label=BreachOutcome(outcome).label,
                man=man,
                outcome=outcome,
                back_url=reverse("breaches:detail", args=[found.pk]),
            )
        try:
            breach_decide(breach=found, outcome=outcome, note=form.cleaned_data["note"], by=user)
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, f"Decision on {man.pseudonym} recorded.")
            return redirect("breaches:list")
    context = {
        "breach": found,
        "form": form,
        "extend": extend,
        "rebook": rebook,
        "limit": deadline_limit(man),
    }
    status = 400 if request.method == "POST" else 200
    return render(request, "workshops/breach.html", context, status=status)


@role_required(*OFFICER_ROLES)
def deadline(request: HttpRequest, pk: int) -> HttpResponse:
    """Decide for a man past his deadline: extend it, or prosecution or no further action."""
    user = request_user(request)
    man = case_get(user=user, pk=pk)
    waiting = past_deadline(user=user, trial=man.trial).filter(pk=man.pk).exists()
    form = DeadlineDecisionForm(_posted(request, "decide") if waiting else None)
    extend = DeadlineExtendForm(_posted(request, "extend") if waiting else None, prefix="extend")
    if extend.is_bound and extend.is_valid() and _extend(request, extend, man, None):
        return redirect("breaches:list")
    if form.is_bound and form.is_valid():
        outcome = form.cleaned_data["outcome"]
        if confirmation_needed(request):
            return _confirm_final(
                request,
                label=DeadlineOutcome(outcome).label,
                man=man,
                outcome=outcome,
                back_url=reverse("breaches:deadline", args=[man.pk]),
            )
        try:
            deadline_decide(
                participant=man, outcome=outcome, note=form.cleaned_data["note"], by=user
            )
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, f"Decision on {man.pseudonym} recorded.")
            return redirect("breaches:list")
    context = {
        "man": man,
        "waiting": waiting,
        "form": form,
        "extend": extend,
        "limit": deadline_limit(man),
    }
    status = 400 if request.method == "POST" else 200
    return render(request, "workshops/deadline.html", context, status=status)


@role_required(*OFFICER_ROLES)
def case_workshops_fragment(request: HttpRequest, pk: int) -> HttpResponse:
    """Return the workshops part of a case page (htmx): bookings, attendance, breaches."""
    user = request_user(request)
    found = case_workshops(user=user, pk=pk)
    waiting = past_deadline(user=user, trial=found.man.trial).filter(pk=found.man.pk).exists()
    # Reasons for absence are often about health or family: the look is audited.
    personal_data_viewed(participant=found.man, by=user, what="case workshops")
    return render(request, "workshops/case_workshops.html", {"w": found, "waiting": waiting})
