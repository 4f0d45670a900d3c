"""Build the demo: organisations, users, then each app's synthetic trial data."""

from __future__ import annotations

from dataclasses import dataclass

from demo.people import DemoLogin, demo_organisations_load, demo_users_load


@dataclass(frozen=True)
class DemoResult:
    summary: str
    logins: list[DemoLogin]


def demo_load() -> DemoResult:
    """Load every part of the demo; safe to run again (existing demo data is kept)."""
    areas, provider = demo_organisations_load()
    logins = demo_users_load()
    summary = f"Demo loaded: {len(areas)} police areas, provider {provider.name}."
    return DemoResult(summary=summary, logins=logins)
