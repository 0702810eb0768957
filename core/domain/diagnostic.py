"""Diagnostic sessions: who is in the room, the time-boxed agenda and its timer, and decisions with their RACI."""

from __future__ import annotations

import math
import numbers
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import Any, Literal

from core.domain.rubric import Verdict
from core.errors import ConfigError

MIN_STEP_MINUTES = 1
MAX_STEP_MINUTES = 120
# Four hours: beyond that it is a workshop series, not one session, and the timer stops being useful.
MAX_AGENDA_MINUTES = 240

SubjectKind = Literal["integration", "cluster"]
SUBJECT_KINDS: tuple[str, ...] = ("integration", "cluster")
Responsibility = Literal["R", "A", "C", "I"]
RESPONSIBILITIES: dict[str, str] = {"R": "Responsible", "A": "Accountable", "C": "Consulted", "I": "Informed"}
StepState = Literal["done", "current", "next", "overrun"]
# The method's time box for one diagnostic session.
METHOD_MINUTES = (30, 60)
CLUSTER_PREFIX = "CL-"


class Role(StrEnum):
    REVOPS = "revops"
    ENGINEERING = "engineering"
    FINANCE = "finance"
    PRODUCT_OWNER = "product-owner"
    OTHER = "other"

    @property
    def label(self) -> str:
        """The word people use for the role: ``Role.REVOPS.label == "RevOps"``."""
        return ROLE_LABELS[self]


ROLE_LABELS: dict[Role, str] = {
    Role.REVOPS: "RevOps",
    Role.ENGINEERING: "Engineering",
    Role.FINANCE: "Finance",
    Role.PRODUCT_OWNER: "Product owner",
    Role.OTHER: "Other",
}


@dataclass(frozen=True, slots=True)
class Participant:
    name: str
    role: Role = Role.OTHER


@dataclass(frozen=True, slots=True)
class AgendaStep:
    title: str
    minutes: int
    guidance: str = ""


@dataclass(frozen=True, slots=True)
class RaciEntry:
    person: str
    responsibility: Responsibility


@dataclass(frozen=True, slots=True)
class Decision:
    """What the group decided about one integration or cluster, why, and who carries it out."""

    subject_kind: SubjectKind
    subject_id: str
    verdict: Verdict
    rationale: str
    raci: tuple[RaciEntry, ...] = ()
    due_date: date | None = None
    next_step: str = ""

    @property
    def accountable(self) -> str | None:
        """The one Accountable person, or ``None`` while there is not exactly one."""
        names = [e.person for e in self.raci if e.responsibility == "A"]
        return names[0] if len(names) == 1 else None


@dataclass(frozen=True, slots=True)
class DiagnosticSession:
    """One facilitated meeting as saved: its set-up, what was captured and what was decided."""

    id: int
    title: str
    facilitator: str
    created_at: datetime
    started_at: datetime | None
    participants: tuple[Participant, ...]
    agenda: tuple[AgendaStep, ...]
    assumptions: tuple[str, ...] = ()
    open_questions: tuple[str, ...] = ()
    decisions: tuple[Decision, ...] = ()
    notes: str = ""
    clock: Clock | None = None  # None until started; see core.domain.session_clock


@dataclass(frozen=True, slots=True)
class Clock:
    """The meeting clock as saved: when it started, any pause, and which agenda step is on since when.

    Times inside the meeting are counted in *meeting seconds*: seconds since the start, less the time spent paused.
    """

    started_at: datetime
    paused_at: datetime | None = None
    paused_seconds: int = 0  # pauses already over
    step_index: int = 0
    step_started_second: int = 0  # the meeting second the current step began at


@dataclass(frozen=True, slots=True)
class StepProgress:
    title: str
    minutes: int
    starts_at_minute: int
    elapsed_seconds: int
    remaining_seconds: int  # negative once the step runs past its minutes
    state: StepState
    starts_in_seconds: int = 0  # meeting seconds until a next step starts, if the current one ends on time


@dataclass(frozen=True, slots=True)
class AgendaProgress:
    """Where the meeting is on its agenda at one moment: what the timers show."""

    current_index: int | None
    steps: tuple[StepProgress, ...]
    total_minutes: int
    elapsed_seconds: int
    remaining_seconds: int
    overrun: bool
    paused: bool = False

    @property
    def current(self) -> StepProgress | None:
        return self.steps[self.current_index] if self.current_index is not None else None

    @property
    def ahead_seconds(self) -> int:
        """How much sooner than the planned end the rest of the agenda finishes, as it stands now: moving on
        before a step's time is up gives that time back, a step over its minutes takes it (then negative).

        The step strip's start times already count it, so the session clock says it too: one end, and the
        minutes to spare (or missing) before it.
        """
        if self.current_index is None:
            return 0
        agenda_left = sum(max(step.remaining_seconds, 0) for step in self.steps[self.current_index:])
        return self.remaining_seconds - agenda_left


def _is_whole_minutes(value: Any) -> bool:
    # bool is an int in Python, but `minutes = true` in a file is a typo, not one minute. Integral also
    # accepts the integer types of editor grids (numpy).
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


def _step_name(step: AgendaStep, index: int) -> str:
    title = step.title.strip() if isinstance(step.title, str) else ""
    return f'Step "{title}"' if title else f"Step {index + 1}"


def validate_agenda(steps: Iterable[AgendaStep]) -> list[str]:
    """Every problem with an agenda, each naming the step and the fix.

    >>> validate_agenda([AgendaStep("Context", 5), AgendaStep("Overlaps", 0)])
    ['Step "Overlaps" has 0 minutes: use a whole number from 1 to 120.']
    >>> validate_agenda([AgendaStep("Context", 5)])
    []

    Args:
        steps: the agenda in order.

    Returns:
        Plain messages, empty when the agenda can be used.
    """
    steps = list(steps)
    if not steps:
        return ["The agenda needs at least one step."]
    problems: list[str] = []
    seen: set[str] = set()
    for index, step in enumerate(steps):
        name = _step_name(step, index)
        title = step.title.strip() if isinstance(step.title, str) else ""
        if not title:
            problems.append(f"Step {index + 1} needs a title.")
        elif title.casefold() in seen:
            problems.append(f'Two steps are called "{title}": give each step its own title.')
        seen.add(title.casefold())
        if not _is_whole_minutes(step.minutes) or not MIN_STEP_MINUTES <= step.minutes <= MAX_STEP_MINUTES:
            shown = ("no" if step.minutes is None
                     else f"{step.minutes:g}" if isinstance(step.minutes, float) else step.minutes)
            problems.append(f"{name} has {shown} minutes: use a whole number from "
                            f"{MIN_STEP_MINUTES} to {MAX_STEP_MINUTES}.")
    total = sum(s.minutes for s in steps if _is_whole_minutes(s.minutes))
    if total > MAX_AGENDA_MINUTES:
        problems.append(f"The agenda lasts {total} minutes: shorten or remove steps to keep it at "
                        f"{MAX_AGENDA_MINUTES} minutes or less.")
    return problems


def parse_agenda(data: dict, source: str = "agenda") -> tuple[AgendaStep, ...]:
    """Agenda steps from a mapping read from an agenda file: one ``[[step]]`` table per step.

    >>> [(s.title, s.minutes) for s in parse_agenda({"step": [{"title": "Context", "minutes": 5}]})]
    [('Context', 5)]

    Raises:
        ConfigError: naming ``source``, the step and the fix.
    """
    name = source
    tables = data.get("step")
    if not isinstance(tables, list) or not tables:
        raise ConfigError(f'{name} has no agenda steps: add [[step]] tables with title, minutes and guidance.')
    known = {"title", "minutes", "guidance"}
    steps: list[AgendaStep] = []
    for index, table in enumerate(tables):
        label = f'step "{table.get("title")}"' if isinstance(table.get("title"), str) else f"step {index + 1}"
        unknown = sorted(set(table) - known)
        if unknown:
            raise ConfigError(f'{name}: {label} has unknown fields {", ".join(unknown)} '
                              f'(known: guidance, minutes, title).')
        if "minutes" not in table:
            raise ConfigError(f"{name}: {label} has no minutes: add minutes = 10 (a whole number from "
                              f"{MIN_STEP_MINUTES} to {MAX_STEP_MINUTES}).")
        title, guidance = table.get("title", ""), table.get("guidance", "")
        if not isinstance(title, str) or not isinstance(guidance, str):
            raise ConfigError(f'{name}: {label} needs its title and guidance in quotes, like title = "Context".')
        steps.append(AgendaStep(title=title.strip(), minutes=table["minutes"], guidance=guidance.strip()))
    problems = validate_agenda(steps)
    if problems:
        raise ConfigError(f"{name}: " + " ".join(problems))
    return tuple(steps)


def validate_participants(participants: Iterable[Participant]) -> list[str]:
    """Every problem with a list of participants.

    >>> validate_participants([Participant("Ana", Role.REVOPS), Participant("ana ", Role.FINANCE)])
    ['Ana is listed twice among the participants: keep one row per person.']

    Args:
        participants: the people in the room, in the order shown.

    Returns:
        Plain messages, empty when the list can be saved.
    """
    problems: list[str] = []
    seen: dict[str, str] = {}
    for index, participant in enumerate(participants):
        name = participant.name.strip() if isinstance(participant.name, str) else ""
        if not name:
            problems.append(f"Participant row {index + 1} has no name: type the name or delete the row.")
            continue
        if not isinstance(participant.role, Role):
            allowed = ", ".join(r.label for r in Role)
            problems.append(f"{name} has no role: choose one of {allowed}.")
        _note_repeat(name, seen, problems, "is listed twice among the participants: keep one row per person.")
    return problems


def _note_repeat(name: str, seen: dict[str, str], problems: list[str], complaint: str) -> None:
    """Remember ``name`` (ignoring case); the second time, add "<first spelling> <complaint>" once."""
    folded = name.casefold()
    if folded not in seen:
        seen[folded] = name
        return
    message = f"{seen[folded]} {complaint}"
    if message not in problems:
        problems.append(message)


def validate_raci(entries: Iterable[RaciEntry]) -> list[str]:
    """Every problem with the RACI of one decision: exactly one Accountable, one letter per person.

    >>> validate_raci([RaciEntry("Ana", "A"), RaciEntry("Bo", "A")])
    ['Each decision needs exactly one Accountable (A); 2 are set: Ana, Bo. Keep one.']
    >>> validate_raci([RaciEntry("Ana", "A"), RaciEntry("Bo", "R")])
    []

    Args:
        entries: one row per person (R, A, C or I).

    Returns:
        Plain messages, empty when the RACI is usable.
    """
    problems: list[str] = []
    seen: dict[str, str] = {}
    accountable: list[str] = []
    for index, entry in enumerate(entries):
        person = entry.person.strip() if isinstance(entry.person, str) else ""
        letter = entry.responsibility
        if not person:
            problems.append(f"RACI row {index + 1} has no name: type the person's name or delete the row.")
        if letter not in RESPONSIBILITIES:
            who = person or f"row {index + 1}"
            problems.append(f"The RACI letter of {who} must be R, A, C or I (got {letter!r}).")
        if person:
            _note_repeat(person, seen, problems, "is listed twice in the RACI: give each person one letter.")
        if letter == "A":
            accountable.append(person or f"row {index + 1}")
    if not accountable:
        problems.append("Each decision needs exactly one Accountable (A); none is set.")
    elif len(accountable) > 1:
        problems.append(f"Each decision needs exactly one Accountable (A); {len(accountable)} are set: "
                        f"{', '.join(accountable)}. Keep one.")
    return problems


def validate_decision(decision: Decision) -> list[str]:
    """Every problem with a decision before it is saved: subject, verdict, rationale, RACI.

    >>> d = Decision("integration", "INT-1", Verdict.MERGE, "", (RaciEntry("Ana", "A"),))
    >>> validate_decision(d)
    ['Write the rationale: why the group chose this verdict.']

    Args:
        decision: the decision as typed.

    Returns:
        Plain messages, empty when the decision can be saved.
    """
    problems: list[str] = []
    subject = decision.subject_id.strip() if isinstance(decision.subject_id, str) else ""
    if decision.subject_kind not in SUBJECT_KINDS:
        problems.append(f"The subject must be an integration or a cluster (got {decision.subject_kind!r}).")
    elif not subject:
        problems.append("Choose the integration this decision is about." if decision.subject_kind == "integration"
                        else "Type the id of the cluster this decision is about, for example CL-INT-015.")
    elif decision.subject_kind == "cluster" and not subject.upper().startswith(CLUSTER_PREFIX):
        problems.append(f'Cluster ids start with "{CLUSTER_PREFIX}", for example CL-INT-015 (got "{subject}").')
    if not isinstance(decision.verdict, Verdict):
        problems.append("Choose a verdict: " + ", ".join(v.value for v in Verdict) + ".")
    if not (decision.rationale or "").strip():
        problems.append("Write the rationale: why the group chose this verdict.")
    problems.extend(validate_raci(decision.raci))
    return problems


def _clean_cell(value: Any) -> Any:
    # Editor grids hand back None or NaN for cells nobody typed in.
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if isinstance(value, str):
        return value.strip() or None
    return value


def agenda_from_rows(rows: Iterable[Mapping[str, Any]]) -> tuple[AgendaStep, ...]:
    """Agenda steps from editor rows (title, minutes, guidance); fully empty rows are dropped.

    Whole-number floats such as ``15.0`` become ``15``; anything else is kept so validation can name it.

    >>> agenda_from_rows([{"title": " Context ", "minutes": 5.0, "guidance": None}, {"title": None}])
    (AgendaStep(title='Context', minutes=5, guidance=''),)

    Args:
        rows: mappings as an editable grid returns them.

    Returns:
        The steps in row order.
    """
    steps = []
    for row in rows:
        title, minutes, guidance = (_clean_cell(row.get(k)) for k in ("title", "minutes", "guidance"))
        if title is None and minutes is None and guidance is None:
            continue
        if (isinstance(minutes, numbers.Integral) and not isinstance(minutes, bool)
                or isinstance(minutes, numbers.Real) and float(minutes).is_integer()):
            minutes = int(minutes)
        steps.append(AgendaStep(title=title or "", minutes=minutes, guidance=guidance or ""))
    return tuple(steps)


def participants_from_rows(rows: Iterable[Mapping[str, Any]]) -> tuple[Participant, ...]:
    """Participants from editor rows (name, role); empty rows are dropped, unknown roles kept for validation.

    >>> participants_from_rows([{"name": "Ana", "role": "revops"}, {"name": "", "role": None}])
    (Participant(name='Ana', role=<Role.REVOPS: 'revops'>),)

    Args:
        rows: mappings with ``name`` and ``role`` (a role value such as ``"product-owner"``).

    Returns:
        The participants in row order.
    """
    people = []
    for row in rows:
        name, role = _clean_cell(row.get("name")), _clean_cell(row.get("role"))
        if name is None and role is None:
            continue
        people.append(Participant(name=name or "", role=Role(role) if role in set(Role) else role))
    return tuple(people)


def raci_from_choices(accountable: str | None, responsible: Iterable[str] = (), consulted: Iterable[str] = (),
                      informed: Iterable[str] = ()) -> tuple[RaciEntry, ...]:
    """RACI entries from the decision form's pickers: one Accountable, then the R, C and I people.

    Blank names are dropped. A person picked under two letters is kept twice, so that
    :func:`validate_raci` can say so by name instead of one choice silently winning.

    >>> raci_from_choices("Ana", responsible=["Bo ", ""], informed=["Cy"])
    (RaciEntry(person='Ana', responsibility='A'), RaciEntry(person='Bo', responsibility='R'), \
RaciEntry(person='Cy', responsibility='I'))

    Args:
        accountable: the one person who answers for the decision, ``None`` when not chosen yet.
        responsible: people who do the work.
        consulted: people asked before it is done.
        informed: people told once it is done.

    Returns:
        The entries, Accountable first, then R, C and I in the order picked.
    """
    picked = [("A", [accountable]), ("R", responsible), ("C", consulted), ("I", informed)]
    return tuple(RaciEntry(person=name.strip(), responsibility=letter)
                 for letter, names in picked for name in names
                 if isinstance(name, str) and name.strip())


def raci_people(participants: Iterable[Participant], raci: Iterable[RaciEntry] = ()) -> list[str]:
    """Everyone the RACI pickers offer: the session's participants, then anyone already named in the RACI.

    >>> raci_people([Participant("Ana", Role.REVOPS)], [RaciEntry("ana", "A"), RaciEntry("Guest", "I")])
    ['Ana', 'Guest']

    Args:
        participants: the people in the room.
        raci: the RACI of the decision being edited (may name people who are not participants).

    Returns:
        Names in order, each once (compared without case).
    """
    names: dict[str, str] = {}
    for name in [p.name for p in participants] + [e.person for e in raci]:
        if name and name.strip():
            names.setdefault(name.strip().casefold(), name.strip())
    return list(names.values())


def format_clock(seconds: float) -> str:
    """Seconds as a wall-clock style timer: minutes can pass 59, negative values get a minus sign.

    >>> format_clock(725), format_clock(-90), format_clock(3725)
    ('12:05', '-01:30', '62:05')

    Args:
        seconds: a duration; fractions are dropped toward zero so a timer never shows time it has not got.

    Returns:
        ``MM:SS`` with at least two digits of minutes.
    """
    whole = int(seconds)
    sign = "-" if whole < 0 else ""
    minutes, rest = divmod(abs(whole), 60)
    return f"{sign}{minutes:02d}:{rest:02d}"
