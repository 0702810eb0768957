"""Saved settings: costs and analysis, the rubric, the name aliases and the role mapping, each versioned."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import replace

from sqlalchemy import select, update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from core.domain.access import Actor, RoleMapping, require_admin
from core.domain.names import Aliases, AliasPairs
from core.domain.rubric import RubricConfig
from core.domain.settings import Settings
from core.errors import EditConflict
from core.storage.audit import changed_fields, jsonable, record_change
from core.storage.defaults import default_alias_pairs, load_aliases, load_default_settings, load_rubric
from core.storage.tables import AppSetting, utc_now
from core.wording import format_time
from core.storage.transactions import SETTINGS_LOCK, write_session

SETTINGS_KEY = "settings"


ALIASES_KEY = "aliases"


RUBRIC_KEY = "rubric"


ROLES_KEY = "roles"


# How history entries and conflict messages name each saved setting.
SETTING_LABELS = {
    SETTINGS_KEY: "the cost and analysis settings",
    RUBRIC_KEY: "the decision rubric",
    ALIASES_KEY: "the name aliases",
    ROLES_KEY: "the role mapping",
}


def _saved(engine: Engine, key: str) -> dict | None:
    """The value saved under ``key``, or ``None`` while it was never saved (the shipped default is in force)."""
    with Session(engine) as session:
        record = session.get(AppSetting, key)
    return record.value if record is not None else None


def load_settings(engine: Engine) -> Settings:
    """The saved settings, or the shipped defaults when none were saved."""
    defaults, saved = load_default_settings(), _saved(engine, SETTINGS_KEY)
    if saved is None:
        return defaults
    known = {k: v for k, v in saved.items() if k in Settings.__dataclass_fields__}
    return Settings(**(defaults.as_dict() | known))


def load_alias_tables(engine: Engine) -> Aliases:
    """The alias tables saved from the Settings page, or the shipped CSV files when none were saved."""
    saved = _saved(engine, ALIASES_KEY)
    if saved is None:
        return load_aliases()
    return Aliases.from_pairs(systems=saved.get("systems", []), objects=saved.get("objects", []))


def setting_version(engine: Engine, key: str) -> int:
    """The version of a saved setting (``settings``, ``rubric``, ``aliases``, ``roles``); 0 while never saved.

    A page keeps the version it showed and passes it back as ``expected_version`` when saving.
    """
    with Session(engine) as session:
        version = session.execute(select(AppSetting.version).where(AppSetting.key == key)).scalar_one_or_none()
    return int(version or 0)


def _setting_defaults(key: str) -> dict:
    # What was in force before a setting was first saved: the history's "before" of the first save.
    if key == SETTINGS_KEY:
        return load_default_settings().as_dict()
    if key == RUBRIC_KEY:
        return _rubric_value(load_rubric())
    if key == ALIASES_KEY:
        return _alias_value(default_alias_pairs())
    return RoleMapping().as_value()


def _setting_conflict(record: AppSetting | None, key: str) -> EditConflict:
    label = SETTING_LABELS.get(key, key)
    if record is None:
        return EditConflict(f"{label.capitalize()} changed after you opened this page, so your change was not saved: "
                            "reload to see the current values, or overwrite them with yours.")
    when = format_time(record.updated_at) if record.updated_at else "recently"  # in UTC, as the message says
    who = record.updated_by or "someone else"
    return EditConflict(f"{label.capitalize()} were changed by {who} at {when} (UTC) after you opened this page, "
                        "so your change was not saved: reload to see theirs, or overwrite them with yours.")


def _put_setting(session: Session, key: str, value: dict, actor: Actor, expected_version: int | None) -> int:
    """Save one setting if it is still at ``expected_version`` (``None``: whatever it is), with its history entry.

    Returns:
        The setting's new version.

    Raises:
        EditConflict: when someone else saved it since (naming who and when); nothing is written.
    """
    value = jsonable(value)
    record = session.execute(select(AppSetting).where(AppSetting.key == key)
                             .execution_options(populate_existing=True)).scalar_one_or_none()
    label = SETTING_LABELS.get(key, key)
    if record is None:
        if expected_version not in (None, 0):
            raise _setting_conflict(None, key)
        before = _setting_defaults(key)
        session.add(AppSetting(key=key, value=value, updated_by=actor.name))
        try:
            session.flush()
        except IntegrityError:
            # Someone else saved this setting for the first time at the same moment.
            raise _setting_conflict(None, key) from None
        new_version = 1
    else:
        if expected_version is not None and record.version != expected_version:
            raise _setting_conflict(record, key)
        before = record.value
        # Conditional update: the version the user saw came from an earlier page run (see tech notes).
        result = session.execute(
            update(AppSetting).where(AppSetting.key == key, AppSetting.version == record.version)
            .values(value=value, version=record.version + 1, updated_at=utc_now(), updated_by=actor.name)
            .execution_options(synchronize_session=False))
        if result.rowcount != 1:
            raise _setting_conflict(session.execute(
                select(AppSetting).where(AppSetting.key == key)
                .execution_options(populate_existing=True)).scalar_one_or_none(), key)
        new_version = record.version + 1
    fields = changed_fields(before, value)
    what = ", ".join(fields) if fields else "nothing changed"
    record_change(session, actor, "update", "setting", key, before, value, f"Changed {label}: {what}.")
    return new_version


def _save_as_admin(engine: Engine, key: str, value: dict, actor: Actor, expected_version: int | None) -> int:
    """Save one setting in its own transaction, admins only; the new version, or EditConflict / PermissionDenied.

    ``expected_version`` is the version the user loaded (:func:`setting_version`); ``None`` overwrites whatever is
    saved (the page's "overwrite" after a conflict, scripts). The conflict message names who saved and when.
    """
    require_admin(actor)
    with write_session(engine, locks=(SETTINGS_LOCK,), what=SETTING_LABELS.get(key, key)) as session:
        return _put_setting(session, key, value, actor, expected_version)


def save_settings(engine: Engine, settings: Settings, *, actor: Actor, expected_version: int | None) -> int:
    """Save validated settings (a :class:`Settings` value cannot hold an invalid one); returns the new version."""
    return _save_as_admin(engine, SETTINGS_KEY, settings.as_dict(), actor, expected_version)


def _alias_value(pairs: AliasPairs) -> dict:
    return {"systems": [list(p) for p in pairs.systems], "objects": [list(p) for p in pairs.objects]}


def save_alias_tables(
    engine: Engine, systems: Iterable[tuple[str, str]], objects: Iterable[tuple[str, str]], *,
    actor: Actor, expected_version: int | None,
) -> int:
    """Validate and save both alias tables; returns the new version (ConfigError names an invalid pair)."""
    require_admin(actor)
    systems, objects = [tuple(p) for p in systems], [tuple(p) for p in objects]
    Aliases.from_pairs(systems=systems, objects=objects)  # validates
    value = _alias_value(AliasPairs(systems=tuple(systems), objects=tuple(objects)))
    return _save_as_admin(engine, ALIASES_KEY, value, actor, expected_version)


def load_alias_pairs(engine: Engine) -> AliasPairs:
    """The alias rows in force: saved ones, else the shipped files."""
    return _alias_pairs(_saved(engine, ALIASES_KEY))


def _alias_pairs(saved: dict | None) -> AliasPairs:
    if saved is None:
        return default_alias_pairs()
    return AliasPairs(**{kind: tuple(tuple(p) for p in saved.get(kind, [])) for kind in ("systems", "objects")})


def change_alias_tables(engine: Engine, change: Callable[[AliasPairs], AliasPairs], *, actor: Actor) -> int:
    """Read the alias tables, change them and save the result in one locked transaction; returns the new version.

    For a change made on top of whatever is saved (adding one alias): nobody's save in between is lost,
    and none is refused as a conflict, because nobody can save in between.

    Raises:
        PermissionDenied: unless the actor is an admin.
        ConfigError: when the result is not a valid alias table (the message names the row).
    """
    require_admin(actor)
    with write_session(engine, locks=(SETTINGS_LOCK,), what=SETTING_LABELS[ALIASES_KEY]) as session:
        record = session.execute(select(AppSetting.value, AppSetting.version)
                                 .where(AppSetting.key == ALIASES_KEY)).first()
        pairs = change(_alias_pairs(record.value if record else None))
        Aliases.from_pairs(systems=pairs.systems, objects=pairs.objects)  # validates
        return _put_setting(session, ALIASES_KEY, _alias_value(pairs), actor, record.version if record else 0)


def reset_settings(engine: Engine, *, actor: Actor) -> None:
    """Put the shipped defaults back for settings, rubric and aliases (one history entry each).

    Defaults are written (not just deleted) so each setting's version keeps growing and no cached
    analysis of an earlier state can be mistaken for the current one. A reset is deliberate and
    confirmed on the page, so it overwrites whatever is saved.

    Raises:
        PermissionDenied: unless the actor is an admin.
    """
    require_admin(actor)
    with write_session(engine, locks=(SETTINGS_LOCK,), what="the settings") as session:
        for key in (SETTINGS_KEY, ALIASES_KEY, RUBRIC_KEY):
            _put_setting(session, key, _setting_defaults(key), actor, None)


def load_role_mapping(engine: Engine) -> RoleMapping:
    """Which e-mails are admins and editors in team mode (empty until an admin saves it)."""
    return RoleMapping.from_value(_saved(engine, ROLES_KEY))


def save_role_mapping(engine: Engine, mapping: RoleMapping, *, actor: Actor, expected_version: int | None) -> int:
    """Save who is admin and editor (validated by :class:`RoleMapping`); returns the new version."""
    return _save_as_admin(engine, ROLES_KEY, mapping.as_value(), actor, expected_version)


def load_saved_rubric(engine: Engine) -> RubricConfig:
    """The rubric weights and thresholds saved from Settings, or ``data/rubric.toml``'s."""
    defaults, saved = load_rubric(), _saved(engine, RUBRIC_KEY)
    if saved is None:
        return defaults
    return replace(defaults, weights={**defaults.weights, **saved.get("weights", {})},
                   **{k: v for k, v in saved.items() if k != "weights" and k in RubricConfig.__dataclass_fields__})


def save_rubric(engine: Engine, config: RubricConfig, *, actor: Actor, expected_version: int | None) -> int:
    """Save weights and thresholds (a RubricConfig value is already validated); returns the new version."""
    return _save_as_admin(engine, RUBRIC_KEY, _rubric_value(config), actor, expected_version)


def _rubric_value(config: RubricConfig) -> dict:
    return {"weights": dict(config.weights),
            **{k: getattr(config, k) for k in RubricConfig.__dataclass_fields__ if k != "weights"}}
