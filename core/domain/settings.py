"""Portfolio-wide assumptions (rate, currency, horizon, overlap threshold) and their defaults."""

from __future__ import annotations

from dataclasses import asdict, dataclass

from core.domain.ranges import Range
from core.errors import ConfigError


@dataclass(frozen=True, slots=True)
class Settings:
    """The assumptions every number depends on; shown beside the numbers they produce.

    >>> Settings().hourly_rate
    Range(low=150.0, likely=175.0, high=200.0)
    """

    organisation: str = "Our company"  # printed under the title of exported PDFs
    currency: str = "$"
    hourly_rate_low: float = 150.0
    hourly_rate_likely: float = 175.0
    hourly_rate_high: float = 200.0
    horizon_months: int = 12
    overlap_threshold: float = 0.5
    include_retired: bool = False
    hours_per_fte: float = 140.0  # the working hours of one full-time person a month, for FTE figures
    team_capacity_hours: float = 0.0  # the team's engineering hours a month; 0 while not set

    def __post_init__(self) -> None:
        problems = validate_settings(asdict(self))
        if problems:
            raise ConfigError("; ".join(problems))

    @property
    def hourly_rate(self) -> Range:
        return Range(self.hourly_rate_low, self.hourly_rate_likely, self.hourly_rate_high)

    @property
    def organisation_named(self) -> bool:
        """Whether somebody gave the organisation a name (PDFs never print the placeholder).

        >>> Settings().organisation_named, Settings(organisation="Acme").organisation_named
        (False, True)
        """
        return self.organisation.strip() != DEFAULT_ORGANISATION

    @property
    def team_capacity(self) -> float | None:
        """The team's engineering capacity in hours a month, ``None`` while not set."""
        return self.team_capacity_hours if self.team_capacity_hours > 0 else None

    def as_dict(self) -> dict:
        return asdict(self)


DEFAULT_ORGANISATION = "Our company"
# The share of engineering capacity that maintaining duplicates should stay under: guidance, not a rule.
DUPLICATE_CAPACITY_GUIDELINE = 0.20


def validate_settings(values: dict) -> list[str]:
    """Every problem with a settings mapping, in words that name the field and the fix.

    >>> validate_settings({"horizon_months": 0})
    ['horizon_months must be a whole number of months from 1 to 120 (got 0)']
    """
    problems: list[str] = []
    defaults = {"low": 150, "likely": 175, "high": 200}
    low, likely, high = (values.get(f"hourly_rate_{k}", v) for k, v in defaults.items())
    try:
        if not (0 < float(low) <= float(likely) <= float(high)):
            problems.append(
                f"hourly rate must be positive with low <= likely <= high (got {low} / {likely} / {high})"
            )
    except (TypeError, ValueError):
        problems.append(f"hourly rate must be numbers (got {low} / {likely} / {high})")
    horizon = values.get("horizon_months", 12)
    if not isinstance(horizon, int) or isinstance(horizon, bool) or not 1 <= horizon <= 120:
        problems.append(f"horizon_months must be a whole number of months from 1 to 120 (got {horizon})")
    threshold = values.get("overlap_threshold", 0.5)
    if not isinstance(threshold, (int, float)) or not 0 < threshold <= 1:
        problems.append(f"overlap_threshold must be a number above 0 and at most 1 (got {threshold})")
    organisation = values.get("organisation", "Our company")
    if not isinstance(organisation, str) or not 1 <= len(organisation.strip()) <= 80:
        problems.append(f"organisation must be a name of 1 to 80 characters (got {organisation!r})")
    hours_per_fte = values.get("hours_per_fte", 140.0)
    if isinstance(hours_per_fte, bool) or not isinstance(hours_per_fte, (int, float)) or not 1 <= hours_per_fte <= 744:
        problems.append(f"hours_per_fte must be the hours one full-time person works a month, from 1 to 744 "
                        f"(got {hours_per_fte})")
    capacity = values.get("team_capacity_hours", 0.0)
    if isinstance(capacity, bool) or not isinstance(capacity, (int, float)) or not 0 <= capacity <= 10_000_000:
        problems.append(f"team_capacity_hours must be hours a month, 0 for not set (got {capacity})")
    currency = values.get("currency", "$")
    if not isinstance(currency, str) or not 1 <= len(currency.strip()) <= 4:
        problems.append(f"currency must be a symbol or code of 1 to 4 characters (got {currency!r})")
    return problems


def settings_from_values(values: dict, source: str = "settings") -> Settings:
    """Settings from a mapping read from a file; unknown keys are refused, naming ``source``.

    >>> settings_from_values({"currency": "€"}).currency
    '€'
    >>> settings_from_values({"colour": "red"}, "settings.toml")
    Traceback (most recent call last):
    ...
    core.errors.ConfigError: settings.toml has unknown settings: colour
    """
    known = {k: v for k, v in values.items() if k in Settings.__dataclass_fields__}
    unknown = sorted(set(values) - set(known))
    if unknown:
        raise ConfigError(f"{source} has unknown settings: {', '.join(unknown)}")
    return Settings(**known)
