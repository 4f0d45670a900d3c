"""The officer dashboard at 1,000 and 100,000 cases: queries per page and time per page.

Fills the database named by DATABASE_URL (migrated first; use a throwaway database) with
screening-log rows for one area, a share of them enrolled through the real allocation service,
then times the dashboard's pages through Django's test client. Prints one line per size and page,
and the time ratio between the sizes.

    createdb -h 127.0.0.1 -U postgres bench_dashboard
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_dashboard DJANGO_TESTING=1 \\
        .venv/bin/python bench/officer_dashboard.py
"""

from __future__ import annotations

import os
import sys
import time
import uuid
from pathlib import Path

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

from common.models import Organisation, PoliceArea, User  # noqa: E402
from common.roles import Role  # noqa: E402
from participants.models import CaseStatus, Participant  # noqa: E402
from participants.services import rule_set_current  # noqa: E402
from trial.models import Trial  # noqa: E402
from trial.services import (  # noqa: E402
    ArmSpec,
    allocation_claim,
    trial_create,
    trial_transition,
)

SIZES = [1_000, 100_000]
ENROLLED_SHARE = 50  # one case in 50 is enrolled (allocation rows through the real service)
PAGES = ["/officer/", "/officer/?page=2", "/officer/?bucket=enrolled", "/officer/?q=BENCH-000500"]


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


def measure(client: Client, trial: Trial) -> dict[str, tuple[int, float]]:
    results = {}
    for path in PAGES:
        path = path.replace("BENCH", trial.code)
        client.get(path)  # warm
        best = float("inf")
        for _ in range(5):
            with CaptureQueriesContext(connection) as queries:
                began = time.perf_counter()
                response = client.get(path)
                best = min(best, time.perf_counter() - began)
            assert response.status_code == 200, path
        results[path.replace(trial.code, "BENCH")] = (len(queries), best)
    return results


def main() -> None:
    setup_test_environment()
    trial, officer = setup()
    client = Client()
    client.force_login(officer)
    done, measured = 1, {}
    for size in SIZES:
        fill(trial, officer, done, size + 1)
        done = size + 1
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute("ANALYZE")
        measured[size] = measure(client, trial)
        for path, (queries, seconds) in measured[size].items():
            print(f"{size:>7} cases  {path:<28} {queries:>2} queries  {seconds * 1000:7.1f} ms")
    small, large = measured[SIZES[0]], measured[SIZES[-1]]
    for path in small:
        ratio = large[path][1] / small[path][1]
        print(f"{path:<28} x{SIZES[-1] // SIZES[0]} cases: x{ratio:.1f} time")


if __name__ == "__main__":
    main()
