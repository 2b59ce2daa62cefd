"""The index's files while the site runs: deleted by hand (no results, logged once, recreated by
the next write), rebuilt by another process (picked up at the next search or write), rebuilt
while others write (nothing lost), and a lock that makes writes wait for a rebuild."""

from __future__ import annotations

import logging
import os
import sqlite3
import traceback

import pytest
from sqlalchemy import func, select

from community.accounts import operations as accounts
from community.accounts.models import User
from community.extensions import db
from community.forums import operations as forums
from community.forums.models import Post
from community.permissions import Role
from community.search.backend import Access, SearchDocument, SearchQuery
from community.search.index_store import OLD_FILE, POINTER, IndexBusy
from community.search.indexer import IndexQueue
from community.search.service import search_service
from community.search.sqlite_backend import SqliteBackend
from community.spaces import operations as spaces
from community.spaces.models import Space
from tests.fixtures.app import make_app, page_text
from tests.ideas.test_concurrency import PASSWORD, _app, database_url, run_together  # noqa: F401

REBUILDING = "The search index is being rebuilt"


def doc(n: int, title: str) -> SearchDocument:
    return SearchDocument(id=f"thread:{n}", kind="thread", title=title, body="", url=f"/t/{n}")


def titles(backend: SqliteBackend, text: str) -> list[str]:
    results = backend.search(SearchQuery(text=text, access=Access(everything=True)))
    return sorted(hit.title for hit in results.hits)


def missing_warnings(caplog) -> list[logging.LogRecord]:
    return [r for r in caplog.records if "missing or unreadable" in r.getMessage()]


def test_a_deleted_index_finds_nothing_logs_once_and_the_next_write_starts_a_new_one(
    app, client, cast, create_thread, backend, found, caplog
):
    create_thread(cast.space, cast.asker, title="Gantry noise at night")
    assert found("gantry") == ["Gantry noise at night"]
    lost = backend.file
    os.remove(lost)  # by hand, while the site runs: its -wal and -shm stay behind

    with caplog.at_level(logging.WARNING, logger="community.search"):
        for _ in range(3):
            response = client.get("/search?q=gantry")
            assert response.status_code == 200
            assert "0 results" in page_text(response) and REBUILDING in page_text(response)
        assert client.get("/search/suggest?q=gan").json["results"] == []
    assert len(missing_warnings(caplog)) == 1  # once, not once per request

    create_thread(cast.space, cast.asker, title="Gantry vibration")
    assert found("gantry") == ["Gantry vibration"]  # new content is found again
    assert backend.file != lost and not any(
        os.path.exists(lost + suffix) for suffix in ("", "-wal", "-shm")
    )
    assert REBUILDING in page_text(client.get("/search?q=gantry"))  # until a rebuild

    assert app.test_cli_runner().invoke(args=["search", "rebuild"]).exit_code == 0
    assert sorted(found("gantry")) == ["Gantry noise at night", "Gantry vibration"]
    assert REBUILDING not in page_text(client.get("/search?q=gantry"))


def test_a_rebuild_by_another_process_is_read_and_written_from_then_on(
    app, tmp_path, cast, create_thread, backend, found
):
    create_thread(cast.space, cast.asker, title="Collimator drift")
    before = backend.file
    other = make_app(tmp_path)  # another process: its own app on the same database and index
    result = other.test_cli_runner().invoke(args=["search", "rebuild"])
    assert result.exit_code == 0, result.output
    with other.app_context():
        rebuilt = search_service().backend
        assert rebuilt.file != before and not os.path.exists(before)  # built beside, swapped in

    thread = create_thread(cast.space, cast.asker, title="Collimator alignment")  # the first app
    assert f"thread:{thread.id}" in rebuilt.document_ids("thread")  # landed in the new index
    assert sorted(found("collimator")) == ["Collimator alignment", "Collimator drift"]


def test_writes_during_a_rebuild_are_in_the_new_index(tmp_path):
    writer = SqliteBackend(str(tmp_path / "ix"))
    rebuilder = SqliteBackend(str(tmp_path / "ix"))  # as in another process
    writer.apply([doc(1, "alpha"), doc(2, "beta"), doc(3, "gamma")], [])

    def documents():
        """What the rebuild reads from the database, while another process writes: it has
        read every document when a change to one of them, a new one and a removal commit."""
        yield doc(1, "alpha")
        yield doc(2, "beta")
        yield doc(3, "gamma")
        writer.apply([doc(1, "alpha edited"), doc(4, "delta")], ["thread:3"])
        assert titles(writer, "delta") == ["delta"]  # searches go on, in the old index

    assert rebuilder.rebuild(documents()) == 3
    expected = {"thread:1", "thread:2", "thread:4"}
    assert writer.document_ids("thread") == rebuilder.document_ids("thread") == expected
    assert titles(writer, "alpha") == ["alpha edited"]
    writer.apply([doc(5, "epsilon")], [])
    assert titles(rebuilder, "epsilon") == ["epsilon"]


def test_a_write_that_reaches_the_lock_after_the_swap_goes_to_the_new_index(tmp_path, monkeypatch):
    writer = SqliteBackend(str(tmp_path / "ix"))
    rebuilder = SqliteBackend(str(tmp_path / "ix"))
    writer.apply([doc(1, "alpha")], [])
    checkout = writer.store.checkout
    rebuilt = []

    def checkout_then_rebuild(**kwargs):
        index = checkout(**kwargs)
        if not rebuilt:  # another process swaps the index in while this write is on its way
            rebuilt.append(rebuilder.rebuild([doc(1, "alpha")]))
        return index

    monkeypatch.setattr(writer.store, "checkout", checkout_then_rebuild)
    write = writer._write
    written = []
    monkeypatch.setattr(writer, "_write", lambda *args: written.append(write(*args)))
    writer.apply([doc(2, "beta")], [])
    assert rebuilt == [1] and len(written) == 1  # once, and not into the replaced index
    assert rebuilder.document_ids("thread") == {"thread:1", "thread:2"}


def test_a_write_while_a_rebuild_holds_the_lock_is_kept_until_it_is_done(tmp_path, caplog):
    path = str(tmp_path / "ix")
    backend = SqliteBackend(path)
    queue = IndexQueue(backend, synchronous=True)
    rebuilder = SqliteBackend(path)  # as in another process
    os.remove(backend.file)
    with rebuilder.store.lock():  # a rebuild is running in another process
        with pytest.raises(IndexBusy):
            rebuilder.rebuild([])  # one at a time
        with caplog.at_level(logging.ERROR):
            queue.put([doc(7, "kept")])
        assert queue.failures == 1 and "search index write failed" in caplog.text
        results = backend.search(SearchQuery(text="kept", access=Access(everything=True)))
        assert results.hits == [] and results.incomplete
    assert queue.flush()
    assert titles(backend, "kept") == ["kept"]


def test_an_index_from_an_earlier_version_is_replaced_and_marked_for_a_rebuild(tmp_path):
    path = tmp_path / "ix"
    path.mkdir()
    old = sqlite3.connect(path / OLD_FILE)
    old.execute("CREATE TABLE documents (doc_id TEXT)")
    old.execute("PRAGMA user_version = 4")
    old.close()
    backend = SqliteBackend(str(path))
    assert not (path / OLD_FILE).exists() and backend.file
    backend.apply([doc(1, "alpha")], [])
    results = backend.search(SearchQuery(text="alpha", access=Access(everything=True)))
    assert [h.title for h in results.hits] == ["alpha"] and results.incomplete
    backend.rebuild([doc(1, "alpha")])
    assert not backend.search(SearchQuery(text="alpha", access=Access(everything=True))).incomplete


def test_a_fresh_index_is_complete_and_a_search_does_not_create_one(tmp_path):
    backend = SqliteBackend(str(tmp_path / "ix"))
    assert not backend.search(SearchQuery(text="x", access=Access(everything=True))).incomplete
    os.remove(backend.file)
    assert backend.counts() == {} and backend.document_ids("thread") == set()
    assert backend.matching_ids("x", Access(everything=True), "thread", 10) == []
    assert backend.file is not None and not os.path.exists(backend.file)  # reads write nothing


@pytest.mark.parametrize(
    "pointer", ["../../../etc/passwd", "/etc/passwd", "search-0123.sqlite3", "", "\x00\ud800"]
)
def test_a_pointer_naming_anything_else_is_no_index(tmp_path, pointer):
    path = tmp_path / "ix"
    backend = SqliteBackend(str(path))
    backend.apply([doc(1, "alpha")], [])
    (path / POINTER).write_text(pointer, encoding="utf-8", errors="surrogatepass")
    assert backend.file is None and titles(backend, "alpha") == []
    backend.apply([doc(2, "beta")], [])  # starts a new index in the directory
    assert os.path.dirname(backend.file) == str(path) and titles(backend, "beta") == ["beta"]


def test_a_current_file_that_is_not_a_database_is_no_index(tmp_path, caplog):
    backend = SqliteBackend(str(tmp_path / "ix"))
    current = backend.file
    backend.store.drop()
    with open(current, "wb") as handle:
        handle.write(b"not a database" * 100)
    with caplog.at_level(logging.WARNING):
        assert titles(backend, "x") == [] and titles(backend, "y") == []
    assert len(missing_warnings(caplog)) == 1


# Several processes: writers through the application while one rebuilds, again and again.

WRITERS = 3
THREADS = 12


def _count(app, model) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


def _process(role: str, n: int, db_url: str, search_dir: str, barrier, results) -> None:
    try:
        app = _app(db_url, search_dir)
        barrier.wait()
        if role == "rebuild":  # until every writer is done, and at least twice
            from community.forums.models import Thread

            rebuilds = 0
            while rebuilds < 2 or _count(app, Thread) < WRITERS * THREADS:
                result = app.test_cli_runner().invoke(args=["search", "rebuild"])
                assert result.exit_code == 0, result.output
                rebuilds += 1
        else:
            for k in range(THREADS):
                with app.test_request_context():
                    space = db.session.scalar(select(Space))
                    author = db.session.scalar(select(User).where(User.username == "writer"))
                    thread = forums.start_thread(
                        space, author=author, kind="discussion", title=f"W{n} {k}", body="x"
                    )
                    db.session.commit()
                    if k % 4 == 3:  # some leave the index again
                        opening = db.session.scalar(
                            select(Post).where(Post.thread_id == thread.id, Post.is_opening)
                        )
                        forums.delete_post(opening, by=author)
                        db.session.commit()
        with app.app_context():
            db.engine.dispose()
        results.put(("ok", role))
    except BaseException:
        results.put(("error", traceback.format_exc()))
        barrier.abort()


def test_rebuilds_while_several_processes_write_lose_nothing(database_url, tmp_path):  # noqa: F811
    search_dir = str(tmp_path / "search")
    app = _app(database_url, search_dir)
    with app.test_request_context():
        owner = accounts.register_user(
            username="writer",
            email="writer@example.com",
            display_name="Writer",
            password=PASSWORD,
            role=Role.MODERATOR,
        )
        spaces.create_space(name="Imaging", description="", visibility="public", tags="", by=owner)
        db.session.commit()
    run_together(
        __name__,
        _process,
        [("rebuild", 0, database_url, search_dir)]
        + [("write", n, database_url, search_dir) for n in range(WRITERS)],
    )
    check = app.test_cli_runner().invoke(args=["search", "check"])
    assert check.exit_code == 0, check.output
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def test_a_second_rebuild_at_once_is_refused_and_changes_nothing(app, cast, backend):
    before = backend.file
    with backend.store.lock():  # another process is rebuilding
        result = app.test_cli_runner().invoke(args=["search", "rebuild"])
    assert result.exit_code == 1 and "Another rebuild" in result.output
    assert backend.file == before and sorted(os.listdir(os.path.dirname(before))) == sorted(
        [POINTER, "index.lock", os.path.basename(before)]
        + [os.path.basename(before) + s for s in ("-wal", "-shm") if os.path.exists(before + s)]
    )


def test_a_failed_rebuild_leaves_the_index_in_use_as_it_was(tmp_path):
    backend = SqliteBackend(str(tmp_path / "ix"))
    backend.apply([doc(1, "alpha")], [])
    before = sorted(os.listdir(tmp_path / "ix"))

    def documents():
        yield doc(1, "alpha")
        raise RuntimeError("the database went away")

    with pytest.raises(RuntimeError):
        backend.rebuild(documents())
    assert sorted(os.listdir(tmp_path / "ix")) == before  # the half-built file is gone
    backend.apply([doc(2, "beta")], [])
    with backend._read() as index:  # and writes no longer log their changes for a rebuild
        assert index.con.execute("SELECT count(*) FROM changes").fetchone() == (0,)
        assert index.con.execute("SELECT count(*) FROM rebuilding").fetchone() == (0,)
    assert titles(backend, "beta") == ["beta"]


def test_the_whole_directory_deleted_or_left_over_files_are_dealt_with(tmp_path):
    import shutil

    path = tmp_path / "ix"
    backend = SqliteBackend(str(path))
    backend.apply([doc(1, "alpha")], [])
    shutil.rmtree(path)  # everything, while the site runs
    assert titles(backend, "alpha") == []
    backend.apply([doc(2, "beta")], [])
    assert titles(backend, "beta") == ["beta"]
    # A crashed rebuild's half-built file and a pointer it never renamed: the next rebuild
    # (holding the lock, so nothing else is being built) deletes them with the old index.
    (path / "search-00000000000000aa.sqlite3").write_bytes(b"half")
    (path / "CURRENT.1234abcd.tmp").write_text("search-00000000000000aa.sqlite3")
    (path / "notes.txt").write_text("not ours")
    backend.rebuild([doc(2, "beta")])
    names = set(os.listdir(path))
    assert names - {os.path.basename(backend.file) + s for s in ("", "-wal", "-shm")} == {
        POINTER,
        "index.lock",
        "notes.txt",
    }


def test_a_rebuild_that_died_leaves_no_log_growing(tmp_path):
    backend = SqliteBackend(str(tmp_path / "ix"))
    with backend._read() as index:
        pass
    with backend._transaction(index.con) as con:  # what a killed rebuild leaves behind
        con.execute("INSERT INTO rebuilding (started) VALUES (0)")
        con.execute("INSERT INTO changes (doc_id) VALUES ('thread:9')")
    with backend.store.lock():  # while a rebuild runs, writes are logged
        backend.apply([doc(1, "alpha")], [])
        assert index.con.execute("SELECT doc_id FROM changes").fetchall() == [
            ("thread:9",),
            ("thread:1",),
        ]
    backend.apply([doc(2, "beta")], [])  # nobody holds the lock: the marker is stale
    assert index.con.execute("SELECT count(*) FROM changes").fetchone() == (0,)
    assert index.con.execute("SELECT count(*) FROM rebuilding").fetchone() == (0,)


@pytest.mark.parametrize(
    "query",
    [
        {"q": "a\x00b"},
        "q=%ED%A0%80&kind=%00",  # a lone surrogate, as UTF-8 bytes, and a NUL
        {"q": "x", "page": "99999999999999999999"},
        {"q": "x", "page": "-5"},
        {"q": "x" * 5000, "kind": "idea", "space": "9999", "tag": "=1+1"},
    ],
)
def test_odd_searches_of_a_missing_index_get_a_quiet_answer(client, backend, query):
    os.remove(backend.file)
    response = client.get("/search", query_string=query)
    assert response.status_code in (200, 400)
    # A NUL is refused at the edge (400) before the API reads its arguments (422).
    assert client.get("/api/v1/search", query_string=query).status_code in (200, 400, 422)
    assert client.get("/search/suggest", query_string=query).status_code in (200, 400)
