"""Size limits of every import path: refused before reading, with a message saying what to do."""

from __future__ import annotations

import json
import shutil
import threading
import time
import zipfile
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.test import Client
from openpyxl import Workbook

from common.models import User
from outcomes.models import HarmIndexVersion, ImportRun, ReoffenceRecord, RunStatus
from outcomes.services import source_create, source_pull
from tests.outcomes.support import folder_source, make_trial, pnc, row, write_csv

CORPUS = Path(__file__).parent / "bad_inputs"
LIMIT = 4096  # bytes: IMPORT_MAX_BYTES for these tests, so an over-size file stays small


@pytest.fixture
def small_limit(settings: Any) -> int:
    settings.IMPORT_MAX_BYTES = LIMIT
    return LIMIT


def extract(path: Path, rows: int) -> Path:
    return write_csv(path, [row(f"R{i}", 1, "2024-05-01") for i in range(rows)])


@pytest.mark.smoke
@pytest.mark.django_db
def test_an_upload_over_the_limit_is_refused_before_its_body_is_read(
    client: Client, data_manager: User
) -> None:
    trial = make_trial()
    client.force_login(data_manager)
    # Declared 50 MB, sent 4 bytes: reading the body at all would fail the request.
    page = client.post(
        "/outcomes/upload/",
        data=b"tiny",
        content_type="multipart/form-data; boundary=x",
        CONTENT_LENGTH=str(50 * 1024 * 1024),
        follow=True,
    )
    assert page.status_code == 200
    assert b"The file is 50.0 MB: imports refuse anything over 20.0 MB" in page.content
    assert not ImportRun.objects.filter(source__trial=trial).exists()


@pytest.mark.smoke
@pytest.mark.django_db
def test_an_upload_over_a_lowered_limit_is_refused_and_one_within_it_is_imported(
    client: Client,
    data_manager: User,
    tmp_path: Path,
    media: Path,
    small_limit: int,
    django_capture_on_commit_callbacks: Any,
) -> None:
    trial = make_trial()
    client.force_login(data_manager)
    big = extract(tmp_path / "big.csv", 100)
    assert big.stat().st_size > small_limit
    upload = SimpleUploadedFile("big.csv", big.read_bytes(), "text/csv")
    page = client.post("/outcomes/upload/", {"trial": trial.pk, "extract": upload}, follow=True)
    assert b"imports refuse anything over 4 KB (IMPORT_MAX_BYTES)" in page.content
    assert not ImportRun.objects.exists()
    assert not list(media.rglob("*.csv"))  # not even saved

    small = extract(tmp_path / "small.csv", 3)
    upload = SimpleUploadedFile("small.csv", small.read_bytes(), "text/csv")
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/outcomes/upload/", {"trial": trial.pk, "extract": upload})
    assert ImportRun.objects.get().status == RunStatus.SUCCEEDED


@pytest.mark.smoke
@pytest.mark.django_db
def test_the_upload_still_needs_its_csrf_token(data_manager: User, tmp_path: Path) -> None:
    """The view is exempt from the middleware only to check the size first."""
    trial = make_trial()
    client = Client(enforce_csrf_checks=True)
    client.force_login(data_manager)
    small = extract(tmp_path / "small.csv", 3)
    upload = SimpleUploadedFile("small.csv", small.read_bytes(), "text/csv")
    page = client.post("/outcomes/upload/", {"trial": trial.pk, "extract": upload})
    assert page.status_code == 403
    assert not ImportRun.objects.exists()


@pytest.mark.smoke
@pytest.mark.django_db
def test_a_dropped_file_over_the_limit_is_quarantined_unread(
    tmp_path: Path, small_limit: int
) -> None:
    source = folder_source(make_trial(), tmp_path / "drop")
    extract(tmp_path / "drop" / "big.csv", 100)
    run = source_pull(source=source).runs[0]
    assert run.status == RunStatus.REJECTED
    assert "over 4 KB (IMPORT_MAX_BYTES). Split it into smaller files" in run.errors[0]["message"]
    assert Path(run.file_path).exists()  # kept, as every refused file
    assert not ReoffenceRecord.objects.exists()


class BigPage(BaseHTTPRequestHandler):
    """A page over the limit, sent with its length or, like a stream, without it."""

    def do_GET(self) -> None:
        records = [
            {"record_id": f"R{i}", "person_id": pnc(1), "offence_date": "2024-05-01"}
            for i in range(200)
        ]
        body = json.dumps({"records": records, "next": None}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        if self.path == "/declared":
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)  # HTTP/1.0: closing the connection ends an undeclared body

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def big_pages() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), BigPage)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.mark.smoke
@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/declared", "/streamed"])
def test_an_http_page_over_the_limit_is_refused(
    big_pages: str, path: str, small_limit: int
) -> None:
    source = source_create(
        trial=make_trial(), name="API", kind="http", url=big_pages + path, by=None
    )
    run = source_pull(source=source).runs[0]
    assert run.status == RunStatus.REJECTED
    assert run.errors[0]["message"].startswith("The page is ")
    assert "(IMPORT_MAX_BYTES)" in run.errors[0]["message"]
    assert not ReoffenceRecord.objects.exists()


@pytest.mark.smoke
@pytest.mark.django_db
def test_both_commands_refuse_a_file_over_the_limit(tmp_path: Path, small_limit: int) -> None:
    big = tmp_path / "big.csv"
    big.write_text("code,title,harm_days\n" + "105/01,Common assault,1\n" * 400)
    with pytest.raises(
        CommandError, match=r"The file is \d+ KB: imports refuse anything over 4 KB"
    ):
        call_command("load_harm_index", str(big), "--version", "BIG")
    assert not HarmIndexVersion.objects.filter(name="BIG").exists()

    people = tmp_path / "participants.csv"
    shutil.copy(CORPUS / "history" / "good-participants.csv", people)
    with people.open("a") as handle:
        handle.writelines(f"CARA-{n:04d},north,2022-02-01,cara,1,30,,\r\n" for n in range(3, 200))
    offences = CORPUS / "history" / "good-reoffences.csv"
    with pytest.raises(CommandError, match=r"participants\.csv row 0 \*: The file is \d+ KB"):
        call_command("import_trial_history", "--trial", "CARA", str(people), str(offences))


def bomb(path: Path, inflated: int) -> Path:
    """A real workbook whose sheet is `inflated` bytes of rows that compress about 1000 times."""
    Workbook().save(path.with_suffix(".seed.xlsx"))
    row_xml = b'<row><c t="inlineStr"><is><t>0</t></is></c></row>'
    with (
        zipfile.ZipFile(path.with_suffix(".seed.xlsx")) as seed,
        zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out,
    ):
        for member in seed.infolist():
            if member.filename != "xl/worksheets/sheet1.xml":
                out.writestr(member, seed.read(member))
                continue
            with out.open(member.filename, "w") as sheet:
                sheet.write(b'<worksheet xmlns="http://schemas.openxmlformats.org/')
                sheet.write(b'spreadsheetml/2006/main"><sheetData>')
                chunk = row_xml * (1024 * 1024 // len(row_xml))
                for _ in range(inflated // len(chunk)):
                    sheet.write(chunk)
                sheet.write(b"</sheetData></worksheet>")
    return path


@pytest.mark.smoke
@pytest.mark.django_db
def test_a_zip_bomb_workbook_is_refused_before_it_is_opened(tmp_path: Path) -> None:
    path = bomb(tmp_path / "cchi.xlsx", 64 * 1024 * 1024)
    assert path.stat().st_size < 1024 * 1024  # a small file...
    started = time.monotonic()
    with pytest.raises(CommandError) as refused:
        call_command("load_harm_index", str(path), "--version", "BOMB")
    assert time.monotonic() - started < 2  # ...refused from its directory, not unpacked
    message = str(refused.value)
    assert "The workbook inflates too far: xl/worksheets/sheet1.xml unpacks" in message
    assert "as a zip bomb does" in message
    assert not HarmIndexVersion.objects.filter(name="BOMB").exists()


@pytest.mark.smoke
@pytest.mark.django_db
def test_a_workbook_that_unpacks_past_the_limit_is_refused(tmp_path: Path, settings: Any) -> None:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["HOME_OFFICE_CLASSIFICATION", "FULL_OFFENCE_TITLE", "CCHI Score"])
    for n in range(20_000):  # an ordinary sheet (it packs about 10 times), only a long one
        sheet.append([n, n * 7, n % 365])
    path = tmp_path / "large.xlsx"
    book.save(path)
    with zipfile.ZipFile(path) as archive:
        inflated = sum(m.file_size for m in archive.infolist())
    assert inflated > 5 * path.stat().st_size
    settings.IMPORT_MAX_BYTES = path.stat().st_size  # the file itself is within the limit
    with pytest.raises(CommandError, match=r"The workbook inflates to \d+\.\d MB when unpacked"):
        call_command("load_harm_index", str(path), "--version", "LARGE")
