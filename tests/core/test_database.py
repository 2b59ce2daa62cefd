"""Transactions on SQLite: a savepoint's writes belong to the request's one transaction."""

from __future__ import annotations

from sqlalchemy import event, func, select, text
from sqlalchemy import exc as sa_exc

from community.accounts.models import User
from community.extensions import db
from community.ideas import operations as ideas
from community.ideas.models import Idea, IdeaVote


def _user(name: str) -> User:
    return User(
        username=name,
        username_key=name,
        email=f"{name}@example.com",
        email_key=f"{name}@example.com",
        display_name=name,
        password_hash="!",
    )


def test_a_savepoint_opened_first_is_rolled_back_with_the_transaction(app):
    with app.app_context():
        db.session.scalar(select(func.count(User.id)))  # reads run before any write
        with db.session.begin_nested():
            db.session.add(_user("ghost"))
        db.session.rollback()
        assert db.session.scalar(select(func.count(User.id))) == 0


def test_a_vote_in_a_failed_request_leaves_neither_row_nor_count(app, cast, create_idea):
    idea = create_idea(cast.space, cast.asker)
    with app.test_request_context():
        voter = db.session.get(User, cast.member.id)
        assert ideas.cast_vote(db.session.get(Idea, idea.id), voter)
        db.session.rollback()  # as when the request fails after the operation
        assert db.session.scalar(select(func.count(IdeaVote.id))) == 0
        assert db.session.get(Idea, idea.id).vote_count == 0


def test_before_commit_work_runs_inside_the_transaction_and_not_after_a_rollback(app):
    seen = []

    def add_later(name: str) -> None:
        seen.append(name)
        db.session.add(_user(name))

    with app.app_context():
        db.session().before_commit(add_later, "dropped")
        db.session.rollback()
        db.session().before_commit(add_later, "kept")
        db.session.commit()
        db.session.commit()  # the queue was emptied: nothing runs twice
        names = db.session.scalars(select(User.username)).all()
    assert seen == ["kept"]
    assert names == ["kept"]


def test_ending_a_request_whose_connection_died_does_not_fail_it(app):
    """PostgreSQL restarting terminates the connections it holds; the request's end rolls its
    session back on one of them and that fails. The answer is decided by then (the vote
    committed, or a 503): ending the session must not turn it into a 500."""

    def terminated(*_args):
        raise sa_exc.OperationalError(
            "ROLLBACK", {}, Exception("terminating connection due to administrator command")
        )

    with app.app_context():
        db.session.execute(text("SELECT 1"))
        event.listen(db.engine, "rollback", terminated)
        try:
            db.session.remove()  # what Flask-SQLAlchemy does at the end of every request
        finally:
            event.remove(db.engine, "rollback", terminated)
        assert db.session.scalar(text("SELECT 1")) == 1
