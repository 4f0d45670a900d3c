"""PNC IDs are checked by their check character and normalised before hashing."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from common.identifiers import InvalidPNCError, make_pnc, normalise_pnc, pnc_check_character


def test_check_character_worked_by_hand() -> None:
    # 14 and 0123456 -> 140123456; 140123456 mod 23 = 4 -> "ZABCDEFGHJKLMNPQRTUVWXY"[4] = "D"
    assert 140123456 % 23 == 4
    assert pnc_check_character("14", "123456") == "D"
    assert normalise_pnc(" 14/123456d ") == "14/0123456D"
    assert normalise_pnc("2014/0123456D") == "14/0123456D"


@pytest.mark.parametrize("bad", ["", "14-0123456L", "14/0123456", "14/01234567L", "ab/1234567L"])
def test_malformed_ids_are_refused_with_the_expected_shape(bad: str) -> None:
    with pytest.raises(InvalidPNCError, match="looks like"):
        normalise_pnc(bad)


def test_a_wrong_check_letter_is_refused_without_naming_the_right_one() -> None:
    with pytest.raises(InvalidPNCError, match="check letter does not match") as refusal:
        normalise_pnc("14/0123456M")
    # "D" is the right letter: a message naming it would invite a wrong ID "fixed" to pass.
    assert not re.search(r"\b[A-Z]\b", str(refusal.value).replace("PNC ID", ""))


@given(st.integers(0, 99), st.integers(1, 9_999_999))
def test_every_built_id_validates(year: int, serial: int) -> None:
    pnc = make_pnc(year, serial)
    assert normalise_pnc(pnc) == pnc
