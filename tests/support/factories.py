"""factory_boy factories shared by the tests."""

from __future__ import annotations

from typing import Any

import factory
from django.contrib.auth.models import Group

from common.models import PoliceArea, Provider, User
from common.roles import Role
from tests.support.roles import roles_restore

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
