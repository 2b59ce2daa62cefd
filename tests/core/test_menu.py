"""The signed-in menu's counts (community/web/menu.py): read in one statement per page, and
each still right."""

from __future__ import annotations

from sqlalchemy import event
from sqlalchemy.orm import Session

from community.accounts.models import User
from community.extensions import db
from community.moderation.operations import warn
from community.permissions import Role
from tests.fixtures.app import page_text

COUNTED = ("moderation_warnings", "notifications", "question_routings")


def test_the_menus_counts_are_one_statement(
    app, client, create_space, create_user, add_member, create_thread, create_reply, follow,
    login, count_queries,
):  # fmt: skip
    space = create_space()
    alice, bob = create_user("alice"), create_user("bob")
    moderator = create_user("mod", role=Role.MODERATOR)
    add_member(space, alice)
    add_member(space, bob)
    thread = create_thread(space, bob, title="Calibrating the detector")
    follow(alice, "thread", thread.id, "watching")
    create_reply(thread, bob, body="Use the phantom.")
    create_reply(thread, bob, body="Or a water bath.")
    with app.app_context():
        warn(db.session.get(User, alice.id), by=db.session.get(User, moderator.id), reason="Kind.")
        db.session.commit()
    login(client, alice)
    with count_queries() as queries:
        page = client.get("/spaces")
    counting = [q for q in queries if any(table in q for table in COUNTED)]
    assert len(counting) == 1, counting
    assert "1 warning" in page_text(page)
    # Two replies in a watched thread and the warning.
    assert "data-notification-count>3<" in page.get_data(as_text=True)
    assert "Questions for you" not in page_text(page)


def test_an_anonymous_visitor_reads_no_menu_counts(client, count_queries):
    with count_queries() as queries:
        assert client.get("/spaces").status_code == 200
    assert not [q for q in queries if any(table in q for table in COUNTED)]


def test_the_menus_statement_is_built_once(app, create_user, login):
    """Building the counts' statement (three subqueries) costs more than running it: every
    page runs the same one, with the reader's id as its parameter."""
    seen = []

    def record(state):
        if "moderation_warnings" in str(state.statement):
            seen.append((state.statement, dict(state.parameters or {})))

    first, second = app.test_client(), app.test_client()
    alice, bob = create_user("alice"), create_user("bob")
    login(first, alice)
    login(second, bob)
    event.listen(Session, "do_orm_execute", record)
    try:
        first.get("/spaces")
        second.get("/spaces")
    finally:
        event.remove(Session, "do_orm_execute", record)
    assert len(seen) == 2 and seen[0][0] is seen[1][0]
    assert [parameters["reader"] for _statement, parameters in seen] == [alice.id, bob.id]
