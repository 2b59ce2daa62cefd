"""On-demand benchmark: server CPU per request of Cocreate's main pages against a bare Flask page.

Fills a temporary SQLite database with the data of issue #22 (one public space with 2,000
discussion and question threads, 2,000 ideas with votes and co-design replies, 20,000 posts in
all; ``--scale 10`` for ten times that), serves the production app with gunicorn (2 sync workers
by default) next to a bare Flask + Jinja app that renders 20 list items (served the same way),
and requests each page with keep-alive clients for a fixed time, anonymously and signed in as a
plain member. The gunicorn workers' CPU time is read from ``/proc/<pid>/stat`` before and after
each row; CPU per request is that difference over the requests answered, which holds on a busy
machine far better than latency does.
"""

from __future__ import annotations

import argparse
import itertools
import os
import random
import shutil
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import ideas_bench  # noqa: E402
from flask import Flask, render_template  # noqa: E402
from jinja2 import DictLoader  # noqa: E402
from served import free_port, production_app, production_env, sign_in, start_server  # noqa: E402
from sqlalchemy import func, insert, select  # noqa: E402

from community.database import utcnow  # noqa: E402
from community.extensions import db  # noqa: E402
from community.forums.models import Post, Thread, ThreadTag  # noqa: E402
from community.forums.operations import recount_space_threads  # noqa: E402
from community.ideas.models import Idea  # noqa: E402
from community.spaces.models import Space  # noqa: E402

SLUG = "cocreate-lab"
# The one space of the data; ideas_bench's generator makes it (share 0.49: nearly all
# people are members).
SPACE = (SLUG, "Cocreate Lab", "public", 0.49, 0.2)
THREADS, POSTS, IDEAS = 2_000, 20_000, 2_000
#: The measured pages, by the name ``--pages`` takes.
PAGES = {
    "home": "/",
    "spaces": "/spaces",
    "space": "/s/<slug>",
    "thread": "/t/<id>",
    "ideas": "/s/<slug>/ideas",
    "idea": "/ideas/<id>",
}
#: Replies of the thread whose page is measured: a full page of 20 and more.
MEASURED_REPLIES = 30

BARE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{{ title }}</title></head>
<body><h1>{{ title }}</h1>
<ul>{% for item in items %}
  <li><a href="/items/{{ item.id }}">{{ item.title }}</a> by {{ item.author }}
  · {{ item.replies }} replies</li>{% endfor %}
</ul></body></html>"""


def bare_app() -> Flask:
    """A bare Flask + Jinja app whose one page renders 20 list items: the yardstick.

    gunicorn calls this in the server process: ``'page_cpu:bare_app()'``.
    """
    app = Flask("bare")
    # From a loader, as an app's templates are: compiled once and kept (render_template_string
    # would compile the template again on every request, tripling this yardstick's cost).
    app.jinja_loader = DictLoader({"bare.html": BARE})
    items = [
        {"id": n, "title": f"Thread number {n} about something", "author": f"user{n}", "replies": n}
        for n in range(1, 21)
    ]
    app.add_url_rule(
        "/bare", "bare", lambda: render_template("bare.html", title="Threads", items=items)
    )
    return app


def generate(app: Flask, scale: int, seed: int = 22) -> dict:
    """Fill the database with the issue's data times ``scale``; returns the measured paths'
    ids. Ideas (with votes, statuses and co-design replies) come from ideas_bench; the
    discussion and question threads are added here until the posts reach their number."""
    ideas_bench.SPACES = [SPACE]
    ideas_bench.generate(app, IDEAS * scale, seed=seed)
    rng = random.Random(seed)
    now = utcnow()
    with app.app_context():
        space_id = db.session.scalar(select(Space.id).where(Space.slug == SLUG))
        people = db.session.scalar(select(func.max(ideas_bench.User.id)))
        thread_id = db.session.scalar(select(func.max(Thread.id)))
        post_ids = itertools.count(db.session.scalar(select(func.max(Post.id))) + 1)
        posts_left = POSTS * scale - db.session.scalar(select(func.count(Post.id)))
        threads = THREADS * scale
        # Replies per new thread, lognormal, scaled so that the posts reach their number.
        weights = [rng.lognormvariate(0, 1) for _ in range(threads)]
        spare = max(0, posts_left - threads - MEASURED_REPLIES)
        replies = [int(spare * w / sum(weights[1:])) for w in weights]
        replies[0] = MEASURED_REPLIES
        for number in rng.sample(range(1, threads), spare - sum(replies[1:])):
            replies[number] += 1  # what rounding down left over
        rows: dict[type, list[dict]] = {Thread: [], Post: [], ThreadTag: []}
        measured_thread = thread_id + 1
        for number, count in enumerate(replies, start=1):
            tid = thread_id + number
            kind = "question" if rng.random() < 0.4 else "discussion"
            created = now - timedelta(days=365 * rng.random() ** 1.5)
            author = rng.randint(2, people)
            times = sorted(created + (now - created) * rng.random() for _ in range(count))
            title, body = ideas_bench._text(rng, rng.random() < 0.2)
            repliers = [rng.randint(2, people) for _ in times]
            rows[Thread].append(
                {
                    "id": tid,
                    "space_id": space_id,
                    "author_id": author,
                    "kind": kind,
                    "title": title,
                    "pinned": number <= 2,
                    "reply_count": count,
                    "answer_count": sum(r != author for r in repliers),
                    "created_at": created,
                    "last_activity_at": times[-1] if times else created,
                }
            )
            rows[Post].append(
                {
                    "id": next(post_ids),
                    "thread_id": tid,
                    "author_id": author,
                    "is_opening": True,
                    "body_source": body,
                    "body_html": f"<p>{body}</p>",
                    "created_at": created,
                }
            )
            rows[Post] += [
                {
                    "id": next(post_ids),
                    "thread_id": tid,
                    "author_id": replier,
                    "body_source": "Same here; the workaround is in the manual, chapter 4.",
                    "body_html": "<p>Same here; the workaround is in the manual, chapter 4.</p>",
                    "created_at": at,
                }
                for at, replier in zip(times, repliers, strict=True)
            ]
            rows[ThreadTag] += [
                {"thread_id": tid, "tag": t}
                for t in rng.sample(ideas_bench.TAGS, rng.choice((0, 1, 2)))
            ]
        for model, model_rows in rows.items():
            for start in range(0, len(model_rows), 20_000):
                db.session.execute(insert(model), model_rows[start : start + 20_000])
        recount_space_threads()  # the space's kept thread counts, with these threads
        # A well-supported idea with replies: the idea page people land on.
        idea_id = db.session.scalar(
            select(Idea.id).where(Idea.status == "planned").order_by(Idea.vote_count.desc())
        )
        db.session.commit()
        totals = {
            "threads": db.session.scalar(select(func.count(Thread.id))),
            "posts": db.session.scalar(select(func.count(Post.id))),
            "ideas": db.session.scalar(select(func.count(Idea.id))),
        }
        db.session.remove()
        db.engine.dispose()
    print(
        f"space {SLUG}: {totals['threads']} threads ({threads} discussions and questions), "
        f"{totals['posts']} posts, {totals['ideas']} ideas"
    )
    return {"thread": measured_thread, "idea": idea_id}


def workers_of(server) -> list[int]:
    """The pids of a gunicorn master's workers."""
    pids = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        if int(stat.rsplit(")", 1)[1].split()[1]) == server.pid:
            pids.append(int(entry))
    return sorted(pids)


def cpu_seconds(pids: list[int]) -> float:
    """User plus system CPU time of ``pids`` (from /proc/<pid>/stat), in seconds."""
    ticks = 0
    for pid in pids:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        ticks += int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15)
    return ticks / os.sysconf("SC_CLK_TCK")


class Row:
    """One page for one visitor, gathered over the rounds."""

    def __init__(self, name: str, path: str, visitor: str, cookie: str, server) -> None:
        self.name, self.path, self.visitor, self.cookie = name, path, visitor, cookie
        self.server = server
        self.requests = 0
        self.seconds = 0.0
        self.cpu = 0.0
        self.errors: list[str] = []

    def run(self, port: int, concurrency: int, seconds: float) -> None:
        pids = workers_of(self.server)
        before = cpu_seconds(pids)
        result = ideas_bench.hammer(port, self.path, self.cookie, concurrency, seconds)
        after = cpu_seconds(pids)
        if workers_of(self.server) != pids:
            sys.exit(f"gunicorn replaced a worker while measuring {self.path}")
        self.requests += len(result.latencies)
        self.seconds += result.seconds
        self.cpu += after - before
        self.errors += result.errors

    @property
    def cpu_ms(self) -> float:
        return 1000 * self.cpu / max(self.requests, 1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scale", type=int, default=1, help="times the issue's data")
    parser.add_argument("--seconds", type=float, default=10, help="measured seconds per row")
    parser.add_argument("--rounds", type=int, default=5, help="rounds over all rows")
    parser.add_argument("--concurrency", type=int, default=16, help="client connections")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn sync workers")
    parser.add_argument("--dir", type=Path, help="keep the database here (default: temporary)")
    parser.add_argument("--reuse", action="store_true", help="measure the database in --dir")
    parser.add_argument(
        "--no-page-cache",
        action="store_true",
        help="render every anonymous page afresh (PAGE_CACHE_SECONDS=0): a cache miss's cost",
    )
    parser.add_argument(
        "--pages",
        default=",".join(PAGES),
        help=f"comma-separated pages to measure, of {','.join(PAGES)} (default: all)",
    )
    args = parser.parse_args()
    chosen = args.pages.split(",")
    if unknown := set(chosen) - set(PAGES):
        parser.error(f"unknown pages: {', '.join(sorted(unknown))}")
    workdir = args.dir or Path(tempfile.mkdtemp(prefix="cocreate-page-cpu-"))
    workdir.mkdir(parents=True, exist_ok=True)
    env = production_env(workdir, **({"PAGE_CACHE_SECONDS": "0"} if args.no_page_cache else {}))
    servers = []
    try:
        ids_file = workdir / "ids"
        if args.reuse:
            thread, idea = map(int, ids_file.read_text().split())
        else:
            app = production_app(env)
            begin = time.perf_counter()
            ids = generate(app, args.scale)
            thread, idea = ids["thread"], ids["idea"]
            ids_file.write_text(f"{thread} {idea}")
            print(f"database filled in {time.perf_counter() - begin:.1f} s")
        port, bare_port = free_port(), free_port()
        for spec, at, ready in (
            ("page_cpu:bare_app()", bare_port, "/bare"),
            ("ideas_bench:bench_app()", port, "/login"),
        ):
            servers.append(
                start_server(
                    spec,
                    env,
                    at,
                    1,
                    workdir / f"gunicorn-{at}.log",
                    ready=ready,
                    workers=args.workers,
                    worker_class="sync",
                )
            )
        bare_server, server = servers
        member = sign_in(port, ideas_bench.MEMBER, ideas_bench.PASSWORD)
        paths = {
            "home": "/",
            "spaces": "/spaces",
            "space": f"/s/{SLUG}",
            "thread": f"/t/{thread}",
            "ideas": f"/s/{SLUG}/ideas",
            "idea": f"/ideas/{idea}",
        }
        pages = [(f"`{PAGES[page]}`", paths[page]) for page in PAGES if page in chosen]
        rows = [Row("bare Flask page", "/bare", "anonymous", "", bare_server)] + [
            Row(name, path, visitor, cookie, server)
            for visitor, cookie in (("anonymous", ""), ("member", member))
            for name, path in pages
        ]
        ports = {id(bare_server): bare_port, id(server): port}
        for row in rows:  # warm-up: imports, template compilation, SQLite's page cache
            ideas_bench.hammer(ports[id(row.server)], row.path, row.cookie, args.concurrency, 1)
        load_before = os.getloadavg()[0]
        for number in range(1, args.rounds + 1):
            for row in rows:
                row.run(ports[id(row.server)], args.concurrency, args.seconds / args.rounds)
            print(f"  round {number} of {args.rounds} done", file=sys.stderr)
        print(f"\nload average {load_before:.2f} before, {os.getloadavg()[0]:.2f} after (1 min)")
        print(
            f"scale {args.scale}, {args.concurrency} connections, {args.seconds:g} s per row "
            f"in {args.rounds} rounds, gunicorn {args.workers} sync workers, page cache "
            f"{'off' if args.no_page_cache else 'on'}\n"
        )
        print("| page | visitor | requests | req/s | CPU ms/request | × bare page | errors |")
        print("|---|---|---:|---:|---:|---:|---:|")
        bare = rows[0].cpu_ms
        for row in rows:
            print(
                f"| {row.name} | {row.visitor} | {row.requests} | "
                f"{row.requests / row.seconds:.1f} | {row.cpu_ms:.2f} | {row.cpu_ms / bare:.1f} | "
                f"{len(row.errors)} |"
            )
        failed = [(row.path, row.visitor, row.errors[0]) for row in rows if row.errors]
        if failed:
            print(f"\nerrors (first of each row): {failed}")
    finally:
        for server in servers:
            server.terminate()
            server.wait(timeout=30)
        if not args.dir:
            shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
