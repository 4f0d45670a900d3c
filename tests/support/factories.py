"""factory_boy factories shared by every app's tests: users, areas, providers and trials.

Trials are made by the trial service (trial_create, then trial_transition), never by writing
rows, so a test trial has the same strata, sequences and audit events as a real one.

A user made with a role and no trial holds it in every trial the test has or makes later (most
tests have one trial and make their users first); give `trial=` to hold it in one trial only.
"""

from __future__ import annotations

from typing import Any

import factory
from django.contrib.auth.models import Group

from common.memberships import memberships_forget
from common.models import INSTALLATION_ROLES, Membership, Organisation, PoliceArea, Provider, User
from common.roles import Role
from tests.support.roles import roles_restore
from trial.models import Trial
from trial.services import ArmSpec, trial_create, trial_transition

PASSWORD = "correct horse battery staple"


def organisation(name: str, kind: str = Organisation.Kind.FORCE) -> Organisation:
    """Return the organisation with this name, made if missing (a force unless told)."""
    found, _ = Organisation.objects.get_or_create(name=name, defaults={"kind": kind})
    return found


def police_area(code: str, name: str, force: str = "Hampshire Constabulary") -> PoliceArea:
    """Return a police area of a force, made if missing."""
    area, _ = PoliceArea.objects.get_or_create(
        code=code, defaults={"name": name, "force": organisation(force)}
    )
    return area


class PoliceAreaFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PoliceArea
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"area-{n}")
    name = factory.Sequence(lambda n: f"Area {n}")
    force = factory.LazyFunction(lambda: organisation("Hampshire Constabulary"))


class ProviderFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Provider
        django_get_or_create = ("name",)

    name = "Hampton Trust"
    organisation = factory.LazyAttribute(lambda p: organisation(p.name, Organisation.Kind.PROVIDER))


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.org")
    first_name = "Test"
    last_name = factory.Sequence(lambda n: f"User{n}")
    password = factory.django.Password(PASSWORD)


# user id -> the roles they hold in every trial of the test (cleared before each test).
EVERY_TRIAL: dict[int, list[Role]] = {}


def member_of_every_trial(trial: Trial) -> None:
    """Give a new trial the users who hold their roles in every trial of the test."""
    for user_id, roles in EVERY_TRIAL.items():
        for role in roles:
            Membership.objects.get_or_create(user_id=user_id, trial=trial, role=role.value)


def grant(user: User, role: Role, trial: Trial | None) -> None:
    """Give a test user a role in a trial (or across the installation, for installation roles)."""
    if not Group.objects.filter(name=role.value).exists():
        roles_restore()  # an earlier transactional test flushed the groups
    where = None if role.value in INSTALLATION_ROLES else trial
    Membership.objects.get_or_create(user=user, trial=where, role=role.value)
    memberships_forget(user)


def make_user(role: Role | None = None, *, trial: Trial | None = None, **fields: Any) -> User:
    """Create a user holding a role; officers get an area and counsellors a provider."""
    if role is Role.OFFICER:
        fields.setdefault("police_area", PoliceAreaFactory())
        fields.setdefault("organisation", fields["police_area"].force)
    if role is Role.COUNSELLOR:
        fields.setdefault("provider", ProviderFactory())
        fields.setdefault("organisation", fields["provider"].organisation)
    user: User = UserFactory.create(**fields)
    if role is None:
        return user
    if trial is not None or role.value in INSTALLATION_ROLES:
        grant(user, role, trial)
        return user
    EVERY_TRIAL.setdefault(user.pk, []).append(role)
    for existing in Trial.objects.all():
        grant(user, role, existing)
    if not Group.objects.filter(name=role.value).exists():
        roles_restore()
    return user


CARA_ARMS = (ArmSpec("cara", "CARA workshops", 1, True), ArmSpec("control", "Control", 1))


class TrialFactory(factory.Factory):
    """A CARA-like trial, recruiting unless told otherwise; any trial_create argument overrides."""

    class Meta:
        model = Trial

    code = "CARA"
    title = factory.LazyAttribute(lambda t: f"{t.code} trial")
    arms = CARA_ARMS
    strata_factors = factory.LazyFunction(lambda: {"area": ["north", "south"]})
    block_multipliers = (1, 2, 3)
    research_email = ""
    follow_up_months = (12, 24)
    recruiting = True
    by = None

    @classmethod
    def _create(cls, model_class: type[Trial], *args: Any, **kwargs: Any) -> Trial:
        recruiting, by = kwargs.pop("recruiting"), kwargs.pop("by")
        trial = trial_create(by=by, **kwargs)
        member_of_every_trial(trial)
        if recruiting:
            trial = trial_transition(trial=trial, to_status="recruiting", by=by)
        return trial


def make_trial(code: str = "CARA", **fields: Any) -> Trial:
    """Create a trial through its service (see TrialFactory for what may be given)."""
    trial: Trial = TrialFactory.create(code=code, **fields)
    return trial
