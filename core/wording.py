"""Wording: how counts, lists, money, names and verdicts read to people, and the one colour palette.

Pages, PDFs, Markdown memos and the command line all word things through this module, so the same name is
escaped the same way and the same verdict has the same name and colour everywhere. It imports nothing from the
rest of ``core``: verdicts are looked up by their value (``Verdict`` is a ``StrEnum``, so ``Verdict.MERGE`` and
``"merge"`` are the same key).
"""

from __future__ import annotations

import html
import math
import re
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime, tzinfo
from typing import Protocol

# --- Counts and lists ------------------------------------------------------------------------------


def plural(count: float, singular: str, plural_form: str | None = None) -> str:
    """A count with its noun, as people say it: whole numbers, thousands separated.

    >>> plural(1, "integration"), plural(1200, "integration"), plural(2.4, "hour"), plural(1, "person", "people")
    ('1 integration', '1,200 integrations', '2 hours', '1 person')

    Args:
        count: how many (rounded to a whole number first).
        singular: the noun for one.
        plural_form: the noun for any other count; ``singular + "s"`` when not given.

    Returns:
        "1 integration", "3 integrations".
    """
    whole = round(count)
    return f"{whole:,} {singular if whole == 1 else (plural_form or singular + 's')}"


def natural_list(items: Iterable[str], *, limit: int | None = None, noun: str = "") -> str:
    """Items joined the way a sentence lists them: "A", "A and B", "A, B and C".

    >>> natural_list(["Salesforce"]), natural_list(["A", "B"]), natural_list(["A", "B", "C"])
    ('Salesforce', 'A and B', 'A, B and C')
    >>> natural_list(["A", "B", "C", "D", "E"], limit=4, noun="objects")
    'A, B, C and 2 more objects'
    >>> natural_list([])
    ''

    Args:
        items: the texts, in the order to say them.
        limit: with more items than this, name ``limit - 1`` and count the rest.
        noun: what the counted rest are ("objects"), said after the count.

    Returns:
        One phrase.
    """
    words = list(items)
    if limit is not None and len(words) > limit:
        shown = limit - 1
        return f"{', '.join(words[:shown])} and {len(words) - shown} more {noun}".rstrip()
    if len(words) > 1:
        return f"{', '.join(words[:-1])} and {words[-1]}"
    return words[0] if words else ""


def shorten(text: str, limit: int = 30) -> str:
    """The text cut to ``limit`` characters at a word boundary, with an ellipsis when cut.

    >>> shorten("Closed-won opportunities to Stripe subscriptions", 30)
    'Closed-won opportunities to…'
    >>> shorten("Renewal pipeline sync")
    'Renewal pipeline sync'

    Args:
        text: the text.
        limit: the most characters to keep, ellipsis included.

    Returns:
        The shortened text.
    """
    text = text.strip()
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    if " " in cut:
        cut = cut[: cut.rindex(" ")]
    return cut.rstrip(" ,;:-–") + "…"


def described_value(value: object) -> str:
    """What a value read from a JSON or YAML file is, in words a message can quote: its kind and, when short, itself.

    >>> described_value("see elsewhere"), described_value(3), described_value(None), described_value(True)
    ("the text 'see elsewhere'", 'the number 3', 'empty (null)', 'the yes/no value true')
    >>> described_value(["team-b", "team-c"]), described_value([{"a": 1}]), described_value({"id": 1, "name": 2})
    ('a list (team-b, team-c)', 'a list (1 entry)', 'an object (id, name)')
    """
    if value is None:
        return "empty (null)"
    if isinstance(value, bool):
        return f"the yes/no value {'true' if value else 'false'}"
    if isinstance(value, (int, float)):
        return f"the number {value}"
    if isinstance(value, str):
        return f"the text '{shorten(value, 40)}'"
    if isinstance(value, list):
        if not value:
            return "an empty list"
        if all(isinstance(v, (str, int, float)) and not isinstance(v, bool) for v in value):
            return f"a list ({shorten(', '.join(map(str, value)), 60)})"
        return f"a list ({plural(len(value), 'entry', 'entries')})"
    if isinstance(value, dict):
        return f"an object ({shorten(', '.join(map(str, value)), 60)})" if value else "an empty object"
    return f"'{shorten(str(value), 40)}'"  # a date or time YAML read as one


# --- Escaping user text ----------------------------------------------------------------------------

# Characters that change what Markdown, Streamlit's Markdown ("$…$" as LaTeX) or a wiki does anywhere in a line;
# "\\" first, so the escapes added are not escaped again.
_INLINE_MARKUP = frozenset("\\`*_[]$~<>|")
# Streamlit reads ":red[…]" and a bare ":red" as directives (a bare one vanishes from the text), ":material/home:" as
# an icon and ":smile:" or ":100:" as an emoji; GitHub-flavoured Markdown (Streamlit's, a wiki's) links
# "http://…", "www.…" and e-mail addresses. Icons, emoji and links are found in the text after Markdown has
# removed its escapes, so a backslash cannot stop them: an invisible word joiner after the colon, inside
# "www." and before "@" does. "14:02" and "Not saved: …" are left as they are.
_INVISIBLE_BREAK = re.compile(r"(?i)(?<=:)(?=//|[a-z]|(?:100|1234|8ball|\d\w*_medal):)|(?<=\bwww)(?=\.)|(?=@)")
WORD_JOINER = "\u2060"
# Markers that only count at the start of a line: headings, quotes, list items ("-", "+", "1."), and a line of "="
# (which makes the line above a heading).
_BLOCK_MARKER = re.compile(r"(?m)^(\s*)(?:(\d+)\.|([#>+=-]))")
def escape_markdown(text: str, *, keep_lines: bool = False) -> str:
    """User text made literal wherever Markdown is rendered: pages, expander labels, memos, wikis.

    Names with ``|``, ``*`` or ``_`` cannot change a table or emphasis, ``![x](url)`` is no image and
    ``http://host``, ``www.host.com`` or ``ana@host.com`` no link, ``$…$`` no mathematics, ``:red[…]`` no colour,
    ``:material/home:`` no icon (where a backslash cannot help, an invisible word joiner, U+2060, is put in).
    Line breaks become spaces unless ``keep_lines``, so a table cell or a label is never cut short.

    >>> escape_markdown("Ana | *Ops* [lead] `x` $5_000")
    'Ana \\\\| \\\\*Ops\\\\* \\\\[lead\\\\] \\\\`x\\\\` \\\\$5\\\\_000'
    >>> escape_markdown("![i](http://host/x.png) :red[no]"), escape_markdown("# not a heading")
    ('!\\\\[i\\\\](http:\\u2060//host/x.png) :\\u2060red\\\\[no\\\\]', '\\\\# not a heading')
    >>> escape_markdown("Saved at 14:02: www.host.com, ana@host.com :material/home:").replace(WORD_JOINER, "^")
    'Saved at 14:02: www^.host.com, ana^@host.com :^material/home:'
    >>> escape_markdown("1. first\\n- second", keep_lines=True)
    '1\\\\. first\\n\\\\- second'

    Args:
        text: any text typed by a person or taken from the registry.
        keep_lines: keep line breaks (multi-line notes); each line's list or heading marker is escaped.

    Returns:
        The text with every character that would format it backslash-escaped.
    """
    text = str(text)
    if not keep_lines:
        text = " ".join(text.split())
    escaped = _INVISIBLE_BREAK.sub(WORD_JOINER, "".join("\\" + ch if ch in _INLINE_MARKUP else ch for ch in text))
    return _BLOCK_MARKER.sub(lambda m: m.group(1) + (f"{m.group(2)}\\." if m.group(2) else f"\\{m.group(3)}"), escaped)


def escape_message(text: str) -> str:
    """A plain-text message (a refusal from core, naming ids and values people typed) made literal for Markdown.

    Its lines stay lines, and a line starting with "- " (the list of problems some refusals give) stays a list item.

    >>> escape_message("Not saved:\\n- ![x](http://h/x.png) is unknown\\n- $5").split("  \\n")
    ['Not saved:', '- !\\\\[x\\\\](http:\\u2060//h/x.png) is unknown', '- \\\\$5']
    """
    lines = str(text).splitlines() or [""]
    return "  \n".join("- " + escape_markdown(line[2:]) if line.startswith("- ") else escape_markdown(line)
                       for line in lines)


def escape_html(text: str) -> str:
    """User text made literal inside HTML, and inside Plotly labels and hover text (which render ``<a>``, ``<b>``).

    Quotes become numeric references: Plotly shows ``&quot;`` as it is written, but ``&#34;`` as ``"``.

    >>> escape_html('<a href="x">Ops</a> & co')
    '&lt;a href=&#34;x&#34;&gt;Ops&lt;/a&gt; &amp; co'
    """
    return html.escape(str(text), quote=False).replace('"', "&#34;").replace("'", "&#39;")


# --- Money -----------------------------------------------------------------------------------------


class _Range(Protocol):
    low: float
    likely: float
    high: float


def whole_units(amount: float) -> int:
    """An amount in whole currency units, halves away from zero as people round money (Python's round() and
    format() send halves to the even neighbour: 1,234.5 would show as 1,234).

    >>> whole_units(1234.5), whole_units(2.5), whole_units(-2.5), whole_units(2.49)
    (1235, 3, -3, 2)
    """
    whole = math.floor(abs(amount) + 0.5)
    return -whole if amount < 0 else whole


def format_money(amount: float, currency: str = "$") -> str:
    """Whole currency units with thousands separators.

    >>> format_money(2250), format_money(-15.4, "€"), format_money(1234.5)
    ('$2,250', '-€15', '$1,235')
    """
    whole = whole_units(amount)
    sign = "-" if whole < 0 else ""
    return f"{sign}{currency}{abs(whole):,}"


def compact_money(value: float, currency: str = "$") -> str:
    """A money amount short enough for a chart tick (the PDFs' money axes).

    >>> compact_money(0), compact_money(1500), compact_money(12000, "€"), compact_money(2_500_000)
    ('$0', '$1.5k', '€12k', '$2.5M')
    """
    sign = "-" if value < 0 else ""
    amount = abs(value)
    for limit, suffix in ((1e9, "B"), (1e6, "M"), (1e3, "k")):
        if amount >= limit:
            short = f"{amount / limit:.1f}".removesuffix(".0")
            return f"{sign}{currency}{short}{suffix}"
    return f"{sign}{currency}{whole_units(amount):,}"


def format_money_range(value: _Range, currency: str = "$", unit: str = "") -> str:
    """A money range as people read it, the likely value after it.

    >>> from core.domain.ranges import Range
    >>> format_money_range(Range(2250, 2800, 3375), unit="/ month")
    '$2,250 – $3,375 / month (likely $2,800)'
    >>> format_money_range(Range.exact(300))
    '$300'
    """
    suffix = f" {unit}" if unit else ""
    if round(value.low) == round(value.high):
        return f"{format_money(value.likely, currency)}{suffix}"
    return (
        f"{format_money(value.low, currency)} – {format_money(value.high, currency)}{suffix}"
        f" (likely {format_money(value.likely, currency)})"
    )


def format_hours(hours: float) -> str:
    """Hours as people read them: whole hours with separators, one decimal under 10.

    >>> format_hours(2.5), format_hours(1234.4), format_hours(1)
    ('2.5 h', '1,234 h', '1 h')
    """
    if abs(hours) < 10 and round(hours, 1) != round(hours):
        return f"{hours:.1f} h"
    return f"{hours:,.0f} h"


def format_hours_range(value: _Range, unit: str = "") -> str:
    """An hours range with the likely value after it, as money ranges read.

    >>> from core.domain.ranges import Range
    >>> format_hours_range(Range(12, 15, 18), "/ month")
    '12 – 18 h / month (likely 15 h)'
    """
    suffix = f" {unit}" if unit else ""
    if round(value.low, 1) == round(value.high, 1):
        return f"{format_hours(value.likely)}{suffix}"
    return (f"{format_hours(value.low).removesuffix(' h')} – {format_hours(value.high)}{suffix}"
            f" (likely {format_hours(value.likely)})")


def format_fte(hours: float, hours_per_fte: float) -> str:
    """Hours a month as full-time people, at ``hours_per_fte`` hours a month each.

    >>> format_fte(70, 140), format_fte(2800, 140), format_fte(3, 140)
    ('0.5 FTE', '20 FTE', '0.02 FTE')
    """
    fte = hours / hours_per_fte if hours_per_fte > 0 else 0.0
    if fte == 0:
        return "0 FTE"
    if abs(fte) < 0.1:
        return f"{fte:.2f} FTE"
    if abs(fte) < 10:
        return f"{fte:.1f}".removesuffix(".0") + " FTE"
    return f"{fte:,.0f} FTE"


def format_percent(share: float) -> str:
    """A share as a whole percentage (one decimal under 10%).

    >>> format_percent(0.2), format_percent(0.034)
    ('20%', '3.4%')
    """
    percent = share * 100
    return f"{percent:.1f}%" if 0 < abs(percent) < 10 else f"{percent:,.0f}%"


# --- Times -----------------------------------------------------------------------------------------


def format_time(moment: datetime, tz: tzinfo = UTC, pattern: str = "%Y-%m-%d %H:%M") -> str:
    """A stored (UTC) moment in the reader's time zone; naive moments are taken as UTC.

    >>> from zoneinfo import ZoneInfo
    >>> format_time(datetime(2026, 5, 4, 10, 22), ZoneInfo("Europe/Berlin"))
    '2026-05-04 12:22'
    """
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(tz).strftime(pattern)


def format_date(moment) -> str:
    """A date as people write it in a memo.

    >>> format_date(datetime(2026, 5, 4, 10, 22))
    '4 May 2026'
    """
    return f"{moment.day} {moment:%B %Y}"


# --- Verdicts --------------------------------------------------------------------------------------

VERDICT_MEANING: dict[str, str] = {
    "proceed": "build it, or keep it as it is",
    "hold": "pause until the concerns below are resolved",
    "merge": "fold the duplicates into one integration",
    "centralize": "one team runs this flow for everyone",
    "retire": "switch it off",
}


def verdict_name(verdict: str) -> str:
    """A verdict as a word in a sentence or a badge.

    >>> verdict_name("centralize"), verdict_name("hold")
    ('Centralize', 'Hold')
    """
    return str(verdict).capitalize()


def verdict_banner(verdict: str) -> str:
    """A verdict as the big word of a verdict banner or a PDF heading.

    >>> verdict_banner("merge")
    'MERGE'
    """
    return str(verdict).upper()


# --- The palette -----------------------------------------------------------------------------------
# One set of colours for pages, charts and PDFs. Verdict and scenario colours are the same hue everywhere;
# Streamlit badges take colour names, so each verdict also names the badge colour nearest its hue.

INK = "#12263f"  # text
MUTED = "#5b6b7f"  # labels, captions
PRIMARY = "#1f4e79"  # the app's blue (also .streamlit/config.toml's primaryColor)
WASTE = "#a8323e"  # money spent on duplicates

VERDICT_COLOURS: dict[str, str] = {
    "proceed": "#1a7f37", "hold": "#b54708", "merge": "#1f4e79", "centralize": "#6941c6", "retire": "#b42318",
}
VERDICT_BADGE_COLOURS: dict[str, str] = {
    "proceed": "green", "hold": "orange", "merge": "blue", "centralize": "violet", "retire": "red",
}
SCENARIO_COLOURS: dict[str, str] = {"keep_all": "#5b6b7f", "merge": "#1f4e79", "centralise": "#6941c6"}
# Overlap clusters, in cluster order, the same on every chart: Okabe-Ito, safe for colour-blind readers.
CLUSTER_COLOURS: tuple[str, ...] = (
    "#D55E00", "#0072B2", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#8C564B", "#7F3C8D",
)


def cluster_colours(cluster_ids: Sequence[str] | Iterable[str]) -> dict[str, str]:
    """One colour per cluster id, in the given (largest-first) order, repeating after eight.

    >>> cluster_colours(["CL-INT-1", "CL-INT-7"])
    {'CL-INT-1': '#D55E00', 'CL-INT-7': '#0072B2'}
    """
    return {cid: CLUSTER_COLOURS[n % len(CLUSTER_COLOURS)] for n, cid in enumerate(cluster_ids)}


def translucent(colour: str, alpha: float) -> str:
    """A ``#rrggbb`` colour as ``rgba(...)`` with this opacity, for bands behind a line.

    >>> translucent("#1f4e79", 0.16)
    'rgba(31,78,121,0.16)'
    """
    red, green, blue = (int(colour[k:k + 2], 16) for k in (1, 3, 5))
    return f"rgba({red},{green},{blue},{alpha:g})"


# --- Registry fields -------------------------------------------------------------------------------

FIELD_LABELS: dict[str, str] = {
    "id": "Id", "name": "Name", "source_system": "Source system", "target_system": "Target system",
    "data_objects": "Data objects", "owner_team": "Owner team", "owner": "Owner", "consumers": "Consumers",
    "direction": "Direction", "approach": "How it is built", "tier": "Business tier", "timeliness": "Timeliness",
    "status": "Status", "complexity": "Complexity", "build_hours": "Build hours",
    "monthly_maintenance_hours": "Maintenance hours / month", "hourly_rate": "Hourly rate",
    "monthly_tool_cost": "Tool cost / month", "reconciliations_per_month": "Reconciliations / month",
    "reconciliation_hours": "Hours per reconciliation", "people_touching": "People touching the data",
    "has_monitoring": "Monitored", "has_retry": "Retries on failure", "has_audit_trail": "Audit trail",
    "source_of_truth_defined": "Source of truth defined", "documented": "Documented", "launched_on": "Launched on",
    "notes": "Notes",
}


def field_label(name: str) -> str:
    """A registry field (or any stored key) as a person reads it in a table header.

    >>> field_label("monthly_tool_cost"), field_label("owner_team"), field_label("jira_epic"), field_label("(row)")
    ('Tool cost / month', 'Owner team', 'Jira epic', '(row)')
    """
    return FIELD_LABELS.get(name) or (name.replace("_", " ").strip().capitalize() if name else name)
