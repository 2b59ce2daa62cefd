"""The guardian: one answer to "may this user do this?"."""

from __future__ import annotations

import pytest
from flask_login import AnonymousUserMixin
from werkzeug.exceptions import Forbidden, NotFound

from community.permissions import Guardian, Role, guardian, has_role


def test_roles_are_ordered():
    assert Role.ADMIN.at_least(Role.MODERATOR)
    assert Role.MODERATOR.at_least(Role.EXPERT)
    assert Role.EXPERT.at_least(Role.MEMBER)
    assert not Role.MEMBER.at_least(Role.EXPERT)


def test_unknown_action_is_denied():
    assert guardian.can(AnonymousUserMixin(), "nothing.registered") is False


def test_a_rule_cannot_be_registered_twice():
    g = Guardian()
    g.rule("x.do")(lambda u, o: True)
    with pytest.raises(RuntimeError):
        g.rule("x.do")(lambda u, o: False)


def test_has_role_needs_an_active_signed_in_user(app_ctx, create_user):
    admin = create_user(role=Role.ADMIN)
    suspended = create_user(role=Role.ADMIN, active=False)
    assert has_role(admin, Role.MODERATOR)
    assert not has_role(suspended, Role.MEMBER)
    assert not has_role(AnonymousUserMixin(), Role.MEMBER)


def test_require_hides_as_not_found_or_forbids(app_ctx, create_user):
    member = create_user()
    with pytest.raises(NotFound):
        guardian.require(member, "users.manage", hide=True)
    with pytest.raises(Forbidden):
        guardian.require(member, "users.manage")


def test_account_rules_are_registered():
    assert {"profile.view", "profile.edit", "users.manage", "users.change_role"} <= set(
        guardian.actions
    )
