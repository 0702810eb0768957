"""Who may change what: the three roles, the person acting, and the checks every core write makes first.

Local mode (the default) has one user, who is an admin. Team mode signs people in (OIDC) and maps
their e-mail to a role with the mapping saved on the Settings page. The checks live here and are
called by every write function in ``core``, so a viewer cannot change anything even through a page
that forgot to hide a button.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from core.errors import ConfigError, PermissionDenied


class Role(StrEnum):
    """What a person may do: viewers look, editors change the registry and sessions, admins also configure."""

    VIEWER = "viewer"
    EDITOR = "editor"
    ADMIN = "admin"

    @property
    def rank(self) -> int:
        return _RANK[self]


_RANK = {Role.VIEWER: 0, Role.EDITOR: 1, Role.ADMIN: 2}

# Local mode is single-user: whoever runs the app on their machine configures it too.
LOCAL_ACTOR_ROLE = Role.ADMIN
# Scripts with direct database access (``igov import``, sample seeding) act as admins under this role.
SYSTEM_ROLE = Role.ADMIN

VIEWER_MESSAGE = "Viewers can look but not change anything. Ask an admin for editor access."
EDITOR_MESSAGE = "Only admins can change settings, the rubric, aliases and who has which role. Ask an admin."

_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")


@dataclass(frozen=True, slots=True)
class Actor:
    """The person (or script) making a change: the name recorded in history, and their role.

    >>> Actor("Ana", Role.EDITOR).can_edit, Actor("Ana", Role.EDITOR).is_admin
    (True, False)
    """

    name: str
    role: Role
    email: str | None = None

    @property
    def can_edit(self) -> bool:
        return self.role.rank >= Role.EDITOR.rank

    @property
    def is_admin(self) -> bool:
        return self.role is Role.ADMIN


def system_actor(name: str) -> Actor:
    """A script or start-up task that writes with direct database access (trusted like an admin).

    >>> system_actor("igov import")
    Actor(name='igov import', role=<Role.ADMIN: 'admin'>, email=None)
    """
    return Actor(name=name, role=SYSTEM_ROLE)


def require_editor(actor: Actor) -> None:
    """Refuse a viewer: registry edits, survivor choices, sessions and scorings need an editor or admin.

    >>> require_editor(Actor("Vic", Role.VIEWER))
    Traceback (most recent call last):
    ...
    core.errors.PermissionDenied: Viewers can look but not change anything. Ask an admin for editor access.
    """
    _check_actor(actor)
    if not actor.can_edit:
        raise PermissionDenied(VIEWER_MESSAGE)


def require_admin(actor: Actor) -> None:
    """Refuse anyone but an admin: settings, rubric, aliases, reset and the role mapping.

    >>> try:
    ...     require_admin(Actor("Eve", Role.EDITOR))
    ... except PermissionDenied as error:
    ...     print(error)
    Only admins can change settings, the rubric, aliases and who has which role. Ask an admin.
    """
    _check_actor(actor)
    if not actor.is_admin:
        raise PermissionDenied(VIEWER_MESSAGE if actor.role is Role.VIEWER else EDITOR_MESSAGE)


def _check_actor(actor: object) -> None:
    # A caller passing a plain name (the old ``updated_by``) or nothing must not slip through as anyone.
    if not isinstance(actor, Actor) or not isinstance(actor.role, Role):
        raise PermissionDenied("Nobody is signed in, so nothing can be changed. Sign in and try again.")


def normalise_email(email: str) -> str:
    """E-mails are compared without case and surrounding spaces.

    >>> normalise_email("  Ana.Silva@Example.COM ")
    'ana.silva@example.com'
    """
    return (email or "").strip().lower()


@dataclass(frozen=True, slots=True)
class RoleMapping:
    """Which e-mails are admins and editors in team mode; everyone else who signs in is a viewer."""

    admins: tuple[str, ...] = ()
    editors: tuple[str, ...] = ()

    @classmethod
    def from_lists(cls, admins: Iterable[str], editors: Iterable[str]) -> RoleMapping:
        """Check and tidy both lists (lower case, no blanks, no duplicates, nobody in both).

        >>> RoleMapping.from_lists(["Ana@x.com", ""], ["bo@x.com", "bo@x.com"])
        RoleMapping(admins=('ana@x.com',), editors=('bo@x.com',))
        >>> RoleMapping.from_lists(["ana"], [])
        Traceback (most recent call last):
        ...
        core.errors.ConfigError: 'ana' is not an e-mail address: write it as name@company.com.

        Raises:
            ConfigError: naming the first entry that is not an e-mail or is listed as both admin and editor.
        """
        tidy: dict[str, list[str]] = {"admins": [], "editors": []}
        for kind, values in (("admins", admins), ("editors", editors)):
            for raw in values:
                email = normalise_email(str(raw or ""))
                if not email:
                    continue
                if not _EMAIL.fullmatch(email):
                    raise ConfigError(f"{raw.strip()!r} is not an e-mail address: write it as name@company.com.")
                if email not in tidy[kind]:
                    tidy[kind].append(email)
        both = sorted(set(tidy["admins"]) & set(tidy["editors"]))
        if both:
            raise ConfigError(f"{both[0]} is listed as both admin and editor: keep one.")
        return cls(admins=tuple(tidy["admins"]), editors=tuple(tidy["editors"]))

    @classmethod
    def from_value(cls, value: dict | None) -> RoleMapping:
        """The mapping as stored (``{"admins": [...], "editors": [...]}``); ``None`` is an empty mapping."""
        value = value or {}
        return cls.from_lists(value.get("admins", []), value.get("editors", []))

    def as_value(self) -> dict:
        return {"admins": list(self.admins), "editors": list(self.editors)}


def email_verified(claim: object) -> bool:
    """Whether the sign-in provider's ``email_verified`` claim lets the e-mail stand for its owner.

    A provider that does not send the claim (some only hand out verified e-mails) is trusted; one that sends it
    false, in any spelling, is not: anyone could have typed that address into their account.

    >>> [email_verified(c) for c in (None, True, "true", False, "false", "False", 0, "")]
    [True, True, True, False, False, False, False, False]
    """
    if claim is None:
        return True
    if isinstance(claim, str):
        return claim.strip().lower() in ("true", "1", "yes")
    return bool(claim)


def role_for_email(email: str | None, mapping: RoleMapping, default: Role = Role.VIEWER,
                   extra_admins: Iterable[str] = (), *, verified: bool = True) -> Role:
    """The role of a signed-in person: admin or editor when listed, else ``default``.

    >>> mapping = RoleMapping.from_lists(["ana@x.com"], ["bo@x.com"])
    >>> [role_for_email(e, mapping).value for e in ("ANA@x.com", "bo@x.com", "cy@x.com", None)]
    ['admin', 'editor', 'viewer', 'viewer']
    >>> role_for_email("cy@x.com", mapping, extra_admins=["Cy@x.com"]).value
    'admin'
    >>> role_for_email("ana@x.com", mapping, verified=False).value
    'viewer'

    Args:
        email: the signed-in e-mail (``None`` when the provider gave none).
        mapping: the saved role mapping.
        default: the role of anyone not listed.
        extra_admins: e-mails that are always admins (the deployment's bootstrap admins).
        verified: whether the provider vouches for the e-mail (:func:`email_verified`); an unverified e-mail
            gets ``default`` whatever the lists say.
    """
    key = normalise_email(email or "")
    if not key or not verified:
        return default
    if key in mapping.admins or key in {normalise_email(e) for e in extra_admins}:
        return Role.ADMIN
    if key in mapping.editors:
        return Role.EDITOR
    return default
