"""People the tests act as: one per role, and helpers to name someone else with a role."""

from __future__ import annotations

from core.domain.access import Actor, Role

ADMIN = Actor("Ana Admin", Role.ADMIN)
EDITOR = Actor("Eve Editor", Role.EDITOR)
VIEWER = Actor("Vic Viewer", Role.VIEWER, email="vic@example.com")


def editor(name: str) -> Actor:
    return Actor(name, Role.EDITOR)


def admin(name: str) -> Actor:
    return Actor(name, Role.ADMIN)
