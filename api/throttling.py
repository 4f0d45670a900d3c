"""Throttling per token: each token has its own budget, whatever address it calls from."""

from __future__ import annotations

from typing import Any

from django.core.cache import caches
from rest_framework.request import Request
from rest_framework.throttling import SimpleRateThrottle

from api.selectors import ApiToken


class TokenRateThrottle(SimpleRateThrottle):
    """A scoped throttle keyed by the token's id (REST_FRAMEWORK's DEFAULT_THROTTLE_RATES)."""

    scope = "token"
    cache = caches["api-throttle"]  # shared by the web workers when Redis is configured

    def get_cache_key(self, request: Request, view: Any) -> str | None:
        token = request.auth
        if not isinstance(token, ApiToken):
            return None  # no token: refused with 401 before any throttle
        return self.cache_format % {"scope": self.scope, "ident": token.pk}
