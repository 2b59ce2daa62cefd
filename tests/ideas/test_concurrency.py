"""Votes from several processes at once, on one database: exact rows, exact counts and trending
values, no errors.

Each process builds its own app with the factory on the same database URL (an SQLite file, and
a fresh PostgreSQL database when ``TEST_POSTGRES_URL`` is set), signs its people in through the
login form, waits for the others at a barrier and then votes through the vote endpoint.

The processes come from a "forkserver": a clean process that imports the app once (about 3 s,
mostly jieba) and forks the workers from there, so they inherit no connection, thread or app
from the test run, as with "spawn", without paying the import four times on two cores.
"""

from __future__ import annotations

import multiprocessing
import os
import traceback
from collections.abc import Iterator

import flask_migrate
import pytest
from sqlalchemy import func, select

from community import create_app
from community.accounts import operations as accounts
from community.config import TestingConfig
from community.extensions import db
from community.ideas import operations as ideas
from community.ideas import trending
from community.ideas.models import Idea, IdeaVote
from community.permissions import Role
from community.spaces import operations as spaces
from tests.fixtures.app import Client
from tests.fixtures.ideas import same_trend
from tests.fixtures.postgres import fresh_postgres_database

PROCESSES = 4
VOTERS = 16  # each signed in and voting in two processes at once
TOGGLES = 10  # vote / take back rounds per process by the one user signed in everywhere
PASSWORD = "correct horse battery"
TIMEOUT = 60

pytestmark = pytest.mark.race


def _app(url: str, search_dir: str):
    app = create_app(TestingConfig, SQLALCHEMY_DATABASE_URI=url, SEARCH_INDEX_DIR=search_dir)
    app.test_client_class = Client
    return app


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request, tmp_path) -> Iterator[str]:
    """A migrated, empty database of each kind; PostgreSQL only when TEST_POSTGRES_URL is set."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'votes.db'}"
        _migrate(url, tmp_path)
        yield url
        return
    with fresh_postgres_database("cocreate_votes") as url:
        _migrate(url, tmp_path)
        yield url


def _migrate(url: str, tmp_path) -> None:
    app = _app(url, str(tmp_path / "search"))
    with app.app_context():
        flask_migrate.upgrade()
        db.session.remove()
        db.engine.dispose()


def _vote_in_process(url, search_dir, voters, toggler, ideas_ids, barrier, results) -> None:
    """One process: sign in ``voters`` and ``toggler``, wait for every process, then vote."""
    try:
        many, toggled = ideas_ids
        app = _app(url, search_dir)
        clients = {}
        for username in (*voters, toggler):
            client = clients[username] = app.test_client()
            signed_in = client.submit("/login", {"login": username, "password": PASSWORD})
            assert signed_in.status_code == 302, username

        def vote(username: str, idea_id: int, wanted: bool) -> None:
            response = clients[username].submit(
                f"/ideas/{idea_id}/vote",
                {"vote": "1" if wanted else "0"},
                headers={"Accept": "application/json"},
            )
            assert response.status_code == 200 and response.json["ok"], response.get_data()

        barrier.wait()
        # Everyone at once: each voter from two processes, while the one user
        # signed in everywhere votes and takes the vote back on another idea.
        for round_ in range(max(len(voters), TOGGLES)):
            if round_ < len(voters):
                vote(voters[round_], many, True)
            if round_ < TOGGLES:
                vote(toggler, toggled, round_ % 2 == 0)
        barrier.wait()
        vote(toggler, toggled, True)  # all processes at once again: still one vote
        with app.app_context():
            db.engine.dispose()
        results.put(("ok", os.getpid()))
    except BaseException:
        results.put(("error", traceback.format_exc()))
        barrier.abort()


def run_together(module: str, target, arguments: list[tuple], timeout: float = TIMEOUT) -> list:
    """Run ``target(*args, barrier, results)`` for each ``args`` in a process of its own, forked
    from a forkserver that imported ``module`` (the test's, so that ``target`` is found); they
    meet at ``barrier`` and each puts ("ok", …) or ("error", traceback) on ``results``. Fails
    with every error, and leaves no process behind; returns what each put after "ok"."""
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload([module])
    barrier = context.Barrier(len(arguments), timeout=timeout)
    results = context.Queue()
    processes = []
    try:
        for args in arguments:
            process = context.Process(target=target, args=(*args, barrier, results))
            process.start()
            processes.append(process)
        outcomes = [results.get(timeout=timeout * 2) for _ in processes]
        for process in processes:
            process.join(timeout=timeout)
    finally:
        for process in processes:
            if process.is_alive():
                process.kill()
    errors = [detail for kind, detail in outcomes if kind == "error"]
    assert errors == [], "\n".join(errors)
    assert [p.exitcode for p in processes] == [0] * len(processes)
    return [detail for _kind, detail in outcomes]


def _cast(tmp_path, url: str) -> tuple[list[str], str, int, int]:
    """Voters, the one toggling user, and two ideas in a public space."""
    app = _app(url, str(tmp_path / "search"))
    with app.test_request_context():
        people = {}
        for n, username in enumerate(["owner", "toggler", *[f"voter{i}" for i in range(VOTERS)]]):
            user = accounts.register_user(
                username=username,
                email=f"{username}@example.com",
                display_name=username.title(),
                password=PASSWORD,
                role=Role.MODERATOR if username == "owner" else Role.MEMBER,
            )
            user.organisation = f"Organisation {n % 5}"
            user.segment = ("enterprise", "education", "public_sector")[n % 3]
            people[username] = user
        space = spaces.create_space(
            name="Imaging", description="", visibility="public", tags="", by=people["owner"]
        )
        many = ideas.submit_idea(space, author=people["owner"], title="Many voters", body="x")
        toggled = ideas.submit_idea(space, author=people["owner"], title="One voter", body="y")
        db.session.commit()
        ids = many.id, toggled.id
        db.session.remove()
        db.engine.dispose()
    return [f"voter{i}" for i in range(VOTERS)], "toggler", *ids


def test_votes_from_many_processes_at_once(database_url, tmp_path):
    voters, toggler, many, toggled = _cast(tmp_path, database_url)
    share = len(voters) // PROCESSES
    arguments = []
    for n in range(PROCESSES):
        # Each voter is in two processes' shares, so both cast the same vote at the same time.
        mine = voters[n * share : (n + 1) * share]
        twins = voters[((n + 1) % PROCESSES) * share : ((n + 1) % PROCESSES + 1) * share]
        arguments.append(
            (
                database_url,
                str(tmp_path / "search"),
                [v for pair in zip(mine, twins, strict=True) for v in pair],
                toggler,
                (many, toggled),
            )
        )
    run_together(__name__, _vote_in_process, arguments)

    app = _app(database_url, str(tmp_path / "search"))
    with app.app_context():
        voted = db.session.execute(
            select(IdeaVote.idea_id, func.count(IdeaVote.id)).group_by(IdeaVote.idea_id)
        ).all()
        assert dict(voted) == {many: VOTERS, toggled: 1}
        assert db.session.scalar(select(Idea.vote_count).where(Idea.id == many)) == VOTERS
        assert db.session.scalar(select(Idea.vote_count).where(Idea.id == toggled)) == 1
        assert ideas.recount_votes() == 0
        # The trending values, added to atomically and recounted under the row lock when a
        # vote is taken back, equal a count from scratch.
        kept = dict(db.session.execute(select(Idea.id, Idea.trend)).all())
        trending.recount_all()
        for idea_id, value in db.session.execute(select(Idea.id, Idea.trend)):
            assert kept[idea_id] == same_trend(value)
        db.session.remove()
        db.engine.dispose()
