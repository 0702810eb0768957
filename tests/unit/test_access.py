"""Roles: who may do what, and how a signed-in e-mail gets its role."""

from __future__ import annotations

import pytest

from core.domain.access import (
    LOCAL_ACTOR_ROLE,
    Actor,
    Role,
    RoleMapping,
    email_verified,
    require_admin,
    require_editor,
    role_for_email,
    system_actor,
)
from core.errors import ConfigError, GovernanceError, PermissionDenied

ALLOWED = "allowed"
VIEWER_REFUSAL = "Viewers can look but not change anything. Ask an admin for editor access."
EDITOR_REFUSAL = "Only admins can change settings, the rubric, aliases and who has which role. Ask an admin."


@pytest.mark.parametrize(("role", "check", "outcome"), [
    (Role.VIEWER, require_editor, VIEWER_REFUSAL),
    (Role.VIEWER, require_admin, VIEWER_REFUSAL),
    (Role.EDITOR, require_editor, ALLOWED),
    (Role.EDITOR, require_admin, EDITOR_REFUSAL),
    (Role.ADMIN, require_editor, ALLOWED),
    (Role.ADMIN, require_admin, ALLOWED),
])
def test_each_role_may_do_exactly_what_it_should(role, check, outcome):
    actor = Actor("Someone", role)

    if outcome == ALLOWED:
        check(actor)
    else:
        with pytest.raises(PermissionDenied) as refused:
            check(actor)
        assert str(refused.value) == outcome


@pytest.mark.parametrize("not_an_actor", [None, "Ana", Actor("Ana", "admin")])
@pytest.mark.parametrize("check", [require_editor, require_admin])
def test_a_plain_name_or_nobody_is_never_taken_for_a_role(not_an_actor, check):
    with pytest.raises(PermissionDenied, match="Nobody is signed in"):
        check(not_an_actor)


def test_permission_denied_is_a_plain_message_error():
    assert issubclass(PermissionDenied, GovernanceError)


def test_local_mode_and_scripts_act_as_admins():
    assert LOCAL_ACTOR_ROLE is Role.ADMIN
    assert system_actor("igov import") == Actor("igov import", Role.ADMIN)


MAPPING = RoleMapping.from_lists(["ana@acme.com"], ["bo@acme.com", "cy@acme.com"])


@pytest.mark.parametrize(("email", "expected"), [
    ("ana@acme.com", Role.ADMIN),
    ("  ANA@Acme.com ", Role.ADMIN),
    ("bo@acme.com", Role.EDITOR),
    ("cy@acme.com", Role.EDITOR),
    ("dee@acme.com", Role.VIEWER),
    ("ana@acme.com.evil.io", Role.VIEWER),
    ("", Role.VIEWER),
    (None, Role.VIEWER),
])
def test_role_for_email(email, expected):
    assert role_for_email(email, MAPPING) is expected


def test_unlisted_people_get_the_default_and_bootstrap_admins_are_admins():
    assert role_for_email("dee@acme.com", MAPPING, default=Role.EDITOR) is Role.EDITOR
    assert role_for_email("dee@acme.com", MAPPING, extra_admins=["Dee@Acme.com"]) is Role.ADMIN
    assert role_for_email("bo@acme.com", MAPPING, extra_admins=["bo@acme.com"]) is Role.ADMIN


@pytest.mark.parametrize(("admins", "editors", "message"), [
    (["not an e-mail"], [], "'not an e-mail' is not an e-mail address"),
    (["ana@acme.com"], ["ANA@acme.com"], "ana@acme.com is listed as both admin and editor"),
])
def test_a_bad_role_mapping_is_refused_in_words(admins, editors, message):
    with pytest.raises(ConfigError, match=message):
        RoleMapping.from_lists(admins, editors)


def test_the_role_mapping_is_stored_as_two_lists():
    mapping = RoleMapping.from_lists([" Ana@acme.com ", ""], ["bo@acme.com", "bo@acme.com"])

    assert mapping.as_value() == {"admins": ["ana@acme.com"], "editors": ["bo@acme.com"]}
    assert RoleMapping.from_value(mapping.as_value()) == mapping
    assert RoleMapping.from_value(None) == RoleMapping()


@pytest.mark.parametrize(("claim", "expected"), [
    (None, Role.ADMIN), (True, Role.ADMIN), ("true", Role.ADMIN),
    (False, Role.VIEWER), ("false", Role.VIEWER), ("FALSE", Role.VIEWER), (0, Role.VIEWER),
], ids=["not sent", "true", "'true'", "false", "'false'", "'FALSE'", "0"])
def test_an_email_the_provider_says_is_unverified_gets_no_role(claim, expected):
    mapping = RoleMapping.from_lists(["ana@x.com"], [])

    role = role_for_email("ana@x.com", mapping, extra_admins=["ana@x.com"], verified=email_verified(claim))

    assert role is expected
