"""Reads of the audit trail for trial managers and the data protection officer (read only).

Every filter is served by an index (common/migrations/0005): a case by `subject` or its mentions
in list events, a user, an action or a trial each with `at`; pages are keyset pages over
(at, id), so the thousandth page costs what the first does at ten million rows.
"""

from __future__ import annotations

import datetime
import heapq
from collections.abc import Iterator
from dataclasses import dataclass, field, replace

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.utils import timezone

from common.audit_rules import TRIAL_ID
from common.disclosure import DISCLOSURE_ACTIONS
from common.memberships import memberships_of, trial_ids_where
from common.models import AuditEvent, AuditMention, User
from common.roles import Role, has_role

PAGE = 50


def audit_reader(by: User) -> None:
    """Refuse anyone but a trial manager or the data protection officer."""
    if not (has_role(by, Role.TRIAL_MANAGER) or has_role(by, Role.DATA_PROTECTION_OFFICER)):
        raise PermissionDenied("Only a trial manager or the data protection officer reads this.")


def audit_trials_of(by: User) -> tuple[str, ...] | None:
    """Return the codes of the trials whose events the reader sees (None: every event).

    The data protection officer reads the whole installation's trail; a trial manager reads
    the events of the trials they manage (not sign-ins or other trials' work).
    """
    if has_role(by, Role.DATA_PROTECTION_OFFICER):
        return None
    managed = trial_ids_where(by, Role.TRIAL_MANAGER)
    if managed is None:
        return None
    return tuple(
        sorted(m.trial.code for m in memberships_of(by) if m.trial and m.trial.pk in managed)
    )


@dataclass(frozen=True)
class AuditQuery:
    """The audit page's filters, already resolved to identifiers."""

    people: tuple[str, ...] = ()  # trial IDs
    actor_id: int | None = None
    action: str = ""  # exact, or "disclosure." for every disclosure
    trial: str = ""
    since: datetime.date | None = None
    until: datetime.date | None = None
    unknown_user: bool = field(default=False)
    # Set from the reader, never from the form: the trials the reader may see (None: all).
    within: tuple[str, ...] | None = None


Cursor = tuple[datetime.datetime, int]


def _day_start(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def _filtered(events: QuerySet[AuditEvent], query: AuditQuery) -> QuerySet[AuditEvent]:
    if query.actor_id is not None:
        events = events.filter(actor_id=query.actor_id)
    if query.action and query.action != "disclosure.":
        events = events.filter(action=query.action)
    if query.trial:
        events = events.filter(trial=query.trial)
    if query.within is not None:
        events = events.filter(trial__in=query.within)
    if query.since:
        events = events.filter(at__gte=_day_start(query.since))
    if query.until:
        events = events.filter(at__lt=_day_start(query.until + datetime.timedelta(days=1)))
    return events


def _parts(query: AuditQuery) -> list[QuerySet[AuditEvent]]:
    # Several index scans merged (by case and by mention; one per kind of disclosure), not an
    # OR or IN the planner would answer by reading every match before the first page.
    starts = [AuditEvent.objects.all()]
    if query.action == "disclosure.":
        starts = [AuditEvent.objects.filter(action=action) for action in DISCLOSURE_ACTIONS]
    parts = []
    for events in starts:
        if not query.people:
            parts.append(_filtered(events, query))
            continue
        mentioned = AuditMention.objects.filter(subject__in=query.people).values("event_id")
        parts.append(_filtered(events.filter(subject__in=query.people), query))
        parts.append(_filtered(events.filter(id__in=mentioned), query))
    return parts


def _page_ids(
    query: AuditQuery, after: Cursor | None, limit: int, before: Cursor | None = None
) -> list[int]:
    """Ids of up to `limit` events past `after` (newest first), or just newer than `before`
    (oldest first: the walk back to the page before)."""
    rows: list[Iterator[tuple[datetime.datetime, int]]] = []
    for part in _parts(query):
        if before is not None:
            part = part.filter(Q(at__gt=before[0]) | Q(at=before[0], id__gt=before[1]))
            rows.append(iter(part.order_by("at", "id").values_list("at", "id")[:limit]))
            continue
        if after is not None:
            part = part.filter(Q(at__lt=after[0]) | Q(at=after[0], id__lt=after[1]))
        rows.append(iter(part.order_by("-at", "-id").values_list("at", "id")[:limit]))
    merged = heapq.merge(*rows, key=lambda r: (r[0], r[1]), reverse=before is None)
    ids: list[int] = []
    for _, pk in merged:
        if not ids or ids[-1] != pk:
            ids.append(pk)
        if len(ids) == limit:
            break
    return ids


@dataclass(frozen=True)
class AuditPage:
    events: list[AuditEvent]
    next_cursor: Cursor | None
    previous_cursor: Cursor | None = None


def audit_page(
    *, by: User, query: AuditQuery, after: Cursor | None = None, before: Cursor | None = None
) -> AuditPage:
    """Return one page of the events matching the filters, newest first.

    `after` gives the page of older events that follows a row, `before` the page of newer ones
    that precedes it (the "Newer" link); neither gives the newest page.
    """
    audit_reader(by)
    query = replace(query, within=audit_trials_of(by))
    if query.unknown_user:
        return AuditPage([], None)
    ids = _page_ids(query, None if before else after, PAGE + 1, before=before)
    more = len(ids) > PAGE
    ids = ids[:PAGE]
    if before is not None:
        ids.reverse()
        if not ids:  # nothing newer than the cursor (a stale link): the newest page
            return audit_page(by=by, query=query, after=None)
    found = AuditEvent.objects.select_related("actor").in_bulk(ids)
    events = [found[pk] for pk in ids]
    if not events:
        return AuditPage([], None)
    older = more if before is None else True  # a walk back came from an older page
    newer = after is not None if before is None else more
    return AuditPage(
        events,
        (events[-1].at, events[-1].pk) if older else None,
        (events[0].at, events[0].pk) if newer else None,
    )


def audit_rows(*, by: User, query: AuditQuery, limit: int = 100_000) -> Iterator[AuditEvent]:
    """Yield every event matching the filters, newest first, a page at a time (CSV export)."""
    audit_reader(by)
    query = replace(query, within=audit_trials_of(by))
    after: Cursor | None = None
    sent = 0
    while sent < limit and not query.unknown_user:
        ids = _page_ids(query, after, 1000)
        found = AuditEvent.objects.select_related("actor").in_bulk(ids)
        for pk in ids:
            yield found[pk]
        sent += len(ids)
        if len(ids) < 1000:
            return
        after = (found[ids[-1]].at, ids[-1])


def audit_of_case(trial_id: str) -> list[AuditEvent]:
    """Return every event about one case, oldest first (the subject access export)."""
    assert TRIAL_ID.match(trial_id)
    ids = _page_ids(AuditQuery(people=(trial_id,)), None, 100_000)
    found = AuditEvent.objects.select_related("actor").in_bulk(ids)
    return [found[pk] for pk in reversed(ids)]
