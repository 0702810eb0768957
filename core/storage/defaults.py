"""The shipped defaults in ``data/``: settings, rubric, complexity rules, agenda, alias tables and the sample registry.

The domain parses values; this module is where those values are read from files, so no rule touches a file.
"""

from __future__ import annotations

import csv
import tomllib
from functools import lru_cache
from pathlib import Path

from core.domain.complexity import ComplexityRules, parse_complexity_rules
from core.domain.diagnostic import AgendaStep, parse_agenda
from core.domain.names import Aliases, AliasPairs, alias_table_from_csv
from core.domain.rubric import RubricConfig, parse_rubric
from core.domain.settings import Settings, settings_from_values
from core.errors import ConfigError

DATA_DIR = Path(__file__).resolve().parents[2] / "data"
SAMPLE_REGISTRY = DATA_DIR / "sample_registry.csv"
DEFAULT_SETTINGS_FILE = DATA_DIR / "settings.toml"
DEFAULT_RUBRIC_FILE = DATA_DIR / "rubric.toml"
DEFAULT_COMPLEXITY_FILE = DATA_DIR / "complexity.toml"
DEFAULT_AGENDA_FILE = DATA_DIR / "agenda.toml"
SYSTEM_ALIASES_FILE = DATA_DIR / "system_aliases.csv"
OBJECT_ALIASES_FILE = DATA_DIR / "object_aliases.csv"


def _read_toml(path: Path, fix: str = "") -> dict:
    """A TOML file's values; ConfigError names the file (and ``fix``) when it cannot be read or parsed."""
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise ConfigError(f"{path.name} could not be read: {error.strerror}{fix}") from None
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{path.name} is not valid TOML: {error}") from None


def load_default_settings(path: Path = DEFAULT_SETTINGS_FILE) -> Settings:
    """Read the shipped defaults from ``data/settings.toml``.

    >>> load_default_settings().horizon_months
    12

    Raises:
        ConfigError: when the file is not valid TOML or a value is out of range.
    """
    return settings_from_values(_read_toml(Path(path)), Path(path).name)


def load_rubric(path: Path = DEFAULT_RUBRIC_FILE) -> RubricConfig:
    """Read weights and thresholds from a TOML file (``data/rubric.toml`` by default).

    >>> rubric.weights["overlap"]
    3.0

    Raises:
        ConfigError: naming the file and the field when a value is missing or out of range.
    """
    return parse_rubric(_read_toml(Path(path)), Path(path).name)


def load_complexity_rules(path: Path | str = DEFAULT_COMPLEXITY_FILE) -> ComplexityRules:
    """Read and validate a complexity file (by default the shipped ``data/complexity.toml``).

    >>> load_complexity_rules().scenarios.merge_absorption
    0.2

    Raises:
        ConfigError: when the file cannot be read, is not TOML, or a value is missing or out of range;
            the message names the file, the field and the fix.
    """
    path = Path(path)
    try:
        values = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise ConfigError(f"{path.name}: could not be read ({error.strerror}); fix: restore the file "
                          "from the repository") from None
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{path.name}: is not valid TOML ({error}); fix: correct the line named") from None
    return parse_complexity_rules(values, path.name)


@lru_cache(maxsize=4)
def _cached_rules(path: str, modified_ns: int) -> ComplexityRules:
    return load_complexity_rules(path)


def default_complexity_rules() -> ComplexityRules:
    """The shipped rules, read once and read again only when the file changes.

    >>> from core.domain.registry import Complexity
    >>> rules.defaults_for(Complexity.SIMPLE).monthly_maintenance_hours
    Range(low=2.0, likely=2.5, high=3.0)
    """
    try:
        modified = DEFAULT_COMPLEXITY_FILE.stat().st_mtime_ns
    except OSError:
        modified = 0  # load_complexity_rules reports the missing file properly
    return _cached_rules(str(DEFAULT_COMPLEXITY_FILE), modified)


def load_default_agenda(path: Path = DEFAULT_AGENDA_FILE) -> tuple[AgendaStep, ...]:
    """Read the agenda every new session starts from (``data/agenda.toml`` by default).

    >>> [(s.title, s.minutes) for s in load_default_agenda()]
    [('Context', 5), ('Overlaps', 15), ('Scoring', 15), ('Decisions', 10), ('Owners', 5)]

    Raises:
        ConfigError: naming the file, the step and the fix.
    """
    return parse_agenda(_read_toml(Path(path)), Path(path).name)


def _read_alias_text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8-sig")  # -sig: Excel writes a BOM
    except FileNotFoundError:
        raise ConfigError(f"{path.name} was not found at {path}; "
                          "create it with the header line 'alias,canonical'") from None
    except UnicodeDecodeError:
        raise ConfigError(f"{path.name} is not UTF-8 text; save it again as 'CSV UTF-8'") from None
    except OSError as error:
        raise ConfigError(f"{path.name} could not be read: {error}") from None


def load_aliases(
    system_csv: Path | None = SYSTEM_ALIASES_FILE,
    object_csv: Path | None = OBJECT_ALIASES_FILE,
) -> Aliases:
    """Read the system and object alias tables from CSV files with columns ``alias,canonical``.

    >>> load_aliases(None, None).is_empty, load_aliases().systems["sfdc"]
    (True, 'Salesforce')

    Args:
        system_csv: the system alias file, or ``None`` for no system aliases.
        object_csv: the data-object alias file, or ``None`` for no object aliases.

    Raises:
        ConfigError: when a file is missing, unreadable, lacks the header, or has a bad row; the
            message names the file, the row and the fix.
    """
    tables = {}
    for kind, path in (("system", system_csv), ("object", object_csv)):
        tables[kind] = alias_table_from_csv(_read_alias_text(Path(path)), Path(path).name, kind) if path else {}
    return Aliases(systems=tables["system"], objects=tables["object"])


def default_alias_pairs() -> AliasPairs:
    """The shipped alias tables as (alias, canonical) rows, for the Settings editor and reset."""
    rows = {}
    for kind, path in (("systems", SYSTEM_ALIASES_FILE), ("objects", OBJECT_ALIASES_FILE)):
        with path.open(encoding="utf-8-sig", newline="") as handle:
            rows[kind] = tuple((row["alias"].strip(), row["canonical"].strip()) for row in csv.DictReader(handle)
                               if (row.get("alias") or "").strip())
    return AliasPairs(**rows)


def sample_registry_bytes() -> bytes:
    """The shipped sample registry (``data/sample_registry.csv``), as a file would be uploaded."""
    return SAMPLE_REGISTRY.read_bytes()
