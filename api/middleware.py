"""The API's body cap: a request larger than API_MAX_BODY_BYTES is refused before it is read."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse

from api.problems import problem_response

PREFIX = "/api/"


class BodyCapMiddleware:
    """413 with a problem body, so a custody system sees why instead of a dropped connection."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path.startswith(PREFIX):
            try:
                length = int(request.META.get("CONTENT_LENGTH") or 0)
            except ValueError:
                return problem_response(400, "The Content-Length header is not a number.")
            cap = settings.API_MAX_BODY_BYTES
            if length > cap:
                return problem_response(
                    413,
                    f"The request body is {length} bytes; the most this API reads is {cap}.",
                    kind="too-large",
                )
        return self.get_response(request)
