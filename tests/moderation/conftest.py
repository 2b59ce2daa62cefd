"""Moderation test helpers: an app with per-test configuration, and calls of the moderation
operations as committed, detached units."""

from __future__ import annotations

import re

import pytest

from community.accounts.models import User
from community.extensions import db
from community.forums.models import Post, Thread
from community.moderation import operations
from community.moderation.models import AuditEvent, ModerationCase
from community.permissions import Role
from community.spaces.models import SpaceRole
from tests.fixtures.app import make_app


@pytest.fixture
def app_config() -> dict:
    """Configuration overrides for this test's app (tests override the fixture)."""
    return {}


@pytest.fixture
def app(tmp_path, app_config):
    app = make_app(tmp_path, **app_config)
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def flaggers(create_user, add_member, cast):
    """Three more members of the cast's space, to flag things."""
    users = [create_user(f"flagger{n}") for n in range(1, 4)]
    for user in users:
        add_member(cast.space, user)
    return users


@pytest.fixture
def admin(create_user):
    return create_user("ada", role=Role.ADMIN, display_name="Ada Admin")


@pytest.fixture
def space_mod(create_user, add_member, cast):
    """A moderator of the cast's space (a plain member site-wide)."""
    user = create_user("mona", display_name="Mona Mod")
    add_member(cast.space, user, role=SpaceRole.MODERATOR)
    return user


MODELS = {"thread": Thread, "post": Post, "user": User}


@pytest.fixture
def flag(app):
    """``flag(target, by, reason="spam")`` as the operation, committed; returns the case id."""

    def do_flag(target, by: User, reason: str = "spam", note: str = "") -> int:
        with app.test_request_context():
            fresh = db.session.get(type(target), target.id)
            case = operations.flag_content(
                fresh, by=db.session.get(User, by.id), reason=reason, note=note
            )
            db.session.commit()
            return case.id

    return do_flag


@pytest.fixture
def hidden(app):
    """Whether a thread, post or idea is hidden now."""

    def read(target) -> bool:
        with app.app_context():
            return db.session.get(type(target), target.id).hidden_at is not None

    return read


@pytest.fixture
def audit(app):
    """The audit entries, oldest first, as (action, actor id, target type, target id, reason,
    before, after)."""

    def read(action: str | None = None) -> list[AuditEvent]:
        with app.app_context():
            stmt = db.select(AuditEvent).order_by(AuditEvent.id)
            if action:
                stmt = stmt.where(AuditEvent.action == action)
            events = list(db.session.scalars(stmt))
            db.session.expunge_all()
            return events

    return read


@pytest.fixture
def case_of(app):
    def read(case_id: int) -> ModerationCase:
        with app.app_context():
            case = db.session.get(ModerationCase, case_id)
            db.session.expunge(case)
            return case

    return read


_SEEN = re.compile(r'name="seen" value="([0-9a-f]*)"')


@pytest.fixture
def approve():
    """``approve(client, case_id, reason)``: approve as a moderator does, from the case page,
    whose form carries the fingerprint of the words it shows."""

    def do_approve(client, case_id: int, reason: str = "Fine", **kwargs):
        seen = _SEEN.search(client.get(f"/moderation/cases/{case_id}").get_data(as_text=True))
        data = {"reason": reason, "seen": seen.group(1) if seen else ""}
        return client.submit(f"/moderation/cases/{case_id}/approve", data, **kwargs)

    return do_approve
