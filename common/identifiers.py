"""Person identifiers: the Police National Computer ID (PNC ID) and its check character."""

from __future__ import annotations

import re

# The PNC ID check character: (two-digit year and seven-digit serial as one number) mod 23,
# looked up in this alphabet (I, O and S are left out to avoid confusion with 1, 0 and 5).
CHECK_ALPHABET = "ZABCDEFGHJKLMNPQRTUVWXY"
PNC_PATTERN = re.compile(r"^(?P<year>\d{2}|\d{4})/(?P<serial>\d{1,7})(?P<check>[A-Z])$")


class InvalidPNCError(ValueError):
    """The text is not a well-formed PNC ID with a correct check character."""


def pnc_check_character(year: str, serial: str) -> str:
    """Return the check character of a PNC ID's year and serial number."""
    number = int(year[-2:] + serial.zfill(7))
    return CHECK_ALPHABET[number % 23]


def normalise_pnc(text: str) -> str:
    """Return a PNC ID in canonical form (YY/NNNNNNNC) or raise InvalidPNCError with a reason."""
    compact = "".join(text.split()).upper()
    match = PNC_PATTERN.match(compact)
    if not match:
        raise InvalidPNCError(
            "A PNC ID looks like 14/0123456D: a year, a slash, up to seven digits and a "
            "check letter."
        )
    year, serial, check = match["year"][-2:], match["serial"].zfill(7), match["check"]
    # The message never names the right letter: an officer who mistyped a digit would "fix" the
    # letter and store a valid but wrong ID, and that person's re-offences would never match.
    if check != pnc_check_character(year, serial):
        raise InvalidPNCError(
            "The check letter does not match the digits of this PNC ID: check the whole ID "
            "against the custody record."
        )
    return f"{year}/{serial}{check}"


def make_pnc(year: int, serial: int) -> str:
    """Build a valid PNC ID (used by the demo and tests)."""
    yy, digits = f"{year % 100:02d}", f"{serial:07d}"
    return f"{yy}/{digits}{pnc_check_character(yy, digits)}"
