"""The fingerprint of a machine client's request, compared when its Idempotency-Key comes back."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder


def canonical_json(body: Any) -> str:
    """Return the body as JSON with sorted keys and no spaces: equal bodies, equal text."""
    return json.dumps(
        body, cls=DjangoJSONEncoder, sort_keys=True, separators=(",", ":"), ensure_ascii=False
    )


def request_fingerprint(*, method: str, path: str, body: Any) -> str:
    """Return the sha256 of the method, the path and the canonical JSON body."""
    text = "\n".join([method.upper(), path, canonical_json(body)])
    return hashlib.sha256(text.encode()).hexdigest()
