"""The API's OpenAPI schema is valid, and its docs page runs on this site's own scripts only."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urljoin, urlsplit

import pytest
import requests
import yaml
from openapi_spec_validator import validate

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_schema_validates_and_lists_the_trials_endpoint(
    live_server: Any, capfd: pytest.CaptureFixture[str]
) -> None:
    response = requests.get(f"{live_server.url}/api/schema/", timeout=30)
    assert response.status_code == 200, response.text
    schema = yaml.safe_load(response.text)
    validate(schema)  # raises on an invalid OpenAPI document
    assert schema["openapi"].startswith("3.")
    listing = schema["paths"]["/api/v1/trials/"]["get"]
    assert "cursor" in {p["name"] for p in listing["parameters"]}
    assert schema["components"]["securitySchemes"]["bearerToken"]["scheme"] == "bearer"
    assert listing["security"] == [{"bearerToken": []}]
    refusal = listing["responses"]["401"]["content"]["application/problem+json"]["schema"]
    assert refusal == {"$ref": "#/components/schemas/Problem"}
    assert set(listing["responses"]) >= {"200", "401", "403", "404", "429"}
    assert "Warning" not in capfd.readouterr().err  # every view is described, none guessed


def test_the_docs_page_loads_only_same_origin_scripts(live_server: Any) -> None:
    page = requests.get(f"{live_server.url}/api/docs/", timeout=30)
    assert page.status_code == 200
    policy = page.headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "<script>" not in page.text  # no inline script
    sources = re.findall(r'<(?:script|link)[^>]+(?:src|href)="([^"]+)"', page.text)
    assert sources, page.text
    for source in sources:
        if source.startswith("data:"):
            continue  # the empty icon, written into the page
        address = urljoin(page.url, source)
        assert urlsplit(address).netloc == urlsplit(live_server.url).netloc, source
        assert requests.get(address, timeout=30).status_code == 200, source


@pytest.mark.browser
def test_the_docs_render_the_endpoints_without_a_csp_violation(live_server: Any, page: Any) -> None:
    violations: list[str] = []
    page.on("console", lambda m: violations.append(m.text) if m.type == "error" else None)
    outside: list[str] = []
    page.on(
        "request",
        lambda r: (
            outside.append(r.url)
            if urlsplit(r.url).netloc not in ("", urlsplit(live_server.url).netloc)
            and not r.url.startswith("data:")
            else None
        ),
    )
    page.goto(f"{live_server.url}/api/docs/")
    page.get_by_text("/api/v1/trials/").first.wait_for()
    assert outside == []
    assert violations == []
