"""The participation and votes rollups and the trending values under concurrent writers: a moderator
merges and unmerges an idea (which recounts its voters' rollup rows before the commit and its
trending value under the row lock) while those same voters vote and take votes back on other
ideas in both spaces, from several processes at once. Afterwards every kept row equals a count
from scratch, on SQLite and PostgreSQL.

Processes come from a "forkserver", as in ``tests/ideas/test_concurrency.py``."""

from __future__ import annotations

import traceback

import pytest
from sqlalchemy import select

from community.accounts import operations as accounts
from community.accounts.models import User
from community.analytics import rollup
from community.analytics.models import (
    ActivityDay,
    ActivityWeek,
    ActivityWeekPeople,
    VoteDay,
    VoteVoter,
)
from community.extensions import db
from community.ideas import curation, trending
from community.ideas import operations as ideas
from community.ideas.models import Idea
from community.permissions import Role
from community.spaces import operations as spaces
from tests.fixtures.ideas import same_trend
from tests.ideas.test_concurrency import _app, database_url, run_together  # noqa: F401

WORKERS = 3
VOTERS = 6
ROUNDS = 8
TIMEOUT = 90


def _work(url, search_dir, role, idea_ids, voters, barrier, results) -> None:
    """One process: the moderator merges and unmerges ``idea_ids[0]`` into ``idea_ids[1]``;
    a voter process has each of its voters vote for and take back the other ideas."""
    try:
        app = _app(url, search_dir)
        duplicate, target, *others = idea_ids
        barrier.wait()
        for round_ in range(ROUNDS):
            with app.test_request_context():
                if role == "moderator":
                    by = db.session.scalar(select(User).where(User.username == "owner"))
                    idea = db.session.get(Idea, duplicate)
                    if idea.status == "merged":
                        curation.unmerge_idea(idea, by=by)
                    else:
                        curation.merge_idea(idea, target, response="Same request.", by=by)
                else:
                    for username in voters:
                        user = db.session.scalar(select(User).where(User.username == username))
                        idea = db.session.get(Idea, others[round_ % len(others)])
                        if round_ % 2:
                            ideas.retract_vote(idea, user)
                        else:
                            ideas.cast_vote(idea, user)
                db.session.commit()
        with app.app_context():
            db.engine.dispose()
        results.put(("ok", role))
    except BaseException:
        results.put(("error", traceback.format_exc()))
        barrier.abort()


def _cast(tmp_path, url: str) -> list[int]:
    app = _app(url, str(tmp_path / "search"))
    with app.test_request_context():
        people = {}
        for n, username in enumerate(["owner", *[f"voter{i}" for i in range(VOTERS)]]):
            people[username] = accounts.register_user(
                username=username,
                email=f"{username}@example.com",
                display_name=username.title(),
                password="correct horse battery",
                role=Role.MODERATOR if username == "owner" else Role.MEMBER,
            )
            people[username].segment = ("enterprise", "education")[n % 2]
        owner = people["owner"]
        imaging = spaces.create_space(
            name="Imaging", description="", visibility="public", tags="", by=owner
        )
        dosimetry = spaces.create_space(
            name="Dosimetry", description="", visibility="public", tags="", by=owner
        )
        made = [
            ideas.submit_idea(imaging, author=owner, title="Dark mode", body="x"),
            ideas.submit_idea(dosimetry, author=owner, title="Dark theme", body="x"),
            ideas.submit_idea(imaging, author=owner, title="Export", body="x"),
            ideas.submit_idea(dosimetry, author=owner, title="Import", body="x"),
        ]
        db.session.flush()
        for n in range(VOTERS):
            ideas.cast_vote(made[0], people[f"voter{n}"])  # the duplicate's voters
        db.session.commit()
        ids = [idea.id for idea in made]
        db.session.remove()
        db.engine.dispose()
    return ids


def _kept() -> tuple:
    return (
        {
            (r.space_id, r.user_id, r.day, r.segment, r.posts, r.votes)
            for r in db.session.scalars(select(ActivityDay))
        },
        {(r.week, r.user_id, r.contributions) for r in db.session.scalars(select(ActivityWeek))},
        {r.week: r.people for r in db.session.scalars(select(ActivityWeekPeople)) if r.people},
        {(r.day, r.segment, r.organisation, r.votes) for r in db.session.scalars(select(VoteDay))},
        {
            (r.segment, r.organisation, r.user_id, r.last_voted_at)
            for r in db.session.scalars(select(VoteVoter))
        },
        dict(db.session.execute(select(Idea.id, Idea.trend)).all()),
    )


@pytest.mark.race
def test_recounts_beside_concurrent_votes(database_url, tmp_path):  # noqa: F811
    idea_ids = _cast(tmp_path, database_url)
    voters = [f"voter{i}" for i in range(VOTERS)]
    share = VOTERS // WORKERS
    plans = [("moderator", [])] + [
        ("voter", voters[n * share : (n + 1) * share]) for n in range(WORKERS)
    ]
    search = str(tmp_path / "search")
    run_together(
        __name__,
        _work,
        [(database_url, search, role, idea_ids, mine) for role, mine in plans],
        timeout=TIMEOUT,
    )

    app = _app(database_url, str(tmp_path / "search"))
    with app.app_context():
        kept = _kept()
        rollup.rebuild()
        trending.recount_all()
        counted = _kept()
        assert kept[:5] == counted[:5]
        for idea_id, value in kept[5].items():
            assert value == same_trend(counted[5][idea_id])
        db.session.rollback()
        db.session.remove()
        db.engine.dispose()
