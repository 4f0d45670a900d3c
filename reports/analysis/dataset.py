"""The analysis dataset contract: one row per randomised participant plus trial-level metadata.

Whatever loads the data (follow-up snapshots, an imported trial) builds an `AnalysisDataset`; every
analysis and the PDF read only this, so the numbers depend on nothing but its contents.
"""

from __future__ import annotations

import csv
import hashlib
import io
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import numpy as np
import pandas as pd

from common.exceptions import DomainError
from reports.analysis.csvsafe import neutralise_cell
from reports.analysis.randomised import RandomisedBaseline

# What the methods say of an imported trial whose history does not describe its randomisation.
NOT_KNOWN = "as recorded by the source trial, not known to this application"

# The analysis plan's default minimum analysed per arm, below which no estimate is shown.
MIN_PER_ARM = 10

# Column order of the canonical CSV and of the researchers' export (documented in docs/analysis.md).
COLUMNS: tuple[str, ...] = (
    "trial_id",
    "arm",
    "stratum",
    "randomised_on",
    "age",
    "offence_type",
    "dash_risk",
    "workshops_attended",
    "withdrawn",
    "reoffended",
    "reoffended_same_partner",
    "reoffended_domestic",
    "offences",
    "harm",
    "days_to_first",
    "follow_up_days",
    "reoffended_charged",
    "harm_charged",
)


@dataclass(frozen=True, slots=True)
class ParticipantRow:
    """One randomised participant, pseudonymised: outcomes over the report's follow-up window."""

    trial_id: str
    arm: str
    stratum: str
    randomised_on: date
    age: int | None
    offence_type: str
    dash_risk: str
    workshops_attended: int | None  # 0, 1, 2; None for the control arm or when not recorded
    withdrawn: bool
    reoffended: bool
    reoffended_same_partner: bool
    reoffended_domestic: bool
    offences: int
    harm: float  # CCHI days
    days_to_first: int | None  # None when no re-offence in the window
    follow_up_days: int
    # The same window counting only records charged, cautioned or convicted (a sensitivity
    # analysis: complaints and arrests alone left out). None: a record's status not recorded.
    reoffended_charged: bool | None = None
    harm_charged: float | None = None


@dataclass(frozen=True, slots=True)
class ArmInfo:
    """An arm as the report names it."""

    code: str
    name: str
    is_intervention: bool


@dataclass(frozen=True, slots=True)
class RandomisationScheme:
    """How allocations were made, for the methods section."""

    ratios: dict[str, int]
    block_sizes: list[int]
    strata_factors: dict[str, list[str]]
    # A trial randomised elsewhere: the source's method in its words, or NOT_KNOWN. None: this
    # application randomised (concealed permuted blocks of `block_sizes` within strata).
    method: str | None = None


@dataclass(frozen=True, slots=True)
class Screening:
    """Screening counts; None in a field means "not recorded", never zero."""

    assessed: int | None
    excluded_by_reason: dict[str, int] | None


@dataclass(frozen=True, slots=True)
class ArmFlow:
    """One arm's CONSORT counts over everyone randomised to it by the cut, analysed or not.

    The rows hold only participants with a snapshot at the cut; an interim report's flow diagram
    also needs those whose window was still open. None in a count means "not recorded".
    """

    arm: str
    randomised: int  # allocated to the arm, randomised on or before the cut
    window_open: int  # window not yet closed at the cut (its last day is on or after it)
    not_frozen: int  # window closed by the cut but no snapshot frozen by it
    withdrawn: int | None  # withdrew on or before the cut, analysed or not; None: not recorded
    received: int | None = None  # attended both workshops; None: control arm or not recorded
    not_received: int | None = None
    received_not_recorded: int | None = None
    # ("YYYY-MM", n) for each calendar month with a randomisation by the cut, in month order: the
    # recruitment chart's data. None: not carried (a flow built from the rows alone).
    randomised_by_month: tuple[tuple[str, int], ...] | None = None
    # Of not_frozen: windows closed but waiting for an offence code the catalogue lacks, so the
    # outcome cannot be scored yet (informative missingness: bounded in the sensitivity analyses).
    not_scorable: int = 0
    # Victim-safety events recorded by officers, dated by the cut (harms). None: not recorded.
    safety_events: int | None = None


@dataclass(frozen=True, slots=True)
class Unscorable:
    """A participant of `ArmFlow.not_scorable`, scored with the unknown codes at the catalogue's
    least and greatest harm: the bounds of a sensitivity analysis, never an analysed row."""

    arm: str
    offences: int
    harm_min: float
    harm_max: float


@dataclass(frozen=True, slots=True)
class FeedbackAnswer:
    """One answer to a feedback question on a 1 (strongly disagree) to 5 (strongly agree) scale."""

    question: str
    score: int


@dataclass(frozen=True, slots=True)
class TrialMeta:
    """Trial-level facts the analysis and the report need besides the rows."""

    code: str
    title: str
    arms: tuple[ArmInfo, ...]
    window_months: int
    data_cut: date
    cchi_version: str
    randomisation: RandomisationScheme
    screening: Screening | None = None  # None: screening was never recorded (imported trial)
    feedback: tuple[FeedbackAnswer, ...] = ()
    # None: the dataset was built from its rows alone (everyone randomised is analysed).
    flow: tuple[ArmFlow, ...] | None = None
    unscorable: tuple[Unscorable, ...] = ()
    # Everyone randomised by the cut (baseline of all randomised). None: not carried.
    randomised: tuple[RandomisedBaseline, ...] | None = None
    min_per_arm: int = MIN_PER_ARM  # below it in an arm, the report shows no estimates (why)
    # Interim monitoring (reports/analysis/monitoring.py); the analysis plan will feed these.
    planned_sample_size: int | None = None
    interim_looks: int = 0
    spending: str = "obrien_fleming"
    interim: bool = False
    blinded: bool = False  # arms relabelled A, B: a boundary is judged without its direction
    # The analysis plan in force at the cut as the report cites it (reports/analysis/plan.py);
    # None: no plan was declared by the cut.
    plan: dict[str, Any] | None = None


@dataclass(frozen=True, slots=True)
class AnalysisDataset:
    """The frozen input of one analysis: metadata and one row per randomised participant."""

    meta: TrialMeta
    rows: tuple[ParticipantRow, ...] = field(default=())


def _cell(value: Any) -> str:
    """Format one value canonically: ISO dates, lower-case booleans, rounded floats, '' for None."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        # Six decimals of a CCHI day is far below any recorded precision; rounding keeps the
        # bytes (and so the hash) independent of float summation order.
        return repr(round(value, 6) + 0.0)
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def canonical_rows(rows: Iterable[ParticipantRow]) -> list[list[str]]:
    """Return the rows as canonical text cells, sorted by trial ID."""
    ordered = sorted(rows, key=lambda r: r.trial_id)
    return [[_cell(getattr(r, name)) for name in COLUMNS] for r in ordered]


def canonical_csv(*, dataset: AnalysisDataset, neutralise: bool = True) -> bytes:
    """Return the dataset's canonical CSV bytes (UTF-8, LF, header first, sorted by trial ID)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(COLUMNS)
    for cells in canonical_rows(dataset.rows):
        writer.writerow([neutralise_cell(c) for c in cells] if neutralise else cells)
    return buffer.getvalue().encode("utf-8")


FLOW_COLUMNS: tuple[str, ...] = ("count", "arm", "n")
FLOW_COUNTS: tuple[str, ...] = (
    "randomised",
    "window_open",
    "not_frozen",
    "withdrawn",
    "received",
    "not_received",
    "received_not_recorded",
    "not_scorable",
    "safety_events",
)


def canonical_flow_csv(*, meta: TrialMeta) -> bytes:
    """Return the CONSORT counts the rows cannot show, as canonical CSV (`count,arm,n`).

    Screening first (`assessed`, then `excluded:<reason>` sorted), then each arm's counts in
    `FLOW_COUNTS` order followed by its `randomised:YYYY-MM` counts in month order, arms in trial
    order; an empty `n` means not recorded.
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(FLOW_COLUMNS)
    screening = meta.screening
    writer.writerow(["assessed", "", _cell(None if screening is None else screening.assessed)])
    reasons = None if screening is None else screening.excluded_by_reason
    for reason, n in sorted((reasons or {}).items()):
        writer.writerow([neutralise_cell(f"excluded:{reason}"), "", _cell(n)])
    order = {arm.code: i for i, arm in enumerate(meta.arms)}
    for flow in sorted(meta.flow or (), key=lambda f: (order.get(f.arm, len(order)), f.arm)):
        for name in FLOW_COUNTS:
            writer.writerow([name, neutralise_cell(flow.arm), _cell(getattr(flow, name))])
        for month, n in flow.randomised_by_month or ():
            writer.writerow([f"randomised:{month}", neutralise_cell(flow.arm), _cell(n)])
    return buffer.getvalue().encode("utf-8")


def dataset_sha256(*, dataset: AnalysisDataset) -> str:
    """Return the SHA-256 (hex) of the downloadable dataset.csv followed by flow.csv.

    The flow counts (everyone randomised by the cut, screening) are part of the report's data:
    a withdrawal or randomisation recorded later changes the hash, so a report is never reused
    for different counts. `cat dataset.csv flow.csv | sha256sum` gives the cover's hash.
    """
    digest = hashlib.sha256(canonical_csv(dataset=dataset))
    digest.update(canonical_flow_csv(meta=dataset.meta))
    return digest.hexdigest()


def to_frame(*, dataset: AnalysisDataset) -> pd.DataFrame:
    """Return the rows as a validated DataFrame, one column per contract column."""
    rows = dataset.rows
    if not rows:
        raise DomainError("The dataset has no randomised participants: nothing to analyse.")
    data = {name: [getattr(r, name) for r in rows] for name in COLUMNS}
    frame = pd.DataFrame(
        {
            "trial_id": data["trial_id"],
            "arm": data["arm"],
            "stratum": data["stratum"],
            "randomised_on": pd.to_datetime(data["randomised_on"]),
            "age": pd.array(data["age"], dtype="Float64").astype(float),
            "offence_type": data["offence_type"],
            "dash_risk": data["dash_risk"],
            "workshops_attended": pd.array(data["workshops_attended"], dtype="Float64").astype(
                float
            ),
            "withdrawn": np.asarray(data["withdrawn"], dtype=bool),
            "reoffended": np.asarray(data["reoffended"], dtype=bool),
            "reoffended_same_partner": np.asarray(data["reoffended_same_partner"], dtype=bool),
            "reoffended_domestic": np.asarray(data["reoffended_domestic"], dtype=bool),
            "offences": np.asarray(data["offences"], dtype=np.int64),
            "harm": np.asarray(data["harm"], dtype=float),
            "days_to_first": pd.array(data["days_to_first"], dtype="Float64").astype(float),
            "follow_up_days": np.asarray(data["follow_up_days"], dtype=np.int64),
            "reoffended_charged": pd.array(data["reoffended_charged"], dtype="boolean"),
            "harm_charged": pd.array(data["harm_charged"], dtype="Float64").astype(float),
        }
    )
    _validate(frame=frame, meta=dataset.meta)
    return frame


def _refuse(frame: pd.DataFrame, bad: Any, message: str) -> None:
    """Raise naming the first few participants whose row breaks a rule."""
    if bool(np.any(bad)):
        ids = ", ".join(frame.loc[bad, "trial_id"].head(3).astype(str))
        raise DomainError(f"{message} (e.g. {ids}).", code="invalid_dataset")


def _validate(*, frame: pd.DataFrame, meta: TrialMeta) -> None:
    """Refuse rows that contradict themselves, so no report rests on impossible data."""
    codes = [a.code for a in meta.arms]
    if len(set(codes)) != len(codes):
        raise DomainError("Arm codes must be unique.", code="invalid_dataset")
    if sum(not a.is_intervention for a in meta.arms) != 1 or len(meta.arms) < 2:
        raise DomainError(
            "The analysis needs exactly one control arm and at least one intervention arm.",
            code="invalid_dataset",
        )
    if frame["trial_id"].duplicated().any():
        _refuse(frame, frame["trial_id"].duplicated(keep=False), "Trial IDs must be unique")
    _refuse(frame, ~frame["arm"].isin(codes), "Rows name an arm the trial does not have")
    workshops = frame["workshops_attended"]
    _refuse(frame, workshops.notna() & ~workshops.isin([0, 1, 2]), "Workshops must be 0, 1 or 2")
    _refuse(frame, frame["offences"] < 0, "Offence counts cannot be negative")
    _refuse(frame, ~(frame["harm"] >= 0), "Harm must be a non-negative number of CCHI days")
    _refuse(frame, frame["follow_up_days"] <= 0, "Follow-up must be at least one day")
    _refuse(
        frame,
        frame["reoffended"] != (frame["offences"] > 0),
        "A re-offence flag disagrees with the offence count",
    )
    _refuse(
        frame,
        frame["reoffended_same_partner"] & ~frame["reoffended_domestic"],
        "A re-offence against the same partner must also count as domestic",
    )
    _refuse(
        frame,
        frame["reoffended_domestic"] & ~frame["reoffended"],
        "A domestic re-offence must also count as a re-offence",
    )
    first = frame["days_to_first"]
    _refuse(
        frame,
        frame["reoffended"] != first.notna(),
        "Days to first re-offence must be given exactly when there was a re-offence",
    )
    _refuse(
        frame,
        (first < 0) | (first > frame["follow_up_days"]),
        "Days to first re-offence must fall inside the follow-up",
    )
