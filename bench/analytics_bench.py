"""On-demand benchmark of the Insights dashboard and the idea explorer at R&D scale.

Fills a temporary SQLite database through ``ideas_bench.generate`` (ideas in spaces of
different sizes with timelines, votes from customers of many segments and organisations,
co-design replies) plus question threads with answers. These are bulk inserts that send no
signals, so the participation and votes rollups are then counted by ``rollup.rebuild()``
(what ``flask analytics rebuild`` runs; the migrations backfill with the same SQL, frozen), as
are each timeline step's time in status and each idea's trending value (in the generator). It
then requests each dashboard view and the explorer as an admin through the app (the view, its
queries and its template), several times, and reports median and worst times. The target is
under 500 ms per view on SQLite at 100,000 ideas, 1,000,000 votes and 200,000 posts.

    .venv/bin/python bench/analytics_bench.py                  # 100,000 ideas
    .venv/bin/python bench/analytics_bench.py --ideas 10000    # quick check
    .venv/bin/python bench/analytics_bench.py --db /tmp/a.db --keep      # keep the data…
    .venv/bin/python bench/analytics_bench.py --db /tmp/a.db --reuse     # …and re-measure
"""

from __future__ import annotations

import argparse
import itertools
import os
import random
import statistics
import sys
import tempfile
import time
from datetime import timedelta

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from ideas_bench import PASSWORD, generate  # noqa: E402
from sqlalchemy import func, insert, select, update  # noqa: E402

from community import create_app  # noqa: E402
from community.accounts.models import User  # noqa: E402
from community.analytics import rollup  # noqa: E402
from community.config import ProductionConfig  # noqa: E402
from community.database import utcnow  # noqa: E402
from community.extensions import db  # noqa: E402
from community.forums.models import Post, Thread  # noqa: E402
from community.ideas.models import IdeaVote  # noqa: E402
from community.spaces.models import Membership  # noqa: E402

TARGET_MS = 500
PAGES = [
    ("funnel", "/analytics/funnel"),
    ("funnel, one year", "/analytics/funnel?start={year_ago}"),
    ("demand", "/analytics/demand"),
    ("demand, enterprise", "/analytics/demand?segment=enterprise"),
    ("knowledge loop", "/analytics/knowledge"),
    ("participation", "/analytics/participation"),
    ("participation, one year", "/analytics/participation?start={year_ago}"),
    ("explorer", "/analytics/ideas"),
    ("explorer, words + segment", "/analytics/ideas?q=mode&segment=enterprise"),
    ("explorer, votes ≥ 20, oldest", "/analytics/ideas?votes_min=20&sort=oldest"),
    ("api ideas, trending", "/api/v1/ideas?sort=trending"),
]


def add_questions(app, count: int, seed: int = 11) -> int:
    """Question threads spread over the year, most answered, some by space owners."""
    rng = random.Random(seed)
    now = utcnow()
    with app.app_context():
        members: dict[int, list[int]] = {}
        for space_id, user_id in db.session.execute(
            select(Membership.space_id, Membership.user_id)
        ):
            members.setdefault(space_id, []).append(user_id)
        next_thread = (db.session.scalar(select(func.max(Thread.id))) or 0) + 1
        next_post = itertools.count((db.session.scalar(select(func.max(Post.id))) or 0) + 1)
        threads, posts = [], []
        for thread_id in range(next_thread, next_thread + count):
            space_id = rng.choice(list(members))
            asked = now - timedelta(days=365 * rng.random())
            author = rng.choice(members[space_id])
            replies = min(int(rng.expovariate(0.6)), 12)
            times = sorted(asked + timedelta(hours=rng.expovariate(1 / 20)) for _ in range(replies))
            repliers = [rng.choice(members[space_id]) for _ in times]
            threads.append(
                {
                    "id": thread_id,
                    "space_id": space_id,
                    "author_id": author,
                    "kind": "question",
                    "title": f"How do I configure export {thread_id}?",
                    "reply_count": replies,
                    "answer_count": sum(replier != author for replier in repliers),
                    "created_at": asked,
                    "last_activity_at": times[-1] if times else asked,
                }
            )
            posts.append(
                {
                    "id": next(next_post),
                    "thread_id": thread_id,
                    "author_id": author,
                    "is_opening": True,
                    "body_source": "It fails.",
                    "body_html": "<p>It fails.</p>",
                    "created_at": asked,
                }
            )
            posts += [
                {
                    "id": next(next_post),
                    "thread_id": thread_id,
                    "author_id": replier,
                    "body_source": "Try this.",
                    "body_html": "<p>Try this.</p>",
                    "created_at": at,
                }
                for at, replier in zip(times, repliers, strict=True)
            ]
        db.session.execute(insert(Thread), threads)
        db.session.execute(insert(Post), posts)
        db.session.commit()
        return len(posts)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ideas", type=int, default=100_000)
    parser.add_argument("--questions", type=int, default=None, help="default: ideas / 3")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--db", default=None)
    parser.add_argument("--keep", action="store_true")
    parser.add_argument("--reuse", action="store_true")
    args = parser.parse_args()
    folder = tempfile.mkdtemp(prefix="cocreate-analytics-")
    path = args.db or os.path.join(folder, "bench.db")
    os.environ.setdefault("SECRET_KEY", "bench-" + "x" * 32)
    app = create_app(
        ProductionConfig,
        SQLALCHEMY_DATABASE_URI=f"sqlite:///{path}",
        SEARCH_INDEX_DIR=os.path.join(folder, "search"),
        SESSION_COOKIE_SECURE=False,
        RATELIMIT_ENABLED=False,
        WTF_CSRF_ENABLED=False,  # the benchmark signs in with a plain POST
    )
    if not args.reuse:
        started = time.perf_counter()
        generate(app, args.ideas)
        added = add_questions(app, args.questions or args.ideas // 3)
        generated = time.perf_counter() - started
        with app.app_context():
            # Bulk inserts send no signals: count the rollups as the migrations' backfills do.
            counted = time.perf_counter()
            rows = rollup.rebuild()
            db.session.commit()
            print(f"rollup rebuilt in {time.perf_counter() - counted:.0f} s: {rows} rows")
            db.session.execute(update(User).where(User.id == 1).values(role="admin"))
            db.session.execute(db.text("ANALYZE"))
            db.session.commit()
            totals = {
                "ideas": db.session.scalar(
                    select(func.count()).select_from(Thread).where(Thread.kind == "codesign")
                ),
                "votes": db.session.scalar(select(func.count()).select_from(IdeaVote)),
                "posts": db.session.scalar(select(func.count()).select_from(Post)),
            }
        print(f"generated in {generated:.0f} s: {totals} ({added} in questions)")
    with app.app_context():
        db.engine.dispose()
    client = app.test_client()
    response = client.post("/login", data={"login": "staff", "password": PASSWORD})
    assert response.status_code == 302, "sign-in failed"
    year_ago = (utcnow() - timedelta(days=365)).date().isoformat()
    print(f"\n| view | median ms | worst ms | under {TARGET_MS} ms |\n|---|---:|---:|---|")
    for name, url in PAGES:
        url = url.format(year_ago=year_ago)
        times = []
        for _ in range(args.runs):
            started = time.perf_counter()
            response = client.get(url)
            times.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200, (url, response.status_code)
        median = statistics.median(times)
        verdict = "yes" if median < TARGET_MS else "NO"
        print(f"| {name} | {median:.0f} | {max(times):.0f} | {verdict} |")
    if not args.keep and not args.db:
        import shutil

        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
