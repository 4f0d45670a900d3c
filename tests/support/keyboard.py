"""Drive a Playwright page with the keyboard alone: Tab to a control, then type, Space or Enter.

The page is only read (which element has the focus) to know when to stop tabbing; every change
to it is a key press, as a keyboard user would make it.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

from playwright.sync_api import Page

_FOCUSED = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) return null;
  const label = el.labels && el.labels.length ? el.labels[0].innerText.trim() : "";
  const option = el.tagName === "SELECT" && el.selectedIndex >= 0
    ? el.options[el.selectedIndex].text.trim() : "";
  return {tag: el.tagName.toLowerCase(), name: el.getAttribute("name") || "",
          type: el.getAttribute("type") || "", value: el.value || "", label: label,
          text: (el.innerText || el.value || "").trim().replace(/\\s+/g, " "), option: option};
}"""
LIMIT = 150  # presses before giving up: more than any page's controls


def focused(page: Page) -> dict[str, Any] | None:
    """Describe the element that has the keyboard focus."""
    found: dict[str, Any] | None = page.evaluate(_FOCUSED)
    return found


def tab_to(page: Page, wanted: Callable[[dict[str, Any]], bool], what: str) -> dict[str, Any]:
    """Press Tab until the focused element is the one wanted."""
    for _ in range(LIMIT):
        page.keyboard.press("Tab")
        now = focused(page)
        if now is not None and wanted(now):
            return now
    raise AssertionError(f"Tab never reached {what} on {page.url}")


def tab_to_field(page: Page, name: str) -> dict[str, Any]:
    return tab_to(page, lambda el: el["name"] == name, f"the field {name!r}")


def tab_to_control(page: Page, text: str) -> dict[str, Any]:
    """Tab to the link or button whose text is the text given."""
    return tab_to(
        page, lambda el: el["tag"] in ("a", "button", "input") and el["text"] == text, repr(text)
    )


def type_into(page: Page, name: str, text: str) -> None:
    tab_to_field(page, name)
    page.keyboard.type(text)


def type_date(page: Page, name: str, day: datetime.date) -> None:
    """Type a date into a date field's segments: day first, or month first if the browser's
    own language puts the month first (Chromium orders them by it, not by the page's)."""
    tab_to_field(page, name)
    page.keyboard.type(day.strftime("%d%m%Y"))
    if (focused(page) or {}).get("value") != day.isoformat():
        page.keyboard.press("Shift+Tab")  # back from the year to the first segment
        page.keyboard.press("Shift+Tab")
        page.keyboard.type(day.strftime("%m%d%Y"))
    got = focused(page) or {}
    assert got.get("value") == day.isoformat(), (name, got)


def choose_radio(page: Page, name: str, value: str) -> None:
    """Tab into the radio group, arrow to the choice, Space to check it."""
    now = tab_to_field(page, name)
    for _ in range(12):
        if now["value"] == value:
            page.keyboard.press("Space")
            return
        page.keyboard.press("ArrowRight")
        now = focused(page) or {}
    raise AssertionError(f"no radio {value!r} in {name!r}")


def choose_option(page: Page, name: str, text: str) -> None:
    """Tab to the list and arrow down to the option (a closed list changes as it is arrowed)."""
    now = tab_to_field(page, name)
    page.keyboard.press("Home")
    for _ in range(40):
        now = focused(page) or {}
        if now["option"] == text:
            return
        page.keyboard.press("ArrowDown")
    raise AssertionError(f"no option {text!r} in {name!r}: at {now.get('option')!r}")
