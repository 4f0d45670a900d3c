"""The People pages: a trial manager invites users, grants and revokes roles, sets organisations.

Every change is a service call (common/services/people.py) with its audit event; the page shows
the account's history from the audit trail.
"""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from common.exceptions import DomainError
from common.forms import add_domain_error
from common.models import User
from common.people_forms import InviteForm, OrganisationForm, PeopleFilterForm, RolesForm
from common.permissions import request_user, role_required
from common.roles import Role
from common.selectors import (
    people_list,
    people_rows,
    person_for,
    person_history,
    person_memberships,
)
from common.services import (
    password_reset_send,
    user_active_set,
    user_invite,
    user_organisation_set,
    user_roles_set,
)
from common.signin_marks import recent_sign_in_required
from common.trial_picker import current_trial

manager_only = role_required(Role.TRIAL_MANAGER)


@manager_only
def people(request: HttpRequest) -> HttpResponse:
    """List the users, by role and by whether they may sign in."""
    filters = PeopleFilterForm(request.GET or None)
    role = active = ""
    if filters.is_valid():
        role, active = filters.cleaned_data["role"], filters.cleaned_data["active"]
    found = people_list(by=request_user(request), role=role, active=active)
    page = Paginator(found, 50).get_page(request.GET.get("page"))
    rows = people_rows(by=request_user(request), people=page)
    context = {"filters": filters, "page": page, "rows": rows}
    return render(request, "common/people/list.html", context)


@manager_only
def invite(request: HttpRequest) -> HttpResponse:
    """Make an account and e-mail its owner a link to choose a password."""
    form = InviteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            person = user_invite(
                username=data["username"],
                email=data["email"],
                first_name=data["first_name"],
                last_name=data["last_name"],
                roles=form.chosen_roles(),
                trial=current_trial(request),
                organisation=data["organisation"],
                police_area=data["police_area"],
                provider=data["provider"],
                by=request_user(request),
            )
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, f"{person.username} is invited: the e-mail is on its way.")
            return redirect("people:detail", pk=person.pk)
    context = {"form": form, "trial": current_trial(request)}
    return render(request, "common/people/invite.html", context)


def _detail(request: HttpRequest, pk: int, **forms: object) -> HttpResponse:
    me = request_user(request)
    person = person_for(by=me, pk=pk)
    trial = current_trial(request)
    memberships = person_memberships(by=me, person=person)
    here = [m.role for m in memberships if trial is not None and m.trial_id == trial.pk]
    context = {
        "person": person,
        "trial": trial,
        "memberships": memberships,
        "roles_form": RolesForm(initial={"roles": here}),
        "organisation_form": OrganisationForm(
            initial={
                "organisation": person.organisation,
                "police_area": person.police_area,
                "provider": person.provider,
            }
        ),
        "history": person_history(by=me, person=person),
        "is_me": person.pk == me.pk,
        **forms,
    }
    return render(request, "common/people/detail.html", context)


@manager_only
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One user: roles, organisation, sign-in and the account's history."""
    return _detail(request, pk)


def _change(
    request: HttpRequest,
    pk: int,
    form: RolesForm | OrganisationForm,
    save: Callable[[User, User], None],
    done: str,
) -> HttpResponse:
    """Save one form of a user's page through its services, or show the page with the errors."""
    me = request_user(request)
    person = person_for(by=me, pk=pk)
    if form.is_valid():
        try:
            save(person, me)
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, done)
            return redirect("people:detail", pk=person.pk)
    name = "roles_form" if isinstance(form, RolesForm) else "organisation_form"
    return _detail(request, pk, **{name: form})


@manager_only
@require_POST
@recent_sign_in_required
def roles(request: HttpRequest, pk: int) -> HttpResponse:
    """Grant the ticked roles in the current trial and revoke the others, each audited."""
    form = RolesForm(request.POST)
    trial = current_trial(request)

    def save(person: User, me: User) -> None:
        if trial is None:
            raise DomainError("Choose a trial first: roles are held in a trial.")
        user_roles_set(user=person, trial=trial, roles=form.chosen_roles(), by=me)

    return _change(request, pk, form, save, "Roles saved.")


@manager_only
@require_POST
def organisation(request: HttpRequest, pk: int) -> HttpResponse:
    """Set the police area and the workshop provider."""
    form = OrganisationForm(request.POST)

    def save(person: User, me: User) -> None:
        user_organisation_set(
            user=person,
            organisation=form.cleaned_data["organisation"],
            police_area=form.cleaned_data["police_area"],
            provider=form.cleaned_data["provider"],
            by=me,
        )

    return _change(request, pk, form, save, "Organisation saved.")


def _act(request: HttpRequest, pk: int, act: Callable[[User, User], str]) -> HttpResponse:
    """Run one change on a user and say what it did (or why it was refused) on their page."""
    me = request_user(request)
    person = person_for(by=me, pk=pk)
    try:
        done = act(person, me)
    except DomainError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, done)
    return redirect("people:detail", pk=person.pk)


@manager_only
@require_POST
def active(request: HttpRequest, pk: int) -> HttpResponse:
    """Deactivate a user (they cannot sign in; what they recorded stays) or reactivate them."""
    wanted = request.POST.get("active") == "yes"

    def act(person: User, me: User) -> str:
        user_active_set(user=person, active=wanted, by=me)
        done = "reactivated" if wanted else "deactivated: they can no longer sign in"
        return f"{person.username} is {done}."

    return _act(request, pk, act)


@manager_only
@require_POST
def password_reset(request: HttpRequest, pk: int) -> HttpResponse:
    """E-mail the user a link to choose a new password."""

    def act(person: User, me: User) -> str:
        password_reset_send(user=person, by=me)
        return f"A link to choose a new password is on its way to {person.email}."

    return _act(request, pk, act)
