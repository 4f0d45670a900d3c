"""Which men a counsellor's provider works with, and which provider runs each area of a trial.

A counsellor sees a workshop-arm man when their provider has booked him (any booking, so his
history stays open to them) or when the Delivery of his trial and police area names their
provider (he is queued for them). participants.selectors applies this Q inside the counsellor's
trials; it is written here because bookings and deliveries are the workshops app's knowledge.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.contrib.auth.models import AnonymousUser
from django.db.models import Exists, OuterRef, Q, QuerySet

from common.exceptions import DomainError
from common.memberships import holds, trial_q
from common.models import PoliceArea, Provider, User
from common.roles import Role
from trial.selectors import current_design
from workshops.models import Booking, Delivery

if TYPE_CHECKING:
    from participants.models import Participant
    from trial.models import Trial

AnyUser = User | AnonymousUser
NO_ROW = Q(pk__in=[])


def provider_scope(user: AnyUser) -> Q:
    """Return a filter on Participant: men booked with or queued for the user's provider."""
    provider_id = getattr(user, "provider_id", None)
    if provider_id is None:
        return NO_ROW
    booked = Booking.objects.filter(
        participant=OuterRef("pk"), session__cycle__provider_id=provider_id
    )
    queued = Delivery.objects.filter(
        trial=OuterRef("trial"), police_area=OuterRef("police_area"), provider_id=provider_id
    )
    return Q(Exists(booked)) | Q(Exists(queued))


def provider_serves(*, user: AnyUser, participant: Participant) -> bool:
    """Say whether the user's provider books or is queued for the man (provider_scope, for one)."""
    provider_id = getattr(user, "provider_id", None)
    if provider_id is None:
        return False
    booked = Booking.objects.filter(
        participant_id=participant.pk, session__cycle__provider_id=provider_id
    )
    queued = Delivery.objects.filter(
        trial_id=participant.trial_id,
        police_area_id=participant.police_area_id,
        provider_id=provider_id,
    )
    return booked.exists() or queued.exists()


def provider_of(man: Participant) -> int | None:
    """Return the id of the provider running his workshops: his area's, else his last booking's."""
    delivery = Delivery.objects.filter(trial_id=man.trial_id, police_area_id=man.police_area_id)
    found = delivery.values_list("provider_id", flat=True).first()
    if found is None:
        booked = Booking.objects.filter(participant_id=man.pk).order_by("-booked_at")
        found = booked.values_list("session__cycle__provider_id", flat=True).first()
    return found


def own_cycles(user: AnyUser, prefix: str = "") -> Q:
    """Cycles of the user's provider in the trials where they are a counsellor."""
    provider_id = getattr(user, "provider_id", None)
    if provider_id is None:
        return NO_ROW
    return trial_q(user, Role.COUNSELLOR, field=f"{prefix}trial") & Q(
        **{f"{prefix}provider_id": provider_id}
    )


def trial_areas(trial: Trial) -> QuerySet[PoliceArea]:
    """Return the areas taking part in a trial: its design's area stratum, or every area."""
    areas = PoliceArea.objects.select_related("force").order_by("force__name", "name")
    try:
        codes = current_design(trial).strata_factors.get("area")
    except DomainError:  # a trial still being set up has no design yet
        codes = None
    return areas if codes is None else areas.filter(code__in=codes)


def providers() -> QuerySet[Provider]:
    """Return every workshop provider, by name (a trial manager picks one per area)."""
    return Provider.objects.order_by("name")


def delivery_of(*, trial: Trial, police_area: PoliceArea) -> Provider | None:
    """Return the provider running an area's workshops in a trial (a system read: the demo)."""
    found = Delivery.objects.filter(trial=trial, police_area=police_area).first()
    return found.provider if found is not None else None


@dataclass(frozen=True)
class AreaDelivery:
    area: PoliceArea
    provider: Provider | None


def deliveries_for(*, user: AnyUser, trial: Trial | None) -> list[AreaDelivery] | None:
    """Return the trial's areas with the provider running each (None: not its manager)."""
    if trial is None or not holds(user, Role.TRIAL_MANAGER, trial):
        return None
    chosen = {
        d.police_area_id: d.provider
        for d in Delivery.objects.filter(trial=trial).select_related("provider")
    }
    return [AreaDelivery(area, chosen.get(area.pk)) for area in trial_areas(trial)]
