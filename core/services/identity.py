"""Who is acting: the local user, a signed-in person and the role their e-mail has, or a command-line script."""

from __future__ import annotations

from sqlalchemy.engine import Engine

from core.domain.access import LOCAL_ACTOR_ROLE, Actor, Role, email_verified, role_for_email, system_actor
from core.storage.settings_store import load_role_mapping

__all__ = ["Actor", "Role", "email_verified", "local_actor", "signed_in_actor", "system_actor"]

LOCAL_USER = "local user"


def local_actor(name: str) -> Actor:
    """Local mode: the single person at this copy of the app, an admin, named as they typed it."""
    return Actor(name=name.strip() or LOCAL_USER, role=LOCAL_ACTOR_ROLE)


def signed_in_actor(engine: Engine, email: str, display_name: str = "", *, extra_admins=(),
                    verified_claim: object = None) -> Actor:
    """Team mode: the signed-in e-mail with the role the saved mapping gives it (viewer if unlisted).

    ``verified_claim`` is the provider's ``email_verified`` claim: when it says the e-mail is not verified, the
    person is a viewer whatever the mapping lists (see :func:`core.domain.access.email_verified`).
    """
    email = email.strip()
    role = role_for_email(email, load_role_mapping(engine), extra_admins=extra_admins,
                          verified=email_verified(verified_claim))
    return Actor(name=email or display_name or "signed-in user", role=role, email=email or None)
