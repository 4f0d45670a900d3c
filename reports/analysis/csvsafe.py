"""Spreadsheet formula-injection neutralisation for every CSV the application writes."""

from __future__ import annotations

# A spreadsheet treats a cell starting with these as a formula (OWASP "CSV injection"); tab and
# carriage return are included because some spreadsheets strip them and then read a formula.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def neutralise_cell(value: str) -> str:
    """Prefix a cell that a spreadsheet would run as a formula with an apostrophe."""
    return "'" + value if value.startswith(FORMULA_TRIGGERS) else value
