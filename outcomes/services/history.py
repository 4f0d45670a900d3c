"""Import a trial randomised elsewhere: participants, baseline facts and re-offences, all or none.

Both files are read and checked whole before anything is written (a history is hundreds or a few
thousand rows, so holding it in memory is cheap, and cross-file checks need it). Then one
transaction creates the trial if needed, records each allocation in the hash chain, stores the
baseline facts and the re-offence records, moves the trial to follow-up and freezes every window
that has closed. Format and rules: docs/import-history.md.
"""

from __future__ import annotations

import csv
import datetime
import secrets
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from django.db import transaction
from django.utils import timezone

from common.crypto import SEALED_SUFFIX, seal_file, sealed_text
from common.exceptions import DomainError, NotAllowedError
from common.memberships import membership_check
from common.models import User
from common.roles import Role
from common.services import audit_record
from outcomes.extracts import FileRejectedError, csv_rows
from outcomes.history_rows import (
    FACT_NAMES,
    PARTICIPANT_COLUMNS,
    REOFFENCE_COLUMNS,
    HistoryError,
    HistoryOffence,
    HistoryParticipant,
    history_person_key,
    parse_offence,
    parse_participant,
)
from outcomes.models import (
    HistoricalBaseline,
    ImportRun,
    RecordSource,
    ReoffenceRecord,
    RunStatus,
    Snapshot,
    SourceKind,
)
from outcomes.selectors import latest_data_cut, unscored_codes
from outcomes.services.files import quarantine_dir
from outcomes.services.followup import snapshot_correct, snapshots_freeze
from outcomes.windows import in_window
from trial.selectors import (
    TrialStatus,
    allocation_get,
    allocations,
    current_design,
    trial_by_code,
    trial_get,
)
from trial.services import TRANSITIONS, ArmSpec, allocation_import, trial_create, trial_transition

if TYPE_CHECKING:
    from trial.models import Trial

SOURCE_NAME = "History import"
DEFAULT_FACTOR = "stratum"
DEFAULT_WINDOWS = (12, 24)
ERRORS_SHOWN = 50

Parsed = TypeVar("Parsed", HistoryParticipant, HistoryOffence)


@dataclass(frozen=True)
class HistoryOptions:
    """Settings used when the trial is created; given for an existing trial they must match."""

    title: str | None = None
    ratios: Mapping[str, int] | None = None
    intervention: Sequence[str] | None = None
    windows: Sequence[int] | None = None
    factor: str | None = None
    randomisation: str | None = None  # the source trial's method in its own words


@dataclass
class HistoryResult:
    trial: Trial
    created: bool = False
    participants_added: int = 0
    participants_known: int = 0
    records_added: int = 0
    records_known: int = 0
    records_not_counted: int = 0  # dated on or before randomisation: kept, in no window
    frozen: int = 0
    corrected: int = 0
    blocked: int = 0
    unscored: list[str] = field(default_factory=list)
    run: ImportRun | None = None
    as_of: datetime.date | None = None  # the day snapshots were frozen as of (the data lock)

    @property
    def added_nothing(self) -> bool:
        return not (self.participants_added or self.records_added)


class HistoryRejectedError(DomainError):
    """Rows of either file were refused; nothing was stored and both files were kept."""

    def __init__(
        self, message: str, *, errors: list[HistoryError], report: str, kept: list[str]
    ) -> None:
        super().__init__(message, code="rows_refused")
        self.errors, self.report, self.kept = errors, report, kept


@dataclass
class _Target:
    """The trial the files go into, as stored now (empty when it is to be created)."""

    trial: Trial | None = None
    arms: set[str] = field(default_factory=set)
    controls: set[str] = field(default_factory=set)
    factor: str | None = None  # None: the trial is not stratified
    values: set[str] = field(default_factory=set)
    people: dict[str, tuple[object, ...]] = field(default_factory=dict)
    randomised: dict[str, datetime.date] = field(default_factory=dict)
    records: dict[str, tuple[object, ...]] = field(default_factory=dict)


def trial_history_import(
    *,
    code: str,
    participants: Path,
    reoffences: Path,
    options: HistoryOptions | None = None,
    by: User | None,
    today: datetime.date | None = None,
    data_lock: datetime.date | None = None,
) -> HistoryResult:
    """Load an already-randomised trial's history; refuse both files whole if any row is bad.

    `data_lock` is the day the source trial locked its data: no row may be dated after it, and the
    snapshots are frozen as of it, so an analysis can be cut there, as the source trial's was.
    """
    options = options or HistoryOptions()
    today = today or timezone.localdate()
    if data_lock is not None:
        _data_lock_check(code, data_lock, today)
        today = data_lock
    for path in (participants, reoffences):
        if not path.is_file():
            raise DomainError(f"There is no file {path}.")
    target = _target(code, options)
    if target.trial is not None:  # a new trial is managed by whoever creates it (trial_create)
        membership_check(by, target.trial, Role.DATA_MANAGER, Role.TRIAL_MANAGER)
    errors: list[HistoryError] = []
    people = _read(participants, PARTICIPANT_COLUMNS, parse_participant, code, today, errors)
    specs: list[ArmSpec] = []
    if target.trial is None and people:
        specs = _new_design(target, people, options, errors, participants.name)
    new_people = _check_people(target, people, errors, participants.name)
    offences = _read(reoffences, REOFFENCE_COLUMNS, parse_offence, code, today, errors)
    randomised = {**target.randomised, **{p.participant_key: p.randomised_on for p in people}}
    new_offences = _check_offences(target, offences, randomised, errors, reoffences.name)
    if not people and target.trial is None and not errors:
        errors.append(HistoryError(participants.name, 0, "*", "The file holds no participants."))
    if errors:
        _reject(code, participants, reoffences, errors, by)
    closed = target.trial is not None and target.trial.status == TrialStatus.CLOSED
    if closed and (new_people or new_offences):
        raise NotAllowedError(f"Trial {code} is closed: nothing more can be imported into it.")
    with transaction.atomic():
        trial = target.trial or trial_create(
            code=code,
            title=options.title or f"{code} (imported history)",
            arms=specs,
            strata_factors={target.factor: sorted(target.values)} if target.factor else {},
            follow_up_months=tuple(options.windows or DEFAULT_WINDOWS),
            by=by,
            randomisation_recorded=options.randomisation or "",
        )
        result = HistoryResult(trial=trial, created=target.trial is None, as_of=today)
        result.participants_known = len(people) - len(new_people)
        result.records_known = len(offences) - len(new_offences)
        if new_people or new_offences:
            _store(result, target, new_people, new_offences, randomised, today, by)
            result.run = _finish_run(result, participants, reoffences, len(people), len(offences))
        _to_follow_up(trial, by)
        frozen = snapshots_freeze(trial=trial, today=today, by=by)
        result.frozen, result.blocked = frozen.frozen, result.blocked + frozen.blocked
        result.unscored = sorted({u.code for u in unscored_codes(trial)})
        result.trial = trial_get(pk=trial.pk)
        if result.run is not None:
            audit_record(
                actor=by,
                action="history.import",
                obj=result.run,
                trial=code,
                created=result.created,
                participants_added=result.participants_added,
                records_added=result.records_added,
                snapshots_frozen=result.frozen,
                snapshots_corrected=result.corrected,
            )
    return result


def _data_lock_check(code: str, data_lock: datetime.date, today: datetime.date) -> None:
    """Refuse a data lock in the future, or before snapshots an earlier import froze."""
    if data_lock > today:
        raise DomainError(
            f"The data lock {data_lock:%d/%m/%Y} is in the future: give the day the source "
            "trial locked its data.",
            field="data_lock",
        )
    trial = trial_by_code(code)
    if trial is None:
        return
    cuts = [
        latest_data_cut(trial=trial, window_months=int(m), before=datetime.date.max)
        for m in trial.follow_up_months
    ]
    latest = max((c for c in cuts if c is not None), default=None)
    if latest is not None and data_lock < latest:
        raise DomainError(
            f"Trial {code} already has snapshots frozen as of {latest:%d/%m/%Y}: a later import "
            "cannot lock its data earlier.",
            field="data_lock",
        )


def _target(code: str, options: HistoryOptions) -> _Target:
    trial = trial_by_code(code)
    if trial is None:
        return _Target()
    if trial.chain_length and not trial.allocations_imported:
        raise NotAllowedError(
            f"Trial {code} randomises here: a history cannot be imported into its chain."
        )
    design = current_design(trial)
    factors = design.factor_names
    if len(factors) > 1:
        raise NotAllowedError(
            f"Trial {code} is stratified by {', '.join(factors)}: a history file's stratum column "
            "can name one factor only."
        )
    arms = list(trial.arms.order_by("order", "id"))
    _options_match(trial, options, design.ratios, factors)
    target = _Target(
        trial=trial,
        arms={a.code for a in arms},
        controls={a.code for a in arms if not a.is_intervention},
        factor=factors[0] if factors else None,
        values=set(design.strata_factors[factors[0]]) if factors else set(),
    )
    rows = allocations(trial=trial).values_list(
        "participant_key",
        "arm__code",
        "stratum__values",
        "randomised_on",
        "historical_baseline__workshops_attended",
        "historical_baseline__age",
        "historical_baseline__offence_type",
        "historical_baseline__dash_risk",
    )
    for key, arm, values, day, workshops, age, offence_type, dash_risk in rows:
        stratum = values.get(target.factor, "") if target.factor else ""
        target.people[key] = (arm, stratum, day, workshops, age, offence_type, dash_risk)
        target.randomised[key] = day
    records = ReoffenceRecord.objects.filter(
        source__trial=trial, source__kind=SourceKind.HISTORY
    ).values_list(
        "source_record_id",
        "allocation__participant_key",
        "offence_date",
        "offence_code",
        "victim_relationship",
        "record_status",
    )
    target.records = {rid: tuple(facts) for rid, *facts in records}
    return target


def _options_match(
    trial: Trial, options: HistoryOptions, ratios: Mapping[str, int], factors: list[str]
) -> None:
    """Refuse creation options that contradict the existing trial (the same ones are fine)."""
    given = {
        "--title": (options.title, trial.title),
        "--windows": (
            sorted(set(options.windows)) if options.windows else None,
            sorted(trial.follow_up_months),
        ),
        "--ratio": (dict(options.ratios) if options.ratios else None, dict(ratios)),
        "--intervention": (
            sorted(options.intervention) if options.intervention else None,
            sorted(trial.arms.filter(is_intervention=True).values_list("code", flat=True)),
        ),
        "--factor": (options.factor, factors[0] if factors else None),
        "--randomisation": (options.randomisation, trial.randomisation_recorded or None),
    }
    for name, (wanted, stored) in given.items():
        if wanted is not None and wanted != stored:
            raise DomainError(
                f"Trial {trial.code} exists with {name} {stored}; {name} applies only when the "
                "import creates the trial."
            )


def _read(
    path: Path,
    columns: Sequence[str],
    parse: Callable[..., tuple[Parsed | None, list[HistoryError]]],
    code: str,
    today: datetime.date,
    errors: list[HistoryError],
) -> list[Parsed]:
    found: list[Parsed] = []
    try:
        for number, raw in csv_rows(path, columns):
            parsed, problems = parse(path.name, number, raw, code=code, today=today)
            errors.extend(problems)
            if parsed is not None:
                found.append(parsed)
    except FileRejectedError as exc:
        errors.append(HistoryError(path.name, 0, "*", str(exc)))
    return found


def _new_design(
    target: _Target,
    people: list[HistoryParticipant],
    options: HistoryOptions,
    errors: list[HistoryError],
    file: str,
) -> list[ArmSpec]:
    """Decide a new trial's arms and stratification from the file and the options."""
    arms = {p.arm for p in people}
    # The default needs exactly "control" and one other arm: a third arm code is more often a
    # typing error than a second intervention, and must not become an arm silently.
    two_with_control = len(arms) == 2 and "control" in arms
    intervention = set(options.intervention or (arms - {"control"} if two_with_control else ()))
    if not intervention:
        raise DomainError(
            f"The file's arms are {', '.join(sorted(arms))}: name the intervention arm(s) with "
            "--intervention (the default needs two arms, one coded control)."
        )
    if intervention - arms:
        raise DomainError(
            f"--intervention names {', '.join(sorted(intervention - arms))}, "
            "which no participant is allocated to."
        )
    controls = arms - intervention
    if len(controls) != 1:
        raise DomainError(
            f"The analysis compares with exactly one control arm; the file's arms leave "
            f"{', '.join(sorted(controls)) or 'none'} as control."
        )
    ratios = dict(options.ratios or dict.fromkeys(arms, 1))
    if set(ratios) != arms:
        raise DomainError(
            f"--ratio must name each arm of the file once: {', '.join(sorted(arms))}."
        )
    target.arms, target.controls = arms, controls
    values = {p.stratum for p in people}
    if values != {""}:
        target.factor, target.values = options.factor or DEFAULT_FACTOR, values - {""}
        for p in people:
            if not p.stratum:
                errors.append(
                    HistoryError(file, p.row, "stratum", "stratum is empty (other rows have one).")
                )
    order = sorted(intervention) + sorted(controls)  # the first intervention arm is the primary
    return [ArmSpec(a, a, int(ratios[a]), a in intervention) for a in order]


def _check_people(
    target: _Target, people: list[HistoryParticipant], errors: list[HistoryError], file: str
) -> list[HistoryParticipant]:
    """Check rows against each other and the stored trial; return those not yet imported."""
    first: dict[str, int] = {}
    new: list[HistoryParticipant] = []
    for p in people:
        problems = _person_problems(target, p, first)
        errors.extend(HistoryError(file, p.row, column, text) for column, text in problems)
        first.setdefault(p.participant_key, p.row)
        if problems:
            continue
        stored = target.people.get(p.participant_key)
        if stored is None:
            new.append(p)
        elif stored != p.facts():
            differ = [n for n, a, b in zip(FACT_NAMES, stored, p.facts(), strict=True) if a != b]
            errors.append(
                HistoryError(
                    file,
                    p.row,
                    differ[0],
                    f"{p.participant_key} was imported before with other {', '.join(differ)}: "
                    "an imported allocation and its baseline never change.",
                )
            )
    return new


def _person_problems(
    target: _Target, p: HistoryParticipant, first: Mapping[str, int]
) -> list[tuple[str, str]]:
    problems: list[tuple[str, str]] = []
    if p.participant_key in first:
        problems.append(
            (
                "trial_id",
                f"{p.participant_key} is repeated (first on row {first[p.participant_key]}).",
            )
        )
    if target.arms and p.arm not in target.arms:
        code = target.trial.code if target.trial else "the import"
        problems.append(
            ("arm", f"'{p.arm}' is not an arm of trial {code} ({', '.join(sorted(target.arms))}).")
        )
    if p.arm in target.controls and p.workshops_attended is not None:
        problems.append(("workshops_attended", "must be empty for the control arm."))
    if target.trial is not None:
        if target.factor is None and p.stratum:
            problems.append(
                ("stratum", f"trial {target.trial.code} is not stratified: leave empty.")
            )
        elif target.factor is not None and p.stratum not in target.values:
            problems.append(
                (
                    "stratum",
                    f"'{p.stratum}' is not a value of {target.factor} in trial "
                    f"{target.trial.code} ({', '.join(sorted(target.values))}).",
                )
            )
    return problems


def _check_offences(
    target: _Target,
    offences: list[HistoryOffence],
    randomised: Mapping[str, datetime.date],
    errors: list[HistoryError],
    file: str,
) -> list[HistoryOffence]:
    first: dict[str, int] = {}
    new: list[HistoryOffence] = []
    for o in offences:
        if o.participant_key not in randomised:
            errors.append(
                HistoryError(file, o.row, "trial_id", f"No participant {o.participant_key}.")
            )
        elif o.record_id in first:
            errors.append(
                HistoryError(
                    file,
                    o.row,
                    "record_id",
                    f"{o.record_id} is repeated (first on row {first[o.record_id]}).",
                )
            )
        elif o.record_id not in target.records:
            new.append(o)
        elif target.records[o.record_id] != o.facts():
            errors.append(
                HistoryError(
                    file,
                    o.row,
                    "record_id",
                    f"Record {o.record_id} was imported before with other values: a changed "
                    "record needs a new record_id.",
                )
            )
        first.setdefault(o.record_id, o.row)
    return new


def _reject(
    code: str, participants: Path, reoffences: Path, errors: list[HistoryError], by: User | None
) -> None:
    """Keep both files and the row-by-row report in quarantine, then refuse the import."""
    stamp = f"history-{code}-{timezone.now():%Y%m%dT%H%M%S}-{secrets.token_hex(3)}"
    folder = quarantine_dir()
    kept = []
    for label, path in (("participants", participants), ("reoffences", reoffences)):
        target = folder / f"{stamp}-{label}-{path.name}{SEALED_SUFFIX}"
        seal_file(path, target)  # a sealed copy: the files are the user's, not a drop folder's
        kept.append(str(target))
    report = folder / f"{stamp}-errors.csv{SEALED_SUFFIX}"
    with sealed_text(report) as handle:
        writer = csv.writer(handle)
        writer.writerow(["file", "row", "column", "error"])
        writer.writerows([e.file, e.row, e.column, e.message] for e in errors)
    with transaction.atomic():
        audit_record(
            actor=by,
            action="history.reject",
            object_type="trial.Trial",
            object_id=code,
            errors=len(errors),
            report=str(report),
        )
    files = sorted({e.file for e in errors})
    raise HistoryRejectedError(
        f"{len(errors)} error(s) in {' and '.join(files)}; nothing was stored.",
        errors=errors,
        report=str(report),
        kept=kept,
    )


def _store(
    result: HistoryResult,
    target: _Target,
    people: list[HistoryParticipant],
    offences: list[HistoryOffence],
    randomised: Mapping[str, datetime.date],
    today: datetime.date,
    by: User | None,
) -> None:
    trial = result.trial
    source, _ = RecordSource.objects.get_or_create(
        trial=trial, name=SOURCE_NAME, defaults={"kind": SourceKind.HISTORY}
    )
    if source.kind != SourceKind.HISTORY:
        raise NotAllowedError(
            f"Trial {trial.code} has a source named {SOURCE_NAME} of another kind."
        )
    run = ImportRun.objects.create(source=source, label="history import", started_by=by)
    result.run = run
    factor = target.factor
    baselines: list[HistoricalBaseline] = []
    for p in people:
        allocation = allocation_import(
            trial=trial,
            participant_key=p.participant_key,
            person_key=history_person_key(trial.code, p.participant_key),
            arm_code=p.arm,
            strata={factor: p.stratum} if factor else {},
            randomised_on=p.randomised_on,
            by=by,
        )
        baselines.append(
            HistoricalBaseline(
                allocation=allocation,
                age=p.age,
                offence_type=p.offence_type,
                dash_risk=p.dash_risk,
                workshops_attended=p.workshops_attended,
                import_run=run,
            )
        )
    HistoricalBaseline.objects.bulk_create(baselines)
    result.participants_added = len(people)
    ids = dict(allocations(trial=trial).values_list("participant_key", "id"))
    ReoffenceRecord.objects.bulk_create(
        (
            ReoffenceRecord(
                source=source,
                source_record_id=o.record_id,
                import_run=run,
                person_identifier=o.participant_key,  # no PNC ID in a history: the trial ID
                person_key=history_person_key(trial.code, o.participant_key),
                offence_date=o.offence_date,
                offence_code=o.offence_code,
                victim_relationship=o.victim_relationship,
                record_status=o.record_status,
                allocation_id=ids[o.participant_key],
            )
            for o in offences
        ),
        batch_size=2000,
    )
    result.records_added = len(offences)
    result.records_not_counted = sum(
        o.offence_date <= randomised[o.participant_key] for o in offences
    )
    _correct_frozen(result, offences, ids, randomised, today, by)


def _correct_frozen(
    result: HistoryResult,
    offences: Iterable[HistoryOffence],
    ids: Mapping[str, int],
    randomised: Mapping[str, datetime.date],
    today: datetime.date,
    by: User | None,
) -> None:
    """New records inside a window already frozen: freeze a corrected version, with the reason."""
    months = [int(m) for m in result.trial.follow_up_months]
    touched = {
        (o.participant_key, m)
        for o in offences
        for m in months
        if in_window(randomised[o.participant_key], m, o.offence_date)
    }
    frozen = set(
        Snapshot.objects.filter(
            allocation_id__in={ids[key] for key, _ in touched}, version=1
        ).values_list("allocation__participant_key", "window_months")
    )
    assert result.run is not None
    reason = f"Re-offences added by history import run {result.run.pk}."
    for key, window in sorted(touched & frozen):
        allocation = allocation_get(pk=ids[key])
        try:
            snapshot_correct(
                allocation=allocation, window_months=window, reason=reason, today=today, by=by
            )
        except NotAllowedError:  # an offence code the catalogue lacks: flagged, never scored 0
            result.blocked += 1
            continue
        result.corrected += 1


def _finish_run(
    result: HistoryResult, participants: Path, reoffences: Path, people: int, offences: int
) -> ImportRun:
    run = result.run
    assert run is not None
    run.label = f"{participants.name} + {reoffences.name}"[:300]
    run.rows = people + offences
    run.added = result.participants_added + result.records_added
    run.duplicates = result.participants_known + result.records_known
    run.status, run.finished_at = RunStatus.SUCCEEDED, timezone.now()
    run.save()
    return run


def _to_follow_up(trial: Trial, by: User | None) -> None:
    """Walk the transition table from wherever the trial stands to follow-up."""
    current = trial_get(pk=trial.pk)
    status, imported = current.status, current.allocations_imported
    if not imported:  # nobody imported yet: moving on would draw live sequences
        return
    while status in (TrialStatus.SETUP, TrialStatus.RECRUITING, TrialStatus.RECRUITMENT_CLOSED):
        (status,) = TRANSITIONS[status]
        trial_transition(trial=trial, to_status=status, by=by)
