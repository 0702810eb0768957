"""Alias actions for the command line: add, list and remove a spelling, and read a CI run's alias file."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.engine import Engine

from core.domain.access import Actor
from core.domain.names import AliasPairs, Aliases, normalize_key, object_lookup_key
from core.errors import ConfigError
from core.services.overlaps import add_alias
from core.services.trend import snapshot_portfolio
from core.storage.defaults import load_aliases
from core.storage.settings_store import change_alias_tables, load_alias_pairs

__all__ = ["AliasPairs", "add_alias", "aliases_from_file", "list_aliases", "remove_alias"]
KINDS = ("system", "object")


def list_aliases(engine: Engine) -> AliasPairs:
    """The alias rows in force: saved ones, else the shipped files."""
    return load_alias_pairs(engine)


def remove_alias(engine: Engine, kind: str, alias: str, *, actor: Actor) -> int:
    """Remove the row that makes ``alias`` another spelling of a name; returns the alias tables' new version.

    Raises:
        ConfigError: when no row has that alias (the message lists the ones there are of that kind).
        PermissionDenied: unless the actor is an admin.
    """
    key_of = normalize_key if kind == "system" else object_lookup_key

    def without(pairs: AliasPairs) -> AliasPairs:
        rows = pairs.systems if kind == "system" else pairs.objects
        kept = tuple(row for row in rows if key_of(row[0]) != key_of(alias) or row[0] == row[1])
        if len(kept) == len(rows):
            known = ", ".join(a for a, c in rows if a != c) or "none"
            raise ConfigError(f"No {kind} alias '{alias.strip()}' to remove. The {kind} aliases: {known}.")
        return AliasPairs(systems=kept, objects=pairs.objects) if kind == "system" else AliasPairs(
            systems=pairs.systems, objects=kept)

    version = change_alias_tables(engine, without, actor=actor)
    snapshot_portfolio(engine, cause=f"alias {alias.strip()} removed")  # clusters may have changed
    return version


def aliases_from_file(path: str) -> Aliases:
    """The system aliases of a two-column ``alias,canonical`` CSV (as ``data/system_aliases.csv``), with the shipped
    object aliases: how a CI run keeps its aliases in git (``--aliases FILE``).

    Raises:
        ConfigError: naming the file, the row and the fix.
    """
    shipped = load_aliases()
    return Aliases(systems=load_aliases(Path(path), None).systems, objects=shipped.objects)


def database_aliases(url: str | None) -> Aliases | None:
    """The alias tables saved in the database an analysis of a file should use, or ``None`` when there is none to
    read: no ``--db``, no ``DATABASE_URL`` and no local database yet (nothing is created to find that out).

    Raises:
        DatabaseError: when a named database cannot be reached, in words.
    """
    import os

    from core.services.database import open_database
    from core.storage.db import DEFAULT_DATABASE_URL
    from core.storage.settings_store import load_alias_tables

    if not url and not os.environ.get("DATABASE_URL") and \
            not Path(DEFAULT_DATABASE_URL.removeprefix("sqlite:///")).exists():
        return None
    return load_alias_tables(open_database(url))
