"""The data-quality page: each force's figures for one trial, judged against oversight/thresholds.

Figures about cases (screening facts, consent, attendance, codes) are per force; those about the
records system (extract age, unmatched records) are the trial's, since an unmatched record
belongs to nobody and so to no force. Links to the cases behind a figure go to trial managers
only: the coordinator reads counts, never a case.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from dataclasses import dataclass
from fractions import Fraction
from typing import TYPE_CHECKING, Any

from django.urls import reverse
from django.utils import timezone

from common.memberships import holds
from common.models import User
from common.roles import Role
from outcomes.selectors import extract_latest_at, unmatched_counts, waiting_for_code_by_force
from oversight import thresholds
from oversight.selectors.charts import percent
from oversight.selectors.forces import by_name, force_names, forces_of
from oversight.thresholds import Level, Threshold
from participants.selectors import consent_timeliness_by_force, screening_completeness_by_force
from workshops.selectors import attendance_timeliness_by_force

if TYPE_CHECKING:
    from trial.models import Trial

OVERSIGHT_ROLES = (Role.NATIONAL_COORDINATOR, Role.TRIAL_MANAGER)


@dataclass(frozen=True)
class Metric:
    key: str
    name: str
    value: str  # what the figure says in words, e.g. "92% (23 of 25)"
    level: Level
    rule: str  # the threshold in words
    link: str | None  # the cases behind it, for trial managers only


@dataclass(frozen=True)
class ForceQuality:
    name: str
    force_pk: int | None
    metrics: list[Metric]


@dataclass(frozen=True)
class Quality:
    trial: Trial | None
    oversees: bool  # the user coordinates or manages the trial the page shows
    forces: list[ForceQuality]
    trial_wide: list[Metric]


def rule_text(threshold: Threshold) -> str:
    """Say a threshold's lines in words."""
    unit = "%" if threshold.unit == "%" else f" {threshold.unit}" if threshold.unit else ""
    side = "below" if threshold.higher_is_better else "above"
    return f"amber {side} {threshold.amber}{unit}, red {side} {threshold.red}{unit}"


def _share(
    key: str, name: str, part: int, whole: int, threshold: Threshold, link: str | None
) -> Metric:
    value = f"{percent(part, whole)} ({part} of {whole})" if whole else "no cases due yet"
    level = threshold.level(Fraction(part, whole) if whole else None)
    return Metric(key, name, value, level, rule_text(threshold), link)


def _links(user: User, trial: Trial) -> dict[str, str | None]:
    if not holds(user, Role.TRIAL_MANAGER, trial):
        return dict.fromkeys(("screened", "workshops", "follow_up"))
    cases = reverse("participants:case_list")
    return {
        "screened": f"{cases}?bucket=screened",
        "workshops": f"{cases}?bucket=awaiting_workshops",
        "follow_up": reverse("outcomes:dashboard"),
    }


def _by_force(rows: list[Mapping[str, Any]] | None) -> dict[int | None, Mapping[str, Any]]:
    return {row["force_pk"]: row for row in rows or []}


def _force_metrics(
    pk: int | None,
    found: dict[str, dict[int | None, Mapping[str, Any]]],
    waiting_known: bool,
    links: dict[str, str | None],
) -> list[Metric]:
    screening = found["screening"].get(pk, {})
    consent = found["consent"].get(pk, {})
    attendance = found["attendance"].get(pk, {})
    metrics = [
        _share(
            "screening",
            "Screening facts recorded",
            screening.get("complete", 0),
            screening.get("cases", 0),
            thresholds.SCREENING_COMPLETE,
            links["screened"],
        ),
        _share(
            "consent",
            f"Consent recorded within {thresholds.CONSENT_DAYS} days of screening",
            consent.get("on_time", 0),
            consent.get("due", 0),
            thresholds.CONSENT_ON_TIME,
            links["screened"],
        ),
        _share(
            "attendance",
            f"Attendance recorded within {thresholds.ATTENDANCE_DAYS} days of a session",
            attendance.get("on_time", 0),
            attendance.get("due", 0),
            thresholds.ATTENDANCE_ON_TIME,
            links["workshops"],
        ),
    ]
    waiting = found["waiting"].get(pk, {}).get("n", 0)
    metrics.append(
        Metric(
            "waiting",
            "Participants whose snapshots wait for an offence code",
            str(waiting) if waiting_known else "no catalogue loaded",
            thresholds.WAITING_FOR_CODE.level(waiting if waiting_known else None),
            rule_text(thresholds.WAITING_FOR_CODE),
            links["follow_up"],
        )
    )
    return metrics


def _trial_wide(user: User, trial: Trial, now: datetime.datetime, link: str | None) -> list[Metric]:
    latest = extract_latest_at(user=user, trial=trial)
    age = (timezone.localdate(now) - timezone.localdate(latest)).days if latest else None
    counts = unmatched_counts(user=user, trial=trial)
    records, unmatched = counts["records"], counts["unmatched"]
    return [
        Metric(
            "extract_age",
            "Age of the latest re-offence extract",
            f"{age} days" if age is not None else "no extract imported yet",
            thresholds.EXTRACT_AGE_DAYS.level(age),
            rule_text(thresholds.EXTRACT_AGE_DAYS),
            link,
        ),
        Metric(
            "unmatched",
            "Re-offence records that matched no participant",
            f"{percent(unmatched, records)} ({unmatched} of {records})"
            if records
            else "no records yet",
            thresholds.UNMATCHED_RATE.level(Fraction(unmatched, records) if records else None),
            rule_text(thresholds.UNMATCHED_RATE),
            link,
        ),
    ]


def quality_for(
    *, user: User, trial: Trial | None, now: datetime.datetime | None = None
) -> Quality:
    """Return the data-quality figures of a trial per force, if the user oversees it."""
    now = now or timezone.now()
    if trial is None or not any(holds(user, role, trial) for role in OVERSIGHT_ROLES):
        return Quality(trial, False, [], [])
    waiting = waiting_for_code_by_force(user=user, trial=trial)
    found = {
        "screening": _by_force(screening_completeness_by_force(user=user, trial_id=trial.pk)),
        "consent": _by_force(
            consent_timeliness_by_force(
                user=user, trial_id=trial.pk, days=thresholds.CONSENT_DAYS, now=now
            )
        ),
        "attendance": _by_force(
            attendance_timeliness_by_force(
                user=user, trial_id=trial.pk, days=thresholds.ATTENDANCE_DAYS, now=now
            )
        ),
        "waiting": _by_force(waiting),
    }
    ids = {pk for rows in found.values() for pk in rows} | forces_of(trial)
    names = force_names(ids)
    links = _links(user, trial)
    forces = [
        ForceQuality(names[pk], pk, _force_metrics(pk, found, waiting is not None, links))
        for pk in by_name(ids, names)
    ]
    return Quality(trial, True, forces, _trial_wide(user, trial, now, links["follow_up"]))
