"""The upload page says which columns an extract needs, and its example file imports cleanly."""

from __future__ import annotations

import datetime
import html
import re
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from common.models import User
from outcomes.models import ImportRun, ReoffenceRecord, RunStatus
from outcomes.selectors import COLUMNS, UPLOAD_COLUMNS
from tests.outcomes.support import make_trial

EXAMPLE = re.compile(r'<a href="([^"]+)" download="example-extract.csv"')


def test_the_page_describes_exactly_the_columns_the_import_reads() -> None:
    assert [column.name for column in UPLOAD_COLUMNS] == list(COLUMNS)
    relationships = next(c for c in UPLOAD_COLUMNS if c.name == "victim_relationship")
    assert "same_partner (same partner)" in relationships.holds
    statuses = next(c for c in UPLOAD_COLUMNS if c.name == "record_status")
    assert "not_recorded" not in statuses.holds  # histories only, never from a records system


@pytest.mark.django_db
def test_the_upload_page_lists_its_columns_and_its_example_imports_cleanly(
    client: Client,
    data_manager: User,
    settings: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    # Serve static files from the source folders, as the development server does.
    settings.WHITENOISE_USE_FINDERS = True
    settings.WHITENOISE_AUTOREFRESH = True
    trial = make_trial()
    client.force_login(data_manager)
    page = client.get("/outcomes/").content.decode()
    table = page[page.index('data-testid="upload-columns"') :]
    table = table[: table.index("</table>")]
    assert re.findall(r"<th scope=\"row\"><code>(\w+)</code>", table) == list(COLUMNS)
    assert "The man&#x27;s PNC ID, check letter included." in table
    link = EXAMPLE.search(page)
    assert link, page

    download = client.get(html.unescape(link[1]))
    assert download.status_code == 200
    body = download.getvalue()  # streamed or not
    assert body.decode().splitlines()[0].split(",") == list(COLUMNS)

    upload = SimpleUploadedFile("example-extract.csv", body, "text/csv")
    with django_capture_on_commit_callbacks(execute=True):
        answer = client.post(
            "/outcomes/upload/", {"trial": trial.pk, "extract": upload}, follow=True
        )
    assert "example-extract.csv received" in answer.content.decode()
    run = ImportRun.objects.get()
    assert (run.status, run.rows, run.added, run.errors) == (RunStatus.SUCCEEDED, 5, 5, [])
    dates = set(ReoffenceRecord.objects.values_list("offence_date", flat=True))
    assert datetime.date(2025, 4, 14) in dates  # the British date was read as 14 April
