"""Reminders without a mail server: due dates as an iCalendar file (RFC 5545), written by hand."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

PRODUCT_ID = "-//Integration Governance//igov decisions//EN"
_MAX_OCTETS = 75  # RFC 5545 3.1: lines longer than this are folded


@dataclass(frozen=True, slots=True)
class CalendarEvent:
    """One all-day event: a decision's due date."""

    uid: str
    day: date
    summary: str
    description: str = ""


def escape_text(value: str) -> str:
    r"""A TEXT value as RFC 5545 3.3.11 writes it: backslash, semicolon, comma and newlines escaped.

    >>> escape_text("Retire INT-1; tell Finance, then\nclose")
    'Retire INT-1\\; tell Finance\\, then\\nclose'
    """
    return (value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
            .replace("\r\n", "\\n").replace("\n", "\\n").replace("\r", "\\n"))


def fold_line(line: str) -> str:
    """A content line folded at 75 octets (UTF-8), never inside a character; continuations start with a space.

    >>> fold_line("X" * 80).split("\\r\\n")[1]
    ' XXXXX'
    """
    parts: list[str] = []
    current, size, limit = "", 0, _MAX_OCTETS
    for char in line:
        width = len(char.encode("utf-8"))
        if size + width > limit:
            parts.append(current)
            current, size, limit = " ", 1, _MAX_OCTETS
        current += char
        size += width
    parts.append(current)
    return "\r\n".join(parts)


def calendar_text(events: Iterable[CalendarEvent], *, stamp: datetime) -> str:
    """The events as one VCALENDAR: all-day, with a reminder the day before; CRLF line ends as the RFC asks.

    >>> text = calendar_text([CalendarEvent("d-1@igov", date(2026, 3, 2), "Retire INT-1 due")],
    ...                      stamp=datetime(2026, 1, 1, tzinfo=UTC))
    >>> [line for line in text.split("\\r\\n") if line.startswith(("DTSTART", "DTEND", "SUMMARY"))]
    ['DTSTART;VALUE=DATE:20260302', 'DTEND;VALUE=DATE:20260303', 'SUMMARY:Retire INT-1 due']
    """
    stamp_text = stamp.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", f"PRODID:{PRODUCT_ID}", "CALSCALE:GREGORIAN", "METHOD:PUBLISH",
             "X-WR-CALNAME:Decision due dates"]
    for event in events:
        lines += [
            "BEGIN:VEVENT",
            f"UID:{escape_text(event.uid)}",
            f"DTSTAMP:{stamp_text}",
            f"DTSTART;VALUE=DATE:{event.day:%Y%m%d}",
            f"DTEND;VALUE=DATE:{event.day + timedelta(days=1):%Y%m%d}",
            f"SUMMARY:{escape_text(event.summary)}",
            f"DESCRIPTION:{escape_text(event.description)}",
            "TRANSP:TRANSPARENT",
            "BEGIN:VALARM",
            "ACTION:DISPLAY",
            f"DESCRIPTION:{escape_text(event.summary)}",
            "TRIGGER:-P1D",
            "END:VALARM",
            "END:VEVENT",
        ]
    lines.append("END:VCALENDAR")
    return "".join(fold_line(line) + "\r\n" for line in lines)
