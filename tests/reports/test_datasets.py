"""The analysis dataset built from hand-made snapshots, baselines, screening and workshops."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.utils import timezone

import reports.selectors.datasets
from common.crypto import person_key
from common.exceptions import DomainError
from outcomes.models import HistoricalBaseline, ImportRun, RecordSource
from reports.analysis.dataset import canonical_csv
from reports.analysis.results import analyse
from reports.selectors import DECLINED, NOT_RANDOMISED_YET, analysis_dataset
from tests.reports.support import CUT, RANDOMISED_ON, LiveTrial, at, freeze, live_trial
from tests.support.factories import make_trial
from trial.models import PostRandomisationEvent
from trial.services import ArmSpec, allocation_import
from workshops.models import Feedback, FeedbackAnswer

D = datetime.date
pytestmark = pytest.mark.django_db


def _attended(monkeypatch: pytest.MonkeyPatch, found: dict[str, int]) -> None:
    # Attendance comes from the workshops app's own selector (tested there, including what the
    # register said at a past cut); here, its answer, asked for as of the dataset's cut.
    def compliance_at_cut(trial: object, as_of: datetime.date | None = None) -> dict[str, int]:
        assert as_of is not None  # never attendance as it is now
        return found

    monkeypatch.setattr(reports.selectors.datasets, "compliance_for_trial", compliance_at_cut)


@pytest.fixture
def cara(monkeypatch: pytest.MonkeyPatch) -> LiveTrial:
    live = live_trial()
    live.enrol_both_arms(3)
    cara_men = live.in_arm("cara")
    for case in live.cases:
        assert case.allocation is not None
        freeze(case.allocation)
    _attended(monkeypatch, {cara_men[0].pseudonym: 2, cara_men[1].pseudonym: 1})
    return live


def test_counts_screening_withdrawals_workshops_and_feedback_of_a_live_trial(
    cara: LiveTrial,
) -> None:
    ineligible = cara.screen(dash_risk="high")
    cara.consent(cara.screen(), agrees=False, on=RANDOMISED_ON)  # declined
    cara.screen()  # waiting for the victim at the cut
    open_window = cara.enrol(on=D(2023, 9, 1))  # randomised; its window is still open
    unfrozen = cara.enrol(on=RANDOMISED_ON)  # window closed by the cut, no snapshot yet
    # Screened on the cut, randomised the day after: awaiting enrolment at the cut.
    cara.enrol(on=CUT + datetime.timedelta(days=1))
    cara.screen(on=CUT + datetime.timedelta(days=5))  # after the cut: not counted
    cara_men = cara.in_arm("cara")
    assert cara_men[0].allocation is not None
    assert cara_men[1].allocation is not None
    PostRandomisationEvent.objects.create(
        allocation=cara_men[0].allocation, kind="withdrawn", occurred_on=D(2023, 5, 1), reason="x"
    )
    PostRandomisationEvent.objects.create(
        allocation=cara_men[1].allocation,
        kind="withdrawn",
        occurred_on=CUT + datetime.timedelta(days=1),
        reason="after the cut",
    )
    feedback = Feedback.objects.create(participant=cara_men[0], recorded_at=at(D(2023, 5, 1)))
    FeedbackAnswer.objects.create(feedback=feedback, item="would_recommend", answer=5)
    FeedbackAnswer.objects.create(feedback=feedback, item="attitude_to_partner", answer=2)

    dataset = analysis_dataset(trial=cara.trial, window_months=12, data_cut=CUT)

    randomised = len(cara.cases) - 1  # everyone enrolled but the man randomised after the cut
    analysed = randomised - 2
    assert len(dataset.rows) == analysed
    assert open_window.pseudonym not in {r.trial_id for r in dataset.rows}
    assert unfrozen.pseudonym not in {r.trial_id for r in dataset.rows}
    screening = dataset.meta.screening
    assert screening is not None
    assert screening.assessed == randomised + 4
    # Only those assessed but not randomised by the cut are excluded before randomisation.
    assert screening.excluded_by_reason == {
        "Ineligible: DASH risk high": 1,
        DECLINED: 1,
        NOT_RANDOMISED_YET: 2,
    }
    assert ineligible.pseudonym not in {r.trial_id for r in dataset.rows}
    flow = {f.arm: f for f in dataset.meta.flow or ()}
    # CONSORT adds up: assessed - excluded = randomised = the arms' allocations, and each arm's
    # allocated - not yet closed - not frozen = analysed (withdrawn men stay in: ITT).
    assert screening.assessed - sum(screening.excluded_by_reason.values()) == randomised
    assert sum(f.randomised for f in flow.values()) == randomised
    assert sum(f.window_open for f in flow.values()) == 1
    assert sum(f.not_frozen for f in flow.values()) == 1
    for code, f in flow.items():
        assert f.randomised - f.window_open - f.not_frozen == sum(
            r.arm == code for r in dataset.rows
        )
    assert (flow["cara"].withdrawn, flow["control"].withdrawn) == (1, 0)
    cara_allocated = flow["cara"].randomised
    assert (flow["cara"].received, flow["cara"].not_received) == (1, cara_allocated - 1)
    assert flow["control"].received is None
    # Randomisations per arm per month, by the cut: everyone, the open window's man included.
    assert open_window.allocation is not None
    open_arm = open_window.allocation.arm.code
    assert dict(flow[open_arm].randomised_by_month or ())["2023-09"] == 1
    assert {c: sum(n for _, n in f.randomised_by_month or ()) for c, f in flow.items()} == {
        c: f.randomised for c, f in flow.items()
    }
    results = analyse(dataset=dataset, reps=1000)
    recruitment = results["recruitment"]
    assert recruitment["months"] == [f"2023-{m:02d}" for m in range(3, 10)]
    assert sum(sum(counts) for counts in recruitment["arms"].values()) == randomised
    assert recruitment["arms"][open_arm][-1] == 1
    consort = results["consort"]
    assert consort["randomised"] == randomised
    assert consort["analysed"] == analysed
    assert consort["assessed"] - consort["excluded"] == consort["randomised"]
    assert consort["arms"]["cara"]["allocated"] == cara_allocated
    assert consort["arms"]["cara"]["withdrawn_analysed"] == 1
    by_id = {r.trial_id: r for r in dataset.rows}
    assert by_id[cara_men[0].pseudonym].withdrawn is True
    assert by_id[cara_men[1].pseudonym].withdrawn is False  # withdrew after the cut
    assert by_id[cara_men[0].pseudonym].workshops_attended == 2
    assert by_id[cara_men[1].pseudonym].workshops_attended == 1
    assert by_id[cara_men[2].pseudonym].workshops_attended == 0
    assert {r.workshops_attended for r in dataset.rows if r.arm == "control"} == {None}
    first = by_id[cara_men[0].pseudonym]
    assert (first.age, first.dash_risk, first.follow_up_days) == (33, "Standard", 366)
    assert [(f.question[:20], f.score) for f in dataset.meta.feedback] == [
        ("The workshops change", 2),
        ("I would recommend th", 5),
    ]
    assert dataset.meta.randomisation.strata_factors == {"area": ["southampton"]}
    assert dataset.meta.cchi_version == "CCHI-2020-DA"


def test_outcomes_come_from_the_latest_snapshot_version_frozen_by_the_cut(
    cara: LiveTrial,
) -> None:
    first, second = cara.in_arm("control")[:2]
    assert first.allocation is not None
    assert second.allocation is not None
    freeze(first.allocation, version=2, data_cut=CUT, offences=2, harm="12.5", same_partner=True)
    late = CUT + datetime.timedelta(days=3)
    freeze(second.allocation, version=2, data_cut=late, offences=1, harm="4")

    rows = {
        r.trial_id: r
        for r in analysis_dataset(trial=cara.trial, window_months=12, data_cut=CUT).rows
    }

    assert (rows[first.pseudonym].offences, rows[first.pseudonym].harm) == (2, 12.5)
    assert rows[first.pseudonym].reoffended_same_partner is True
    assert rows[second.pseudonym].reoffended is False  # its correction came after the cut
    later = {
        r.trial_id: r
        for r in analysis_dataset(trial=cara.trial, window_months=12, data_cut=late).rows
    }
    assert later[second.pseudonym].offences == 1


def test_the_dataset_csv_has_trial_ids_only_and_neutralises_formulas(cara: LiveTrial) -> None:
    dataset = analysis_dataset(trial=cara.trial, window_months=12, data_cut=CUT)
    text = canonical_csv(dataset=dataset).decode()
    assert all(case.pseudonym in text for case in cara.cases)
    for personal in ("Daniel", "Marsh", "Victoria", "example.org", "07700", "High Street", "/"):
        assert personal not in text.split("\n", 1)[1].replace("-", "")  # dates use "-"
    # A hostile stratum or offence label would reach the CSV as text, never as a formula.
    hostile = dataset.rows[0].__class__(
        **{
            **{name: getattr(dataset.rows[0], name) for name in dataset.rows[0].__slots__},
            "offence_type": '=HYPERLINK("http://x")',
        }
    )
    text = canonical_csv(dataset=dataset.__class__(meta=dataset.meta, rows=(hostile,))).decode()
    assert "'=HYPERLINK" in text


def test_an_imported_trial_reads_its_history_and_shows_screening_as_not_recorded() -> None:
    trial = make_trial(
        "HIST",
        title="A trial randomised elsewhere",
        arms=[ArmSpec("cara", "Workshops", 1, True), ArmSpec("control", "Caution only")],
        strata_factors={"area": ["north"]},
        follow_up_months=(12,),
    )
    source = RecordSource.objects.create(trial=trial, name="History", kind="history")
    run = ImportRun.objects.create(source=source, label="history.csv", status="succeeded")
    for n in range(1, 7):
        allocation = allocation_import(
            trial=trial,
            participant_key=f"HIST-{n:04d}",
            person_key=person_key(f"person-{n}"),
            arm_code="cara" if n % 2 else "control",
            strata={"area": "north"},
            randomised_on=D(2014, 1, n),
            by=None,
        )
        freeze(allocation, data_cut=D(2015, 6, 1), offences=n % 3, harm=str(n % 3 * 4))
        HistoricalBaseline.objects.create(
            allocation=allocation,
            age=None if n == 5 else 20 + n,
            offence_type="" if n == 1 else "common_assault",
            dash_risk="medium",
            workshops_attended=(n % 3) if n % 2 else None,
            import_run=run,
        )

    dataset = analysis_dataset(trial=trial, window_months=12, data_cut=D(2015, 6, 1))
    results = analyse(dataset=dataset, reps=1000)

    assert dataset.meta.screening is None
    assert results["consort"]["assessed"] is None
    assert results["consort"]["excluded_by_reason"] is None
    assert results["consort"]["randomised"] == 6
    assert results["consort"]["arms"]["cara"]["allocated"] == 3
    # Workshops of the imported CARA men: 1, 0 (n=3), 2 (n=5): one received both.
    assert results["consort"]["arms"]["cara"]["received"] == 1
    assert results["consort"]["arms"]["cara"]["not_received"] == 2
    rows = {r.trial_id: r for r in dataset.rows}
    assert rows["HIST-0001"].offence_type == "not recorded"
    assert rows["HIST-0003"].offence_type == "Common assault or battery"
    assert rows["HIST-0003"].dash_risk == "Medium"
    assert rows["HIST-0005"].age is None
    assert rows["HIST-0003"].workshops_attended == 0
    assert rows["HIST-0001"].workshops_attended == 1
    assert rows["HIST-0002"].workshops_attended is None
    assert results["baseline"]["age"]["cara"]["missing"] == 1


@pytest.mark.smoke
def test_bad_requests_are_refused_with_a_reason(monkeypatch: pytest.MonkeyPatch) -> None:
    live = live_trial()
    live.enrol_both_arms(1)
    control = live.in_arm("control")[0]
    assert control.allocation is not None
    _attended(monkeypatch, {})

    def refused(**kwargs: Any) -> DomainError:
        with pytest.raises(DomainError) as caught:
            analysis_dataset(trial=live.trial, **{"window_months": 12, "data_cut": CUT, **kwargs})
        return caught.value

    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    assert refused(data_cut=tomorrow).code == "future_cut"
    assert "no 18-month" in refused(window_months=18).message
    assert refused().code == "nothing_frozen"
    freeze(control.allocation)
    error = refused()
    assert error.code == "empty_arm"
    assert "CARA workshops" in error.message
