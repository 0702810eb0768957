"""Diagnostic session rules: agenda, participants, RACI and decision validation, the agenda timer, the clock format."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from core.domain.diagnostic import (
    AgendaStep,
    Decision,
    Participant,
    RaciEntry,
    Role,
    agenda_from_rows,
    format_clock,
    participants_from_rows,
    raci_from_choices,
    raci_people,
    validate_agenda,
    validate_decision,
    validate_participants,
    validate_raci,
)
from core.domain.rubric import Verdict
from core.errors import ConfigError, GovernanceError, SessionError
from core.storage.defaults import load_default_agenda

START = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
DEFAULT = (AgendaStep("Context", 5), AgendaStep("Overlaps", 15), AgendaStep("Scoring", 15),
           AgendaStep("Decisions", 10), AgendaStep("Owners", 5))
GOOD_RACI = (RaciEntry("Ana", "A"), RaciEntry("Bo", "R"))


def at(minutes: float) -> datetime:
    return START + timedelta(seconds=round(minutes * 60))


def decision(**changes) -> Decision:
    values = dict(subject_kind="integration", subject_id="INT-001", verdict=Verdict.MERGE,
                  rationale="Both move Opportunity to Stripe", raci=GOOD_RACI, due_date=date(2026, 3, 1),
                  next_step="Draft the merge plan")
    return Decision(**(values | changes))


# --- roles and the error class ---------------------------------------------------------------------

def test_roles_have_the_words_people_use():
    labels = {role.value: role.label for role in Role}

    assert labels == {"revops": "RevOps", "engineering": "Engineering", "finance": "Finance",
                      "product-owner": "Product owner", "other": "Other"}


def test_session_error_is_a_governance_error_with_its_problems():
    error = SessionError("The decision was not saved", ["a", "b"])

    assert isinstance(error, GovernanceError)
    assert error.problems == ("a", "b")
    assert SessionError("Session 7 does not exist.").problems == ("Session 7 does not exist.",)


# --- RACI ----------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("entries", "expected"), [
    pytest.param(GOOD_RACI, [], id="one-accountable"),
    pytest.param((RaciEntry("Ana", "R"),), ["Each decision needs exactly one Accountable (A); none is set."],
                 id="no-accountable"),
    pytest.param((), ["Each decision needs exactly one Accountable (A); none is set."], id="empty"),
    pytest.param((RaciEntry("Ana", "A"), RaciEntry("Bo", "A")),
                 ["Each decision needs exactly one Accountable (A); 2 are set: Ana, Bo. Keep one."],
                 id="two-accountable"),
    pytest.param((RaciEntry("Ana", "A"), RaciEntry("Bo", "A"), RaciEntry("Cy", "A")),
                 ["Each decision needs exactly one Accountable (A); 3 are set: Ana, Bo, Cy. Keep one."],
                 id="three-accountable"),
    pytest.param((RaciEntry("Ana", "A"), RaciEntry(" ana ", "C")),
                 ["Ana is listed twice in the RACI: give each person one letter."], id="person-twice"),
    pytest.param((RaciEntry("Ana", "A"), RaciEntry("  ", "R")),
                 ["RACI row 2 has no name: type the person's name or delete the row."], id="empty-name"),
    pytest.param((RaciEntry("Ana", "A"), RaciEntry("Bo", "X")),
                 ["The RACI letter of Bo must be R, A, C or I (got 'X')."], id="unknown-letter"),
])
def test_validate_raci_names_each_problem(entries, expected):
    problems = validate_raci(entries)

    assert problems == expected


# --- decisions -----------------------------------------------------------------------------------------

@pytest.mark.parametrize(("changes", "expected"), [
    pytest.param({}, [], id="valid"),
    pytest.param({"due_date": None, "next_step": ""}, [], id="due-date-and-next-step-optional"),
    pytest.param({"subject_id": " "}, ["Choose the integration this decision is about."], id="no-integration"),
    pytest.param({"subject_kind": "cluster", "subject_id": ""},
                 ["Type the id of the cluster this decision is about, for example CL-INT-015."], id="no-cluster"),
    pytest.param({"subject_kind": "cluster", "subject_id": "INT-015"},
                 ['Cluster ids start with "CL-", for example CL-INT-015 (got "INT-015").'], id="not-a-cluster-id"),
    pytest.param({"subject_kind": "system", "subject_id": "X"},
                 ["The subject must be an integration or a cluster (got 'system')."], id="unknown-kind"),
    pytest.param({"verdict": None}, ["Choose a verdict: proceed, hold, merge, centralize, retire."], id="no-verdict"),
    pytest.param({"rationale": "  "}, ["Write the rationale: why the group chose this verdict."], id="no-rationale"),
    pytest.param({"raci": (RaciEntry("Bo", "R"),)},
                 ["Each decision needs exactly one Accountable (A); none is set."], id="raci-checked"),
    pytest.param({"subject_id": "", "rationale": "", "raci": ()},
                 ["Choose the integration this decision is about.",
                  "Write the rationale: why the group chose this verdict.",
                  "Each decision needs exactly one Accountable (A); none is set."], id="every-problem-at-once"),
])
def test_validate_decision_names_each_problem(changes, expected):
    problems = validate_decision(decision(**changes))

    assert problems == expected


def test_a_cluster_decision_with_a_cluster_id_is_valid():
    assert validate_decision(decision(subject_kind="cluster", subject_id="CL-INT-015")) == []


def test_the_accountable_person_is_known_only_when_there_is_exactly_one():
    assert decision().accountable == "Ana"
    assert decision(raci=(RaciEntry("Ana", "A"), RaciEntry("Bo", "A"))).accountable is None


# --- participants --------------------------------------------------------------------------------------

@pytest.mark.parametrize(("people", "expected"), [
    pytest.param([Participant("Ana", Role.REVOPS), Participant("Bo", Role.FINANCE)], [], id="valid"),
    pytest.param([], [], id="nobody-yet"),
    pytest.param([Participant("", Role.REVOPS)],
                 ["Participant row 1 has no name: type the name or delete the row."], id="no-name"),
    pytest.param([Participant("Ana", Role.REVOPS), Participant("ANA", Role.OTHER)],
                 ["Ana is listed twice among the participants: keep one row per person."], id="twice"),
    pytest.param([Participant("Ana", "boss")],
                 ["Ana has no role: choose one of RevOps, Engineering, Finance, Product owner, Other."],
                 id="unknown-role"),
])
def test_validate_participants_names_each_problem(people, expected):
    assert validate_participants(people) == expected


# --- agenda --------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("steps", "expected"), [
    pytest.param(DEFAULT, [], id="default"),
    pytest.param((AgendaStep("Context", 1), AgendaStep("Wrap-up", 120)), [], id="bounds-included"),
    pytest.param((), ["The agenda needs at least one step."], id="empty"),
    pytest.param((AgendaStep("Context", 0),),
                 ['Step "Context" has 0 minutes: use a whole number from 1 to 120.'], id="zero-minutes"),
    pytest.param((AgendaStep("Context", 121),),
                 ['Step "Context" has 121 minutes: use a whole number from 1 to 120.'], id="too-long"),
    pytest.param((AgendaStep("Context", 2.5),),
                 ['Step "Context" has 2.5 minutes: use a whole number from 1 to 120.'], id="fraction"),
    pytest.param((AgendaStep("Context", None),),
                 ['Step "Context" has no minutes: use a whole number from 1 to 120.'], id="no-minutes"),
    pytest.param((AgendaStep("Context", True),),
                 ['Step "Context" has True minutes: use a whole number from 1 to 120.'], id="boolean"),
    pytest.param((AgendaStep("Context", 5), AgendaStep(" ", 5)), ["Step 2 needs a title."], id="no-title"),
    pytest.param((AgendaStep("Context", 5), AgendaStep("context", 5)),
                 ['Two steps are called "context": give each step its own title.'], id="same-title"),
    pytest.param((AgendaStep("A", 120), AgendaStep("B", 120), AgendaStep("C", 1)),
                 ["The agenda lasts 241 minutes: shorten or remove steps to keep it at 240 minutes or less."],
                 id="over-four-hours"),
])
def test_validate_agenda_names_the_step_and_the_fix(steps, expected):
    assert validate_agenda(steps) == expected


def test_default_agenda_is_the_five_steps_with_guidance():
    agenda = load_default_agenda()

    assert [(s.title, s.minutes) for s in agenda] == [(s.title, s.minutes) for s in DEFAULT]
    assert all(s.guidance for s in agenda)


@pytest.mark.parametrize(("content", "expected"), [
    pytest.param('[[step]]\ntitle = "Context"\nminutes = 0\n',
                 'agenda.toml: Step "Context" has 0 minutes: use a whole number from 1 to 120.', id="zero"),
    pytest.param('[[step]]\ntitle = "Context"\n',
                 'agenda.toml: step "Context" has no minutes: add minutes = 10 (a whole number from 1 to 120).',
                 id="missing-minutes"),
    pytest.param('[[step]]\ntitle = "Context"\nminutes = 5\nminute = 5\n',
                 'agenda.toml: step "Context" has unknown fields minute (known: guidance, minutes, title).',
                 id="typo"),
    pytest.param('title = "Context"\n',
                 "agenda.toml has no agenda steps: add [[step]] tables with title, minutes and guidance.",
                 id="no-steps"),
    pytest.param("[[step]\n", "agenda.toml is not valid TOML", id="not-toml"),
    pytest.param('[[step]]\ntitle = "A"\nminutes = 120\n[[step]]\ntitle = "B"\nminutes = 121\n',
                 'agenda.toml: Step "B" has 121 minutes: use a whole number from 1 to 120.', id="step-too-long"),
])
def test_a_broken_agenda_file_is_refused_naming_the_step_and_the_fix(tmp_path: Path, content, expected):
    path = tmp_path / "agenda.toml"
    path.write_text(content, encoding="utf-8")

    with pytest.raises(ConfigError) as caught:
        load_default_agenda(path)

    assert str(caught.value).startswith(expected)


def test_a_missing_agenda_file_is_a_config_error(tmp_path: Path):
    with pytest.raises(ConfigError, match="agenda.toml could not be read"):
        load_default_agenda(tmp_path / "agenda.toml")


# --- editor rows -----------------------------------------------------------------------------------------

def test_agenda_rows_from_an_editor_become_steps():
    rows = [{"title": "Context", "minutes": 5.0, "guidance": "Why we are here"},
            {"title": None, "minutes": float("nan"), "guidance": None},
            {"title": "Scoring", "minutes": None, "guidance": None}]

    steps = agenda_from_rows(rows)

    assert steps == (AgendaStep("Context", 5, "Why we are here"), AgendaStep("Scoring", None, ""))


@pytest.mark.parametrize("accountable, letters, expected", [
    ("Ana", {}, (RaciEntry("Ana", "A"),)),
    (None, {"responsible": ["Bo"]}, (RaciEntry("Bo", "R"),)),
    (" Ana ", {"responsible": ["Bo", "  "], "consulted": ["Cy"], "informed": ["Di", "Ed"]},
     (RaciEntry("Ana", "A"), RaciEntry("Bo", "R"), RaciEntry("Cy", "C"), RaciEntry("Di", "I"), RaciEntry("Ed", "I"))),
    ("Ana", {"informed": ["Ana"]}, (RaciEntry("Ana", "A"), RaciEntry("Ana", "I"))),
    ("", {}, ()),
])
def test_raci_from_choices_puts_the_accountable_first_and_drops_blanks(accountable, letters, expected):
    entries = raci_from_choices(accountable, **letters)

    assert entries == expected


def test_a_person_picked_twice_is_named_by_the_raci_check():
    entries = raci_from_choices("Ana", informed=["ana"])

    problems = validate_raci(entries)

    assert problems == ["Ana is listed twice in the RACI: give each person one letter."]


def test_raci_people_lists_participants_then_others_named_in_the_raci():
    participants = [Participant("Ana", Role.REVOPS), Participant("Bo", Role.FINANCE)]

    people = raci_people(participants, [RaciEntry("BO", "R"), RaciEntry("Guest", "I")])

    assert people == ["Ana", "Bo", "Guest"]


def test_participant_rows_keep_unknown_roles_for_validation():
    rows = [{"name": "Ana", "role": "finance"}, {"name": "Bo", "role": "boss"}, {"name": None, "role": None}]

    people = participants_from_rows(rows)

    assert people == (Participant("Ana", Role.FINANCE), Participant("Bo", "boss"))


@pytest.mark.parametrize(("seconds", "expected"), [
    (0, "00:00"), (5, "00:05"), (59.9, "00:59"), (60, "01:00"), (725, "12:05"), (3600, "60:00"),
    (-1, "-00:01"), (-90, "-01:30"), (-0.5, "00:00"),
])
def test_format_clock(seconds, expected):
    assert format_clock(seconds) == expected
