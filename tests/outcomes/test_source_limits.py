"""Where a record source may point, checked when it is saved and again before every fetch."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from pytest_django.fixtures import Settings as SettingsWrapper

from common.exceptions import DomainError
from outcomes.models import RecordSource, RunStatus
from outcomes.services import source_create, source_pull
from outcomes.sources.address import url_problem
from tests.outcomes.support import Endpoint, make_trial
from tests.outcomes.test_http_source import record, source  # noqa: F401

POLICE = "https://records.example.police.uk"


@pytest.fixture
def police_only(settings: SettingsWrapper) -> None:
    settings.OUTCOMES_SOURCE_URLS = [POLICE, "https://*.api.police.uk"]


@pytest.mark.parametrize(
    ("url", "why"),
    [
        ("http://records.example.police.uk/r", "https only"),
        ("https://127.0.0.1:8080/r", "not on the list"),
        ("https://169.254.169.254/latest/meta-data/", "not on the list"),
        ("https://records.example.police.uk.evil.example/r", "not on the list"),
        ("https://user:pw@records.example.police.uk/r", "credentials"),
        ("ftp://records.example.police.uk/r", "full address"),
    ],
)
@pytest.mark.usefixtures("police_only")
def test_urls_off_the_allow_list_are_refused(url: str, why: str) -> None:
    assert why in url_problem(url, resolve=False)


@pytest.mark.usefixtures("police_only")
def test_allowed_hosts_and_wildcards_pass_unless_they_resolve_inside() -> None:
    assert url_problem(f"{POLICE}/reoffences", resolve=False) == ""
    assert url_problem("https://hants.api.police.uk/v1", resolve=False) == ""
    # localhost is a name, not the address: allowed by name, refused once it resolves inside.
    assert "internal address" in url_problem_with(
        ["https://localhost"], "https://localhost/records"
    )
    assert url_problem_with(["http://127.0.0.1"], "http://127.0.0.1:8000/records") == ""


def url_problem_with(entries: list[str], url: str) -> str:
    from django.test import override_settings

    with override_settings(OUTCOMES_SOURCE_URLS=entries):
        return url_problem(url)


@pytest.mark.django_db
@pytest.mark.usefixtures("police_only")
def test_a_source_cannot_be_saved_pointing_at_the_machine_or_outside_the_drop_root(
    tmp_path: Path, settings: SettingsWrapper
) -> None:
    trial = make_trial()
    with pytest.raises(DomainError, match="not on the list") as refused:
        source_create(trial=trial, name="Metadata", kind="http", url="https://10.0.0.5/", by=None)
    assert refused.value.field == "url"
    settings.OUTCOMES_DROP_ROOT = tmp_path / "drop"
    (tmp_path / "drop" / "cara").mkdir(parents=True)
    with pytest.raises(DomainError, match="must lie under") as outside:
        source_create(trial=trial, name="Etc", kind="folder", folder="/etc", by=None)
    assert outside.value.field == "folder"
    escape = str(tmp_path / "drop" / "cara" / ".." / "..")
    with pytest.raises(DomainError, match="must lie under"):
        source_create(trial=trial, name="Up", kind="folder", folder=escape, by=None)
    assert not RecordSource.objects.exists()
    made = source_create(
        trial=trial, name="Drop", kind="folder", folder=str(tmp_path / "drop" / "cara"), by=None
    )
    assert made.folder.endswith("cara")


@pytest.mark.django_db
def test_a_next_link_off_the_list_is_not_followed(
    endpoint: Endpoint,
    source: Callable[..., RecordSource],  # noqa: F811
    settings: SettingsWrapper,
) -> None:
    made = source()
    settings.OUTCOMES_SOURCE_URLS = [endpoint.url]  # this port only
    endpoint.page("/records?page=1", [record("R1", 1)], "http://127.0.0.1:9/steal?page=2")
    result = source_pull(source=made)
    assert [run.status for run in result.runs] == [RunStatus.SUCCEEDED, RunStatus.FAILED]
    assert "not on the list" in result.runs[1].errors[0]["message"]
    assert result.failure is not None
    assert not result.failure.transient
    assert [path for path, _ in endpoint.hits] == ["/records?page=1"]


@pytest.mark.django_db
def test_a_source_edited_in_the_database_is_refused_before_any_fetch(
    endpoint: Endpoint,
    source: Callable[..., RecordSource],  # noqa: F811
    settings: SettingsWrapper,
) -> None:
    made = source()
    settings.OUTCOMES_SOURCE_URLS = [POLICE]  # the list shrank since the source was saved
    result = source_pull(source=made)
    assert result.runs[0].status == RunStatus.FAILED
    assert "https only" in result.runs[0].errors[0]["message"]
    assert endpoint.hits == []


@pytest.mark.django_db
def test_a_redirect_is_not_followed(
    endpoint: Endpoint,
    source: Callable[..., RecordSource],  # noqa: F811
) -> None:
    made = source()
    endpoint.answer("/records?page=1", 302, b"")
    result = source_pull(source=made)
    assert result.runs[0].status == RunStatus.FAILED
    assert "HTTP 302" in result.runs[0].errors[0]["message"]
