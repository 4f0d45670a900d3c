"""Every bad file of the corpus, fed through its real path, is refused by row and column.

The corpus (tests/outcomes/bad_inputs/, listed with what each must say in expected.csv) holds one
file per rule and path: the data manager's upload (through the page), a drop folder, an HTTP
source (a real server on 127.0.0.1), load_harm_index (CSV and .xlsx) and import_trial_history.
Each refusal must name the row and the column, never end in a server error, and leave every
table as it was but for the refused run and its audit event.
"""

from __future__ import annotations

import csv
import functools
import shutil
import threading
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.test import Client

from common.models import AuditEvent, User
from outcomes.models import ImportRun, RecordSource, RunStatus, SourceKind
from outcomes.services import source_create, source_pull
from tests.outcomes.support import folder_source, make_trial

CORPUS = Path(__file__).parent / "bad_inputs"
CASES = list(csv.DictReader((CORPUS / "expected.csv").open(encoding="utf-8")))
# What a refusal itself records: the refused run and its audit events, nothing else.
REFUSAL_TABLES = {ImportRun._meta.label, AuditEvent._meta.label}
# A refused run is still a run: it is started, refused and audited (DPA s.62 logs collection).
REFUSAL_ACTIONS = {
    "records.upload",
    "records.import_start",
    "records.reject",
    "history.reject",
}


def counts() -> dict[str, int]:
    tables = [m for m in apps.get_models() if m._meta.managed and not m._meta.proxy]
    return {model._meta.label: model._default_manager.count() for model in tables}


class Quiet(SimpleHTTPRequestHandler):
    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def http_folder(tmp_path: Path) -> Iterator[tuple[Path, str]]:
    """A real HTTP server on 127.0.0.1 serving the files of a folder."""
    folder = tmp_path / "pages"
    folder.mkdir()
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(folder)))
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
    yield folder, f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def run_lines(run: ImportRun) -> list[str]:
    assert run.status == RunStatus.REJECTED
    return [f"row {e['row']} {e['column']}: {e['message']}" for e in run.errors]


def refusal_lines(path: Path, kind: str, **fixtures: Any) -> list[str]:
    """Feed one file through its path; return the refusal's lines, row and column first."""
    trial = fixtures["trial"]
    if kind == "upload":
        client: Client = fixtures["client"]
        upload = SimpleUploadedFile(path.name, path.read_bytes(), "text/csv")
        with fixtures["on_commit"](execute=True):
            page = client.post("/outcomes/upload/", {"trial": trial.pk, "extract": upload})
        assert page.status_code == 302
        return run_lines(ImportRun.objects.latest("pk"))
    if kind == "folder":
        drop = fixtures["tmp_path"] / "drop"
        shutil.copy(path, drop / path.name)
        return run_lines(source_pull(source=fixtures["folder"]).runs[-1])
    if kind == "http":
        pages, _ = fixtures["http_folder"]
        shutil.copy(path, pages / "page.json")
        return run_lines(source_pull(source=fixtures["http"]).runs[-1])
    if kind == "harm_index":
        command = ["load_harm_index", str(path), "--version", "BAD"]
    else:
        good = CORPUS / "history"
        bad_people = path.name.startswith("participants-")
        people = path if bad_people else good / "good-participants.csv"
        offences = good / "good-reoffences.csv" if bad_people else path
        command = ["import_trial_history", "--trial", "CARA", str(people), str(offences)]
    with pytest.raises(CommandError) as refused:
        call_command(*command)
    return str(refused.value).splitlines()


@pytest.mark.smoke
@pytest.mark.django_db
@pytest.mark.parametrize("case", CASES, ids=[c["file"] for c in CASES])
def test_a_bad_file_is_refused_by_row_and_column_and_stores_nothing(
    case: dict[str, str],
    client: Client,
    data_manager: User,
    tmp_path: Path,
    http_folder: tuple[Path, str],
    django_capture_on_commit_callbacks: Any,
) -> None:
    trial = make_trial()
    folder = folder_source(trial, tmp_path / "drop")
    url = f"{http_folder[1]}/page.json"
    http = source_create(trial=trial, name="Records API", kind="http", url=url, by=None)
    # The upload source is made by the first upload: made here, so only the refusal counts.
    RecordSource.objects.create(trial=trial, name=SourceKind.UPLOAD.label, kind=SourceKind.UPLOAD)
    client.force_login(data_manager)
    before, events = counts(), AuditEvent.objects.count()
    path = CORPUS / case["file"]
    lines = refusal_lines(
        path,
        case["file"].split("/")[0],
        trial=trial,
        client=client,
        on_commit=django_capture_on_commit_callbacks,
        tmp_path=tmp_path,
        folder=folder,
        http=http,
        http_folder=http_folder,
    )
    where = f"row {case['row']} {case['column']}: "
    named = [line for line in lines if where in line.lower()]
    assert named, f"no error for {where!r} in {lines}"
    assert any(case["message"] in line for line in named), named
    after = counts()
    changed = {label for label in after if after[label] != before[label]}
    assert changed <= REFUSAL_TABLES, changed
    assert not ImportRun.objects.exclude(status=RunStatus.REJECTED).exists()
    actions = set(AuditEvent.objects.order_by("pk")[events:].values_list("action", flat=True))
    assert actions <= REFUSAL_ACTIONS


@pytest.mark.smoke
def test_the_corpus_lists_every_file_once() -> None:
    listed = {c["file"] for c in CASES}
    found = {
        str(p.relative_to(CORPUS))
        for p in CORPUS.rglob("*")
        if p.suffix in (".csv", ".json", ".xlsx") and p.name != "expected.csv"
    }
    assert found - listed == {"history/good-participants.csv", "history/good-reoffences.csv"}
    assert listed <= found
    assert len(listed) >= 30
    assert all(p.stat().st_size < 16_000 for p in CORPUS.rglob("*") if p.is_file())


@pytest.mark.smoke
@pytest.mark.django_db
@pytest.mark.parametrize(
    ("option", "message"),
    [
        (["--trial", "C" * 21], "A trial code is at most 20 characters."),
        (["--trial", "CARA", "--title", "T" * 201], "A trial title is at most 200 characters."),
    ],
)
def test_a_history_with_an_over_long_trial_code_or_title_is_refused(
    option: list[str], message: str, tmp_path: Path
) -> None:
    files = []
    for name in ("good-participants.csv", "good-reoffences.csv"):
        bare = (CORPUS / "history" / name).read_text().replace("CARA-", "")  # 0001: any code
        (tmp_path / name).write_text(bare)
        files.append(str(tmp_path / name))
    before = counts()
    with pytest.raises(CommandError, match=message):
        call_command("import_trial_history", *option, *files)
    assert counts() == before
