"""The index follows the database: with the commit, never for a rollback; rebuild and check."""

from __future__ import annotations

import logging
import multiprocessing

from sqlalchemy import select

from community.extensions import db
from community.forums import operations as forums
from community.forums.models import Post, Thread
from community.search.backend import SearchDocument
from community.search.service import search_service
from community.search.sqlite_backend import SqliteBackend
from tests.search.conftest import BOTH_BACKENDS


def ids(backend, kind):
    return backend.document_ids(kind)


@BOTH_BACKENDS
def test_new_thread_and_reply_are_indexed_after_commit(
    app, cast, create_thread, create_reply, backend, found
):
    thread = create_thread(
        cast.space, cast.asker, title="Gantry noise at night", body="A rattling gantry"
    )
    reply = create_reply(thread, cast.expert, "Tighten the gantry cover bolts")
    assert ids(backend, "thread") == {f"thread:{thread.id}"}
    assert ids(backend, "post") == {f"post:{reply.id}"}
    assert found("gantry") == ["Gantry noise at night", "Re: Gantry noise at night"]


@BOTH_BACKENDS
def test_rolled_back_write_is_never_indexed(app, cast, backend):
    from community.accounts.models import User
    from community.spaces.models import Space

    with app.test_request_context():
        forums.start_thread(
            db.session.get(Space, cast.space.id),
            author=db.session.get(User, cast.asker.id),
            kind="question",
            title="Phantom thread",
            body="never committed",
        )
        assert ids(backend, "thread") == set()  # not before the commit
        db.session.rollback()
        db.session.commit()
    assert ids(backend, "thread") == set()


@BOTH_BACKENDS
def test_edit_delete_restore_move_and_accept_follow_the_database(
    app, client, cast, login, create_thread, create_reply, create_space, backend, found
):
    other = create_space("Other place")
    thread = create_thread(cast.space, cast.asker, title="Collimator alignment", body="old words")
    reply = create_reply(thread, cast.expert, "Use the alignment jig")
    with app.app_context():
        opening = db.session.scalar(
            select(Post.id).where(Post.thread_id == thread.id, Post.is_opening)
        )
    login(client, cast.owner)
    client.submit(
        f"/posts/{opening}/edit",
        {
            "title": "Collimator alignment drift",
            "body": "fresh words",
            "tags": "",
            "reason": "Title",
        },
    )
    assert found("fresh", c=client) == ["Collimator alignment drift"]
    assert found("old", c=client) == []
    assert found("jig", c=client) == [
        "Re: Collimator alignment drift"
    ]  # replies show the new title

    client.submit(f"/posts/{reply.id}/accept")
    assert "solved" in client.get("/search?q=collimator&status=solved").get_data(as_text=True)

    client.submit(f"/t/{thread.id}/move", {"space": other.slug, "reason": "Fits there"})
    hits = search_service_hits(app, "collimator")
    assert {h.space_name for h in hits} == {"Other place"}

    client.submit(f"/posts/{reply.id}/delete")
    assert f"post:{reply.id}" not in ids(backend, "post")
    client.submit(f"/posts/{reply.id}/restore")
    assert f"post:{reply.id}" in ids(backend, "post")
    client.submit(f"/posts/{opening}/delete")
    assert ids(backend, "thread") == set() and ids(backend, "post") == set()
    client.submit(f"/posts/{opening}/restore")
    assert ids(backend, "thread") == {f"thread:{thread.id}"}


def search_service_hits(app, text):
    from community.search.backend import Access, SearchQuery

    with app.app_context():
        return (
            search_service()
            .backend.search(SearchQuery(text=text, access=Access(everything=True)))
            .hits
        )


@BOTH_BACKENDS
def test_space_visibility_change_is_followed(app, client, cast, login, create_thread, found):
    create_thread(cast.space, cast.asker, title="Roadmap hints")
    assert found("roadmap") == ["Roadmap hints"]
    login(client, cast.owner)
    client.submit(
        f"/s/{cast.space.slug}/settings",
        {
            "name": cast.space.name,
            "slug": cast.space.slug,
            "description": "",
            "tags": "",
            "visibility": "private",
        },
    )
    client.submit("/logout")
    assert found("roadmap") == []


@BOTH_BACKENDS
def test_rebuild_equals_incremental_index_and_check_agrees(
    app, cast, create_thread, create_reply, create_idea, backend
):
    for n in range(3):
        thread = create_thread(cast.space, cast.asker, title=f"Question {n}")
        create_reply(thread, cast.expert, f"Answer {n}")
    create_idea(cast.space, cast.asker, title="Dark mode for the console")
    kinds = ("thread", "post", "idea", "person")
    before = {kind: ids(backend, kind) for kind in kinds}
    assert len(before["idea"]) == 1 and len(before["person"]) == 5
    runner = app.test_cli_runner()
    check = runner.invoke(args=["search", "check"])
    assert check.exit_code == 0 and "matches the database" in check.output
    backend.apply([], [next(iter(before["post"]))])  # drift: a document goes missing
    drift = runner.invoke(args=["search", "check"])
    assert drift.exit_code == 1 and "missing     1" in drift.output
    rebuilt = runner.invoke(args=["search", "rebuild"])
    assert rebuilt.exit_code == 0 and "Indexed 12 documents." in rebuilt.output, rebuilt.output
    assert {kind: ids(backend, kind) for kind in kinds} == before
    final = runner.invoke(args=["search", "check"])
    assert final.exit_code == 0, final.output


def test_failed_index_write_is_logged_retried_and_never_fails_the_request(
    app, client, cast, login, backend, caplog, monkeypatch
):
    real_apply = backend.apply
    calls = []

    def flaky(upserts, removals):
        calls.append(1)
        if len(calls) == 1:
            raise OSError("disk full")
        return real_apply(upserts, removals)

    monkeypatch.setattr(backend, "apply", flaky)
    login(client, cast.asker)
    with caplog.at_level(logging.ERROR):
        response = client.submit(
            f"/s/{cast.space.slug}/new",
            {"kind": "question", "title": "Flaky index", "body": "words"},
        )
    assert response.status_code == 302  # the user's post went through
    assert "search index write failed" in caplog.text
    with app.app_context():
        queue = search_service().queue
        assert queue.failures == 1
        assert queue.flush()  # the kept change is written on the next try
        assert db.session.scalar(select(Thread.id)) is not None
    assert any(doc.startswith("thread:") for doc in ids(backend, "thread"))


def test_background_queue_writes_and_flushes(tmp_path):
    from community.search.indexer import IndexQueue

    backend = SqliteBackend(str(tmp_path / "ix"))
    queue = IndexQueue(backend)
    queue.put([SearchDocument(id="thread:1", kind="thread", title="Async", body="b", url="/t/1")])
    queue.put(removals=["thread:2"])
    assert queue.flush(timeout=10)
    assert backend.document_ids("thread") == {"thread:1"}


def _write_many(path: str, start: int) -> None:
    backend = SqliteBackend(path)
    for n in range(start, start + 15):
        backend.apply(
            [SearchDocument(id=f"thread:{n}", kind="thread", title=f"Doc {n}", body="x", url="/")],
            [],
        )


def test_writers_in_several_processes_do_not_collide(tmp_path):
    path = str(tmp_path / "shared")
    SqliteBackend(path)
    context = multiprocessing.get_context("spawn")
    workers = [context.Process(target=_write_many, args=(path, n * 100)) for n in range(3)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(60)
    assert [w.exitcode for w in workers] == [0, 0, 0]
    assert len(SqliteBackend(path).document_ids("thread")) == 45


def test_cli_demo_load_is_indexed_outside_any_request(demo_app):
    """The demo snapshot is what `flask demo load` made, index and all: nothing is missing."""
    check = demo_app.test_cli_runner().invoke(args=["search", "check"])
    assert check.exit_code == 0, check.output
