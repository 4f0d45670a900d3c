"""The schema's problem+json answers: every operation may refuse with one (RFC 9457)."""

from __future__ import annotations

from typing import Any

PROBLEM = {
    "type": "object",
    "description": "An error (RFC 9457): what went wrong, and each field's messages.",
    "required": ["type", "title", "status", "detail"],
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "errors": {
            "type": "object",
            "description": 'Messages by field ("rows.3.date" for a nested one).',
            "additionalProperties": {"type": "array", "items": {"type": "string"}},
        },
    },
}
# What any endpoint may answer before its own code runs, and a body's refusals.
ANSWERS = {
    "400": "The body is not valid JSON, or its fields have errors.",
    "401": "No token, or an unknown, expired or revoked one.",
    "403": "The token does not hold this endpoint's scope.",
    "404": "No such object, or one of another trial.",
    "413": "The body is larger than the API reads.",
    "429": "This token has used its budget of requests: wait and try again.",
}
WRITES = {"post", "put", "patch"}


def problems_everywhere(result: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
    """Add the Problem schema and the refusals every operation may give (a spectacular hook)."""
    result.setdefault("components", {}).setdefault("schemas", {})["Problem"] = PROBLEM
    problem = {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}
    for operations in result.get("paths", {}).values():
        for method, operation in operations.items():
            responses = operation.setdefault("responses", {})
            for status, description in ANSWERS.items():
                if status in ("400", "413") and method not in WRITES:
                    continue
                responses.setdefault(status, {"description": description, "content": problem})
    return result
