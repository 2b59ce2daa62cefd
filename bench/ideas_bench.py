"""On-demand benchmark of the idea list pages against a minimal page, in one gunicorn server.

Fills a temporary SQLite database with realistic ideas (spaces of different sizes, one of
them private; English and Chinese titles; tags; every status with its timeline; co-design
replies; votes from customers of many organisations, dated over a year), serves the real app
with gunicorn the way production does (one gthread worker), adds ``/bench/minimal`` (a tiny
template) and ``/bench/layout`` (the site layout around one paragraph) to that same app, and
hits each page with keep-alive clients for a fixed time, as an anonymous visitor and as a
signed-in member of several spaces.
"""

from __future__ import annotations

import argparse
import http.client
import itertools
import math
import os
import random
import shutil
import statistics
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from flask import Flask, render_template  # noqa: E402
from served import free_port, production_app, production_env, sign_in, start_server, stop_server  # noqa: E402
from sqlalchemy import insert  # noqa: E402

from community import create_app  # noqa: E402
from community.accounts.models import SEGMENTS, User  # noqa: E402
from community.accounts.passwords import hash_password  # noqa: E402
from community.database import utcnow  # noqa: E402
from community.extensions import db  # noqa: E402
from community.forums import operations as forum_operations  # noqa: E402
from community.forums.models import Post, Thread, ThreadTag  # noqa: E402
from community.ideas import operations as idea_operations  # noqa: E402
from community.ideas import time_in_status, trending  # noqa: E402
from community.ideas.models import Idea, IdeaStatusChange, IdeaTag, IdeaVote  # noqa: E402
from community.spaces.models import Membership, Space  # noqa: E402

PASSWORD = "bench-member-passphrase"  # noqa: S105 (a throwaway database)
MEMBER = "bench_member"
# (slug, name, visibility, share of ideas and of people, share of ideas in Chinese)
SPACES = [
    ("imaging-workflows", "Imaging Workflows", "public", 0.30, 0.05),
    ("home-cocreation", "家居共创社区", "public", 0.22, 0.9),
    ("rendering-partners", "Rendering Partners", "restricted", 0.14, 0.2),
    ("classroom", "课堂里的 Cocreate", "public", 0.12, 0.6),
    ("city-services", "City Digital Services", "public", 0.10, 0.0),
    ("advisory-board", "Customer Advisory Board", "private", 0.07, 0.1),
    ("field-service", "Field Service", "public", 0.05, 0.1),
]
FEATURES_EN = (
    "Dark mode", "Offline mode", "Bulk export", "Keyboard shortcuts", "Single sign-on",
    "An audit log", "Custom fields", "Saved filters", "A mobile app", "Webhooks",
    "Scheduled reports", "Two-factor sign-in", "Read-only guest access", "A public roadmap",
    "Spreadsheet import", "Email digests", "Printable checklists", "Large-print mode",
)  # fmt: skip
OBJECTS_EN = (
    "the reading room", "field engineers", "assembly instructions", "the QA report",
    "remote service sessions", "the scheduler", "render queues", "the parts catalogue",
    "patient preparation sheets", "the dashboard", "teachers' gradebooks", "citizen requests",
    "the warranty portal", "night shifts", "the spare-parts order form",
)  # fmt: skip
FEATURES_ZH = (
    "扫码看视频", "推拉门套件", "离线模式", "批量导出", "快捷键", "深色模式", "语音提醒",
    "多语言说明书", "家长通知", "预约提醒",
)  # fmt: skip
OBJECTS_ZH = (
    "拼装说明", "小户型衣柜", "课堂作业", "售后工单", "配送预约", "渲染任务", "门店库存",
    "维修记录", "老人用户", "学生账号",
)  # fmt: skip
TAGS = (
    "usability", "accessibility", "mobile", "export", "reporting", "integrations", "security",
    "performance", "workflow", "notifications", "printing", "offline", "api", "onboarding",
    "组装", "售后", "课堂", "配送", "渲染",
)  # fmt: skip
ORGANISATIONS = [
    "Northwind Medical Imaging",
    "Fjordhus Interiors",
    "Studio Lumen Films",
    "City of Riverton",
    "上海明远家居",
    "清河实验学校",
    "Contoso Health",
    "Blue Harbour Clinics",
    "杭州木语家具",
    "Aurora Animation",
    "Lakeside School District",
    "Kestrel Engineering",
    "北京星河影视",
    "Independent",
]
# Final statuses and how often ideas reach them, by the pipeline order they pass through.
PIPELINE = ["new", "under_review", "planned", "in_progress", "shipped"]
STATUS_WEIGHTS = {
    "new": 45,
    "under_review": 15,
    "planned": 12,
    "in_progress": 8,
    "shipped": 10,
    "declined": 8,
    "merged": 2,
}


def _text(rng: random.Random, chinese: bool) -> tuple[str, str]:
    if chinese:
        title = f"{rng.choice(OBJECTS_ZH)}增加{rng.choice(FEATURES_ZH)}"
        body = f"很多客户都提到这个问题。希望{title}，这样能节省不少时间。"
    else:
        title = f"{rng.choice(FEATURES_EN)} for {rng.choice(OBJECTS_EN)}"
        body = f"{title} would save our team time every week. We would pilot it."
    return title, body


def _person(n: int, username: str, organisation: str, segment: str) -> dict:
    return {
        "id": n,
        "username": username,
        "username_key": username,
        "email": f"{username}@example.com",
        "email_key": f"{username}@example.com",
        "display_name": f"Customer {n}" if segment != "staff" else "Erik Lindqvist",
        "organisation": organisation,
        "segment": segment,
    }


def _steps(rng: random.Random, final: str) -> list[str]:
    """The statuses an idea passed through to reach ``final``, after "new"."""
    if final in PIPELINE:
        return PIPELINE[1 : PIPELINE.index(final) + 1]
    before = PIPELINE[1 : rng.randint(1, 3)]
    return [*before, final]


def generate(app: Flask, ideas: int, seed: int = 7) -> dict:
    """Fill the database; returns the largest space's slug. Bulk inserts, no signals."""
    rng = random.Random(seed)
    now = utcnow()
    people = max(300, ideas // 2)
    with app.app_context():
        password_hash = hash_password(PASSWORD)  # its settings are the app's
        db.create_all()
        segments = [s for s in SEGMENTS if s != "staff"]
        users = [
            _person(1, "staff", "Cocreate Inc.", "staff"),
            *(
                _person(n, f"user{n}", rng.choice(ORGANISATIONS), rng.choice(segments))
                for n in range(2, people + 1)
            ),
            _person(people + 1, MEMBER, "Contoso Health", "enterprise"),
        ]
        for user in users:
            user["password_hash"] = password_hash
        db.session.execute(insert(User), users)

        spaces, members, memberships = [], {}, []
        for number, (slug, name, visibility, share, _zh) in enumerate(SPACES, start=1):
            chosen = rng.sample(range(2, people + 1), max(20, int(people * share * 2)))
            members[number] = [1, *chosen, people + 1]
            spaces.append(
                {
                    "id": number,
                    "slug": slug,
                    "name": name,
                    "visibility": visibility,
                    "created_by_id": 1,
                    "member_count": len(members[number]),
                    "created_at": now - timedelta(days=400),
                    "updated_at": now - timedelta(days=400),
                }
            )
            memberships += [
                {"space_id": number, "user_id": u, "role": "owner" if u == 1 else "member"}
                for u in members[number]
            ]
        db.session.execute(insert(Space), spaces)
        db.session.execute(insert(Membership), memberships)

        rows: dict[type, list[dict]] = {
            m: [] for m in (Thread, Post, ThreadTag, Idea, IdeaTag, IdeaVote, IdeaStatusChange)
        }
        post_ids = itertools.count(1)
        weights = [space[3] for space in SPACES]
        by_id = {u["id"]: u for u in users}
        for idea_id in range(1, ideas + 1):
            space_id = rng.choices(range(1, len(SPACES) + 1), weights)[0]
            chinese = rng.random() < SPACES[space_id - 1][4]
            title, body = _text(rng, chinese)
            age = timedelta(days=365 * rng.random() ** 1.5)  # more recent ideas than old ones
            created = now - age
            author = rng.choice(members[space_id][1:-1])
            tags = rng.sample(TAGS, rng.choice((0, 1, 1, 2, 2, 3)))
            final = rng.choices(list(STATUS_WEIGHTS), list(STATUS_WEIGHTS.values()))[0]
            if final == "merged" and idea_id == 1:
                final = "new"  # there is no older idea to merge the first one into
            replies = min(int(rng.expovariate(0.4)), 25)
            reply_times = sorted(created + age * rng.random() for _ in range(replies))
            repliers = [rng.choice(members[space_id]) for _ in reply_times]
            rows[Thread].append(
                {
                    "id": idea_id,
                    "space_id": space_id,
                    "author_id": author,
                    "kind": "codesign",
                    "title": title,
                    "idea_id": idea_id,
                    "reply_count": replies,
                    "answer_count": sum(replier != author for replier in repliers),
                    "created_at": created,
                    "last_activity_at": reply_times[-1] if reply_times else created,
                }
            )
            rows[Post] += [
                {
                    "id": next(post_ids),
                    "thread_id": idea_id,
                    "author_id": author,
                    "is_opening": True,
                    "body_source": body,
                    "body_html": f"<p>{body}</p>",
                    "created_at": created,
                }
            ] + [
                {
                    "id": next(post_ids),
                    "thread_id": idea_id,
                    "author_id": replier,
                    "body_source": "+1, we need this too.",
                    "body_html": "<p>+1, we need this too.</p>",
                    "created_at": at,
                }
                for at, replier in zip(reply_times, repliers, strict=True)
            ]
            rows[ThreadTag] += [{"thread_id": idea_id, "tag": t} for t in tags]
            rows[IdeaTag] += [{"idea_id": idea_id, "tag": t} for t in tags]
            voters = rng.sample(
                members[space_id][1:],
                min(len(members[space_id]) - 1, int(rng.lognormvariate(1.6, 1.2))),
            )
            for voter in voters:
                # Most support comes in the weeks after an idea is posted; some keeps coming.
                delay = min(age, timedelta(days=rng.expovariate(1 / 20)))
                rows[IdeaVote].append(
                    {
                        "idea_id": idea_id,
                        "user_id": voter,
                        "organisation": by_id[voter]["organisation"],
                        "segment": by_id[voter]["segment"],
                        "created_at": created + delay,
                    }
                )
            steps = [] if final == "new" else _steps(rng, final)
            when = created
            for before, after in zip(["new", *steps], steps, strict=False):
                when += (now - when) * rng.random() * 0.5
                rows[IdeaStatusChange].append(
                    {
                        "idea_id": idea_id,
                        "from_status": before,
                        "to_status": after,
                        "response_source": "Thanks, we are on it.",
                        "response_html": "<p>Thanks, we are on it.</p>",
                        "by_id": 1,
                        "created_at": when,
                    }
                )
            rows[Idea].append(
                {
                    "id": idea_id,
                    "space_id": space_id,
                    "author_id": author,
                    "thread_id": idea_id,
                    "title": title,
                    "body_source": body,
                    "body_html": f"<p>{body}</p>",
                    "status": final,
                    "vote_count": len(voters),
                    "merged_into_id": rng.randrange(1, idea_id) if final == "merged" else None,
                    "created_at": created,
                    "updated_at": max([created, when, *reply_times]),
                    "status_changed_at": when if steps else None,
                    "author_may_edit": not voters and not steps,
                }
            )
        for model, model_rows in rows.items():
            if model_rows:
                db.session.execute(insert(model), model_rows)
        # Bulk inserts send no signals or events: count the spaces' threads and ideas, each
        # step's time in status and each idea's trending value from the rows, as the
        # migrations and `flask forums recount` and `flask ideas recount` do.
        forum_operations.recount_space_threads()
        idea_operations.recount_space_ideas()
        time_in_status.recount()
        trending.recount_all()
        db.session.commit()
        counts = {m.__name__: len(r) for m, r in rows.items()}
        db.session.remove()
        db.engine.dispose()
    print(
        f"generated {counts['Idea']} ideas in {len(SPACES)} spaces, {len(users)} people, "
        f"{counts['IdeaVote']} votes, {counts['Post'] - counts['Idea']} replies, "
        f"{counts['IdeaStatusChange']} status changes"
    )
    return {"space": SPACES[0][0]}


MINIMAL = "<!doctype html><title>{{ title }}</title><p>{{ text }}</p>"
LAYOUT = '{% extends "layout.html" %}{% block content %}<p>{{ text }}</p>{% endblock %}'


def bench_app() -> Flask:
    """The production app (configured from the environment), plus the two reference pages.

    gunicorn calls this in the server process: ``'ideas_bench:bench_app()'``.
    """
    app = create_app()
    minimal = app.jinja_env.from_string(MINIMAL)
    layout = app.jinja_env.from_string(LAYOUT)
    app.add_url_rule(
        "/bench/minimal",
        "bench_minimal",
        lambda: render_template(minimal, title="Minimal", text="Hello from Cocreate."),
    )
    app.add_url_rule(
        "/bench/layout", "bench_layout", lambda: render_template(layout, text="Just the layout.")
    )
    return app


@dataclass
class Measurement:
    """Latencies and errors of one page for one visitor, gathered over the rounds."""

    latencies: list[float] = field(default_factory=list)
    seconds: float = 0.0
    errors: list[str] = field(default_factory=list)

    @property
    def rps(self) -> float:
        return len(self.latencies) / self.seconds

    def percentile(self, share: float) -> float:
        ordered = sorted(self.latencies)
        return ordered[max(0, math.ceil(share * len(ordered)) - 1)] if ordered else math.nan


def hammer(port: int, path: str, cookie: str, concurrency: int, seconds: float) -> Measurement:
    """``concurrency`` keep-alive clients request ``path`` in a loop for ``seconds``."""
    latencies: list[list[float]] = [[] for _ in range(concurrency)]
    errors: list[str] = []
    headers = {"Accept-Language": "en", "User-Agent": "cocreate-bench"}
    if cookie:
        headers["Cookie"] = cookie
    deadline = time.perf_counter() + seconds

    def client(mine: list[float]) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        while (begin := time.perf_counter()) < deadline:
            try:
                conn.request("GET", path, headers=headers)
                response = conn.getresponse()
                response.read()
            except (OSError, http.client.HTTPException) as error:
                errors.append(repr(error))
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                continue
            if response.status != 200:
                errors.append(f"HTTP {response.status}")
            mine.append((time.perf_counter() - begin) * 1000)
        conn.close()

    workers = [threading.Thread(target=client, args=(mine,)) for mine in latencies]
    started = time.perf_counter()
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    elapsed = time.perf_counter() - started
    return Measurement(list(itertools.chain.from_iterable(latencies)), elapsed, errors)


def measure(port: int, targets: list[tuple[str, str, str, str]], args) -> list[Measurement]:
    """Each (page, path, visitor, cookie) in turn for ``seconds / rounds``, ``rounds`` times,
    so that every page sees the same share of whatever else the machine is doing."""
    for _name, path, _visitor, cookie in targets:
        hammer(port, path, cookie, args.concurrency, 1.0)  # warm-up
    results = [Measurement() for _ in targets]
    for number in range(1, args.rounds + 1):
        for (_name, path, _visitor, cookie), result in zip(targets, results, strict=True):
            part = hammer(port, path, cookie, args.concurrency, args.seconds / args.rounds)
            result.latencies += part.latencies
            result.seconds += part.seconds
            result.errors += part.errors
        print(f"  round {number} of {args.rounds} done", file=sys.stderr)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--ideas", type=int, default=3000, help="ideas to generate")
    parser.add_argument("--seconds", type=float, default=10, help="measured seconds per row")
    parser.add_argument("--concurrency", type=int, default=8, help="client threads")
    parser.add_argument("--threads", type=int, default=50, help="gunicorn threads (production)")
    parser.add_argument("--rounds", type=int, default=5, help="rounds over all rows")
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="cocreate-ideas-bench-"))
    env = production_env(workdir)
    server = None
    try:
        app = production_app(env)
        begin = time.perf_counter()
        info = generate(app, args.ideas)
        print(f"database filled in {time.perf_counter() - begin:.1f} s")
        port = free_port()
        server = start_server(
            "ideas_bench:bench_app()",
            env,
            port,
            args.threads,
            workdir / "gunicorn.log",
            ready="/bench/minimal",
        )
        visitors = {"anonymous": "", "member": sign_in(port, MEMBER, PASSWORD)}
        pages = [
            ("minimal page", "/bench/minimal"),
            ("layout only", "/bench/layout"),
            ("ideas, all spaces (trending)", "/ideas"),
            ("ideas, all spaces (top)", "/ideas?sort=top"),
            ("ideas, one space (trending)", f"/s/{info['space']}/ideas"),
        ]
        targets = [
            (name, path, visitor, cookie)
            for visitor, cookie in visitors.items()
            for name, path in pages
        ]
        load_before = os.getloadavg()[0]
        results = measure(port, targets, args)
        print(f"\nload average {load_before:.2f} before, {os.getloadavg()[0]:.2f} after (1 min)")
        print(
            f"{args.ideas} ideas, {args.concurrency} keep-alive clients, {args.seconds:g} s "
            f"per row in {args.rounds} rounds, gunicorn gthread 1 worker × {args.threads} threads\n"
        )
        print("| page | visitor | requests | req/s | median ms | p95 ms | vs minimal | errors |")
        print("|---|---|---:|---:|---:|---:|---:|---:|")
        minimal = {
            visitor: r.rps
            for (name, _path, visitor, _cookie), r in zip(targets, results, strict=True)
            if name == "minimal page"
        }
        for (name, _path, visitor, _cookie), r in zip(targets, results, strict=True):
            print(
                f"| {name} | {visitor} | {len(r.latencies)} | {r.rps:.1f} | "
                f"{statistics.median(r.latencies):.1f} | {r.percentile(0.95):.1f} | "
                f"{r.rps / minimal[visitor]:.3f} | {len(r.errors)} |"
            )
        failed = [
            (t[0], t[2], r.errors[0]) for t, r in zip(targets, results, strict=True) if r.errors
        ]
        if failed:
            print(f"\nerrors (first of each row): {failed}")
    finally:
        if server is not None:
            stop_server(server)
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
