"""Keyset (seek) pages of a list: rows after or before an opaque cursor, and a capped count.

OFFSET reads and throws away every row before the page, so page 2,000 of a list costs 2,000
pages; a seek condition on the ordering ("after the last row shown") lets an index start at the
page. The ordering must end with a unique field (the id) so no two rows tie, and its fields must
be non-null: the model's own columns, or annotations of the rows (a nullable column goes in as
Coalesce with a sentinel, which an expression index can serve). The cursor holds the ordering
values of one row (dates and ids, never a name) and is signed, so a changed or foreign cursor
gives the first page.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from django.core import signing
from django.db.models import Model, Q, QuerySet

T = TypeVar("T", bound=Model)

COUNT_CAP = 1000  # counting further costs a scan of every row; beyond it the page says "more than"
AFTER, BEFORE = "a", "b"


@dataclass(frozen=True)
class KeysetPage(Generic[T]):
    """One page of rows, the cursors of its neighbours and the (capped) number of rows."""

    object_list: list[T]
    next_cursor: str | None
    previous_cursor: str | None
    count: int
    count_exact: bool

    @property
    def has_next(self) -> bool:
        return self.next_cursor is not None

    @property
    def has_previous(self) -> bool:
        return self.previous_cursor is not None

    @property
    def has_other_pages(self) -> bool:
        return self.has_next or self.has_previous


def _salt(rows: QuerySet[Any], ordering: Sequence[str]) -> str:
    # A cursor of one list (or one ordering) is refused by another instead of seeking nonsense.
    return f"keyset:{rows.model._meta.label}:{','.join(ordering)}"


def _plain(value: Any) -> Any:
    # isoformat keeps microseconds (DjangoJSONEncoder drops them, and the seek must be exact).
    if isinstance(value, datetime.date):
        return value.isoformat()
    return value


def _cursor(rows: QuerySet[Any], ordering: Sequence[str], row: Model, direction: str) -> str:
    values = [_plain(getattr(row, name.lstrip("-"))) for name in ordering]
    return signing.dumps([direction, values], salt=_salt(rows, ordering), compress=True)


def _read(rows: QuerySet[Any], ordering: Sequence[str], cursor: str) -> tuple[str, list[Any]]:
    """Return the direction and the row values of a cursor, or raise ValueError."""
    try:
        direction, values = signing.loads(cursor, salt=_salt(rows, ordering))
    except (signing.BadSignature, TypeError, ValueError) as exc:
        raise ValueError("not a cursor of this list") from exc
    if direction not in (AFTER, BEFORE) or len(values) != len(ordering):
        raise ValueError("not a cursor of this list")
    return direction, [
        _field(rows, name.lstrip("-")).to_python(value)
        for name, value in zip(ordering, values, strict=True)
    ]


def _field(rows: QuerySet[Any], name: str) -> Any:
    """The field that reads a cursor value back: an annotation's output field, else the column."""
    annotation = rows.query.annotations.get(name)
    if annotation is not None:
        return annotation.output_field
    return rows.model._meta.get_field(name)


def _beyond(ordering: Sequence[str], values: list[Any], forward: bool) -> Q:
    """Rows past the cursor row in the ordering (forward) or before it (backward)."""

    def lookup(name: str, strict: bool) -> str:
        upward = forward != name.startswith("-")  # forward on a descending field goes down
        return f"{name.lstrip('-')}__{'g' if upward else 'l'}{'t' if strict else 'te'}"

    condition = Q(pk__in=[])
    for index, name in enumerate(ordering):
        ties = {
            field.lstrip("-"): value
            for field, value in zip(ordering[:index], values[:index], strict=True)
        }
        condition |= Q(**ties, **{lookup(name, True): values[index]})
    # The first field's non-strict bound repeats what the OR says, in a form an index can seek on.
    return Q(**{lookup(ordering[0], False): values[0]}) & condition


def _reverse(ordering: Sequence[str]) -> list[str]:
    return [name[1:] if name.startswith("-") else f"-{name}" for name in ordering]


def keyset_page(
    rows: QuerySet[T],
    *,
    ordering: Sequence[str],
    cursor: str | None,
    size: int,
    count_cap: int = COUNT_CAP,
) -> KeysetPage[T]:
    """Return the page of rows the cursor points at (the first page without a valid one)."""
    if not ordering or ordering[-1].lstrip("-") not in ("id", "pk"):
        raise ValueError("a keyset ordering must end with the unique id")
    direction, values = AFTER, None
    if cursor:
        try:
            direction, values = _read(rows, ordering, cursor)
        except ValueError:
            direction, values = AFTER, None
    forward = direction == AFTER
    page_rows = rows.order_by(*(ordering if forward else _reverse(ordering)))
    if values is not None:
        page_rows = page_rows.filter(_beyond(ordering, values, forward))
    found = list(page_rows[: size + 1])
    more = len(found) > size
    found = found[:size]
    if not forward:
        found.reverse()
    if not found and values is not None:
        # The rows around the cursor are gone (deleted, or out of a bucket now): start again.
        return keyset_page(rows, ordering=ordering, cursor=None, size=size, count_cap=count_cap)
    if not found:
        next_cursor = previous_cursor = None
    else:
        further = more if forward else values is not None
        earlier = values is not None if forward else more
        next_cursor = _cursor(rows, ordering, found[-1], AFTER) if further else None
        previous_cursor = _cursor(rows, ordering, found[0], BEFORE) if earlier else None
    counted = rows.order_by().values("pk")[: count_cap + 1].count()
    return KeysetPage(
        object_list=found,
        next_cursor=next_cursor,
        previous_cursor=previous_cursor,
        count=min(counted, count_cap),
        count_exact=counted <= count_cap,
    )


def keyset_cursor_after(rows: QuerySet[Any], ordering: Sequence[str], row: Model) -> str:
    """Return the cursor of the page that starts after this row (a bench's or a link's)."""
    return _cursor(rows, ordering, row, AFTER)
