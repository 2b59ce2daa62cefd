"""A vote and a merge that recounts the same voter's rollup rows, interleaved on purpose on
PostgreSQL: they wait for each other instead of deadlocking.

A vote adds to the voter's week, then to their day; a merge's recount (just before its commit)
deleted the voter's days, then their weeks. With the vote holding the week and the merge the
day, each waited for the other, and PostgreSQL killed one of them (seen in
``test_rollup_concurrency`` under load). Both now take the voter's rollup lock before any of
the voter's rows.
"""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import create_engine, event, select, text

from community.extensions import db
from community.ideas import curation
from community.ideas import operations as ideas
from community.ideas.models import Idea
from community.permissions import Role
from tests.fixtures.accounts import make_user
from tests.fixtures.app import act
from tests.fixtures.ideas import make_idea
from tests.fixtures.postgres import app_on
from tests.fixtures.spaces import make_space

pytestmark = pytest.mark.race
WAIT = 60  # seconds: only reached when something is wrong


def _waiting_for_a_lock(url: str, errors: list) -> None:
    """Return once another session of this database waits for a lock (or a thread failed)."""
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            for _ in range(WAIT * 20):
                waiting = conn.scalar(
                    text(
                        "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
                        " AND wait_event_type = 'Lock'"
                    )
                )
                if waiting or errors:
                    return
                conn.execute(text("SELECT pg_sleep(0.05)"))
        raise AssertionError("the merge never waited for the vote")
    finally:
        engine.dispose()


def test_a_vote_and_a_merge_recounting_its_voter_do_not_deadlock(tmp_path):
    with app_on("postgresql", tmp_path, "cocreate_lockorder") as app:
        owner = make_user(app, "owner", role=Role.MODERATOR)
        voter = make_user(app, "voter")
        space = make_space(app, owner)
        duplicate, target, other = (
            make_idea(app, space, owner, title=t) for t in ("Dark mode", "Dark theme", "Export")
        )
        act(app, ideas.cast_vote, duplicate, voter)  # the merge recounts this voter

        with app.app_context():
            engine = db.engine
        url = app.config["SQLALCHEMY_DATABASE_URI"]
        week_written, go_on = threading.Event(), threading.Event()

        def pause_after_the_week(conn, cursor, statement, *args):
            if statement.startswith("INSERT INTO activity_weeks") and not week_written.is_set():
                week_written.set()
                assert go_on.wait(WAIT)

        errors = []

        def vote() -> None:
            try:
                act(app, ideas.cast_vote, other, voter)
            except Exception as error:  # noqa: BLE001 - reported below
                errors.append(error)

        def merge() -> None:
            try:
                assert week_written.wait(WAIT)
                act(app, curation.merge_idea, duplicate, target.id, response="Same.", by=owner)
            except Exception as error:  # noqa: BLE001 - reported below
                errors.append(error)

        event.listen(engine, "after_cursor_execute", pause_after_the_week)
        threads = [threading.Thread(target=vote), threading.Thread(target=merge)]
        try:
            for thread in threads:
                thread.start()
            assert week_written.wait(WAIT)
            _waiting_for_a_lock(url, errors)  # the merge is stuck behind the vote
            go_on.set()
            for thread in threads:
                thread.join(WAIT)
        finally:
            go_on.set()
            event.remove(engine, "after_cursor_execute", pause_after_the_week)
        assert errors == []
        with app.app_context():
            assert db.session.scalar(select(Idea.status).where(Idea.id == duplicate.id)) == (
                "merged"
            )
