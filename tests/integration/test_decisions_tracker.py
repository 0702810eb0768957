"""After the meeting: a decision followed from its session to done, the registry change it implies, what it saved."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from core.domain.diagnostic import Decision, RaciEntry
from core.domain.registry import Status
from core.domain.rubric import Verdict
from core.errors import EditConflict, PermissionDenied, SessionError
from core.services.analysis import load_analysis
from core.services.decisions import (DecisionStatus, change_status, complete_with_registry_change,
    edit_expected_saving, make_accountable_owner, propose_follow_through, realised_savings, tracked_decisions)
from core.services.history import list_history
from core.services.trend import load_trend
from core.storage.session_store import create_session, delete_decision, save_decision
from tests.actors import VIEWER, editor

ANA = editor("Ana Silva")
BO = editor("Bo Berg")
DUE = date(2026, 3, 15)
DONE_AT = datetime(2026, 3, 10, 9, 30, tzinfo=UTC)


def decide(engine, subject_id: str, verdict: Verdict, kind: str = "cluster", due: date | None = DUE) -> int:
    session_id = create_session(engine, "Quote-to-cash duplicates", "Ana Silva", actor=ANA)
    decision = Decision(kind, subject_id, verdict, "Same Invoice moved twice; reconciling costs 12 h a month.",
                        (RaciEntry("Ana Silva", "A"), RaciEntry("Bo Berg", "R")), due, "Draft the merge plan")
    return save_decision(engine, session_id, decision, actor=ANA)


def only(engine, today=date(2026, 3, 1), **filters):
    (tracked,) = tracked_decisions(engine, today, **filters)
    return tracked


def test_a_merge_decision_lives_from_its_session_to_done_with_the_registry_change(sample_registry):
    engine = sample_registry
    decision_id = decide(engine, "CL-INT-004", Verdict.MERGE)
    before = load_analysis(engine)
    expected = before.recommendation("CL-INT-004").scenario_cost("merge").monthly_saving

    fresh = only(engine)
    assert (fresh.status, fresh.accountable, fresh.decision.next_step) == (DecisionStatus.OPEN, "Ana Silva",
                                                                           "Draft the merge plan")
    assert fresh.expected_saving == expected and not fresh.is_overdue(date(2026, 3, 1))

    assert change_status(engine, decision_id, "in-progress", actor=BO, expected_version=0)
    assert only(engine, date(2026, 3, 20), status="overdue").status is DecisionStatus.IN_PROGRESS

    proposal, versions = propose_follow_through(engine, decision_id)
    assert [(c.integration_id, c.field, c.after) for c in proposal.changes] == [
        ("INT-031", "status", "retired"),
        ("INT-004", "consumers", "Finance close; AR aging report; Revenue recognition; Revenue dashboard")]
    assert load_analysis(engine).integration("INT-031").status is Status.LIVE  # proposed, not applied

    complete_with_registry_change(engine, decision_id, versions, actor=BO, expected_version=1, now=DONE_AT)

    after = load_analysis(engine)
    assert after.integration("INT-031").status is Status.RETIRED
    assert after.integration("INT-004").consumers[-2:] == ("Revenue recognition", "Revenue dashboard")
    done = only(engine, date(2026, 3, 20))
    assert (done.status, done.done_at, done.is_overdue(date(2026, 3, 20))) == (DecisionStatus.DONE, DONE_AT, False)
    assert done.expected_saving.likely == expected.likely  # frozen: the cluster is gone once its copy is retired
    statuses = [(e.actor, e.before, e.after.get("status")) for e in list_history(engine, entity="decision",
                                                                                  entity_id=decision_id)
                if e.action == "update"]
    assert statuses == [("Bo Berg", {"status": "in-progress"}, "done"), ("Bo Berg", {"status": "open"}, "in-progress")]
    assert [e.actor for e in list_history(engine, entity="integration", entity_id="INT-031")][0] == "Bo Berg"
    assert load_trend(engine)[-1].duplicated.likely < before.costs.duplicated_monthly_run_rate.likely

    (realised,) = realised_savings(engine)
    assert realised.projected == expected.likely
    assert realised.realised == pytest.approx(before.run_rates["INT-031"].likely)


def test_a_retire_decision_on_one_copy_retires_it_and_hands_its_consumers_to_the_survivor(sample_registry):
    decision_id = decide(sample_registry, "INT-027", Verdict.RETIRE, kind="integration")
    saving = load_analysis(sample_registry).run_rates["INT-027"]

    assert only(sample_registry).expected_saving == saving
    proposal, _ = propose_follow_through(sample_registry, decision_id)

    assert (proposal.retired, proposal.survivor) == (("INT-027",), "INT-015")
    assert proposal.changes[1].after.endswith("Customer health dashboard; Expansion report")


def test_the_change_is_refused_whole_when_an_integration_changed_after_the_proposal(sample_registry):
    decision_id = decide(sample_registry, "CL-INT-004", Verdict.MERGE)
    proposal, versions = propose_follow_through(sample_registry, decision_id)
    make_accountable_owner(sample_registry, decide(sample_registry, "INT-031", Verdict.HOLD, "integration"),
                           "INT-031", actor=BO)

    with pytest.raises(EditConflict):
        complete_with_registry_change(sample_registry, decision_id, versions, actor=ANA)

    assert decision_id in [t.id for t in tracked_decisions(sample_registry, DUE, status="open")]
    assert load_analysis(sample_registry).integration("INT-031").status is Status.LIVE


def test_the_accountable_person_becomes_the_owner_in_one_step_once(sample_registry):
    decision_id = decide(sample_registry, "INT-052", Verdict.PROCEED, kind="integration")

    assert make_accountable_owner(sample_registry, decision_id, "INT-052", actor=BO) is True
    assert make_accountable_owner(sample_registry, decision_id, "INT-052", actor=BO) is False

    assert load_analysis(sample_registry).integration("INT-052").owner == "Ana Silva"
    entries = list_history(sample_registry, entity="integration", entity_id="INT-052")
    assert [(e.action, e.actor, e.after.get("owner")) for e in entries[:-1]] == [("update", "Bo Berg", "Ana Silva")]


@pytest.mark.parametrize(("status", "owner", "expected"), [
    ("overdue", None, [1]), ("open", None, [1, 2]), ("done", None, []), (None, "ana", [1, 2]), (None, "zed", []),
])
def test_decisions_are_filtered_by_status_overdue_and_accountable(sample_registry, status, owner, expected):
    first = decide(sample_registry, "CL-INT-004", Verdict.MERGE, due=date(2026, 2, 1))
    second = decide(sample_registry, "CL-INT-008", Verdict.MERGE, due=None)
    ids = {first: 1, second: 2}

    shown = tracked_decisions(sample_registry, date(2026, 3, 1), status=status, owner=owner)

    assert [ids[t.id] for t in shown] == expected


def test_the_expected_saving_can_be_edited_and_reset_and_the_same_status_records_nothing(sample_registry):
    decision_id = decide(sample_registry, "CL-INT-004", Verdict.MERGE)
    projected = only(sample_registry).expected_saving

    edit_expected_saving(sample_registry, decision_id, 5000, actor=ANA)
    assert (only(sample_registry).expected_saving.likely, only(sample_registry).saving_edited) == (5000, True)
    edit_expected_saving(sample_registry, decision_id, None, actor=ANA)
    assert only(sample_registry).expected_saving == projected
    assert change_status(sample_registry, decision_id, "open", actor=ANA) is False

    assert len(list_history(sample_registry, entity="decision", entity_id=decision_id)) == 3  # create, 2 savings


@pytest.mark.parametrize(("action", "error"), [
    (lambda engine, d: change_status(engine, d, "done", actor=VIEWER), PermissionDenied),
    (lambda engine, d: change_status(engine, d, "done", actor=ANA, expected_version=4), EditConflict),
    (lambda engine, d: edit_expected_saving(engine, d, -3, actor=ANA), SessionError),
    (lambda engine, d: change_status(engine, d + 1, "done", actor=ANA), SessionError),
    (lambda engine, d: complete_with_registry_change(engine, d, {}, actor=ANA), SessionError),  # hold: no change
])
def test_refused_changes_write_nothing(sample_registry, action, error):
    decision_id = decide(sample_registry, "CL-INT-004", Verdict.HOLD)

    with pytest.raises(error):
        action(sample_registry, decision_id)

    assert only(sample_registry).version == 0


def test_a_deleted_decision_leaves_the_tracker_with_its_tracking(sample_registry):
    decision_id = decide(sample_registry, "CL-INT-004", Verdict.MERGE)
    change_status(sample_registry, decision_id, "dropped", actor=ANA)

    assert delete_decision(sample_registry, decision_id, actor=ANA)

    assert tracked_decisions(sample_registry, DUE) == []


def test_the_quarterly_review_lists_what_changed_since_the_last_one(sample_registry):
    import io

    from pypdf import PdfReader
    from sqlalchemy import update

    from core.storage.tables import AuditEntry

    from core.services.registry import add_integration
    from core.services.review import quarterly_review, review_document

    with sample_registry.begin() as connection:  # the sample was loaded at the start of the year
        connection.execute(update(AuditEntry).values(at=datetime(2026, 1, 2, tzinfo=UTC)))
    merged = decide(sample_registry, "CL-INT-004", Verdict.MERGE, due=date(2026, 3, 1))
    late = decide(sample_registry, "CL-INT-008", Verdict.MERGE, due=date(2026, 2, 1))
    _, versions = propose_follow_through(sample_registry, merged)
    complete_with_registry_change(sample_registry, merged, versions, actor=ANA)
    add_integration(sample_registry, {"id": "INT-900", "name": "Opportunities | to Stripe again",
                                      "source_system": "Salesforce", "target_system": "Stripe",
                                      "data_objects": "Opportunity", "owner_team": "Sales Ops"}, actor=ANA)

    review = quarterly_review(sample_registry, today=date.today() + timedelta(days=1), since=date.today())

    assert [d.id for d in review.done] == [merged] and [d.id for d in review.overdue] == [late]
    assert review.new_integrations == (("INT-900", "Opportunities | to Stripe again", "Sales Ops"),)
    assert review.done[0].realised > 0 and review.realised_total == review.done[0].realised
    markdown = review_document(review, markdown=True)
    assert "| INT-900 | Opportunities \\| to Stripe again | Sales Ops |" in markdown
    assert f"| {late} | Merge | CL-INT-008 | Ana Silva | 2026-02-01 |" in markdown
    assert len(PdfReader(io.BytesIO(review_document(review))).pages) == 1
