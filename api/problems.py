"""Errors as application/problem+json (RFC 9457), with the field errors the forms give."""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404, JsonResponse
from rest_framework import exceptions
from rest_framework.response import Response
from rest_framework.views import exception_handler

from common.exceptions import ConflictError, DomainError, NotAllowedError

CONTENT_TYPE = "application/problem+json"
# The whole form's errors, as DRF and the forms both call them.
WHOLE = "non_field_errors"


def problem_body(
    status: int, detail: str, *, kind: str = "", errors: dict[str, list[str]] | None = None
) -> dict[str, Any]:
    """Return an RFC 9457 problem: type, title, status, detail, and errors by field."""
    title = HTTPStatus(status).phrase
    body: dict[str, Any] = {
        "type": f"/api/problems/{kind or title.lower().replace(' ', '-')}",
        "title": title,
        "status": status,
        "detail": detail,
    }
    if errors:
        body["errors"] = errors
    return body


def problem_response(status: int, detail: str, **kw: Any) -> JsonResponse:
    """A problem outside DRF's views (the body cap, a URL under /api/ that matches nothing)."""
    return JsonResponse(
        problem_body(status, detail, **kw), status=status, content_type=CONTENT_TYPE
    )


def _messages(value: Any) -> list[str]:
    if isinstance(value, list):
        return [str(item) for item in value if not isinstance(item, dict | list)] or [str(value)]
    return [str(value)]


def _field_errors(detail: Any, prefix: str = "") -> dict[str, list[str]]:
    """Flatten DRF's nested errors to {"field": [...], "rows.3.date": [...]}."""
    if isinstance(detail, dict):
        found: dict[str, list[str]] = {}
        for key, value in detail.items():
            name = f"{prefix}{key}" if key != WHOLE else (prefix.rstrip(".") or WHOLE)
            if isinstance(value, dict) or (
                isinstance(value, list) and any(isinstance(v, dict) for v in value)
            ):
                found.update(_field_errors(value, f"{name}."))
            else:
                found.setdefault(name, []).extend(_messages(value))
        return found
    if isinstance(detail, list) and any(isinstance(v, dict) for v in detail):
        found = {}
        for index, value in enumerate(detail):
            if value:
                found.update(_field_errors(value, f"{prefix}{index}."))
        return found
    return {prefix.rstrip(".") or WHOLE: _messages(detail)}


def _domain(error: DomainError) -> tuple[int, str]:
    if isinstance(error, ConflictError):
        return 409, "conflict"
    if isinstance(error, NotAllowedError):
        return 403, "not-allowed"
    return 422, "refused"


def api_exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """Turn domain errors and DRF's errors into problem+json responses."""
    if isinstance(exc, DomainError):
        status, kind = _domain(exc)
        errors = {exc.field or WHOLE: [exc.message]}
        body = problem_body(status, exc.message, kind=exc.code or kind, errors=errors)
        return Response(body, status=status, content_type=CONTENT_TYPE)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound(str(exc) or "Not found.")
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied(str(exc) or None)
    response = exception_handler(exc, context)
    if response is None:
        return None  # a server error: Django's 500 handler, logged
    assert isinstance(exc, exceptions.APIException)
    if isinstance(exc, exceptions.ValidationError):
        errors = _field_errors(exc.detail)
        detail = "The request has errors: see each field."
        body = problem_body(response.status_code, detail, kind="invalid", errors=errors)
    elif isinstance(exc, exceptions.NotAuthenticated):
        detail = "Send a valid token: Authorization: Bearer <token>."
        body = problem_body(response.status_code, detail, kind=exc.default_code)
    else:
        detail = exc.detail if isinstance(exc.detail, str) else str(exc.detail)
        body = problem_body(response.status_code, str(detail), kind=exc.default_code)
    response.data = body
    response.content_type = CONTENT_TYPE
    return response
