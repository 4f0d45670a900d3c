"""Run the vendored axe-core on a Playwright page against WCAG 2.0, 2.1 and 2.2, A and AA."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from playwright.sync_api import Page

AXE = settings.BASE_DIR / "static" / "vendor" / "axe" / "axe.min.js"
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"]
BLOCKING = ("critical", "serious")

_RUN = """async (tags) => {
  const result = await axe.run(document, {runOnly: {type: "tag", values: tags}});
  return result.violations.map(v => ({
    id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl,
    nodes: v.nodes.map(n => ({target: n.target.join(" "), summary: n.failureSummary || ""})),
  }));
}"""


def axe_violations(page: Page) -> list[dict[str, Any]]:
    """Return axe's WCAG A/AA violations of the page as it is now."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        # From the site's own static files, so the page's CSP (script-src 'self') allows it:
        # an inline copy would need the policy turned off for the test.
        origin = "{0.scheme}://{0.netloc}".format(urlsplit(page.url))
        page.add_script_tag(url=f"{origin}/{settings.STATIC_URL.strip('/')}/vendor/axe/axe.min.js")
    found: list[dict[str, Any]] = page.evaluate(_RUN, TAGS)
    return found


def describe(violations: list[dict[str, Any]]) -> str:
    """One line per failing element: rule id, impact, element, what the rule wants."""
    lines = []
    for v in violations:
        for node in v["nodes"]:
            lines.append(f"  {v['id']} [{v['impact']}] {node['target']}: {v['help']}")
    return "\n".join(lines)


def assert_accessible(page: Page, seen: list[str] | None = None) -> None:
    """Fail when axe finds a critical or serious violation; list every violation found.

    Moderate and minor ones are printed (pytest shows them on failure) but do not fail.
    """
    violations = axe_violations(page)
    if seen is not None:
        seen.append(page.url)
    blocking = [v for v in violations if v["impact"] in BLOCKING]
    if violations:
        print(f"axe on {page.url}:\n{describe(violations)}")
    assert not blocking, f"axe: critical/serious violations on {page.url}:\n{describe(blocking)}"
