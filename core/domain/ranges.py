"""Low / likely / high ranges: every cost and effort figure in the product is one."""

from __future__ import annotations

import re
from dataclasses import dataclass

from core.domain.numbers import CURRENCY, SPACES, Notation, read_number, readings
from core.errors import ValueFormatError


@dataclass(frozen=True, slots=True)
class Range:
    """A quantity known only as low / likely / high (a three-point estimate).

    >>> Range(2, 2.5, 3) + Range.exact(1)
    Range(low=3.0, likely=3.5, high=4.0)
    """

    low: float
    likely: float
    high: float

    def __post_init__(self) -> None:
        # Store plain floats so equality, JSON and CSV output never depend on the input type.
        object.__setattr__(self, "low", float(self.low))
        object.__setattr__(self, "likely", float(self.likely))
        object.__setattr__(self, "high", float(self.high))
        if not (self.low <= self.likely <= self.high):
            raise ValueError(f"range must satisfy low <= likely <= high, got {self.low}/{self.likely}/{self.high}")

    @classmethod
    def exact(cls, value: float) -> Range:
        """A range with no spread.

        >>> Range.exact(150)
        Range(low=150.0, likely=150.0, high=150.0)
        """
        return cls(value, value, value)

    @classmethod
    def zero(cls) -> Range:
        """The empty range, handy as the start of a sum.

        >>> Range.zero().likely
        0.0
        """
        return cls(0.0, 0.0, 0.0)

    @classmethod
    def between(cls, low: float, high: float) -> Range:
        """A two-point range whose likely value is its midpoint.

        >>> Range.between(2, 3)
        Range(low=2.0, likely=2.5, high=3.0)
        """
        return cls(low, (low + high) / 2, high)

    def __add__(self, other: Range) -> Range:
        return Range(self.low + other.low, self.likely + other.likely, self.high + other.high)

    def __sub__(self, other: Range) -> Range:
        """Point-wise difference, used for "total minus survivor".

        Both sides are sums of non-negative parts and the subtrahend is one of the addends, so each
        component stays ordered.
        """
        low, likely, high = self.low - other.low, self.likely - other.likely, self.high - other.high
        return Range(min(low, likely, high), sorted((low, likely, high))[1], max(low, likely, high))

    def __mul__(self, other: Range | float) -> Range:
        """Multiply by a number or (point-wise) by another non-negative range.

        >>> Range(2, 2.5, 3) * Range(150, 150, 150)
        Range(low=300.0, likely=375.0, high=450.0)
        """
        if isinstance(other, Range):
            return Range(self.low * other.low, self.likely * other.likely, self.high * other.high)
        factor = float(other)
        if factor < 0:
            return Range(self.high * factor, self.likely * factor, self.low * factor)
        return Range(self.low * factor, self.likely * factor, self.high * factor)

    __rmul__ = __mul__

    def as_dict(self) -> dict[str, float]:
        """The range as a JSON-ready mapping.

        >>> Range(1, 2, 3).as_dict()
        {'low': 1.0, 'likely': 2.0, 'high': 3.0}
        """
        return {"low": self.low, "likely": self.likely, "high": self.high}

    @property
    def is_exact(self) -> bool:
        return self.low == self.likely == self.high


def total(ranges) -> Range:
    """Sum an iterable of ranges.

    >>> total([Range(1, 2, 3), Range(1, 1, 1)])
    Range(low=2.0, likely=3.0, high=4.0)
    """
    result = Range.zero()
    for item in ranges:
        result = result + item
    return result


_RANGE_SEPARATORS = re.compile(r"\s*(?:–|—|to|-)\s*", re.IGNORECASE)


def _parse_number(text: str, notation: Notation | None, money: bool = False) -> float:
    cleaned = text.strip(SPACES)
    sign = -1.0 if cleaned.startswith("-") else 1.0
    try:
        return sign * read_number(cleaned[1:] if sign < 0 else cleaned, notation, money=money)
    except ValueFormatError as problem:
        if "is not a number" in str(problem):
            raise ValueFormatError(f"'{text.strip(SPACES)}' is not a number") from None
        raise


def parse_range(text: str, *, money: bool = False, notation: Notation | None = None) -> Range:
    """Read a number, a range or three points into a :class:`Range`.

    Accepts ``12``, ``2-3``, ``2–3``, ``2 to 3`` (likely = midpoint) and ``2/2.5/3``
    (low/likely/high). With ``money=True`` currency signs and codes before or after are ignored.
    Numbers are read in the file's notation (:mod:`core.domain.numbers`); spaces may separate thousands.

    >>> parse_range("2 to 3")
    Range(low=2.0, likely=2.5, high=3.0)
    >>> parse_range("$1,200", money=True), parse_range("1,5–2,5 €", money=True, notation=Notation("comma", "cells"))
    (Range(low=1200.0, likely=1200.0, high=1200.0), Range(low=1.5, likely=2.0, high=2.5))

    Args:
        text: the cell as typed in the spreadsheet.
        money: strip currency symbols first.
        notation: the file's number notation; ``None`` for a single typed value (read only when unambiguous).

    Returns:
        The parsed range.

    Raises:
        ValueFormatError: when the text is not a number, range or three-point estimate, when a number reads two
            ways, or when a part is negative or out of order.
    """
    raw = text.strip()
    body = (CURRENCY.sub(" ", raw) if money else raw).strip(SPACES)
    if not body:
        raise ValueFormatError("the value is empty")
    if "/" in body:
        parts = body.split("/")
        if len(parts) != 3:
            raise ValueFormatError(f"'{raw}' has {len(parts)} parts; write low/likely/high, e.g. 2/2.5/3")
        low, likely, high = (_parse_number(p, notation, money) for p in parts)
    else:
        # Split on a range separator that is not a leading minus sign.
        parts = _RANGE_SEPARATORS.split(body, maxsplit=1) if not body.startswith("-") else [body]
        if len(parts) == 2 and parts[0] and parts[1]:
            low, high = _parse_number(parts[0], notation, money), _parse_number(parts[1], notation, money)
            likely = (low + high) / 2
        else:
            low = likely = high = _parse_number(body, notation, money)
    if min(low, likely, high) < 0:
        raise ValueFormatError(f"'{raw}' is negative; use 0 or more")
    if not (low <= likely <= high):
        raise ValueFormatError(f"'{raw}' is out of order; write the lowest value first (low-high or low/likely/high)")
    return Range(low, likely, high)


def format_number(value: float) -> str:
    """Write a number the way a spreadsheet user would: no trailing ``.0``.

    A number with exactly three decimals after one to three digits keeps a fourth zero (``1.0010``):
    ``1.001`` alone could be read as 1001 with '.' separating thousands, so it would not read back one way.

    >>> format_number(2.0), format_number(2.5), format_number(1200), format_number(0.0000001), format_number(1.001)
    ('2', '2.5', '1200', '0.0000001', '1.0010')
    """
    if float(value).is_integer():
        return str(int(value))
    # Plain decimals only (parse_range reads no exponents), and no rounding: export must round-trip.
    text = f"{value:.10f}".rstrip("0").rstrip(".") or "0"
    return text + "0" if len(readings(text.lstrip("-"))) == 2 else text


def format_range(value: Range) -> str:
    """The canonical CSV text of a range; :func:`parse_range` reads it back unchanged.

    >>> format_range(Range(2, 2.5, 3)), format_range(Range(2, 2.2, 3)), format_range(Range.exact(4))
    ('2-3', '2/2.2/3', '4')
    """
    if value.is_exact:
        return format_number(value.low)
    if value.likely == (value.low + value.high) / 2:
        return f"{format_number(value.low)}-{format_number(value.high)}"
    return f"{format_number(value.low)}/{format_number(value.likely)}/{format_number(value.high)}"
