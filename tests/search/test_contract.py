"""What every search backend does alike, run on SQLite FTS5 and on PostgreSQL: sampling and
counting broad searches, access rules inside the query, hostile query text, rebuilds, and
index writes that go with the content's transaction (PostgreSQL) or after it (SQLite)."""

from __future__ import annotations

import sys
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import create_engine, select, text

from community.extensions import db
from community.forums.models import Thread
from community.search.backend import Access, SearchDocument, SearchQuery
from community.search.service import search_service
from tests.search.conftest import BOTH_BACKENDS

pytestmark = BOTH_BACKENDS


@pytest.fixture
def sample_of_four(app, monkeypatch):
    """The backend's search samples only its newest four matches."""
    with app.app_context():
        module = sys.modules[type(search_service().backend).__module__]
    monkeypatch.setattr(module, "SAMPLE", 4)


def test_broad_searches_rank_the_newest_matches_and_count_all(backend, sample_of_four):
    start = datetime(2026, 1, 1, tzinfo=UTC)
    docs = [
        SearchDocument(
            id=f"thread:{n}",
            kind="thread",
            title=("Valve" if n == 8 else "Pump")
            + f" number {n}"
            + (" pump pump" if n == 1 else ""),
            body="pump",
            url=f"/t/{n}",
            space_id="1" if n % 2 else "2",
            visibility="private" if n == 9 else "public",
            updated=start + timedelta(days=n),
        )
        for n in range(1, 11)
    ]
    assert backend.rebuild(reversed(docs)) == 10  # any order in; "newest" follows time
    anonymous = Access(masked_space_ids=frozenset())
    results = backend.search(SearchQuery(text="pump", access=anonymous))
    assert results.total == 9 and results.sampled == 4  # exact total, the private one left out
    # Ranked among the newest four: title matches first, then newest first.
    assert [h.id for h in results.hits] == ["thread:10", "thread:7", "thread:6", "thread:8"]
    assert sum(results.facets["kind"].values()) == 9  # estimated from the sample, scaled
    assert results.pages == 1
    everything = backend.search(SearchQuery(text="pump", access=Access(everything=True)))
    assert everything.total == 10 and "thread:9" in [h.id for h in everything.hits]
    narrow = backend.search(SearchQuery(text="pump", access=anonymous, space_id="1"))
    assert narrow.total == 4 and narrow.sampled == 0  # a narrower search is exact again
    assert [h.id for h in narrow.hits] == ["thread:1", "thread:7", "thread:5", "thread:3"]
    assert narrow.facets["space_id"] == {"1": 4}
    by_date = backend.search(SearchQuery(text="pump", access=anonymous, space_id="1", sort="date"))
    assert [h.id for h in by_date.hits] == ["thread:7", "thread:5", "thread:3", "thread:1"]


def test_hidden_newest_matches_do_not_hide_older_visible_ones(backend, sample_of_four):
    backend.rebuild(
        SearchDocument(
            id=f"thread:{n}",
            kind="thread",
            title=f"Pump {n}",
            body="",
            url=f"/t/{n}",
            space_id="2" if n > 4 else "1",
            visibility="private" if n > 4 else "public",
        )
        for n in range(1, 11)
    )
    results = backend.search(SearchQuery(text="pump", access=Access()))
    assert results.total == 4 and results.sampled == 0
    assert sorted(h.id for h in results.hits) == [f"thread:{n}" for n in range(1, 5)]
    assert results.facets["space_id"] == {"1": 4}


def _doc(n: int, title: str, body: str = "", **fields) -> SearchDocument:
    return SearchDocument(
        id=f"thread:{n}", kind="thread", title=title, body=body, url="/", **fields
    )


def test_both_backends_tokenize_alike(backend):
    """Stems, Chinese words and their parts, phrases, OR and exclusions find the same."""
    backend.rebuild(
        [
            _doc(1, "Calibrating the CT detectors", "drift after updates", tags=("calibration",)),
            _doc(2, "显卡驱动安装失败", "重启以后黑屏"),
            _doc(3, "PACS 迁移 DICOM router", "Orchestrating the 路由器 migration"),
            _doc(4, "O'Brien's back\\slash", "colons: and stars* and 'quotes'"),
        ]
    )
    everyone = Access(everything=True)

    def ids(q: str) -> list[str]:
        return sorted(h.id for h in backend.search(SearchQuery(text=q, access=everyone)).hits)

    assert ids("calibration detector") == ["thread:1"]
    assert ids("显卡") == ids("驱动") == ids("显卡驱动") == ["thread:2"]
    assert ids("路由器 orchestrate") == ["thread:3"]
    assert ids('"ct detectors"') == ["thread:1"] and ids('"detectors ct"') == []
    assert ids("calibrate OR 黑屏") == ["thread:1", "thread:2"]
    assert ids("migration -dicom") == [] and ids("migration -calibrate") == ["thread:3"]
    assert ids("o'brien") == ids("back\\slash") == ids("slash") == ["thread:4"]
    assert ids("stars*") == ids("quotes") == ["thread:4"]
    assert ids("drift") == ["thread:1"]  # body words, not the title only
    assert backend.counts() == {"thread": 4}
    hit = backend.search(SearchQuery(text="drifting", access=everyone)).hits[0]
    assert hit.snippet_html == "<mark>drift</mark> after updates"


HOSTILE = [
    "\ud800 calibrate \udfff",
    "x" * 10_000,
    "calibrate " * 1000,
    '"unbalanced',
    'a"b"c"',
    "AND OR NOT",
    "& | ! <->",
    ":*",
    "calibr:*",
    "'calibr':* & !'x'",
    "calibrate & !drift",
    "(calibrate | drift) <-> detector",
    "!!!",
    "'; DROP TABLE search_documents; --",
    "1' OR '1'='1",
    "\\",
    "\\'",
    "%_%",
    "$1 %s %(q)s :q",
    "NEAR(a b) {title}: ^x",
    "-",
    "- - -",
    "OR",
    '"" "" ""',
    "\u202e\u200b\ufeff",
    "𝒞𝒶𝓁𝒾𝒷𝓇𝒶𝓉𝑒 😀",
]


@pytest.mark.parametrize("q", HOSTILE)
def test_hostile_query_text_gets_an_answer_never_an_error(backend, q):
    backend.rebuild([_doc(1, "Calibrating the CT detectors", "drift"), _doc(2, "拼装说明")])
    everyone = Access(everything=True)
    results = backend.search(SearchQuery(text=q, access=everyone))
    assert results.total == len(results.hits) <= 2
    assert isinstance(backend.suggest(q, everyone), list)
    assert isinstance(backend.matching_ids(q, everyone, "thread", 10), list)
    if "calibrate" in q and "!" not in q and "-" not in q and '"' not in q:
        assert [h.id for h in results.hits] == ["thread:1"]


@pytest.mark.parametrize("q", ["calibr:*", "'; DROP TABLE x; --", "a & !b", "%27%3B", "' | '"])
def test_hostile_query_text_through_the_pages(corpus_thread, client, q):
    for url in ("/search", "/search/suggest"):
        assert client.get(url, query_string={"q": q}).status_code == 200
    assert client.get("/search?q=calibrate").status_code == 200


@pytest.fixture
def corpus_thread(cast, create_thread):
    return create_thread(cast.space, cast.asker, title="Calibrating the CT detectors")


def test_a_private_space_counts_and_suggests_nothing_to_outsiders(
    app, create_space, create_thread, create_user, space_owner, backend
):
    secret = create_space("Skunkworks", visibility="private")
    create_thread(secret, space_owner, title="Quasar prototype", body="quasar", tags="quasar")
    with app.app_context():
        outsider = search_service().search(create_user("nosy"), text="quasar OR prototype")
        suggested = search_service().suggest(None, "quas")
        corrected = search_service().search(None, text="quasr")
    assert (outsider.total, outsider.hits, outsider.facets) == (0, [], {})
    assert suggested == [] and corrected.suggestion is None
    everyone = backend.search(SearchQuery(text="quasar", access=Access(everything=True)))
    assert everyone.total == 1 and everyone.facets["space_id"] == {str(secret.id): 1}


def test_rebuild_refuses_to_run_twice_at_once(app, backend, database, cast):
    with backend.store.lock() if database == "sqlite" else _advisory_lock(app):
        result = app.test_cli_runner().invoke(args=["search", "rebuild"])
    assert result.exit_code == 1 and "Another rebuild" in result.output
    check = app.test_cli_runner().invoke(args=["search", "check"])
    assert check.exit_code == 0, check.output  # the index in use is as it was


@contextmanager
def _advisory_lock(app):
    """Another process's rebuild: the advisory lock held on a connection of its own."""
    from community.search.pg_backend import REBUILD_LOCK

    engine = create_engine(app.config["SQLALCHEMY_DATABASE_URI"])
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": REBUILD_LOCK})
            yield
            conn.rollback()
    finally:
        engine.dispose()


def test_index_writes_go_with_the_content(app, client, cast, login, backend, database, monkeypatch):
    """PostgreSQL writes the index in the content's transaction: no queue, and a failed index
    write leaves neither. SQLite writes after the commit, through its queue."""
    with app.app_context():
        service = search_service()
    login(client, cast.asker)
    if database == "sqlite":
        assert service.queue is not None and not service.backend.transactional
        return
    assert service.queue is None and service.backend.transactional

    def broken(upserts, removals):
        raise RuntimeError("index write failed")

    monkeypatch.setattr(service.backend, "apply", broken)
    client.application.config["PROPAGATE_EXCEPTIONS"] = False
    response = client.submit(
        f"/s/{cast.space.slug}/new", {"kind": "question", "title": "Lost post", "body": "words"}
    )
    assert response.status_code == 500
    with app.app_context():
        assert db.session.scalar(select(Thread.id).where(Thread.title == "Lost post")) is None
    monkeypatch.undo()
    response = client.submit(
        f"/s/{cast.space.slug}/new", {"kind": "question", "title": "Kept post", "body": "words"}
    )
    assert response.status_code == 302
    with app.app_context():
        thread_id = db.session.scalar(select(Thread.id).where(Thread.title == "Kept post"))
    assert f"thread:{thread_id}" in backend.document_ids("thread")


def test_a_very_broad_total_is_exact_on_sqlite_and_estimated_on_postgresql(
    backend, database, sample_of_four, monkeypatch
):
    """Counting tens of thousands of PostgreSQL rows reads each of them: above EXACT_COUNT
    the planner's estimate is the total, and the results say so (the page shows "≈")."""
    backend.rebuild(_doc(n, f"Pump {n}", "pump") for n in range(1, 31))
    if database == "postgresql":
        from community.search import pg_backend

        monkeypatch.setattr(pg_backend, "EXACT_COUNT", 5)
    results = backend.search(SearchQuery(text="pump", access=Access()))
    assert results.sampled == 4 and len(results.hits) == 4
    if database == "sqlite":
        assert results.total == 30 and not results.estimated_total
    else:
        assert results.estimated_total and results.total > 4
