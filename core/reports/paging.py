"""Paging arithmetic for long lists shown a page at a time (e.g. the Overlaps page's clusters).

Pages are numbered from 0; labels count items from 1, the way people read them.

>>> page = paginate(total=301, number=1)
>>> page.start, page.stop, page.count, page.label
(20, 40, 16, '21–40 of 301')
>>> page_of(["CL-1", "CL-2", "CL-3"], "CL-3", size=2)
1
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import dataclass

PAGE_SIZE = 20


@dataclass(frozen=True, slots=True)
class Page:
    """One page of a list: which slice of it to show, and how to name it."""

    number: int  # 0-based, always a page that exists (0 when the list is empty)
    count: int  # how many pages there are, at least 1
    start: int  # index of the first item on the page
    stop: int  # one past the last item (``items[start:stop]``)
    total: int  # items in the whole list
    size: int = PAGE_SIZE  # items per page

    @property
    def label(self) -> str:
        """"1–20 of 301" (an en dash); "0 of 0" for an empty list."""
        return page_label(self.number, self.total, self.size)

    @property
    def has_previous(self) -> bool:
        return self.number > 0

    @property
    def has_next(self) -> bool:
        return self.number < self.count - 1


def _check_size(size: int) -> None:
    if size < 1:
        raise ValueError(f"page size must be at least 1, not {size}")


def page_count(total: int, size: int = PAGE_SIZE) -> int:
    """How many pages ``total`` items fill, at least one (an empty list still has its one empty page).

    >>> page_count(301), page_count(20), page_count(0)
    (16, 1, 1)
    """
    _check_size(size)
    return max(1, -(-max(total, 0) // size))


def paginate(total: int, number: int = 0, size: int = PAGE_SIZE) -> Page:
    """The page ``number`` of a list of ``total`` items, moved to the last page (or the first) if out of range.

    A page number kept from an earlier run may no longer exist once a filter shortens the list:
    the nearest page that does is shown instead.

    >>> paginate(301, 15)
    Page(number=15, count=16, start=300, stop=301, total=301, size=20)
    >>> paginate(45, 9).label
    '41–45 of 45'

    Args:
        total: items in the whole list.
        number: the wanted page, 0-based.
        size: items per page.

    Returns:
        The page, clamped to the pages that exist.
    """
    count = page_count(total, size)
    number = min(max(number, 0), count - 1)
    start = number * size
    total = max(total, 0)
    return Page(number=number, count=count, start=start, stop=min(start + size, total), total=total, size=size)


def page_label(number: int, total: int, size: int = PAGE_SIZE) -> str:
    """Which items page ``number`` holds, counted from 1: "21–40 of 301".

    >>> page_label(0, 301), page_label(0, 1), page_label(0, 0)
    ('1–20 of 301', '1 of 1', '0 of 0')
    """
    _check_size(size)
    total = max(total, 0)
    if not total:
        return "0 of 0"
    count = page_count(total, size)
    number = min(max(number, 0), count - 1)
    first, last = number * size + 1, min((number + 1) * size, total)
    return f"{first} of {total}" if first == last else f"{first}–{last} of {total}"


def page_of(items: Sequence[Hashable], item: Hashable, size: int = PAGE_SIZE) -> int | None:
    """The 0-based page holding ``item``, or ``None`` when the list does not hold it.

    >>> page_of([f"CL-{n}" for n in range(301)], "CL-20"), page_of(["CL-1"], "CL-9")
    (1, None)
    """
    _check_size(size)
    try:
        return list(items).index(item) // size
    except ValueError:
        return None
