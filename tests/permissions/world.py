"""The permission matrix's world: two forces, two trials, two providers, a user per role.

Everything is made through the services (screen, consent, enrol, cycles, bookings, a no-show,
a report run, an upload), so the ids the matrix requests are real rows of both trials. Every
man and victim has a name, birth date, phone, address and PNC ID found nowhere else, so the
content check can tell whose data a page shows.
"""

from __future__ import annotations

import datetime
import itertools
import uuid
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from common.identifiers import make_pnc
from common.models import PoliceArea, Provider, User
from common.roles import Role
from outcomes.models import ImportRun, RecordSource
from outcomes.services import source_create, upload_import, upload_receive
from participants.models import Participant
from participants.services import (
    ConsentInput,
    ScreeningInput,
    VictimInput,
    consent_record,
    participant_enrol,
)
from participants.services import screening_record as _screen
from reports.models import ReportRun
from reports.services import report_build, report_request
from tests.reports.support import freeze
from tests.support.factories import ProviderFactory, make_trial, make_user, police_area
from trial.models import Trial
from trial.services import ArmSpec
from workshops.models import Booking, Breach, Cycle, Session
from workshops.services import (
    CyclePlan,
    attendance_record,
    booking_create,
    calendar_token_create,
    cycle_create,
    delivery_set,
)

LONDON = ZoneInfo("Europe/London")
TODAY = timezone.localdate()
# Synthetic names, all of one length so that none is part of another: finding one on a page
# means that man's (or victim's) data is there.
LETTERS = "bcdfghjklmnpqrstvwxz"


def _tag(n: int) -> str:
    return LETTERS[n // len(LETTERS) % len(LETTERS)] + LETTERS[n % len(LETTERS)]


@dataclass
class Person:
    """One man (with his victim) and the strings that are his personal data."""

    case: Participant
    trial: Trial
    area: PoliceArea
    intervention: bool
    provider: Provider | None  # the provider his area's Delivery names (None: nobody)
    secrets: list[str] = field(default_factory=list)  # his own details
    victim_secrets: list[str] = field(default_factory=list)


@dataclass
class Side:
    """One trial's objects with real ids: what the URL patterns take."""

    trial: Trial
    provider: Provider
    man: Person  # intervention arm, booked on a cycle of the provider, with a breach
    control: Person
    other_area: Person | None  # a case of another area of the same trial (trial A only)
    cycle: Cycle
    session: Session
    booking: Booking
    breach: Breach
    run: ReportRun
    import_run: ImportRun
    source: RecordSource
    person: User  # a member of the trial for the People pages (not an actor)


@dataclass
class Actor:
    """A signed-in user (or nobody) and what they hold: role -> trial, area, provider."""

    key: str
    user: User | None
    roles: dict[Role, set[int]] = field(default_factory=dict)  # role -> trial ids held in
    area: PoliceArea | None = None
    provider: Provider | None = None

    def holds(self, role: Role, trial_id: int | None = None) -> bool:
        """Whether they hold the role (in that trial, if one is named)."""
        if role not in self.roles:
            return False
        return trial_id is None or trial_id in self.roles[role]


@dataclass
class World:
    a: Side
    b: Side
    actors: list[Actor]
    people: list[Person]
    feed_token: str  # the calendar feed of counsellor A/P1
    feed_owner: Actor


_numbers = itertools.count(1)


def _man(
    trial: Trial, officer: User, provider: Provider | None, on: datetime.date = TODAY
) -> Person:
    """Screen, consent and enrol (on a day) one man with details found nowhere else."""
    n = next(_numbers)
    tag = _tag(n)
    given, family = f"Ulric{tag}o", f"Quorn{tag}wick"
    dob = datetime.date(1950 + n, n % 12 + 1, 1 + n % 28)
    phone, pnc = f"07700 901{n:03d}", make_pnc(11, 7300000 + n)
    address = f"{n} {family} Mews, Lowtown"
    v_given, v_family = f"Marisol{tag}a", f"Penhallow{tag}e"
    v_phone = f"07700 902{n:03d}"
    assert officer.police_area is not None
    case = _screen(
        trial=trial,
        police_area=officer.police_area,
        details=ScreeningInput(
            given_name=given,
            family_name=family,
            date_of_birth=dob,
            sex="male",
            pnc_id=pnc,
            custody_reference=f"77/{n:05d}/26",
            interpreter_needed=False,
            appropriate_adult_needed=False,
            offence_type="common_assault",
            offence_date=on - datetime.timedelta(days=3),
            arrest_date=on - datetime.timedelta(days=2),
            admission="admitted",
            first_domestic_offence=True,
            last_violence_on=None,
            dash_risk="standard",
            on_bail_or_order=False,
            victim_relationship="current_partner",
            caution_offered=True,
            phone=phone,
            email=f"{family.lower()}@mail.example",
            address=address,
        ),
        token=uuid.uuid4(),
        by=officer,
        screened_at=timezone.make_aware(datetime.datetime.combine(on, datetime.time(9))),
    )
    case = consent_record(
        participant=case,
        victim=VictimInput(
            given_name=v_given,
            family_name=v_family,
            contacted=True,
            contacted_on=on,
            risk_raised=False,
            phone=v_phone,
        ),
        consent=ConsentInput(decision="given", decided_on=on, method="telephone"),
        token=uuid.uuid4(),
        by=officer,
    )
    case = participant_enrol(
        participant=case, caution_given_on=on, token=uuid.uuid4(), by=officer, randomised_on=on
    )
    assert case.allocation is not None
    secrets = [
        given,
        family,
        dob.strftime("%d/%m/%Y"),
        dob.isoformat(),
        dob.strftime("%-d %B %Y"),
        phone,
        phone.replace(" ", ""),
        f"{family} Mews",
        pnc,
        f"{family.lower()}@mail.example",
    ]
    return Person(
        case=case,
        trial=trial,
        area=officer.police_area,
        intervention=case.allocation.arm.is_intervention,
        provider=provider,
        secrets=secrets,
        victim_secrets=[v_given, v_family, v_phone, v_phone.replace(" ", "")],
    )


def _in_arm(trial: Trial, officer: User, provider: Provider | None, intervention: bool) -> Person:
    """Enrol men until one lands in the arm (the others stay: they are cases too)."""
    for _ in range(40):
        person = _man(trial, officer, provider)
        if person.intervention == intervention:
            return person
        _extra.append(person)
    raise AssertionError("randomisation never gave the arm")


_extra: list[Person] = []


def _deliver(trial: Trial, area: PoliceArea, provider: Provider) -> None:
    """Name the provider that runs the area's workshops in the trial."""
    delivery_set(trial=trial, police_area=area, provider=provider, by=None)


def _cycle(trial: Trial, counsellor: User) -> Cycle:
    start = datetime.datetime.combine(
        TODAY + datetime.timedelta(days=7), datetime.time(10), tzinfo=LONDON
    )
    plan = CyclePlan(
        part_1_starts_at=start,
        venue=f"Venue of {trial.code}",
        leads=[counsellor],
        gap_days=None,
        hours=Decimal(5),
        capacity=None,
    )
    return cycle_create(trial=trial, plan=plan, by=counsellor)


def _report(trial: Trial, officer: User, provider: Provider) -> ReportRun:
    """A done report over men randomised 400 days ago, both arms, their 12 months frozen."""
    cut = TODAY - datetime.timedelta(days=1)
    arms: set[bool] = set()
    while len(arms) < 2:
        person = _man(trial, officer, provider, on=TODAY - datetime.timedelta(days=400))
        _extra.append(person)
        arms.add(person.intervention)
        assert person.case.allocation is not None
        freeze(person.case.allocation, data_cut=cut)
    run = report_request(
        trial=trial,
        window_months=12,
        data_cut=cut,
        report_type="interim",
        blinded=False,
        by=None,
        queue=False,
    )
    return report_build(run=run)


def _import(trial: Trial, drop: Path) -> tuple[ImportRun, RecordSource]:
    """An upload refused for a bad row (so it keeps its extract and error report), a folder."""
    pnc = make_pnc(12, 8800000 + trial.pk)  # nobody's PNC ID: the extract names no case
    body = (
        "record_id,pnc_id,offence_date,offence_code,victim_relationship,record_status\n"
        f"R1,{pnc},not-a-date,105/01,same_partner,arrest\n"
    )
    extract = SimpleUploadedFile(f"{trial.code}.csv", body.encode(), content_type="text/csv")
    run = upload_receive(trial=trial, extract=extract, by=None)
    run = upload_import(run=run, by=None)
    folder = drop / f"matrix-{trial.code}"
    folder.mkdir(parents=True, exist_ok=True)
    source = source_create(
        trial=trial, name=f"Extracts {trial.code}", kind="folder", folder=str(folder), by=None
    )
    return run, source


def _no_show(booking: Booking, counsellor: User) -> Breach:
    attendance_record(
        booking=booking,
        attendance="did_not_attend",
        by=counsellor,
        at=booking.session.starts_at + datetime.timedelta(hours=6),
    )
    return Breach.objects.get(participant=booking.participant)


def build(drop: Path) -> World:
    """Make both trials, their people and objects, and one actor per role and scope."""
    _extra.clear()
    a1 = police_area("mx-a1", "Matrix North", "Matrix Constabulary")
    a2 = police_area("mx-a2", "Matrix South", "Matrix Constabulary")
    b1 = police_area("mx-b1", "Elsewhere Central", "Elsewhere Police")
    p1: Provider = ProviderFactory.create(name="Matrix Trust One")
    p2: Provider = ProviderFactory.create(name="Matrix Trust Two")
    arms = [ArmSpec("cara", "CARA workshops", 1, True), ArmSpec("control", "Control", 1)]
    ta = make_trial(
        "MXA", title="Matrix trial A", arms=arms, strata_factors={"area": ["mx-a1", "mx-a2"]}
    )
    tb = make_trial("MXB", title="Matrix trial B", arms=arms, strata_factors={"area": ["mx-b1"]})
    for trial, area, provider in ((ta, a1, p1), (ta, a2, p1), (tb, b1, p2)):
        _deliver(trial, area, provider)

    def user(key: str, role: Role, trial: Trial | None, **fields: object) -> Actor:
        made = make_user(role, trial=trial, username=f"mx-{key}", **fields)
        held = {trial.pk} if trial is not None else set()
        return Actor(
            key=key,
            user=made,
            roles={role: held},
            area=made.police_area,
            provider=made.provider,
        )

    actors = [
        Actor(key="anonymous", user=None),
        user("officer-A-a1", Role.OFFICER, ta, police_area=a1),
        user("officer-A-a2", Role.OFFICER, ta, police_area=a2),
        user("officer-B", Role.OFFICER, tb, police_area=b1),
        user("counsellor-A-P1", Role.COUNSELLOR, ta, provider=p1),
        user("counsellor-A-P2", Role.COUNSELLOR, ta, provider=p2),
        user("counsellor-B-P2", Role.COUNSELLOR, tb, provider=p2),
        user("researcher-A", Role.RESEARCHER, ta),
        user("researcher-B", Role.RESEARCHER, tb),
        user("manager-A", Role.TRIAL_MANAGER, ta, is_staff=True),
        user("manager-B", Role.TRIAL_MANAGER, tb, is_staff=True),
        user("datamanager-A", Role.DATA_MANAGER, ta),
        user("datamanager-B", Role.DATA_MANAGER, tb),
        user("coordinator-A", Role.NATIONAL_COORDINATOR, ta),
        user("dpo", Role.DATA_PROTECTION_OFFICER, None),
        user("dmc-A", Role.DATA_MONITORING_COMMITTEE, ta),
    ]
    by_key = {actor.key: actor for actor in actors}

    def side(trial: Trial, officer: str, counsellor: str, provider: Provider) -> Side:
        off = by_key[officer].user
        coun = by_key[counsellor].user
        assert off is not None
        assert coun is not None
        man = _in_arm(trial, off, provider, True)
        control = _in_arm(trial, off, provider, False)
        cycle = _cycle(trial, coun)
        booking_create(participant=man.case, cycle=cycle, by=coun)
        session = cycle.sessions.get(part=1)
        booking = Booking.objects.get(participant=man.case, part=1)
        breach = _no_show(booking, coun)
        run_, source = _import(trial, drop)
        person = make_user(Role.OFFICER, trial=trial, username=f"mx-person-{trial.code}")
        return Side(
            trial=trial,
            provider=provider,
            man=man,
            control=control,
            other_area=None,
            cycle=cycle,
            session=session,
            booking=booking,
            breach=breach,
            run=_report(trial, off, provider),
            import_run=run_,
            source=source,
            person=person,
        )

    a = side(ta, "officer-A-a1", "counsellor-A-P1", p1)
    b = side(tb, "officer-B", "counsellor-B-P2", p2)
    off_a2 = by_key["officer-A-a2"].user
    assert off_a2 is not None
    a.other_area = _man(ta, off_a2, p1)
    people = [a.man, a.control, a.other_area, b.man, b.control, *_extra]
    feed_owner = by_key["counsellor-A-P1"]
    assert feed_owner.user is not None
    token = calendar_token_create(user=feed_owner.user)
    return World(a=a, b=b, actors=actors, people=people, feed_token=token, feed_owner=feed_owner)
