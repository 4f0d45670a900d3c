"""Build the analysis dataset of a (trial, window, data cut) from frozen snapshots and baselines.

Every value comes from a read that is fixed once the cut has passed: snapshots frozen on or before
the cut, cases screened on or before it, withdrawals dated on or before it. Trial IDs only.
"""

from __future__ import annotations

import datetime
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.utils import timezone

from common.exceptions import DomainError
from outcomes.selectors import (
    ChargedOutcome,
    SnapshotRow,
    charged_outcomes,
    historical_baseline,
    snapshots_at_cut,
    unscorable_outcomes,
    window_closed,
)
from participants.selectors import (
    CaseStatus,
    DashRisk,
    OffenceType,
    pseudonymised_rows,
    safety_event_counts,
)
from plans.selectors import plan_for_report
from reports.analysis.dataset import (
    NOT_KNOWN,
    AnalysisDataset,
    ArmFlow,
    ArmInfo,
    FeedbackAnswer,
    ParticipantRow,
    RandomisationScheme,
    Screening,
    TrialMeta,
    Unscorable,
)
from reports.analysis.plan import plan_fields
from reports.selectors.randomised import randomised_baseline
from trial.selectors import allocations, current_design, trial_arms, withdrawn_keys
from workshops.selectors import ITEMS, compliance_for_trial, feedback_answers

if TYPE_CHECKING:
    from trial.models import Trial

# Labels of the eligibility criteria codes (participants/eligibility/rules.py) for the CONSORT box.
CRITERION_LABELS = {
    "sex": "Not male",
    "age": "Under the minimum age",
    "relationship": "Victim not a current or former partner",
    "offence_type": "Offence not eligible",
    "admission": "Offence not admitted",
    "first_domestic_offence": "Not a first domestic-abuse offence",
    "recent_violence": "Violence conviction or caution in the last 2 years",
    "dash_risk": "DASH risk high",
    "bail_or_order": "On bail, court order or community sentence",
    "interpreter": "Interpreter needed",
    "appropriate_adult": "Appropriate Adult needed",
    "caution_offered": "No conditional caution offered",
    "victim_contacted": "Victim not contacted",
    "victim_risk": "Victim raised a specific risk",
    "victim_consent": "Victim declined consent",
}
DECLINED = "Victim declined consent"
NOT_RANDOMISED_YET = "Awaiting consent or enrolment at the data cut"


@dataclass(frozen=True)
class Baseline:
    """A participant's baseline facts, pseudonymised."""

    age: int | None
    offence_type: str
    dash_risk: str
    workshops_attended: int | None = None  # imported trials only; live ones ask workshops
    withdrawn_on: datetime.date | None = None


def request_check(
    *, trial: Trial, window_months: int, data_cut: datetime.date, today: datetime.date | None = None
) -> None:
    """Refuse a data cut in the future or a window the trial does not have."""
    today = today or timezone.localdate()
    if data_cut > today:
        raise DomainError(
            f"The data cut {data_cut:%d/%m/%Y} is in the future: choose today or an earlier day.",
            field="data_cut",
            code="future_cut",
        )
    windows = [int(m) for m in trial.follow_up_months]
    if window_months not in windows:
        offered = ", ".join(f"{m} months" for m in windows) or "none"
        raise DomainError(
            f"Trial {trial.code} has no {window_months}-month follow-up window "
            f"(its windows: {offered}).",
            field="window_months",
            code="unknown_window",
        )


def analysis_dataset(
    *, trial: Trial, window_months: int, data_cut: datetime.date, today: datetime.date | None = None
) -> AnalysisDataset:
    """Return the pseudonymised analysis dataset of a trial's window at a data cut, or refuse."""
    request_check(trial=trial, window_months=window_months, data_cut=data_cut, today=today)
    snapshots = snapshots_at_cut(trial=trial, window_months=window_months, data_cut=data_cut)
    if not snapshots:
        raise DomainError(
            f"No participant's {window_months}-month window had closed and been frozen by "
            f"{data_cut:%d/%m/%Y}: there is nothing to analyse at this cut.",
            field="data_cut",
            code="nothing_frozen",
        )
    arms = _arms(trial)
    intervention = {a.code for a in arms if a.is_intervention}
    present = Counter(s.arm for s in snapshots)
    for arm in arms:
        if not present[arm.code]:
            raise DomainError(
                f"The arm '{arm.name}' has nobody whose {window_months}-month window was frozen "
                f"by {data_cut:%d/%m/%Y}: effects cannot be compared with one arm empty.",
                field="data_cut",
                code="empty_arm",
            )
    imported = _imported(trial)
    if imported:
        baseline = _historical_baseline(trial)
        screening = None  # screening happened elsewhere: "not recorded", never zero
        compliance: dict[str, int] = {}
        feedback: tuple[FeedbackAnswer, ...] = ()
    else:
        cases = _cases(trial)
        baseline = _live_baseline(cases)
        screening = _screening(cases=cases, data_cut=data_cut)
        compliance = _compliance(trial, data_cut) if intervention else {}
        feedback = _feedback(trial, data_cut) if intervention else ()
    withdrawn = _withdrawn_events(trial, data_cut)
    waiting = unscorable_outcomes(trial=trial, window_months=window_months, data_cut=data_cut)
    flow = _flow(
        trial=trial,
        arms=arms,
        window_months=window_months,
        data_cut=data_cut,
        analysed={s.participant_key for s in snapshots},
        withdrawn=withdrawn
        | {k for k, b in baseline.items() if b.withdrawn_on and b.withdrawn_on <= data_cut},
        attended=_attended(baseline=baseline, compliance=compliance, imported=imported),
        not_scorable={u.participant_key for u in waiting},
        # A history's format carries no withdrawals: "not recorded", never a count of 0.
        withdrawals_recorded=not imported,
        safety=None if imported else safety_event_counts(trial=trial, by=data_cut),
    )
    charged = charged_outcomes(trial=trial, window_months=window_months, data_cut=data_cut)
    rows = tuple(
        _row(
            snap,
            baseline.get(snap.participant_key),
            compliance=compliance,
            intervention=snap.arm in intervention,
            withdrawn=snap.participant_key in withdrawn,
            data_cut=data_cut,
            imported=imported,
            charged=charged.get(snap.participant_key),
        )
        for snap in snapshots
    )
    meta = TrialMeta(
        code=trial.code,
        title=trial.title,
        arms=arms,
        window_months=window_months,
        data_cut=data_cut,
        cchi_version=", ".join(sorted({s.harm_index for s in snapshots})),
        randomisation=_scheme(trial, imported=imported),
        screening=screening,
        feedback=feedback,
        flow=flow,
        unscorable=tuple(
            Unscorable(arm=u.arm, offences=u.offences, harm_min=u.harm_min, harm_max=u.harm_max)
            for u in waiting
        ),
        randomised=randomised_baseline(trial=trial, data_cut=data_cut, baseline=baseline),
        **plan_fields(plan_for_report(trial, data_cut)),
    )
    return AnalysisDataset(meta=meta, rows=rows)


def _imported(trial: Trial) -> bool:
    """Say whether the trial was randomised elsewhere (its chain is all imported, or all live)."""
    return allocations(trial=trial).filter(imported=True).exists()


def _arms(trial: Trial) -> tuple[ArmInfo, ...]:
    return tuple(
        ArmInfo(code=a.code, name=a.name, is_intervention=a.is_intervention)
        for a in trial_arms(trial)
    )


def _scheme(trial: Trial, *, imported: bool) -> RandomisationScheme:
    """Return the design in force last (the methods name its ratios, blocks and strata).

    A trial randomised elsewhere has the blocks of no design here: its method is what the
    history recorded, or NOT_KNOWN, and no block size is claimed.
    """
    method = (trial.randomisation_recorded or NOT_KNOWN) if imported else None
    try:
        design = current_design(trial)
    except DomainError:  # a trial with no design has no scheme to describe
        return RandomisationScheme(ratios={}, block_sizes=[], strata_factors={}, method=method)
    return RandomisationScheme(
        ratios=dict(design.arm_ratios),
        block_sizes=[] if imported else list(design.block_sizes),
        strata_factors={k: list(design.strata_factors[k]) for k in design.factor_names},
        method=method,
    )


def _label(choices: Any, value: str | None) -> str:
    """Return a choice's label for a code, or the value itself when it is not a known code."""
    if not value:
        return "not recorded"
    return str(choices(value).label) if value in choices.values else str(value)


def _cases(trial: Trial) -> list[dict[str, Any]]:
    return list(pseudonymised_rows(trial=trial))


def _live_baseline(cases: list[dict[str, Any]]) -> dict[str, Baseline]:
    return {
        c["pseudonym"]: Baseline(
            age=c["age_at_randomisation"],
            offence_type=_label(OffenceType, c["offence_type"]),
            dash_risk=_label(DashRisk, c["dash_risk"]),
            withdrawn_on=c["consent__withdrawn_on"],
        )
        for c in cases
        if c["status"] == CaseStatus.ENROLLED
    }


def _historical_baseline(trial: Trial) -> dict[str, Baseline]:
    """Return the baseline of a trial randomised elsewhere, as imported with its allocations."""
    found: dict[str, Baseline] = {}
    for key, row in historical_baseline(trial=trial).items():
        attended = row.workshops_attended
        found[key] = Baseline(
            age=row.age,
            offence_type=_label(OffenceType, row.offence_type),
            dash_risk=_label(DashRisk, row.dash_risk),
            workshops_attended=None if attended is None else int(attended),
        )
    return found


def _screening(*, cases: list[dict[str, Any]], data_cut: datetime.date) -> Screening:
    """Count the CONSORT enrolment box: cases screened by the cut, and why not randomised by it.

    Only cases assessed but not randomised by the cut are excluded (CONSORT's pre-randomisation
    box); each counts once, under its first failed criterion, so assessed minus excluded is the
    number randomised by the cut. Randomised men whose window is still open are in the follow-up
    stage of their arm, not here.
    """
    assessed = 0
    reasons: Counter[str] = Counter()
    for case in cases:
        if timezone.localtime(case["screened_at"]).date() > data_cut:
            continue
        assessed += 1
        randomised_on = case["allocation__randomised_on"]
        if randomised_on is not None and randomised_on <= data_cut:
            continue
        if case["status"] == CaseStatus.INELIGIBLE:
            failed = case["failed_criteria"] or [{"code": "unknown"}]
            code = str(failed[0].get("code", "unknown"))
            reasons[f"Ineligible: {CRITERION_LABELS.get(code, code)}"] += 1
        elif case["status"] == CaseStatus.DECLINED:
            reasons[DECLINED] += 1
        else:
            reasons[NOT_RANDOMISED_YET] += 1
    return Screening(assessed=assessed, excluded_by_reason=dict(reasons))


def _attended(
    *, baseline: dict[str, Baseline], compliance: dict[str, int], imported: bool
) -> Callable[[str], int | None]:
    """Return a lookup of workshops attended by trial ID (None: not recorded), as rows count."""
    if imported:
        found = {k: b.workshops_attended for k, b in baseline.items()}
        return lambda key: found.get(key)
    # Live trials: workshops lists every intervention man; one it does not list attended none.
    return lambda key: compliance.get(key, 0)


def _flow(
    *,
    trial: Trial,
    arms: tuple[ArmInfo, ...],
    window_months: int,
    data_cut: datetime.date,
    analysed: set[str],
    withdrawn: set[str],
    attended: Callable[[str], int | None],
    not_scorable: set[str],
    withdrawals_recorded: bool,
    safety: Counter[str] | None = None,
) -> tuple[ArmFlow, ...]:
    """Count, per arm, everyone randomised by the cut: open windows, unfrozen ones, withdrawals,
    and randomisations per calendar month (the recruitment chart).

    Allocations are the source (live and imported alike), so the allocation boxes show every man
    allocated by the cut whatever the state of his follow-up; received counts cover them all.
    """
    allocated = allocations(trial=trial, randomised_by=data_cut).values_list(
        "participant_key", "arm__code", "randomised_on"
    )
    counts: dict[str, Counter[str]] = {arm.code: Counter() for arm in arms}
    months: dict[str, Counter[str]] = {arm.code: Counter() for arm in arms}
    for key, code, randomised_on in allocated:
        c = counts.setdefault(code, Counter())
        c["randomised"] += 1
        months.setdefault(code, Counter())[f"{randomised_on:%Y-%m}"] += 1
        c["withdrawn"] += key in withdrawn
        c["safety_events"] += (safety or Counter())[key]
        if key not in analysed:
            # A window can be frozen from the day after its last day (outcomes.windows).
            closed = window_closed(randomised_on, window_months, data_cut)
            c["not_frozen" if closed else "window_open"] += 1
            c["not_scorable"] += closed and key in not_scorable
        done = attended(key)
        if done is None:
            c["received_not_recorded"] += 1
        else:
            c["received" if done == 2 else "not_received"] += 1
    flows = []
    for arm in arms:
        c = counts[arm.code]
        recorded = arm.is_intervention and c["received_not_recorded"] < c["randomised"]
        flows.append(
            ArmFlow(
                arm=arm.code,
                randomised=c["randomised"],
                window_open=c["window_open"],
                not_frozen=c["not_frozen"],
                withdrawn=c["withdrawn"] if withdrawals_recorded else None,
                received=c["received"] if recorded else None,
                not_received=c["not_received"] if recorded else None,
                received_not_recorded=c["received_not_recorded"] if arm.is_intervention else None,
                randomised_by_month=tuple(sorted(months[arm.code].items())),
                not_scorable=c["not_scorable"],
                safety_events=None if safety is None else c["safety_events"],
            )
        )
    return tuple(flows)


def _compliance(trial: Trial, data_cut: datetime.date) -> dict[str, int]:
    """Return workshops attended per trial ID of the intervention arm, as recorded by the cut."""
    return {str(k): int(v) for k, v in compliance_for_trial(trial, as_of=data_cut).items()}


def _feedback(trial: Trial, data_cut: datetime.date) -> tuple[FeedbackAnswer, ...]:
    """Return every feedback answer recorded by the cut, by statement (live trials)."""
    text = {item.code: item.text for item in ITEMS}
    order = {item.code: i for i, item in enumerate(ITEMS)}
    answers = feedback_answers(trial=trial, recorded_by=data_cut)
    # Statements in the questionnaire's order, so the PDF lists them as the men saw them.
    ordered = sorted(answers, key=lambda a: (order.get(a[0], len(order)), a[0], a[1]))
    return tuple(FeedbackAnswer(question=text.get(i, i), score=int(s)) for i, _, s in ordered)


def _withdrawn_events(trial: Trial, data_cut: datetime.date) -> set[str]:
    """Return the trial IDs with a withdrawal recorded on the allocation, dated by the cut."""
    return withdrawn_keys(trial=trial, by=data_cut)


def _row(
    snap: SnapshotRow,
    base: Baseline | None,
    *,
    compliance: dict[str, int],
    intervention: bool,
    withdrawn: bool,
    data_cut: datetime.date,
    imported: bool,
    charged: ChargedOutcome | None,
) -> ParticipantRow:
    if base is None:
        base = Baseline(age=None, offence_type="not recorded", dash_risk="not recorded")
    if not intervention:
        attended = None  # the control arm was never offered workshops
    elif imported:
        attended = base.workshops_attended
    else:
        attended = compliance.get(snap.participant_key, 0)
    consent_withdrawn = base.withdrawn_on is not None and base.withdrawn_on <= data_cut
    return ParticipantRow(
        trial_id=snap.participant_key,
        arm=snap.arm,
        stratum=snap.stratum,
        randomised_on=snap.randomised_on,
        age=base.age,
        offence_type=base.offence_type,
        dash_risk=base.dash_risk,
        workshops_attended=attended,
        withdrawn=withdrawn or consent_withdrawn,
        reoffended=snap.reoffended,
        reoffended_same_partner=snap.same_partner,
        reoffended_domestic=snap.domestic,
        offences=snap.offences,
        harm=float(snap.harm_days),
        days_to_first=snap.days_to_first,
        follow_up_days=snap.follow_up_days,
        reoffended_charged=None if charged is None else charged.reoffended,
        harm_charged=None if charged is None else charged.harm,
    )
