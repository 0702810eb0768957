"""igov decisions, trend and review: overdue exits 4, the trend after several imports, due dates as iCalendar."""

from __future__ import annotations

import json
import re
from datetime import UTC, date, datetime, timedelta

import pytest
from pypdf import PdfReader

import core.services.trend as trend
from core.cli import EXIT_OVERDUE, main
from core.domain.diagnostic import Decision, RaciEntry
from core.domain.rubric import Verdict
from core.services.analysis import load_analysis
from core.services.database import open_database
from core.storage.session_store import create_session, save_decision
from tests.actors import editor
from tests.conftest import DATA_DIR

ANA = editor("Ana Silva")
SAMPLE = DATA_DIR / "sample_registry.csv"


@pytest.fixture
def db(tmp_path) -> str:
    return f"sqlite:///{tmp_path / 'cli.sqlite3'}"


@pytest.fixture
def clock(monkeypatch):
    """The moment snapshots are taken at, set by the test."""
    moments = iter([])

    def set_days(*days: datetime) -> None:
        nonlocal moments
        moments = iter(days)

    monkeypatch.setattr(trend, "utc_now", lambda: next(moments))
    return set_days


def decide(url: str, subject: str, due: date | None, person: str = "Ana Silva", next_step: str = "Plan it") -> int:
    engine = open_database(url)
    session_id = create_session(engine, "Q1 review", "Ana Silva", actor=ANA)
    return save_decision(engine, session_id, Decision("cluster", subject, Verdict.MERGE, "Duplicated invoices",
                                                       (RaciEntry(person, "A"),), due, next_step), actor=ANA)


def run(capsys, *argv: str) -> tuple[int, str]:
    code = main(list(argv))
    return code, capsys.readouterr().out


def test_overdue_exits_4_and_names_the_decision_only_while_one_is_past_due(tmp_path, db, capsys):
    main(["import", str(SAMPLE), "--db", db, "--mode", "replace"])
    decision_id = decide(db, "CL-INT-004", date(2026, 3, 1))
    decide(db, "CL-INT-008", date(2026, 6, 1), person="Bo Berg")

    before, _ = run(capsys, "decisions", "--overdue", "--db", db, "--today", "2026-02-28")
    code, out = run(capsys, "decisions", "--overdue", "--db", db, "--today", "2026-03-02")

    assert (before, code) == (0, EXIT_OVERDUE)
    assert f"#{decision_id} [open] merge CL-INT-004" in out and "OVERDUE" in out and "CL-INT-008" not in out


def test_decisions_json_lists_every_field_and_filters_by_owner_and_status(tmp_path, db, capsys):
    main(["import", str(SAMPLE), "--db", db, "--mode", "replace"])
    decide(db, "CL-INT-004", date(2026, 3, 1), next_step="Draft the merge plan")
    decide(db, "CL-INT-008", None, person="Bo Berg")
    capsys.readouterr()

    _, out = run(capsys, "decisions", "--json", "--owner", "ana", "--status", "open", "--db", db,
                 "--today", "2026-03-02")

    (row,) = json.loads(out)["decisions"]
    assert {k: row[k] for k in ("subject", "verdict", "accountable", "due_date", "next_step", "status", "overdue")} == {
        "subject": "CL-INT-004", "verdict": "merge", "accountable": "Ana Silva", "due_date": "2026-03-01",
        "next_step": "Draft the merge plan", "status": "open", "overdue": True}
    assert row["expected_monthly_saving"]["likely"] > 0 and row["realised_monthly_saving"] is None


def test_a_done_decision_reports_its_realised_saving_in_json(tmp_path, db, capsys):
    from core.services.decisions import complete_with_registry_change, propose_follow_through

    main(["import", str(SAMPLE), "--db", db, "--mode", "replace"])
    decision_id = decide(db, "CL-INT-004", date(2026, 3, 1))
    engine = open_database(db)
    run_rate = load_analysis(engine).run_rates["INT-031"].likely
    complete_with_registry_change(engine, decision_id, propose_follow_through(engine, decision_id)[1], actor=ANA)
    capsys.readouterr()

    _, out = run(capsys, "decisions", "--json", "--status", "done", "--db", db)

    (row,) = json.loads(out)["decisions"]
    assert row["realised_monthly_saving"] == pytest.approx(run_rate)


@pytest.mark.parametrize(("argv", "message"), [
    (["--today", "1 March"], "'1 March' is not a date: write it as YYYY-MM-DD"),
    (["--status", "late"], "invalid choice: 'late'"),
])
def test_a_bad_status_or_date_is_a_usage_error(db, capsys, argv, message):
    with pytest.raises(SystemExit) as raised:
        main(["decisions", *argv, "--db", db])

    assert raised.value.code == 2
    assert message in capsys.readouterr().err


def unfold(text: str) -> list[str]:
    """RFC 5545 3.1: a CRLF followed by a space continues the line before."""
    assert "\n" not in text.replace("\r\n", "")
    return text.replace("\r\n ", "").split("\r\n")


def parse_calendar(text: str) -> list[dict[str, str]]:
    """The VEVENTs' properties (outside their alarms), TEXT values unescaped."""
    events, current, in_alarm = [], None, False
    for line in unfold(text):
        if line in ("BEGIN:VALARM", "END:VALARM"):
            in_alarm = line == "BEGIN:VALARM"
        elif line == "BEGIN:VEVENT":
            current = {}
        elif line == "END:VEVENT":
            events.append(current)
            current = None
        elif current is not None and not in_alarm:
            name, value = line.split(":", 1)
            current[name] = re.sub(r"\\([\\;,nN])", lambda m: "\n" if m[1] in "nN" else m[1], value)
    return events


def test_the_ics_export_parses_back_to_one_event_per_open_due_date(tmp_path, db, capsys):
    main(["import", str(SAMPLE), "--db", db, "--mode", "replace"])
    decide(db, "CL-INT-004", date(2026, 3, 1), next_step="Tell Finance; then, retire INT-031 — ✓ " + "x" * 80)
    decide(db, "CL-INT-008", None)
    path = tmp_path / "due.ics"

    code = main(["decisions", "--ics", str(path), "--db", db])

    data = path.read_bytes()
    assert code == 0 and data.startswith(b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\n") and data.endswith(
        b"END:VCALENDAR\r\n")
    assert max(len(line) for line in data.split(b"\r\n")) <= 75
    (event,) = parse_calendar(data.decode("utf-8"))
    assert (event["DTSTART;VALUE=DATE"], event["DTEND;VALUE=DATE"]) == ("20260301", "20260302")
    assert event["SUMMARY"] == "Merge CL-INT-004 due (Ana Silva)"
    assert "Next step: Tell Finance; then, retire INT-031 — ✓ " + "x" * 80 in event["DESCRIPTION"]
    assert event["UID"].endswith("@igov")


def test_the_trend_after_several_imports_has_one_dated_point_each(tmp_path, db, capsys, clock):
    days = [datetime(2026, 1, 5, tzinfo=UTC) + timedelta(days=30 * n) for n in range(3)]
    clock(*days)
    lines = SAMPLE.read_text(encoding="utf-8").splitlines()
    smaller = tmp_path / "smaller.csv"
    smaller.write_text("\n".join(line for line in lines if not line.startswith("INT-031,")) + "\n", encoding="utf-8")

    main(["import", str(SAMPLE), "--db", db, "--mode", "replace"])
    main(["import", str(SAMPLE), "--db", db, "--mode", "replace"])  # nothing changed: no new point
    main(["import", str(smaller), "--db", db, "--mode", "replace"])
    capsys.readouterr()
    _, out = run(capsys, "trend", "--json", "--db", db)

    points = json.loads(out)["points"]
    assert [p["taken_at"][:10] for p in points] == ["2026-01-05", "2026-02-04"]
    assert [p["integration_count"] for p in points] == [66, 65]
    first, second = (p["duplicated_monthly_run_rate"] for p in points)
    assert second["likely"] < first["likely"] and set(first) == {"low", "likely", "high"}
    assert points[1]["cause"] == "replace import of smaller.csv"


def test_the_first_review_after_the_first_import_shows_no_figures_then_and_counts_every_integration_and_overlap_new(
        tmp_path, db, capsys):
    main(["import", str(SAMPLE), "--db", db, "--mode", "replace"])  # the team adopts the tool today
    analysis = load_analysis(open_database(db))
    since = date.today() - timedelta(days=90)
    out = tmp_path / "review.md"

    code = main(["review", "--out", str(out), "--since", since.isoformat(), "--db", db])

    text = out.read_text(encoding="utf-8")
    live = sum(1 for i in analysis.integrations if i.status.value != "retired")
    assert code == 0
    assert f"{len(analysis.integrations)} new integrations, {len(analysis.clusters)} new overlaps" in text
    assert f"| Integrations | — | {live} | no earlier figure |" in text
    assert "The trend starts on " in text and "to compare with" in text
    assert all(f"| {cluster.id} |" in text for cluster in analysis.clusters)
    assert main(["review", "--out", str(tmp_path / "review.pdf"), "--since", since.isoformat(), "--db", db]) == 0
    card_text = PdfReader(tmp_path / "review.pdf").pages[0].extract_text()
    assert f"was {live}" not in card_text and "trend starts" in card_text


def test_a_review_since_a_day_after_today_is_a_usage_error_and_writes_nothing(tmp_path, db, capsys):
    main(["import", str(SAMPLE), "--db", db, "--mode", "replace"])
    capsys.readouterr()
    out = tmp_path / "review.md"

    code = main(["review", "--out", str(out), "--since", "2027-01-01", "--today", "2026-12-08", "--db", db])

    assert code == 2
    assert "--since 2027-01-01 is after today (2026-12-08)" in capsys.readouterr().err
    assert not out.exists()
