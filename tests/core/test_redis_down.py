"""Writes never depend on Redis: with the rate-limit store and the Socket.IO message queue
pointing at a Redis nobody listens on, the app starts, sign-in, votes and posts work (the
budgets are counted in memory meanwhile) and the live pushes that fail are logged."""

from __future__ import annotations

import logging
import socket

import pytest
from socketio import PubSubManager
from sqlalchemy import func, select

from community.extensions import db, limiter, socketio
from community.forums.models import Thread
from community.ideas.models import IdeaVote
from community.ratelimit import spend
from tests.fixtures.app import make_app


def _unused_port() -> int:
    """A loopback port nobody listens on (bound and released: nothing accepts there)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def app(tmp_path):
    down = f"redis://127.0.0.1:{_unused_port()}"
    return make_app(tmp_path, RATELIMIT_STORAGE_URI=f"{down}/0", SOCKETIO_MESSAGE_QUEUE=f"{down}/1")


def test_sign_in_votes_and_posts_work_while_redis_is_down(
    app, client, cast, login, create_idea, caplog
):
    idea = create_idea(cast.space, cast.asker)
    caplog.set_level(logging.WARNING)
    response = login(client, cast.member)
    assert response.status_code == 302

    vote = client.submit(
        f"/ideas/{idea.id}/vote", {"vote": "1"}, headers={"Accept": "application/json"}
    )
    assert vote.status_code == 200 and vote.json["votes"] == 1
    posted = client.submit(
        f"/s/{cast.space.slug}/new",
        {"kind": "question", "title": "Redis is down", "body": "Does this still post?"},
    )
    assert posted.status_code == 302

    with app.app_context():
        assert db.session.scalar(select(func.count(IdeaVote.idea_id))) == 1
        assert db.session.scalar(select(Thread.id).where(Thread.title == "Redis is down"))
    messages = [r.getMessage() for r in caplog.records]
    assert any("Rate limit storage unreachable" in m for m in messages)
    assert any("Cannot publish to redis" in m for m in messages)  # the live pushes


def test_budgets_still_hold_in_memory_while_the_store_is_down(app, cast):
    app.config["VOTE_LIMIT"] = "2 per minute"
    with app.test_request_context(environ_base={"REMOTE_ADDR": "192.0.2.7"}):
        assert [spend("VOTE_LIMIT") for _ in range(3)] == [True, True, False]
        assert limiter.limiter is not limiter._limiter  # the in-memory fallback counted


def test_without_the_fallback_a_dead_store_fails_loudly(app):
    app.config["RATELIMIT_IN_MEMORY_FALLBACK_ENABLED"] = False
    with app.test_request_context(), pytest.raises(Exception, match="[Cc]onnect"):
        spend("VOTE_LIMIT")


def test_a_later_app_keeps_neither_the_queue_nor_the_dead_store(app, tmp_path):
    """The extensions are one object per process: an app made after one whose Redis was down
    (tests, benchmarks) uses its own settings, not the earlier app's queue or fallback."""
    with app.test_request_context():
        spend("VOTE_LIMIT")  # finds the store down
    assert isinstance(socketio.server.manager, PubSubManager)
    (tmp_path / "later").mkdir()
    make_app(tmp_path / "later")
    assert not isinstance(socketio.server.manager, PubSubManager)
    assert limiter.limiter is limiter._limiter
