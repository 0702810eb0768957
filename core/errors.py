"""Named domain errors: pages show them with ``st.error``, the CLI prints them, nobody sees a traceback."""


class GovernanceError(Exception):
    """Base class of every error a user can cause and fix; ``str(error)`` is the message to show."""


class ValueFormatError(GovernanceError, ValueError):
    """A single cell could not be read (a number, range, date, yes/no or allowed value)."""


class RegistryFileError(GovernanceError):
    """The whole file is unusable: empty, not CSV, or without a recognisable header."""


class ImportRejected(GovernanceError):
    """A strict import found invalid rows, so nothing was written."""


class IntegrationNotFound(GovernanceError):
    """An id was asked for that the registry does not hold."""


class ConfigError(GovernanceError):
    """A settings, rubric or alias file has a value that cannot be used."""
