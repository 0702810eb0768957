"""The ``igov`` commands for after the meeting: decisions followed to done, the trend, the quarterly review."""

from __future__ import annotations

import argparse
import json
from datetime import date

from core.cli import (EXIT_OK, EXIT_OVERDUE, PAGE_SIZE_CHOICES, UsageError, _out_format, _page_size, _write_output,
    _written)
from core.services.analysis import load_analysis
from core.services.database import open_database
from core.services.decisions import STATUS_FILTERS
from core.wording import format_money, plural



def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a date: write it as YYYY-MM-DD") from None


def cmd_decisions(args: argparse.Namespace) -> int:
    from core.services.decisions import decision_rows, decisions_calendar, realised_savings, tracked_decisions

    engine = open_database(args.db)
    today = args.today or date.today()
    analysis = load_analysis(engine)
    everything = tracked_decisions(engine, today, analysis=analysis)
    shown = tracked_decisions(engine, today, status="overdue" if args.overdue else args.status, owner=args.owner,
                              analysis=analysis)
    currency = analysis.settings.currency
    rows = decision_rows(shown, today, currency, {r.decision_id: r for r in realised_savings(engine, analysis)})
    if args.ics:
        text = decisions_calendar(shown, currency=currency)
        _write_output(args.ics, text)
        _written("the due dates (iCalendar)", args.ics, text)
    if args.json:
        print(json.dumps({"today": today.isoformat(), "decisions": rows}, ensure_ascii=False, indent=2))
    elif not args.ics or args.ics != "-":
        overdue = sum(1 for t in everything if t.is_overdue(today))
        print(f"{plural(len(rows), 'decision')} shown of {len(everything)}; {overdue} overdue on {today}.")
        for row in rows:
            flag = "  OVERDUE" if row["overdue"] else ""
            print(f"#{row['id']} [{row['status']}] {row['verdict']} {row['subject']} — Accountable: "
                  f"{row['accountable'] or 'nobody'}, due {row['due_date'] or 'no date'}{flag}")
            realised = row["realised_monthly_saving"]
            print(f"    next step: {row['next_step'] or 'none written'}; "
                  f"expected saving: {row['expected_saving_text']}"
                  + (f"; realised since done: {format_money(realised, currency)} / month" if realised is not None
                     else ""))
    if args.overdue and shown:
        return EXIT_OVERDUE
    return EXIT_OK


def cmd_trend(args: argparse.Namespace) -> int:
    from core.services.trend import load_trend, trend_points

    points = trend_points(load_trend(open_database(args.db)))
    if args.json:
        print(json.dumps({"points": points}, ensure_ascii=False, indent=2))
        return EXIT_OK
    if not points:
        print("No snapshot yet: every import and edit leaves one.")
    for p in points:
        run, dup = p["monthly_run_rate"], p["duplicated_monthly_run_rate"]
        print(f"{p['taken_at'][:16].replace('T', ' ')}  run-rate {run['likely']:>12,.0f}  duplicated "
              f"{dup['likely']:>10,.0f}  integrations {p['integration_count']:>6,}  unowned {p['unowned_count']:>5,}"
              f"  ({p['cause']})")
    return EXIT_OK


def cmd_review(args: argparse.Namespace) -> int:
    from core.services.review import quarterly_review, review_document

    today = args.today or date.today()
    if args.since is not None and args.since > today:  # "Since 1 January 2027" on 8 December 2026 means nothing
        raise UsageError(f"--since {args.since} is after today ({today}): give the day of the last review, today "
                         "or earlier")
    engine = open_database(args.db)
    review = quarterly_review(engine, today=today, since=args.since)
    markdown = _out_format(args.out, ("pdf", "markdown")) == "markdown"
    data = review_document(review, markdown=markdown, page_size=args.page_size)
    _write_output(args.out, data)
    _written("the quarterly review" + (" (Markdown)" if markdown else ""), args.out, data)
    return EXIT_OK


def add_follow_up_commands(commands, common: argparse.ArgumentParser, page_help: str) -> None:
    """Add ``decisions``, ``trend`` and ``review`` to the ``igov`` parser."""
    today_help = "judge due dates as of this day, YYYY-MM-DD (default: today)"
    decisions = commands.add_parser("decisions", parents=[common],
                                    help="every decision from every session: status, Accountable, due date, saving")
    decisions.add_argument("--json", action="store_true")
    decisions.add_argument("--status", choices=STATUS_FILTERS, help="only decisions with this status")
    decisions.add_argument("--owner", metavar="NAME", help="only decisions whose Accountable person's name has this")
    decisions.add_argument("--overdue", action="store_true",
                           help="only overdue decisions; exit 4 when there is any (for a scheduled CI job)")
    decisions.add_argument("--ics", metavar="FILE", help="also write their due dates as an iCalendar file")
    decisions.add_argument("--today", type=_day, metavar="DATE", help=today_help)
    decisions.set_defaults(handler=cmd_decisions)

    trend = commands.add_parser("trend", parents=[common],
                                help="the portfolio over time: run-rate, duplicated run-rate, counts")
    trend.add_argument("--json", action="store_true")
    trend.set_defaults(handler=cmd_trend)

    review = commands.add_parser("review", parents=[common],
                                 help="the quarterly review: what changed since the last one (PDF, or .md)")
    review.add_argument("--out", required=True, metavar="FILE", help="the file to write ('-' for stdout)")
    review.add_argument("--since", type=_day, metavar="DATE", help="the last review (default: 90 days ago)")
    review.add_argument("--today", type=_day, metavar="DATE", help=today_help)
    review.add_argument("--page-size", type=_page_size, choices=PAGE_SIZE_CHOICES, default="A4", help=page_help)
    review.set_defaults(handler=cmd_review)
