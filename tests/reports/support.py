"""A live trial with screened, enrolled participants and hand-made frozen snapshots."""

from __future__ import annotations

import datetime
import itertools
import uuid
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils import timezone

from common.identifiers import make_pnc
from common.models import User
from common.roles import Role
from outcomes.models import HarmIndexVersion, Snapshot
from outcomes.windows import window_end
from participants.models import Participant
from participants.services import (
    ConsentInput,
    ScreeningInput,
    VictimInput,
    consent_record,
    participant_enrol,
    screening_record,
)
from reports.models import ReportRun
from reports.services import report_build, report_request
from tests.support.factories import make_trial, make_user, police_area
from trial.models import Allocation, Trial
from trial.services import ArmSpec

D = datetime.date
RANDOMISED_ON = D(2023, 3, 1)
CUT = D(2024, 4, 2)  # after every 12-month window of participants randomised in March 2023
_numbers = itertools.count(1)


def at(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(10)))


def catalogue() -> HarmIndexVersion:
    """Return the shipped catalogue version (transactional tests empty its table: recreate)."""
    found = HarmIndexVersion.objects.filter(is_current=True).first()
    return found or HarmIndexVersion.objects.create(name="CCHI-2020-DA", is_current=True)


@dataclass
class LiveTrial:
    trial: Trial
    officer: User
    cases: list[Participant] = field(default_factory=list)

    def screen(
        self,
        *,
        on: datetime.date = RANDOMISED_ON,
        dash_risk: str = "standard",
        age_years: int = 33,
    ) -> Participant:
        """Screen one case (ineligible when the DASH risk is high)."""
        number = next(_numbers)
        assert self.officer.police_area is not None
        return screening_record(
            trial=self.trial,
            police_area=self.officer.police_area,
            details=ScreeningInput(
                given_name="Daniel",
                family_name=f"Marsh{number}",
                date_of_birth=D(on.year - age_years, 1, 2),
                sex="male",
                pnc_id=make_pnc(15, 300000 + number),
                custody_reference=f"44/{number:05d}/23",
                interpreter_needed=False,
                appropriate_adult_needed=False,
                offence_type="common_assault" if number % 3 else "criminal_damage",
                offence_date=on - datetime.timedelta(days=3),
                arrest_date=on - datetime.timedelta(days=2),
                admission="admitted",
                first_domestic_offence=True,
                last_violence_on=None,
                dash_risk=dash_risk,
                on_bail_or_order=False,
                victim_relationship="current_partner",
                caution_offered=True,
                phone="07700 900123",
                email=f"man{number}@example.org",
                address="1 High Street",
            ),
            token=uuid.uuid4(),
            by=self.officer,
            screened_at=at(on - datetime.timedelta(days=1)),
        )

    def consent(self, case: Participant, *, agrees: bool, on: datetime.date) -> Participant:
        return consent_record(
            participant=case,
            victim=VictimInput(
                given_name="Victoria",
                family_name="Secretname",
                contacted=True,
                contacted_on=on,
                risk_raised=False,
            ),
            consent=ConsentInput(
                decision="given" if agrees else "refused", decided_on=on, method="telephone"
            ),
            token=uuid.uuid4(),
            by=self.officer,
        )

    def enrol(self, *, on: datetime.date = RANDOMISED_ON, age_years: int = 33) -> Participant:
        case = self.consent(self.screen(on=on, age_years=age_years), agrees=True, on=on)
        case = participant_enrol(
            participant=case,
            caution_given_on=on,
            token=uuid.uuid4(),
            by=self.officer,
            randomised_on=on,
        )
        self.cases.append(case)
        return case

    def enrol_both_arms(self, n: int, *, on: datetime.date = RANDOMISED_ON) -> None:
        """Enrol until each arm has at least n participants (blocks balance them quickly)."""
        while min(self.arm_counts().values(), default=0) < n or len(self.arm_counts()) < 2:
            self.enrol(on=on)

    def arm_counts(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for case in self.cases:
            assert case.allocation is not None
            code = case.allocation.arm.code
            counts[code] = counts.get(code, 0) + 1
        return counts

    def in_arm(self, code: str) -> list[Participant]:
        return [c for c in self.cases if c.allocation and c.allocation.arm.code == code]


def live_trial(*, code: str = "CARA", research_email: str = "") -> LiveTrial:
    area = police_area("southampton", "Southampton", "Hampshire")
    trial = make_trial(
        code,
        title=f"Project {code}",
        arms=[ArmSpec("cara", "CARA workshops", 1, True), ArmSpec("control", "Caution only")],
        strata_factors={"area": [area.code]},
        research_email=research_email,
    )
    officer = make_user(Role.OFFICER, police_area=area)
    return LiveTrial(trial=trial, officer=officer)


def freeze(
    allocation: Allocation,
    *,
    months: int = 12,
    data_cut: datetime.date = CUT,
    offences: int = 0,
    harm: str = "0",
    same_partner: bool = False,
    domestic: bool | None = None,
    days_to_first: int | None = None,
    version: int = 1,
    reason: str = "",
) -> Snapshot:
    """Freeze one hand-made snapshot (a re-offence needs offences, harm and days to first)."""
    if offences and days_to_first is None:
        days_to_first = 30
    return Snapshot.objects.create(
        allocation=allocation,
        window_months=months,
        version=version,
        data_cut=data_cut,
        window_end=window_end(allocation.randomised_on, months),
        offences=offences,
        harm_days=Decimal(harm),
        reoffended=offences > 0,
        same_partner=same_partner,
        domestic=bool(offences) if domestic is None else domestic,
        days_to_first=days_to_first,
        harm_index=catalogue(),
        reason=reason or ("" if version == 1 else "correction"),
    )


def built_run(trial: Trial, *, blinded: bool = False) -> ReportRun:
    """The daily task's 12-month interim report at CUT, built (an unblinded one unless told)."""
    run = report_request(
        trial=trial,
        window_months=12,
        data_cut=CUT,
        report_type="interim",
        blinded=blinded,
        by=None,
        queue=False,
    )
    return report_build(run=run)
