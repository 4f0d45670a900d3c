"""factory_boy factories shared by every app's tests: users, areas, providers and trials.

Trials are made by the trial service (trial_create, then trial_transition), never by writing
rows, so a test trial has the same strata, sequences and audit events as a real one.
"""

from __future__ import annotations

from typing import Any

import factory
from django.contrib.auth.models import Group

from common.models import PoliceArea, Provider, User
from common.roles import Role
from tests.support.roles import roles_restore
from trial.models import Trial
from trial.services import ArmSpec, trial_create, trial_transition

PASSWORD = "correct horse battery staple"


class PoliceAreaFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PoliceArea
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"area-{n}")
    name = factory.Sequence(lambda n: f"Area {n}")
    force = "Hampshire Constabulary"


class ProviderFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Provider
        django_get_or_create = ("name",)

    name = "Hampton Trust"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.org")
    first_name = "Test"
    last_name = factory.Sequence(lambda n: f"User{n}")
    password = factory.django.Password(PASSWORD)


def make_user(role: Role | None = None, **fields: Any) -> User:
    """Create a user holding a role; officers get an area and counsellors a provider."""
    if role is Role.OFFICER:
        fields.setdefault("police_area", PoliceAreaFactory())
    if role is Role.COUNSELLOR:
        fields.setdefault("provider", ProviderFactory())
    user: User = UserFactory.create(**fields)
    if role is not None:
        if not Group.objects.filter(name=role.value).exists():
            roles_restore()  # an earlier transactional test flushed the groups
        user.groups.add(Group.objects.get(name=role.value))
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
        if recruiting:
            trial = trial_transition(trial=trial, to_status="recruiting", by=by)
        return trial


def make_trial(code: str = "CARA", **fields: Any) -> Trial:
    """Create a trial through its service (see TrialFactory for what may be given)."""
    trial: Trial = TrialFactory.create(code=code, **fields)
    return trial
