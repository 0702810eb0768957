"""The Decisions page through AppTest: the tracker, overdue rows, a status change, the confirmed registry change."""

from __future__ import annotations

import re

from datetime import date, timedelta
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from core.domain.diagnostic import Decision, RaciEntry
from core.domain.registry import Status
from core.domain.rubric import Verdict
from core.services.analysis import load_analysis
from core.services.database import open_database
from core.services.decisions import tracked_decisions
from core.storage.session_store import create_session, save_decision
from tests.actors import editor

APP = str(Path(__file__).resolve().parents[2] / "app.py")
ANA = editor("Ana Silva")

pytestmark = pytest.mark.usefixtures("app_database")


def open_page() -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    at.session_state["user_name"] = "Bo Berg"
    at.run()
    return at.switch_page("pages/decisions.py").run()


def record(url: str, subject: str, verdict: Verdict, due: date) -> int:
    engine = open_database(url, seed_sample=True)
    session_id = create_session(engine, "Quote-to-cash", "Ana Silva", actor=ANA)
    kind = "integration" if subject.startswith("INT-") else "cluster"
    return save_decision(engine, session_id, Decision(kind, subject, verdict, "Same invoices twice",
                                                       (RaciEntry("Ana Silva", "A"),), due, "Plan the merge"),
                         actor=ANA)


def test_an_empty_tracker_points_to_the_sessions(app_database):
    at = open_page()

    assert not at.exception
    assert any("No decision yet" in i.value for i in at.info)


def test_overdue_decisions_are_counted_and_marked_in_the_table(app_database):
    record(app_database, "CL-INT-004", Verdict.MERGE, date.today() - timedelta(days=3))
    record(app_database, "CL-INT-008", Verdict.MERGE, date.today() + timedelta(days=30))

    at = open_page()

    assert not at.exception
    assert [m.value for m in at.metric][:2] == ["2", "1"]
    (frame,) = [d.value for d in at.dataframe if "Subject" in d.value.columns]
    assert list(frame["Status"]) == ["Overdue · Open", "Open"]


def test_the_saving_still_to_come_is_the_sum_of_the_likely_savings_the_table_shows(app_database):
    # Likely $13,560.50 and $3,336.50 a month on the sample: the rows read $13,560 and $3,336; added before
    # rounding, the headline said $16,897
    record(app_database, "CL-INT-015", Verdict.CENTRALIZE, date.today() + timedelta(days=30))
    record(app_database, "INT-012", Verdict.RETIRE, date.today() + timedelta(days=30))

    at = open_page()

    (frame,) = [d.value for d in at.dataframe if "Subject" in d.value.columns]
    shown = [int(re.search(r"likely \$([\d,]+)", text).group(1).replace(",", "")) for text in frame["Expected saving"]]
    (headline,) = [m.value for m in at.metric if m.label == "Expected saving still to come"]
    assert headline == f"${sum(shown):,} / month"  # what a reader adding the rows gets, to the dollar


def test_a_status_change_and_the_confirmed_registry_change_are_saved_with_who(app_database):
    decision_id = record(app_database, "CL-INT-004", Verdict.MERGE, date.today() + timedelta(days=30))
    at = open_page()
    at.selectbox(key="decisions_chosen").set_value(decision_id).run()

    at.button_group(key=f"decision_status_{decision_id}_0").set_value("in-progress").run()
    engine = open_database(app_database)
    assert tracked_decisions(engine, date.today())[0].status.value == "in-progress"

    (proposal,) = [d.value for d in at.dataframe if "After" in d.value.columns]
    assert list(proposal["Integration"]) == ["INT-031", "INT-004"]
    at.button(key="decision_apply").click().run()

    assert not at.exception
    (done,) = tracked_decisions(engine, date.today())
    assert (done.status.value, done.updated_by) == ("done", "Bo Berg")
    assert load_analysis(engine).integration("INT-031").status is Status.RETIRED
    assert any("registry is updated" in s.value for s in at.success)
    # The realised saving comes at once, from the registry, and says so
    assert any(m.value.startswith("**Realised since done:**") for m in at.markdown)
    assert any("how much the registry's monthly run-rate of these integrations dropped" in c.value
               for c in at.caption)


def test_the_overview_draws_the_trend_with_the_done_decision_on_its_time_axis(app_database):
    import json

    from core.services.decisions import complete_with_registry_change, propose_follow_through

    decision_id = record(app_database, "CL-INT-004", Verdict.MERGE, date.today() + timedelta(days=30))
    engine = open_database(app_database)
    complete_with_registry_change(engine, decision_id, propose_follow_through(engine, decision_id)[1], actor=ANA)

    at = AppTest.from_file(APP, default_timeout=60).run()

    assert not at.exception
    (trend,) = [chart for chart in (json.loads(el.proto.spec) for el in at.get("plotly_chart"))
                if "portfolio over time" in chart["layout"]["title"]["text"]]
    by_name = {trace["name"]: trace for trace in trend["data"]}
    assert set(by_name) == {"Run-rate / month", "Duplicated run-rate / month", "Integrations", "Unowned"}
    first, last = by_name["Duplicated run-rate / month"]["y"][0], by_name["Duplicated run-rate / month"]["y"][-1]
    assert last < first
    assert [a["text"] for a in trend["layout"]["annotations"]] == [f"#{decision_id} merge CL-INT-004 done"]
