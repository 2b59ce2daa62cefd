"""After-commit delivery: side effects run only for committed work."""

from __future__ import annotations

import logging

from sqlalchemy import exc as sa_exc
from sqlalchemy import text

from community import signals
from community.accounts import operations
from community.extensions import db


def test_after_commit_receiver_runs_only_after_commit(app_ctx):
    seen = []

    @signals.after_commit
    def receiver(sender, **kwargs):
        seen.append(sender.username)

    with signals.user_registered.connected_to(receiver):
        operations.register_user(
            username="committed", email="c@example.com", display_name="C", password="long enough pw"
        )
        assert seen == []
        db.session.commit()
    assert seen == ["committed"]


def test_rolled_back_write_leaves_no_trace(app_ctx):
    seen = []
    with signals.user_registered.connected_to(signals.after_commit(lambda s, **kw: seen.append(s))):
        operations.register_user(
            username="ghost", email="g@example.com", display_name="G", password="long enough pw"
        )
        db.session.rollback()
        db.session.commit()
    assert seen == []


def test_closed_session_drops_pending_work(app_ctx):
    seen = []
    signals.on_commit(seen.append, "x")
    db.session.close()
    db.session.commit()
    assert seen == []


def test_failing_side_effect_is_logged_not_raised(app_ctx, caplog):
    def broken():
        raise RuntimeError("index is down")

    seen = []
    signals.on_commit(broken)
    signals.on_commit(seen.append, "still runs")
    with caplog.at_level(logging.ERROR):
        db.session.commit()
    assert seen == ["still runs"]
    assert "after-commit task" in caplog.text


def test_work_queued_by_a_side_effect_runs_too(app_ctx):
    seen = []
    signals.on_commit(lambda: signals.on_commit(seen.append, "second"))
    db.session.commit()
    assert seen == ["second"]


def test_a_side_effect_losing_the_database_leaves_the_session_usable(app_ctx, caplog):
    """A side effect reads after the commit and the database goes away meanwhile (its
    connection invalidated): the request goes on, and its next read reconnects (or, while
    the database is down, fails as an outage, a 503) instead of "Can't reconnect until
    invalid transaction is rolled back", a 500."""

    def lose_the_connection():
        db.session.execute(text("SELECT 1"))
        db.session.connection().invalidate()
        raise sa_exc.OperationalError("SELECT 1", {}, Exception("server closed the connection"))

    signals.on_commit(lose_the_connection)
    with caplog.at_level(logging.ERROR):
        db.session.commit()
    assert "after-commit task" in caplog.text
    assert db.session.scalar(text("SELECT 1")) == 1
