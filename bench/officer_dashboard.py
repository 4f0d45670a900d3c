"""The officer dashboard at 1,000 and 100,000 cases: queries, p50/p95/max and plans per page.

Fills the database named by DATABASE_URL (migrated first, so an empty one will do; use a
throwaway database) with screening-log rows for one area, a share of them enrolled through the
real allocation service, then times each page through Django's test client: the first page, the
second (by its cursor), a bucket, a search and a deep page (the page at row 2,000 x 25, or the
last page of a smaller list, reached by its cursor). Prints p50/p95/max over REQUESTS timed
requests per page, the queries per page (which must not change with the size), the time ratio
between the sizes and EXPLAIN (ANALYZE) of the page's queries on participants at the largest size.

    createdb -h 127.0.0.1 -U postgres bench_dashboard
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_dashboard DJANGO_TESTING=1 \\
        .venv/bin/python bench/officer_dashboard.py [--tiny | --sizes 1000,100000] [--requests 40]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
import uuid
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django

django.setup()

from django.contrib.auth.models import Group  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_test_environment  # noqa: E402
from django.utils import timezone  # noqa: E402

from common.keyset import keyset_cursor_after  # noqa: E402
from common.models import Organisation, PoliceArea, User  # noqa: E402
from common.roles import Role  # noqa: E402
from common.services.people import membership_grant  # noqa: E402
from participants.models import CaseStatus, Participant  # noqa: E402
from participants.services import rule_set_current  # noqa: E402
from participants.views import CASE_ORDER, PAGE_SIZE  # noqa: E402
from trial.models import Trial  # noqa: E402
from trial.services import (  # noqa: E402
    ArmSpec,
    allocation_claim,
    trial_create,
    trial_transition,
)

SIZES = [1_000, 100_000]
TINY = [120, 240]
REQUESTS = 40
DEEP = 2000 * PAGE_SIZE  # the row the deep page starts after
ENROLLED_SHARE = 50  # one case in 50 is enrolled (allocation rows through the real service)


def setup() -> tuple[Trial, User]:
    call_command("migrate", verbosity=0)
    Participant.objects.filter(trial__title="Dashboard benchmark").delete()
    force, _ = Organisation.objects.get_or_create(name="Bench force", defaults={"kind": "force"})
    area, _ = PoliceArea.objects.get_or_create(
        code="bench-area", defaults={"name": "Bench", "force": force}
    )
    code = f"B{uuid.uuid4().hex[:6].upper()}"
    trial = trial_create(
        code=code,
        title="Dashboard benchmark",
        arms=[ArmSpec("cara", "CARA", 1, True), ArmSpec("control", "Control")],
        strata_factors={"area": [area.code]},
        by=None,
    )
    trial = trial_transition(trial=trial, to_status="recruiting", by=None)
    officer, _ = User.objects.get_or_create(
        username="bench-officer", defaults={"police_area": area}
    )
    officer.groups.add(Group.objects.get(name=Role.OFFICER.value))
    membership_grant(user=officer, role=Role.OFFICER, trial=trial, by=None)
    return trial, officer


def fill(trial: Trial, officer: User, start: int, stop: int) -> None:
    assert officer.police_area is not None
    rule_set = rule_set_current(trial=trial, by=None)
    today = timezone.localdate()
    rows = [
        Participant(
            trial=trial,
            number=n,
            pseudonym=f"{trial.code}-{n:06d}",
            police_area=officer.police_area,
            custody_reference=f"44/{n:06d}/26",
            status=CaseStatus.INELIGIBLE if n % 9 == 0 else CaseStatus.CONSENTED,
            submission_token=uuid.uuid4(),
            person_key=f"bench-{trial.code}-{n}",
            sex="male",
            age_at_offence=30,
            interpreter_needed=False,
            appropriate_adult_needed=False,
            offence_type="common_assault",
            offence_date=today,
            arrest_date=today,
            admission="admitted",
            first_domestic_offence=True,
            dash_risk="standard",
            on_bail_or_order=n % 9 == 0,
            victim_relationship="current_partner",
            caution_offered=True,
            rule_set=rule_set,
            eligible=n % 9 != 0,
        )
        for n in range(start, stop)
    ]
    Participant.objects.bulk_create(rows, batch_size=2000)
    enrol = Participant.objects.filter(
        trial=trial, number__gte=start, number__lt=stop, status=CaseStatus.CONSENTED
    ).values_list("pk", "pseudonym", "person_key")
    for pk, pseudonym, key in list(enrol)[::ENROLLED_SHARE]:
        allocation = allocation_claim(
            trial=trial,
            participant_key=pseudonym,
            person_key=key,
            strata={"area": "bench-area"},
            by=None,
        )
        Participant.objects.filter(pk=pk).update(
            status=CaseStatus.ENROLLED,
            allocation=allocation,
            caution_given_on=today,
            compliance_ends_on=today,
            age_at_randomisation=30,
        )


def pages(client: Client, trial: Trial, officer: User) -> dict[str, str]:
    """The paths to time; the cursors come from the pages themselves (or the deep row's)."""
    first = client.get("/officer/").context["page"]
    cases = Participant.objects.filter(trial=trial, police_area=officer.police_area)
    total = cases.count()
    deep_at = min(DEEP, total - PAGE_SIZE)
    deep_row = cases.order_by(*CASE_ORDER)[deep_at - 1]
    deep = keyset_cursor_after(cases, CASE_ORDER, deep_row)
    page_number = deep_at // PAGE_SIZE + 1
    print(f"{total:>7} cases  the deep page starts after row {deep_at} (page {page_number})")
    return {
        "first page": "/officer/",
        "second page": f"/officer/?cursor={first.next_cursor}",
        "bucket enrolled": "/officer/?bucket=enrolled",
        "search": f"/officer/?q={trial.code}-{min(500, total // 2):06d}",
        "deep page": f"/officer/?cursor={deep}",
    }


def measure(client: Client, paths: dict[str, str], requests: int) -> dict[str, Any]:
    results: dict[str, Any] = {}
    for name, path in paths.items():
        client.get(path)  # warm
        times, counts, sql = [], set(), []
        for _ in range(requests):
            with CaptureQueriesContext(connection) as queries:
                began = time.perf_counter()
                response = client.get(path)
                times.append((time.perf_counter() - began) * 1000)
            assert response.status_code == 200, path
            assert response.context["page"].object_list, path
            counts.add(len(queries))
            sql = [q["sql"] for q in queries.captured_queries]
        times.sort()
        p95 = times[max(0, int(len(times) * 0.95 + 0.5) - 1)]
        results[name] = {
            "queries": counts,
            "p50": statistics.median(times),
            "p95": p95,
            "max": times[-1],
            "sql": [q for q in sql if "participants_participant" in q],
        }
    return results


def explain(sql: str) -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}")
        return [row[0] for row in cursor.fetchall()]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tiny", action="store_true", help=f"sizes {TINY} (a CI smoke run)")
    parser.add_argument("--sizes", default=",".join(str(n) for n in SIZES))
    parser.add_argument("--requests", type=int, default=REQUESTS)
    args = parser.parse_args()
    sizes = TINY if args.tiny else [int(n) for n in args.sizes.split(",")]
    setup_test_environment()
    trial, officer = setup()
    client = Client()
    client.force_login(officer)
    client.get("/officer/")  # the first page after force_login writes the session's marks
    done, measured = 1, {}
    for size in sizes:
        fill(trial, officer, done, size + 1)
        done = size + 1
        with connection.cursor() as cursor:
            # As autovacuum would after a bulk load: statistics, and the visibility map that
            # lets the grouped count read the index alone.
            cursor.execute("VACUUM ANALYZE")
        measured[size] = measure(client, pages(client, trial, officer), args.requests)
        for name, row in measured[size].items():
            queries = "/".join(str(n) for n in sorted(row["queries"]))
            print(
                f"{size:>7} cases  {name:<28} {queries:>2} queries  p50 {row['p50']:7.1f} ms"
                f"  p95 {row['p95']:7.1f} ms  max {row['max']:7.1f} ms  ({args.requests} requests)"
            )
    small, large = measured[sizes[0]], measured[sizes[-1]]
    for (name, a), b in zip(small.items(), large.values(), strict=True):
        same = "same queries" if a["queries"] == b["queries"] else "QUERIES DIFFER"
        ratio = b["p95"] / a["p95"]
        print(f"{name:<28} x{sizes[-1] / sizes[0]:.0f} cases: x{ratio:.1f} p95, {same}")
    print(f"\nEXPLAIN (ANALYZE) at {sizes[-1]} cases of each page's queries on participants:")
    for name, row in large.items():
        for sql in row["sql"]:
            print(f"\n-- {name}: {sql[:160]}{'...' if len(sql) > 160 else ''}")
            for line in explain(sql):
                print(f"   {line}")
    varying = [name for name, a in small.items() if a["queries"] != large[name]["queries"]]
    if varying:
        print(f"queries per page changed with the size: {varying}", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
