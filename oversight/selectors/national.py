"""The national coordinator's picture: each trial's forces side by side, counts only.

Every figure is a GROUP BY in the app that owns the rows (participants, workshops, outcomes
selectors named *_by_force), joined here by (trial, force) in Python: a few rows per force,
never one per case. Nothing here carries a name, date of birth, contact detail or PNC ID.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.utils import timezone

from common.models import User
from common.roles import Role
from outcomes.selectors import frozen_by_force, latest_closed_randomisation
from oversight.selectors.charts import ShareChart, ShareRow, percent, share_bars
from oversight.selectors.forces import by_name, force_names, forces_of
from participants.selectors import (
    allocation_by_force,
    randomised_by_month,
    recruitment_by_force,
    screened_by_month,
    windows_due_by_force,
)
from trial.selectors import stacked_bars, trial_arms, trials_for
from workshops.selectors import attendance_by_force

if TYPE_CHECKING:
    from trial.models import Trial
    from trial.selectors.charts import Chart

OVERSIGHT_ROLES = (Role.NATIONAL_COORDINATOR, Role.TRIAL_MANAGER)
Key = tuple[int, int | None]  # (trial id, force id)


@dataclass(frozen=True)
class Window:
    months: int
    due: int
    frozen: int

    @property
    def share(self) -> str:
        return percent(self.frozen, self.due)


@dataclass
class ForceFigures:
    """One force's figures in one trial (or the trial's total when force_pk is 'all')."""

    name: str
    force_pk: int | str | None
    screened: int = 0
    eligible: int = 0
    randomised: int = 0
    intervention: int = 0
    arms: list[int] = field(default_factory=list)
    part_1: int = 0
    part_2: int = 0
    completed: int = 0
    windows: list[Window] = field(default_factory=list)

    @property
    def completed_share(self) -> str:
        return percent(self.completed, self.intervention)

    @property
    def part_1_share(self) -> str:
        return percent(self.part_1, self.intervention)

    @property
    def part_2_share(self) -> str:
        return percent(self.part_2, self.intervention)


@dataclass
class MonthRow:
    """Screened and randomised in one month, per force in the trial's force order."""

    month: datetime.date
    label: str
    screened: list[int]
    counts: list[int]  # randomised (the chart stacks these)
    total: int

    @property
    def empty(self) -> bool:
        return not (self.total or any(self.screened))

    @property
    def cells(self) -> list[tuple[int, int]]:
        return list(zip(self.screened, self.counts, strict=True))


@dataclass
class TrialPicture:
    trial: Trial
    arm_names: list[str]
    forces: list[ForceFigures]
    total: ForceFigures
    months: list[MonthRow]
    chart: Chart  # randomised per month, stacked by force


@dataclass(frozen=True)
class National:
    trials: list[TrialPicture]
    completion: ShareChart
    balance: list[tuple[TrialPicture, ShareChart]]
    follow_up: ShareChart


def _month_label(day: datetime.date) -> str:
    return day.strftime("%b %Y")


def _months_between(first: datetime.date, last: datetime.date) -> list[datetime.date]:
    months, day = [], first.replace(day=1)
    while day <= last:
        months.append(day)
        day = (day + datetime.timedelta(days=32)).replace(day=1)
    return months


def _as_date(value: Any) -> datetime.date:
    return value.date() if isinstance(value, datetime.datetime) else value


def _months(
    trial_pk: int,
    forces: list[int | None],
    screened: list[Mapping[str, Any]],
    randomised: list[Mapping[str, Any]],
) -> list[MonthRow]:
    counts: dict[str, dict[tuple[datetime.date, int | None], int]] = {"s": {}, "r": {}}
    for kind, rows in (("s", screened), ("r", randomised)):
        for row in rows:
            if row["trial_pk"] == trial_pk and row["month"] is not None:
                counts[kind][(_as_date(row["month"]), row["force_pk"])] = row["n"]
    seen = [month for month, _ in counts["s"]] + [month for month, _ in counts["r"]]
    if not seen:
        return []
    rows_out = []
    for month in _months_between(min(seen), max(seen)):
        done = [counts["r"].get((month, pk), 0) for pk in forces]
        rows_out.append(
            MonthRow(
                month=month,
                label=_month_label(month),
                screened=[counts["s"].get((month, pk), 0) for pk in forces],
                counts=done,
                total=sum(done),
            )
        )
    return rows_out


def _closed_by(trial: Trial, today: datetime.date) -> dict[int, datetime.date]:
    return {
        int(m): latest_closed_randomisation(int(m), today) for m in trial.follow_up_months or []
    }


def _picture(
    trial: Trial,
    figures: dict[Key, ForceFigures],
    names: dict[int | None, str],
    extra: Mapping[str, Any],
) -> TrialPicture:
    arms = trial_arms(trial)
    keys = [pk for (t, pk) in figures if t == trial.pk] + list(extra["taking_part"][trial.pk])
    forces = by_name(keys, names)
    rows = [figures.get((trial.pk, pk)) or ForceFigures(names.get(pk, ""), pk) for pk in forces]
    total = ForceFigures("All forces", "all")
    for row in rows:
        row.name = names.get(row.force_pk, row.name)  # type: ignore[arg-type]
        arm_counts = extra["arms"].get((trial.pk, row.force_pk), {})
        row.arms = [arm_counts.get(arm.pk, 0) for arm in arms]
        for name in (
            "screened",
            "eligible",
            "randomised",
            "intervention",
            "part_1",
            "part_2",
            "completed",
        ):
            setattr(total, name, getattr(total, name) + getattr(row, name))
    total.arms = [sum(row.arms[i] for row in rows) for i in range(len(arms))]
    _windows(trial, rows, total, extra)
    months = _months(trial.pk, forces, extra["screened"], extra["randomised"])
    chart = stacked_bars([(m.month, m) for m in months], [names[pk] for pk in forces])
    return TrialPicture(trial, [arm.name for arm in arms], rows, total, months, chart)


def _windows(
    trial: Trial, rows: list[ForceFigures], total: ForceFigures, extra: Mapping[str, Any]
) -> None:
    due = {row["force_pk"]: row for row in extra["due"].get(trial.pk, [])}
    for months in [int(m) for m in trial.follow_up_months or []]:
        for row in rows:
            row.windows.append(
                Window(
                    months,
                    due.get(row.force_pk, {}).get(f"due_{months}", 0),
                    extra["frozen"].get((trial.pk, row.force_pk, months), 0),
                )
            )
        total.windows.append(
            Window(
                months,
                sum(row.windows[-1].due for row in rows),
                sum(row.windows[-1].frozen for row in rows),
            )
        )


def _figures(user: User, trial_ids: list[int]) -> dict[Key, ForceFigures]:
    figures: dict[Key, ForceFigures] = {}

    def at(row: Mapping[str, Any]) -> ForceFigures:
        key = (row["trial_pk"], row["force_pk"])
        return figures.setdefault(key, ForceFigures("", row["force_pk"]))

    for row in recruitment_by_force(user=user, trial_ids=trial_ids):
        found = at(row)
        for name in ("screened", "eligible", "randomised", "intervention"):
            setattr(found, name, row[name])
    for row in attendance_by_force(user=user, trial_ids=trial_ids):
        found = at(row)
        found.part_1, found.part_2, found.completed = row["part_1"], row["part_2"], row["completed"]
    return figures


def _extra(user: User, trials: Iterable[Trial], today: datetime.date) -> Mapping[str, Any]:
    ids = [trial.pk for trial in trials]
    arms: dict[Key, dict[int, int]] = defaultdict(dict)
    for row in allocation_by_force(user=user, trial_ids=ids):
        arms[(row["trial_pk"], row["force_pk"])][row["arm"]] = row["n"]
    frozen = {
        (row["trial_pk"], row["force_pk"], row["window_months"]): row["n"]
        for row in frozen_by_force(user=user, trial_ids=ids)
    }
    due = {
        trial.pk: windows_due_by_force(
            user=user, trial_id=trial.pk, closed_by=_closed_by(trial, today)
        )
        for trial in trials
        if trial.follow_up_months
    }
    return {
        "taking_part": {trial.pk: forces_of(trial) for trial in trials},
        "arms": arms,
        "frozen": frozen,
        "due": due,
        "screened": screened_by_month(user=user, trial_ids=ids),
        "randomised": randomised_by_month(user=user, trial_ids=ids),
    }


def _label(picture: TrialPicture, row: ForceFigures) -> str:
    return f"{picture.trial.code} · {row.name}"


def _charts(
    pictures: list[TrialPicture],
) -> tuple[ShareChart, list[tuple[TrialPicture, ShareChart]], ShareChart]:
    completion, follow_up, balance = [], [], []
    for picture in pictures:
        for row in [*picture.forces, picture.total]:
            only_1 = max(row.part_1 - row.completed, 0)
            note = f"{row.completed_share} ({row.completed} of {row.intervention})"
            completion.append(
                ShareRow(_label(picture, row), [row.completed, only_1], row.intervention, note)
            )
            for window in row.windows:
                note = f"{window.share} ({window.frozen} of {window.due})"
                label = f"{_label(picture, row)} · {window.months} months"
                follow_up.append(ShareRow(label, [window.frozen], window.due, note))
        rows = [
            ShareRow(row.name, row.arms, row.randomised, " : ".join(str(n) for n in row.arms))
            for row in [*picture.forces, picture.total]
        ]
        balance.append((picture, share_bars(rows, picture.arm_names)))
    return (
        share_bars(completion, ["Completed both parts", "Part 1 only so far"]),
        balance,
        share_bars(follow_up, ["Snapshot frozen"]),
    )


def national_picture(*, user: User, today: datetime.date | None = None) -> National:
    """Return every trial the user coordinates or manages, its forces side by side."""
    today = today or timezone.localdate()
    trials = list(trials_for(user, *OVERSIGHT_ROLES))
    ids = [trial.pk for trial in trials]
    figures = _figures(user, ids)
    extra = _extra(user, trials, today)
    forces = {pk for _, pk in figures} | {pk for pks in extra["taking_part"].values() for pk in pks}
    names = force_names(forces)
    pictures = [_picture(trial, figures, names, extra) for trial in trials]
    completion, balance, follow_up = _charts(pictures)
    return National(pictures, completion, balance, follow_up)
