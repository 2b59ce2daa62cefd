"""A vote row and its idea's count change together or not at all, whatever runs in between.

The race these pin down was seen under load on SQLite: taking a vote back read the vote's id,
and only then deleted "the row with that id". Between the two, another request could take the
same vote back and a third could cast a vote on another idea; SQLite gives a new row the
highest id plus one, so the new vote got the freed id, and the late delete removed *it* and
took a vote off the wrong idea's count. Each test here runs the interleaving on purpose: the
statements of a second app (another process, as far as the database can tell) run just before
the first one's delete.
"""

from __future__ import annotations

import contextlib

import pytest
from sqlalchemy import event, func, select

from community.extensions import db
from community.ideas import operations
from community.ideas.models import Idea, IdeaVote
from community.permissions import Role
from tests.fixtures.accounts import make_user
from tests.fixtures.app import act, make_app
from tests.fixtures.ideas import make_idea
from tests.fixtures.postgres import app_on
from tests.fixtures.spaces import make_space

pytestmark = pytest.mark.race

#: The statement that locks the ideas a vote writes to (FOR UPDATE is left out on SQLite).
LOCK_IDEAS = "SELECT IDEAS.ID FROM IDEAS WHERE IDEAS.ID IN"


@contextlib.contextmanager
def before_vote_delete(app, interleave, statement_start: str = "DELETE FROM IDEA_VOTES"):
    """Run ``interleave()`` once, just before ``app`` deletes a vote row (or runs another
    statement starting with ``statement_start``)."""
    with app.app_context():
        engine = db.engine
    fired = []

    def hook(conn, cursor, statement, parameters, context, executemany):
        if not fired and " ".join(statement.split()).upper().startswith(statement_start):
            fired.append(statement)
            interleave()

    event.listen(engine, "before_cursor_execute", hook)
    try:
        yield fired
    finally:
        event.remove(engine, "before_cursor_execute", hook)


def _counts(app, *ideas: Idea) -> list[tuple[int, int]]:
    """(vote_count, vote rows) of each idea."""
    with app.app_context():
        return [
            (
                db.session.scalar(select(Idea.vote_count).where(Idea.id == idea.id)),
                db.session.scalar(select(func.count()).where(IdeaVote.idea_id == idea.id)),
            )
            for idea in ideas
        ]


def test_a_late_retraction_never_takes_another_vote(tmp_path):
    """SQLite only: on PostgreSQL the idea's row lock, taken first, makes the other requests
    wait until the first commits, so they cannot run in between (the processes of
    ``test_concurrency`` check both)."""
    with app_on("sqlite", tmp_path, "cocreate_atomic") as app:
        elsewhere = make_app(tmp_path, SQLALCHEMY_DATABASE_URI=_url(app))
        owner = make_user(app, "owner", role=Role.MODERATOR)
        toggler, voter = make_user(app, "toggler"), make_user(app, "voter")
        space = make_space(app, owner)
        toggled = make_idea(app, space, owner, title="Toggled")
        many = make_idea(app, space, owner, title="Many")
        act(app, operations.cast_vote, toggled, toggler)

        def interleave():
            # Another process takes the same vote back, then someone votes on another idea.
            assert act(elsewhere, operations.retract_vote, toggled, toggler)
            assert act(elsewhere, operations.cast_vote, many, voter)

        with before_vote_delete(app, interleave) as fired:
            act(app, operations.retract_vote, toggled, toggler)
        assert fired
        assert _counts(app, toggled, many) == [(0, 0), (1, 1)]
        with app.app_context():
            assert operations.recount_votes() == 0
        _dispose(elsewhere)


def test_a_vote_for_an_idea_deleted_meanwhile_is_refused_and_leaves_nothing(tmp_path, login):
    """A moderator deletes the idea after the voter's request loaded and checked it, just
    before the vote locks it and writes its row: the voter is told the idea was deleted (400),
    not a server error.
    SQLite only, for the reason above; on PostgreSQL the vote waits for the delete's row lock
    and then meets the same missing idea."""
    with app_on("sqlite", tmp_path, "cocreate_atomic") as app:
        elsewhere = make_app(tmp_path, SQLALCHEMY_DATABASE_URI=_url(app))
        owner = make_user(app, "owner", role=Role.MODERATOR)
        voter = make_user(app, "voter")
        space = make_space(app, owner)
        idea = make_idea(app, space, owner, title="Soon gone")
        client = app.test_client()
        login(client, voter)

        def interleave():
            act(elsewhere, operations.delete_idea, idea, by=owner)

        with before_vote_delete(app, interleave, LOCK_IDEAS) as fired:
            response = client.submit(
                f"/ideas/{idea.id}/vote", {"vote": "1"}, headers={"Accept": "application/json"}
            )
        assert fired
        assert response.status_code == 400
        assert response.get_json() == {"ok": False, "error": "This idea was deleted."}
        with app.app_context():
            assert db.session.scalar(select(func.count()).select_from(IdeaVote)) == 0
        _dispose(elsewhere)


def _url(app) -> str:
    return app.config["SQLALCHEMY_DATABASE_URI"]


def _dispose(app) -> None:
    with app.app_context():
        db.session.remove()
        db.engine.dispose()
