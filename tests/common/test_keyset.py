"""Keyset pages: every row once either way, a cursor that tells nothing, a capped count."""

from __future__ import annotations

import base64
import datetime
import zlib

import pytest
from django.db.models import QuerySet, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from common.keyset import KeysetPage, keyset_page
from common.models import Organisation, User

pytestmark = pytest.mark.django_db
ORDER = ["kind", "-id"]  # mixed directions, and many ties on the first field


def organisations(count: int) -> QuerySet[Organisation]:
    kinds = ["force", "provider", "university"]
    Organisation.objects.bulk_create(
        Organisation(name=f"Org {n:03d}", kind=kinds[n % 3]) for n in range(count)
    )
    return Organisation.objects.filter(name__startswith="Org ")


def walk_forward(rows: QuerySet[Organisation], size: int) -> list[KeysetPage[Organisation]]:
    pages = [keyset_page(rows, ordering=ORDER, cursor=None, size=size)]
    while pages[-1].next_cursor:
        pages.append(keyset_page(rows, ordering=ORDER, cursor=pages[-1].next_cursor, size=size))
    return pages


def test_walking_forward_then_back_shows_every_row_once_in_order() -> None:
    rows = organisations(23)
    expected = list(rows.order_by(*ORDER))
    pages = walk_forward(rows, 5)
    assert [row for page in pages for row in page.object_list] == expected
    assert [len(page.object_list) for page in pages] == [5, 5, 5, 5, 3]
    assert not pages[0].has_previous
    assert pages[-1].has_previous
    assert not pages[-1].has_next
    back = [pages[-1]]
    while back[-1].previous_cursor:
        back.append(keyset_page(rows, ordering=ORDER, cursor=back[-1].previous_cursor, size=5))
    assert [page.object_list for page in reversed(back)] == [page.object_list for page in pages]
    assert back[-1].has_next
    assert not back[-1].has_previous


def test_a_row_added_while_reading_neither_repeats_nor_hides_the_others() -> None:
    rows = organisations(10)
    first = keyset_page(rows, ordering=ORDER, cursor=None, size=4)
    Organisation.objects.create(name="Org new", kind="force")  # sorts before the cursor
    second = keyset_page(rows, ordering=ORDER, cursor=first.next_cursor, size=4)
    assert not set(first.object_list) & set(second.object_list)
    assert second.object_list == list(rows.order_by(*ORDER))[5:9]


def test_timestamps_seek_to_the_microsecond_among_ties() -> None:
    moment = timezone.now().replace(microsecond=123456)
    for n in range(7):
        joined = moment if n < 4 else moment + datetime.timedelta(microseconds=n)
        User.objects.create(username=f"seek-{n}", date_joined=joined)
    rows = User.objects.filter(username__startswith="seek-")
    order = ["-date_joined", "-id"]
    seen, cursor = [], None
    for _ in range(4):
        page = keyset_page(rows, ordering=order, cursor=cursor, size=2)
        seen += page.object_list
        cursor = page.next_cursor
    assert seen == list(rows.order_by(*order))


def test_the_cursor_carries_no_name_and_a_changed_one_gives_the_first_page() -> None:
    rows = organisations(8)
    first = keyset_page(rows, ordering=ORDER, cursor=None, size=3)
    assert first.next_cursor is not None
    payload = first.next_cursor.split(":")[0]
    text = base64.urlsafe_b64decode(payload.lstrip(".") + "=" * (-len(payload.lstrip(".")) % 4))
    text = zlib.decompress(text) if payload.startswith(".") else text  # compressed when shorter
    assert b"Org" not in text
    for bad in (first.next_cursor[:-2] + "xx", "garbage", first.next_cursor.upper()):
        assert keyset_page(rows, ordering=ORDER, cursor=bad, size=3) == first
    other_list = keyset_page(rows, ordering=["name", "id"], cursor=first.next_cursor, size=3)
    assert other_list.object_list == list(rows.order_by("name", "id"))[:3]


def test_the_count_is_exact_up_to_the_cap_and_more_than_it_beyond() -> None:
    rows = organisations(12)
    exact = keyset_page(rows, ordering=ORDER, cursor=None, size=5, count_cap=12)
    assert (exact.count, exact.count_exact) == (12, True)
    capped = keyset_page(rows, ordering=ORDER, cursor=None, size=5, count_cap=10)
    assert (capped.count, capped.count_exact) == (10, False)


def test_an_ordering_without_the_id_last_is_refused() -> None:
    with pytest.raises(ValueError, match="unique id"):
        keyset_page(Organisation.objects.all(), ordering=["kind"], cursor=None, size=5)


NEVER = datetime.datetime(9999, 1, 1, tzinfo=datetime.UTC)  # sorts the never-signed-in last


@pytest.mark.parametrize("order", [["seen", "id"], ["-seen", "-id"]])
def test_a_nullable_column_coalesced_to_a_sentinel_pages_every_row_once(order: list[str]) -> None:
    moment = timezone.now()
    for n in range(11):
        seen = None if n % 3 == 0 else moment + datetime.timedelta(seconds=n % 4)
        User.objects.create(username=f"null-{n}", last_login=seen)
    rows = User.objects.filter(username__startswith="null-").annotate(
        seen=Coalesce("last_login", Value(NEVER))
    )
    expected = list(rows.order_by(*order))
    pages = [keyset_page(rows, ordering=order, cursor=None, size=3)]
    while pages[-1].next_cursor:
        pages.append(keyset_page(rows, ordering=order, cursor=pages[-1].next_cursor, size=3))
    assert [row for page in pages for row in page.object_list] == expected
    never = [row for row in expected if row.last_login is None]
    assert len(never) == 4
    assert (expected[-4:] if order[0] == "seen" else expected[:4]) == never
    back = [pages[-1]]
    while back[-1].previous_cursor:
        back.append(keyset_page(rows, ordering=order, cursor=back[-1].previous_cursor, size=3))
    assert [page.object_list for page in reversed(back)] == [page.object_list for page in pages]
