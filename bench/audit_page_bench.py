"""The audit page at ten million rows: time per page for each filter, with its query plan.

Fills the database named by DATABASE_URL (migrated first; use a throwaway PostgreSQL database)
with AUDIT_BENCH_ROWS audit rows (default 10,000,000) spread over 2,000 cases, 200 users, 40
actions, 3 trials and 400 days, one in ten a list event mentioning 5 cases, written with
generate_series in the database (the rows are the shape services write; inserting them through
audit_record would take hours). Then times `audit_page` for each filter: p50 and p95 of 20 calls,
first page and the 200th page reached by its cursor, and prints each plan's top lines so the index
it uses shows. The baseline, timed in the same process, is the newest page of the unfiltered
trail (`ORDER BY at DESC LIMIT 51` over the `at` index): the ratio says what a filter costs over
the cheapest page there is.

    createdb -h 127.0.0.1 -U postgres bench_audit
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_audit DJANGO_TESTING=1 \\
        .venv/bin/python bench/audit_page_bench.py
"""

from __future__ import annotations

import argparse
import datetime
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.utils import timezone  # noqa: E402

from common.models import AuditEvent, User  # noqa: E402
from privacy.selectors import AuditQuery, Cursor, audit_page  # noqa: E402

ROWS = int(os.environ.get("AUDIT_BENCH_ROWS", "10000000"))
CASES, USERS, ACTIONS, DAYS = 2_000, 200, 40, 400
CALLS = 20
DEEP = 200  # the deep page timed, reached by following cursors


def fill() -> User:
    call_command("migrate", verbosity=0)
    reader, _ = User.objects.get_or_create(username="bench-dpo", defaults={"is_superuser": True})
    have = AuditEvent.objects.count()
    if have >= ROWS:
        print(f"audit rows already present: {have:,}")
        return reader
    users = [User.objects.get_or_create(username=f"bench-user-{i}")[0].pk for i in range(USERS)]
    print(f"filling {ROWS - have:,} audit rows ...", flush=True)
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO common_auditevent (at, actor_id, action, object_type, object_id, trial,
                                           subject, detail)
            SELECT now() - (g %% %(days)s) * interval '1 day' - (g %% 86400) * interval '1 second',
                   (%(users)s::bigint[])[1 + g %% %(nusers)s],
                   CASE WHEN g %% 10 = 0 THEN 'participant.view_list'
                        WHEN g %% 97 = 0 THEN 'disclosure.report_dataset'
                        ELSE 'bench.action_' || (g %% %(actions)s) END,
                   'participants.Participant', (g %% %(cases)s)::text,
                   'T' || (g %% 3),
                   CASE WHEN g %% 10 = 0 THEN '' ELSE 'T' || (g %% 3) || '-' ||
                        lpad(((g / 3) %% %(cases)s)::text, 4, '0') END,
                   '{}'::jsonb
              FROM generate_series(%(start)s, %(stop)s) AS g
            """,
            {
                "days": DAYS,
                "users": users,
                "nusers": USERS,
                "actions": ACTIONS,
                "cases": CASES,
                "start": have + 1,
                "stop": ROWS,
            },
        )
        # List events mention five cases each, as a page of the officer's list does.
        cursor.execute(
            """
            INSERT INTO common_auditmention (event_id, subject)
            SELECT e.id, 'T' || (e.id %% 3) || '-' || lpad(((e.id + k) %% %(cases)s)::text, 4, '0')
              FROM common_auditevent e CROSS JOIN generate_series(0, 4) AS k
             WHERE e.action = 'participant.view_list'
               AND NOT EXISTS (SELECT 1 FROM common_auditmention m WHERE m.event_id = e.id)
            """,
            {"cases": CASES},
        )
        cursor.execute("ANALYZE common_auditevent")
        cursor.execute("ANALYZE common_auditmention")
    print(f"filled in {time.perf_counter() - started:.0f} s", flush=True)
    return reader


def timed(reader: User, query: AuditQuery, pages: int) -> tuple[float, float]:
    """Return p50 and p95 in ms of reaching page `pages` (1 = first) by following cursors."""
    cursor: Cursor | None = None
    for _ in range(pages - 1):  # walk once to find the cursor of the wanted page
        cursor = audit_page(by=reader, query=query, after=cursor).next_cursor
    times = []
    for _ in range(CALLS):
        started = time.perf_counter()
        page = audit_page(by=reader, query=query, after=cursor)
        times.append((time.perf_counter() - started) * 1000)
        assert page.events or pages > 1
    times.sort()
    return statistics.median(times), times[int(len(times) * 0.95) - 1]


def plan(query: AuditQuery) -> list[str]:
    from privacy.selectors import _parts

    lines = []
    for part in _parts(query):
        sql = part.order_by("-at", "-id").values_list("at", "id")[:51]
        lines += sql.explain().splitlines()[:3]
    return lines


def main() -> None:
    global ROWS, CALLS, DEEP
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--tiny", action="store_true", help="CI's smoke size: 20,000 rows, 5 calls, page 5"
    )
    if parser.parse_args().tiny:
        ROWS, CALLS, DEEP = 20_000, 5, 5
    reader = fill()  # a superuser: holds every role, as the audit page's readers do
    some_user = User.objects.get(username="bench-user-7")
    today = timezone.localdate()
    cases = {
        "unfiltered (baseline)": AuditQuery(),
        "one case (trial ID)": AuditQuery(people=("T1-0042",)),
        "one user": AuditQuery(actor_id=some_user.pk),
        "one action": AuditQuery(action="bench.action_5"),
        "disclosures only": AuditQuery(action="disclosure."),
        "trial and last 30 days": AuditQuery(
            trial="T2", since=today - datetime.timedelta(days=30), until=today
        ),
    }
    print(f"{AuditEvent.objects.count():,} audit rows; {CALLS} calls per figure")
    baseline = timed(reader, cases["unfiltered (baseline)"], 1)[1]
    for label, query in cases.items():
        first = timed(reader, query, 1)
        deep = timed(reader, query, DEEP)
        print(
            f"{label:26} page 1 p50 {first[0]:6.1f} ms p95 {first[1]:6.1f} ms"
            f" (x{first[1] / baseline:4.1f})   page {DEEP} p50 {deep[0]:6.1f} ms"
            f" p95 {deep[1]:6.1f} ms (x{deep[1] / baseline:4.1f})"
        )
        for line in plan(query):
            print(f"    {line}")


if __name__ == "__main__":
    main()
