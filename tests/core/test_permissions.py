"""The guardian: one answer to "may this user do this?"."""

from __future__ import annotations

import pytest
from flask import g, render_template_string
from flask_login import AnonymousUserMixin
from werkzeug.exceptions import Forbidden, NotFound

from community.accounts.models import User
from community.extensions import db
from community.permissions import Guardian, Role, guardian, has_role
from community.spaces.models import Space, SpaceRole
from community.spaces.permissions import membership_of


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


def test_templates_keep_answers_for_the_request_until_a_write(
    app_ctx, monkeypatch, create_space, create_user, add_member
):
    """A page asks the same question once; a write (flush, commit, rollback) makes it ask
    again, and code outside templates always asks afresh."""
    space, user = create_space(), create_user()
    add_member(space, user)
    space, user = db.session.get(Space, space.id), db.session.get(User, user.id)
    g._login_user = user  # signed in for this request, as Flask-Login's loader leaves it
    asked = []
    rule = guardian._rules["space.moderate"]
    monkeypatch.setitem(
        guardian._rules, "space.moderate", lambda u, o: asked.append(o) or rule(u, o)
    )
    page = "{{ can('space.moderate', space) }} {{ can('space.moderate', space) }}"
    assert render_template_string(page, space=space) == "False False"
    assert render_template_string(page, space=space) == "False False"
    assert len(asked) == 1
    membership_of(user, space).role = SpaceRole.MODERATOR.value
    db.session.flush()
    assert render_template_string(page, space=space) == "True True"
    assert len(asked) == 2
    assert guardian.can(user, "space.moderate", space)
    assert len(asked) == 3
    db.session.rollback()
    assert render_template_string(page, space=db.session.get(Space, space.id)) == "False False"
    assert len(asked) == 4


def test_role_ranks_follow_the_declared_order():
    assert [r.rank for r in Role] == list(range(len(Role)))
    assert [r.at_least(SpaceRole.MODERATOR) for r in SpaceRole] == [False, False, True, True]
