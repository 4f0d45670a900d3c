"""The schema describes every endpoint under a trial: bodies, answers, refusals, the key header."""

from __future__ import annotations

from typing import Any

import pytest
import requests
import yaml
from openapi_spec_validator import validate

pytestmark = pytest.mark.django_db(transaction=True)

PROBLEM = "application/problem+json"
OPERATIONS = {
    ("post", "/api/v1/trials/{trial}/screenings/"),
    ("post", "/api/v1/trials/{trial}/cases/{pseudonym}/consent/"),
    ("post", "/api/v1/trials/{trial}/cases/{pseudonym}/enrolment/"),
    ("post", "/api/v1/trials/{trial}/records/"),
    ("get", "/api/v1/trials/{trial}/cases/{pseudonym}/"),
    ("get", "/api/v1/trials/{trial}/snapshots/"),
    ("get", "/api/v1/trials/{trial}/report-runs/"),
    ("get", "/api/v1/trials/{trial}/report-runs/{id}/"),
    ("get", "/api/v1/trials/{trial}/dataset/"),
}


def test_every_endpoint_is_described_with_its_bodies_and_refusals(
    live_server: Any, capfd: pytest.CaptureFixture[str]
) -> None:
    schema = yaml.safe_load(requests.get(f"{live_server.url}/api/schema/", timeout=30).text)
    validate(schema)
    for method, path in OPERATIONS:
        operation = schema["paths"][path][method]
        assert operation["security"] == [{"bearerToken": []}], path
        ok = next(s for s in operation["responses"] if s.startswith("2"))
        assert operation["responses"][ok].get("content"), (path, "no answer described")
        assert PROBLEM in operation["responses"]["404"]["content"]
        if method == "post":
            assert operation["requestBody"]["content"]["application/json"]["schema"], path
            assert PROBLEM in operation["responses"]["422"]["content"], path
    enrol = schema["paths"]["/api/v1/trials/{trial}/cases/{pseudonym}/enrolment/"]["post"]
    key = next(p for p in enrol["parameters"] if p["name"] == "Idempotency-Key")
    assert (key["in"], key["required"]) == ("header", True)
    conflict = enrol["responses"]["409"]["content"][PROBLEM]["schema"]
    assert conflict == {"$ref": "#/components/schemas/Problem"}
    dataset = schema["paths"]["/api/v1/trials/{trial}/dataset/"]["get"]
    assert "X-Justification" in {p["name"] for p in dataset["parameters"]}
    assert "text/csv" in dataset["responses"]["200"]["content"]
    assert "Warning" not in capfd.readouterr().err  # every view is described, none guessed
