"""Links that leave the application, in e-mails: absolute, on the configured SITE_URL."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.urls import reverse


def site_link(viewname: str, *args: Any) -> str:
    """Return the absolute address of a page, e.g. https://trials.example/breaches/7/."""
    return f"{settings.SITE_URL}{reverse(viewname, args=args)}"
