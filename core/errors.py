"""Named domain errors: pages show them with ``st.error``, the CLI prints them, nobody sees a traceback."""

from collections.abc import Iterable


class GovernanceError(Exception):
    """Base class of every error a user can cause and fix; ``str(error)`` is the message to show."""


class ValueFormatError(GovernanceError, ValueError):
    """A single cell could not be read (a number, range, date, yes/no or allowed value)."""


class RegistryFileError(GovernanceError):
    """The whole file is unusable: empty, not CSV, or without a recognisable header."""


class MissingColumnsError(RegistryFileError):
    """The header lacks required columns; ``suggestions`` names the file's columns that probably mean them.

    ``columns`` are the file's header cells as typed, ``missing`` the required fields no column matched, and
    ``suggestions`` maps a missing field to the file column that looks like it (only where one does), so a page can
    offer a mapping step with the suggestions filled in. ``unused`` are the columns not read as any field and not
    suggested: those a person may pick for a missing field nothing looks like.
    """

    def __init__(self, message: str, *, missing: Iterable[str], columns: Iterable[str],
                 suggestions: dict[str, str] | None = None, unused: Iterable[str] = ()) -> None:
        super().__init__(message)
        self.missing: tuple[str, ...] = tuple(missing)
        self.columns: tuple[str, ...] = tuple(columns)
        self.suggestions: dict[str, str] = dict(suggestions or {})
        self.unused: tuple[str, ...] = tuple(unused)


class IntegrationNotFound(GovernanceError):
    """An id was asked for that the registry does not hold."""


class ConfigError(GovernanceError):
    """A settings, rubric or alias file has a value that cannot be used."""


class BackupError(GovernanceError):
    """A backup file cannot be restored (foreign, damaged, or from a newer igov); nothing was changed."""


class ScoringError(GovernanceError):
    """A scoring could not be saved as given; the message says what to fix."""


class EditConflict(GovernanceError):
    """Someone else saved the same record after this user loaded it: nothing was written."""


class DatabaseError(GovernanceError):
    """The database could not be reached or prepared, or refused a change for a reason the person cannot fix."""


class DatabaseBusy(GovernanceError):
    """Someone else was writing the same thing for longer than this change could wait; nothing was written."""


class ProposalError(GovernanceError):
    """The proposal form has answers that cannot be scored; the message lists each one to fix."""


class PermissionDenied(GovernanceError):
    """The person acting lacks the role this change needs; nothing was written."""


class SessionError(GovernanceError):
    """A session action that cannot be done as asked; ``problems`` lists each reason when there are several."""

    def __init__(self, message: str, problems: Iterable[str] = ()) -> None:
        super().__init__(message)
        self.problems: tuple[str, ...] = tuple(problems) or (message,)


class ClusterNotFound(GovernanceError):
    """A cluster id was asked for that the current analysis does not have."""


class InvalidChoice(GovernanceError):
    """A choice offered by a page or a command was answered with something it did not offer."""
