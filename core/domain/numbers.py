"""Number notation: decimal comma or point, read per file from the cells themselves, never guessed by a power of ten."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from core.errors import ValueFormatError

COMMA, POINT = "comma", "point"
_MARK = {COMMA: ",", POINT: "."}
_OTHER = {COMMA: POINT, POINT: COMMA}
# Thousands separators any notation allows: space, no-break space, narrow no-break space, thin space.
SPACES = " \u00a0\u202f\u2009"


def _pattern(decimal: str, group: str) -> re.Pattern[str]:
    # Digits grouped by threes (the first group 1-3 digits, not starting with 0) with one separator throughout, or
    # plain digits; then optionally the decimal mark and digits.
    separators = re.escape(group + SPACES)
    return re.compile(rf"(?P<int>[1-9]\d{{0,2}}(?P<sep>[{separators}])\d{{3}}(?:(?P=sep)\d{{3}})*|\d+)?"
                      rf"(?:{re.escape(decimal)}(?P<frac>\d+))?")


_PATTERNS = {COMMA: _pattern(",", "."), POINT: _pattern(".", ",")}


@lru_cache(maxsize=65536)
def readings(text: str) -> dict[str, float]:
    """The value a plain number (no sign, no currency) has in each notation it is valid in.

    >>> readings("2,5"), readings("1.200,50"), readings("1.200"), readings("1200")
    ({'comma': 2.5}, {'comma': 1200.5}, {'comma': 1200.0, 'point': 1.2}, {'comma': 1200.0, 'point': 1200.0})
    """
    found = {}
    for notation, pattern in _PATTERNS.items():
        match = pattern.fullmatch(text)
        if match and (match["int"] or match["frac"]):
            whole = re.sub(r"\D", "", match["int"] or "0")
            found[notation] = float(f"{whole}.{match['frac'] or '0'}")
    return found


def evidence(text: str) -> str | None:
    """The notation a number cell shows unambiguously ("comma" or "point"), or ``None``.

    >>> evidence("2,5"), evidence("1,200.50"), evidence("1.200"), evidence("12"), evidence("1 200")
    ('comma', 'point', None, None, None)
    """
    values = readings(text)
    return next(iter(values)) if len(values) == 1 else None


@dataclass(frozen=True, slots=True)
class Notation:
    """How a file writes numbers: its decimal mark and what decided it (``cells``: the file's own unambiguous cells;
    anything else, e.g. the ``;`` delimiter, only suggests it, so a cell that reads two ways is refused)."""

    decimal: str = POINT
    decided_by: str = ""
    example: str = ""  # an unambiguous cell that decided it, quoted in the report
    # An unambiguous cell written in the other notation, when the file has both: then no cell that reads two ways
    # is read at all, whichever notation has more cells.
    other_example: str = ""
    # How the file writes dates with slashes (core.domain.registry_cells.slash_date_order): "day-first" when a cell
    # proves it (31/12/2026), "both" when cells prove each order; else "" (month first, as US spreadsheets write).
    slash_dates: str = ""
    slash_example: str = ""  # the cell or cells that proved it, quoted in messages

    @property
    def certain(self) -> bool:
        return self.decided_by == "cells"

    @property
    def mixed(self) -> bool:
        return bool(self.other_example)

    def describe(self) -> str:
        """The report's line.

        >>> Notation(COMMA, "cells", "2,5 (row 3)").describe()
        "Numbers read with decimal comma (as in '2,5 (row 3)')."
        >>> print(Notation(POINT, "cells", "$1,250.00", "2,5").describe())  # doctest: +NORMALIZE_WHITESPACE
        Numbers read with decimal point (as in '$1,250.00'), but the file also writes decimal commas (as in '2,5'):
        numbers that read both ways are refused.
        """
        how = f" (as in '{self.example}')" if self.example else {
            "delimiter": " (the file is separated by ';', as European spreadsheets save it)"}.get(self.decided_by, "")
        if self.mixed:
            how += (f", but the file also writes decimal {_OTHER[self.decimal]}s (as in '{self.other_example}'): "
                    "numbers that read both ways are refused")
        return f"Numbers read with decimal {self.decimal}{how}."


def detect_notation(cells: Iterable[str], delimiter: str = ",") -> Notation:
    """The file's notation: the one most of its unambiguous number cells show; with none, the delimiter suggests it.
    A file whose cells show both is ``mixed``: its cells that read two ways are refused (:func:`read_number`).

    >>> detect_notation(["12", "2,5", "95,50 €"], ";").decimal, detect_notation(["1.200"], ";").decided_by
    ('comma', 'delimiter')
    >>> mixed = detect_notation(["$1,250.00", "2,5", "$2,400.00"], ";")
    >>> mixed.decimal, mixed.example, mixed.other_example, mixed.mixed
    ('point', '$1,250.00', '2,5', True)
    """
    counts = {COMMA: 0, POINT: 0}
    examples: dict[str, str] = {}
    for cell in cells:
        for part in number_parts(cell):
            shown = evidence(part)
            if shown:
                counts[shown] += 1
                examples.setdefault(shown, cell.strip())
    if counts[COMMA] != counts[POINT]:
        decimal = COMMA if counts[COMMA] > counts[POINT] else POINT
        return Notation(decimal, "cells", examples[decimal], examples.get(_OTHER[decimal], ""))
    decimal = COMMA if delimiter == ";" else POINT
    if counts[COMMA]:  # as many cells show one as the other: the delimiter decides, the file still mixes them
        return Notation(decimal, "delimiter" if delimiter == ";" else "", examples[decimal], examples[_OTHER[decimal]])
    return Notation(decimal, "delimiter" if delimiter == ";" else "")


CURRENCY = re.compile(r"[$€£¥]|\b(?:usd|eur|gbp|chf)\b", re.IGNORECASE)
_RANGE_SPLIT = re.compile(r"\s*(?:–|—|\bto\b|/|(?<=\d)\s*-)\s*", re.IGNORECASE)


def number_parts(cell: str) -> list[str]:
    """The number texts in a cell (a range or three points has several), currency signs and signs dropped.

    >>> number_parts("1,5–2,5"), number_parts("95,50 €"), number_parts("2/2.5/3"), number_parts("yes")
    (['1,5', '2,5'], ['95,50'], ['2', '2.5', '3'], [])
    """
    text = CURRENCY.sub(" ", cell).strip(SPACES + "-")
    return [p.strip(SPACES) for p in _RANGE_SPLIT.split(text) if p.strip(SPACES) and p.strip(SPACES)[0].isdigit()]


def _shown(value: float) -> str:
    return f"{value:.10f}".rstrip("0").rstrip(".")


def _reading(value: float, notation: str, text: str) -> str:
    """One reading of a two-way number, saying what its separator was taken for."""
    mark = _MARK[notation]
    return f"{_shown(value)} ('{mark}' as decimal mark)" if mark in text else \
        f"{_shown(value)} ('{_MARK[_OTHER[notation]]}' separating thousands)"


def read_number(text: str, notation: Notation | None = None, *, money: bool = False) -> float:
    """A plain number (digits, separators; no sign or currency) read in the file's notation.

    A number valid in one notation only is read that way, unless the file's own cells showed the other one. A number
    that reads two ways ('1.200') is read in the notation the file's cells showed; with no such cells (or no file: a
    value typed in a form, read with a decimal point) only a thousands reading is taken, anything else is refused
    naming both readings. In a file whose cells show both notations, a number that reads two ways is refused.
    An amount of money (``money``) that reads two ways is always the thousands reading: nobody writes money to
    three decimals. Nothing is stored a power of ten away from what was typed.

    >>> read_number("1.200", Notation(COMMA, "cells")), read_number("1 200,5", Notation(COMMA)), read_number("1,200")
    (1200.0, 1200.5, 1200.0)
    >>> read_number("1.200")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    core.errors.ValueFormatError: '1.200' could mean 1.2 ('.' as decimal mark) or 1200 ('.' separating thousands)...
    >>> read_number("2,5", Notation(POINT, "cells", "2.5"))  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    core.errors.ValueFormatError: '2,5' is written with a decimal comma, ...: it could mean 2.5 or 25

    A file that writes both notations unambiguously reads no cell that reads two ways, whichever has more cells:

    >>> read_number("1.500", Notation(POINT, "cells", "$1,250.00", "2,5"))  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    core.errors.ValueFormatError: '1.500' could mean 1.5 ... or 1500 ..., and this file writes numbers both ways ...

    Raises:
        ValueFormatError: for text that is not a number, or that the notation does not read unambiguously.
    """
    values = readings(text)
    if not values:
        raise ValueFormatError(f"'{text}' is not a number")
    if len(values) == 2 and values[COMMA] == values[POINT]:
        return values[POINT]
    certain = notation is not None and notation.certain
    if len(values) == 2 and money:
        # A two-way number has exactly three digits after its one mark, and no amount of money is written to three
        # decimals: '$1,200' and '1.200 €' are 1200 in any file.
        return max(values.values())
    if len(values) == 2:
        decimal = notation.decimal if notation else POINT
        order = (decimal, _OTHER[decimal])
        meant = " or ".join(_reading(values[n], n, text) for n in order)
        if notation is not None and notation.mixed:
            raise ValueFormatError(
                f"'{text}' could mean {meant}, and this file writes numbers both ways (decimal {decimal} as in "
                f"'{notation.example}', decimal {_OTHER[decimal]} as in '{notation.other_example}')")
        # Without the file's own evidence, only the notation's thousands reading is taken ('1.200' in a ';' file,
        # '1,200' in a ',' file): three decimal places are rare, thousands separators common.
        if certain or values[decimal] > values[_OTHER[decimal]]:
            return values[decimal]
        raise ValueFormatError(f"'{text}' could mean {meant}; nothing else in the file shows which")
    (other, value), = values.items()
    if not certain or other == notation.decimal:
        return value
    example = f" (as in '{notation.example}')" if notation.example else ""
    written = f"'{text}' is written with a decimal {other}, but this file writes numbers with a decimal " \
              f"{notation.decimal}{example}"
    if _MARK[notation.decimal] in text:  # '1,234.5' in a decimal-comma file: no other reading to offer
        raise ValueFormatError(f"{written}: it reads only as {_shown(value)}, with a decimal {other}")
    digits = float(re.sub(r"\D", "", text))
    raise ValueFormatError(f"{written}: it could mean {_shown(value)} or {_shown(digits)}")
