"""On-demand load test: a bounded load of simulated people against a served Cocreate.

Fills a database with one public space (its threads with replies, its ideas, and a brainstorm
session in the ideate phase with visible notes) and ``--people`` members. Then, for
``--seconds``, each person acts the way people do, with a pause of 1-3 s between actions:

* most people browse (the home page, the space list, the space's threads and ideas, a thread,
  an idea, a search), and one action in five is a write: a vote cast or taken back (the page's
  script sends it as JSON) or, less often, a reply through the form;
* ``--board`` of them sit on the brainstorm board over a WebSocket, and one of them adds a
  note every ``--note-every`` seconds; the bench measures how long the note takes to reach
  every other person on the board (the fan-out).

Targets (issue #21): p95 < 300 ms for reads and < 500 ms for writes, errors < 0.1 %, note
fan-out p95 < 250 ms.

Two targets, one after the other, reported side by side: ``embedded`` serves the embedded
default as production would on one host (one gunicorn gthread worker on SQLite, in-process
Socket.IO); ``cluster`` starts what ``make cluster`` starts (deploy/cluster.py: PostgreSQL,
Redis, two instances, the job worker, nginx with TLS) in a temporary directory and sends the
people through nginx. ``--targets embedded`` runs one.

People run in ``--processes`` client processes (threads within each), so the load generator's
own GIL does not add to the latencies it measures; it still shares the machine's cores with
the servers, which the report says, with how much of the machine's CPU the clients took.

A note not seen by everyone within 10 s is told apart after the run: late (everyone had it
within 30 s more), lost (with how many people had it) or refused (the acknowledgement said
why). ``--logs DIR`` keeps the servers' logs (gunicorn, and on the cluster nginx, PostgreSQL,
Redis and the worker) for reading after a run with errors.
"""

from __future__ import annotations

import argparse
import math
import multiprocessing
import os
import random
import re
import secrets
import shutil
import statistics
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import requests  # noqa: E402
import socketio  # noqa: E402
import urllib3  # noqa: E402
from served import free_port, production_app, production_env, start_server, stop_server  # noqa: E402
from sqlalchemy import insert, select  # noqa: E402

from community import create_app  # noqa: E402
from community.accounts.models import User  # noqa: E402
from community.accounts.passwords import hash_password  # noqa: E402
from community.brainstorms import operations as brainstorms  # noqa: E402
from community.extensions import db  # noqa: E402
from community.forums import operations as forums  # noqa: E402
from community.ideas import operations as ideas  # noqa: E402
from community.permissions import Role  # noqa: E402
from community.search import sources  # noqa: E402
from community.search.service import search_service  # noqa: E402
from community.spaces import operations as spaces  # noqa: E402

PASSWORD = "load-person-passphrase"  # noqa: S105 (a throwaway database)
NAMESPACE = "/brainstorm"
WORDS = (
    "calibration", "export", "offline", "dashboard", "printing", "alignment", "scheduler",
    "reports", "mobile", "sensor", "firmware", "warranty", "扫码", "说明书", "离线",
)  # fmt: skip
CSRF = re.compile(r'<meta name="csrf-token" content="([^"]+)"')
LOGIN_CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


@dataclass
class Site:
    """What the people need to know about the filled site."""

    url: str
    slug: str
    threads: list[int]
    ideas: list[int]
    session: int
    people: int
    forwarded: bool


def generate(app, people: int, threads: int, idea_count: int) -> Site:
    """``people`` members (p1..pN, p0 the admin who owns the space and facilitates), the
    space's threads with two replies each, its ideas, and a board in the ideate phase."""
    rng = random.Random(21)
    with app.app_context():
        db.create_all()
        password_hash = hash_password(PASSWORD)
        db.session.execute(
            insert(User),
            [
                {
                    "username": f"p{n}",
                    "username_key": f"p{n}",
                    "email": f"p{n}@example.com",
                    "email_key": f"p{n}@example.com",
                    "display_name": f"Person {n}",
                    "password_hash": password_hash,
                    "role": Role.ADMIN.value if n == 0 else Role.MEMBER.value,
                }
                for n in range(people + 1)
            ],
        )
        users = db.session.scalars(
            select(User).where(User.username.like("p%")).order_by(User.id)
        ).all()
        owner, members = users[0], users[1:]
        space = spaces.create_space(
            name="Load Test Space",
            description="A space for the load test.",
            visibility="public",
            tags="",
            by=owner,
            slug=f"load-{secrets.token_hex(3)}",
        )
        for member in members:
            spaces.join_space(space, member)
        thread_ids = []
        for n in range(threads):
            words = " ".join(rng.sample(WORDS, 3))
            thread = forums.start_thread(
                space,
                author=members[n % len(members)],
                kind="question" if n % 2 else "discussion",
                title=f"How do we handle {words} ({n})?",
                body=f"We use {words} every day and wonder how others handle it.",
            )
            for r in range(2):
                forums.reply_to_thread(
                    thread, author=members[(n + r + 1) % len(members)], body=f"Reply {r}: {words}"
                )
            thread_ids.append(thread.id)
        idea_ids = []
        for n in range(idea_count):
            words = " ".join(rng.sample(WORDS, 2))
            idea = ideas.submit_idea(
                space,
                author=members[(n * 7) % len(members)],
                title=f"Better {words} ({n})",
                body=f"It would help if {words} worked better.",
            )
            idea_ids.append(idea.id)
        session = brainstorms.create_session(
            space,
            by=owner,
            prompt="What should we build next?",
            hidden_ideation=False,
            ideate_minutes=120,
            group_minutes=60,
            vote_minutes=60,
        )
        brainstorms.advance_phase(session, by=owner)
        db.session.commit()
        site = Site("", space.slug, thread_ids, idea_ids, session.id, people, False)
        search_service().backend.rebuild(sources.all_documents())
        db.session.commit()
        db.session.remove()
        db.engine.dispose()
    return site


def _address(n: int) -> str:
    return f"10.{n // 65536}.{n // 256 % 256}.{n % 256}"


class Browser(requests.Session):
    """A browser's cookies. Production cookies are Secure; on a plain-http target (the
    embedded one, on loopback) the bench's browsers send them anyway."""

    def request(self, *args, **kwargs):
        response = super().request(*args, **kwargs)
        if response.url.startswith("http:"):
            for cookie in self.cookies:
                cookie.secure = False
        return response


class Person:
    """One signed-in person with their own cookies (a browser)."""

    def __init__(self, site: Site, number: int) -> None:
        self.site, self.number = site, number
        self.http = Browser()
        self.http.trust_env = False  # loopback: no proxy, no CA bundle from the environment
        self.http.verify = False  # the cluster's self-signed certificate
        # Over https, forms are refused without a same-site Referer (as browsers send it).
        self.http.headers["Referer"] = f"{site.url}/"
        if site.forwarded:
            self.http.headers["X-Forwarded-For"] = _address(number)
        self.csrf = ""

    def sign_in(self) -> None:
        page = self.http.get(f"{self.site.url}/login", timeout=60)
        token = LOGIN_CSRF.search(page.text).group(1)
        done = self.http.post(
            f"{self.site.url}/login",
            data={"csrf_token": token, "login": f"p{self.number}", "password": PASSWORD},
            timeout=60,
            allow_redirects=False,
        )
        if done.status_code != 302 or "/login" in done.headers.get("Location", "/login"):
            raise RuntimeError(f"p{self.number} could not sign in: HTTP {done.status_code}")
        token = CSRF.search(self.http.get(f"{self.site.url}/", timeout=60).text)
        if token is None:
            raise RuntimeError(f"p{self.number}: the home page has no CSRF token")
        self.csrf = token.group(1)

    def cookie_header(self) -> str:
        return "; ".join(f"{c.name}={c.value}" for c in self.http.cookies)


@dataclass
class Samples:
    reads: list[float] = field(default_factory=list)
    writes: list[float] = field(default_factory=list)
    fanout: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    notes_late: int = 0  # seen by everyone, but after more than 10 s
    notes_lost: list[int] = field(default_factory=list)  # for each, how many people had it
    notes_refused: list[str] = field(default_factory=list)
    reconnects: int = 0
    client_cpu: float = 0.0  # CPU seconds the client processes spent during the load
    machine_cpu: float = 0.0  # CPU seconds the whole machine spent (every core) meanwhile
    machine_seconds: float = 0.0  # wall seconds × cores: what the machine could have spent


def _browse(person: Person, rng: random.Random, samples: Samples, lock: threading.Lock) -> None:
    """One action: a read, or one time in five a write."""
    site = person.site
    url = site.url
    if rng.random() < 0.2:
        idea = rng.choice(site.ideas)
        if rng.random() < 0.8:
            kind, call = (
                "write",
                lambda: person.http.post(
                    f"{url}/ideas/{idea}/vote",
                    data={"csrf_token": person.csrf, "vote": rng.choice("10")},
                    headers={"Accept": "application/json", "X-CSRFToken": person.csrf},
                    timeout=60,
                    allow_redirects=False,
                ),
            )
        else:
            thread = rng.choice(site.threads)
            kind, call = (
                "write",
                lambda: person.http.post(
                    f"{url}/t/{thread}/reply",
                    data={"csrf_token": person.csrf, "body": f"Load reply {secrets.token_hex(4)}"},
                    timeout=60,
                    allow_redirects=False,
                ),
            )
    else:
        path = rng.choices(
            [
                "/",
                "/spaces",
                f"/s/{site.slug}",
                f"/t/{rng.choice(site.threads)}",
                f"/s/{site.slug}/ideas",
                f"/ideas/{rng.choice(site.ideas)}",
                f"/search?q={rng.choice(WORDS)}",
            ],
            weights=[10, 5, 20, 25, 15, 15, 10],
        )[0]
        kind, call = "read", lambda: person.http.get(url + path, timeout=60)
    start = time.perf_counter()
    try:
        response = call()
        elapsed = (time.perf_counter() - start) * 1000
        ok = response.status_code < 400 and (kind == "read" or response.status_code in (200, 302))
        error = None if ok else f"{kind} HTTP {response.status_code} {response.request.url}"
    except requests.RequestException as exc:
        elapsed = (time.perf_counter() - start) * 1000
        error = f"{kind} {type(exc).__name__}: {str(exc)[:160]}"
    with lock:
        (samples.reads if kind == "read" else samples.writes).append(elapsed)
        if error:
            samples.errors.append(error)


class Board:
    """The people on the brainstorm board, and when each got each note. Like the page's
    script, a client that reconnects joins the board again (passing the revision it has drawn
    would fetch what it missed; the bench only counts notes as they arrive, so it joins
    afresh and the missed note shows up as one not seen by everyone)."""

    def __init__(self, site: Site, people: list[Person]) -> None:
        self.site, self.people = site, people
        self.clients: list[socketio.Client] = []
        self.received: dict[str, int] = {}
        self.sent: dict[str, float] = {}
        self.done: dict[str, float] = {}
        self.refused: list[str] = []
        self.reconnects = 0
        self.cond = threading.Condition()

    def _join(self, client: socketio.Client) -> None:
        ack = client.call("join", {"session": self.site.session}, namespace=NAMESPACE, timeout=60)
        if not ack.get("ok"):
            raise RuntimeError(f"joining the board failed: {ack}")

    def connect(self) -> None:
        for person in self.people:
            client = socketio.Client(reconnection=True, ssl_verify=False)

            def on_update(data: dict) -> None:
                now = time.perf_counter()
                with self.cond:
                    for kind, change in data["changes"]:
                        if kind == "note" and change["text"] in self.sent:
                            text = change["text"]
                            self.received[text] = self.received.get(text, 0) + 1
                            if self.received[text] == len(self.people):
                                self.done[text] = now
                    self.cond.notify_all()

            def on_connect(client: socketio.Client = client) -> None:
                if client in self.clients:  # a reconnect: back onto the board, as a page does
                    with self.cond:
                        self.reconnects += 1
                    threading.Thread(target=self._join, args=(client,), daemon=True).start()

            client.on("update", on_update, namespace=NAMESPACE)
            client.on("connect", on_connect, namespace=NAMESPACE)
            client.connect(
                self.site.url,
                headers={"Cookie": person.cookie_header()},  # websocket-client adds the Origin
                namespaces=[NAMESPACE],
                transports=["websocket"],
                wait_timeout=60,
            )
            self._join(client)
            self.clients.append(client)

    def add_note(self, number: int) -> float | None:
        """Person ``number`` adds a note: ms until everyone on the board had it (None: not
        within 10 s; ``settle`` later tells late from lost)."""
        text = f"Load note {number}: {secrets.token_hex(4)}"
        client = self.clients[number % len(self.clients)]
        with self.cond:
            self.sent[text] = time.perf_counter()
        try:
            ack = client.call(
                "add_note",
                {"session": self.site.session, "text": text},
                namespace=NAMESPACE,
                timeout=10,
            )
        except socketio.exceptions.TimeoutError:
            ack = {"ok": False, "error": "no acknowledgement within 10 s"}
        if not ack.get("ok"):
            with self.cond:
                del self.sent[text]
                self.refused.append(str(ack.get("error")))
            return None
        with self.cond:
            if not self.cond.wait_for(lambda: text in self.done, 10):
                return None
            return (self.done[text] - self.sent[text]) * 1000

    def settle(self, seconds: float = 30) -> tuple[int, list[int]]:
        """After the run: wait up to ``seconds`` for the notes not yet seen by everyone.
        Returns how many then were (late), and for each still missing how many people had
        it (lost)."""
        board_size = len(self.people)
        with self.cond:
            missing = [text for text in self.sent if text not in self.done]
            slow = {t for t in self.sent if t in self.done and self.done[t] - self.sent[t] > 10}
            self.cond.wait_for(lambda: all(t in self.done for t in missing), seconds)
            late = len(slow) + sum(1 for t in missing if t in self.done)
            lost = [self.received.get(t, 0) for t in missing if t not in self.done]
        assert all(count < board_size for count in lost)
        return late, lost

    def close(self) -> None:
        for client in self.clients:
            client.disconnect()


def _client_process(site: Site, numbers: list[int], on_board: bool, args, out) -> None:
    """The people ``numbers`` for ``args.seconds``: browsing, or (``on_board``) sitting on the
    board while one of them at a time adds a note every ``args.note_every`` seconds."""
    urllib3.disable_warnings()
    try:
        samples, lock = Samples(), threading.Lock()
        people = [Person(site, n) for n in numbers]
        for person in people:
            person.sign_in()
        board = Board(site, people) if on_board else None
        if board:
            board.connect()
    except Exception as exc:  # reported by the parent, which stops the run
        out.put(("failed", f"{type(exc).__name__}: {exc}"))
        return
    out.put(("ready", len(numbers)))
    args.start.wait()
    deadline = time.monotonic() + args.seconds
    cpu_at_start = time.process_time()

    def browse(person: Person) -> None:
        rng = random.Random(person.number)
        while time.monotonic() < deadline:
            time.sleep(rng.uniform(1, 3))
            _browse(person, rng, samples, lock)

    def take_notes() -> None:
        number = 0
        while time.monotonic() < deadline:
            time.sleep(args.note_every)
            latency = board.add_note(number)
            number += 1
            if latency is not None:
                with lock:
                    samples.fanout.append(latency)

    if board:
        workers = [threading.Thread(target=take_notes)]
    else:
        workers = [threading.Thread(target=browse, args=(p,)) for p in people]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    samples.client_cpu = time.process_time() - cpu_at_start
    if board:
        samples.notes_late, samples.notes_lost = board.settle()
        samples.notes_refused, samples.reconnects = board.refused, board.reconnects
        board.close()
    out.put(("samples", samples))


def run_load(site: Site, args) -> Samples:
    """The board's people in one client process (so it sees when everyone has a note), the
    others spread over ``args.processes`` more; their samples put together."""
    numbers = list(range(1, site.people + 1))
    board, browsers = numbers[: args.board], numbers[args.board :]
    groups = [(board, True)] if board else []
    groups += [(browsers[i :: args.processes], False) for i in range(args.processes)]
    groups = [(group, on_board) for group, on_board in groups if group]
    out = multiprocessing.Queue()
    args.start = multiprocessing.Event()
    processes = [
        multiprocessing.Process(target=_client_process, args=(site, group, on_board, args, out))
        for group, on_board in groups
    ]
    for process in processes:
        process.start()
    ready = 0
    try:
        while ready < len(processes):
            kind, value = out.get(timeout=900)
            if kind == "failed":
                sys.exit(f"a client process could not start: {value}")
            ready += 1
        print(
            f"{site.people} people signed in ({args.board} on the board); load for "
            f"{args.seconds} s",
            flush=True,
        )
        machine_at_start, wall_at_start = machine_cpu_seconds(), time.monotonic()
        args.start.set()
        total, finished = Samples(), 0
        while finished < len(processes):
            kind, value = out.get(timeout=args.seconds + 900)
            if kind == "samples":
                finished += 1
                total.reads += value.reads
                total.writes += value.writes
                total.fanout += value.fanout
                total.errors += value.errors
                total.notes_late += value.notes_late
                total.notes_lost += value.notes_lost
                total.notes_refused += value.notes_refused
                total.reconnects += value.reconnects
                total.client_cpu += value.client_cpu
        total.machine_cpu = machine_cpu_seconds() - machine_at_start
        total.machine_seconds = (time.monotonic() - wall_at_start) * os.cpu_count()
    finally:
        for process in processes:
            process.join(timeout=60)
            if process.is_alive():
                process.kill()
    return total


def machine_cpu_seconds() -> float:
    """CPU seconds every core of the machine has spent busy since boot (/proc/stat)."""
    with open("/proc/stat") as stat:
        fields = [int(n) for n in stat.readline().split()[1:]]
    idle = fields[3] + fields[4]  # idle and iowait
    return (sum(fields[:8]) - idle) / os.sysconf("SC_CLK_TCK")


def percentile(values: list[float], share: float) -> float:
    if not values:
        return math.nan
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, math.ceil(share * len(ordered)) - 1)]


def report(name: str, samples: Samples, seconds: int) -> list[str]:
    """The table rows for one target."""
    requests_made = len(samples.reads) + len(samples.writes)
    error_share = 100 * len(samples.errors) / max(requests_made, 1)
    rows = []
    for kind, values in (("reads", samples.reads), ("writes", samples.writes)):
        rows.append(
            f"| {name} | {kind} | {len(values)} | {len(values) / seconds:.1f} | "
            f"{statistics.median(values or [math.nan]):.0f} | {percentile(values, 0.95):.0f} | "
            f"{percentile(values, 0.99):.0f} |"
        )
    rows.append(
        f"| {name} | note fan-out | {len(samples.fanout)} | "
        f"{len(samples.fanout) / seconds:.1f} | "
        f"{statistics.median(samples.fanout or [math.nan]):.0f} | "
        f"{percentile(samples.fanout, 0.95):.0f} | {percentile(samples.fanout, 0.99):.0f} |"
    )
    rows.append(
        f"| {name} | errors | {len(samples.errors)} of {requests_made} ({error_share:.2f} %); "
        f"notes seen by all only after 10 s: {samples.notes_late}, never: "
        f"{len(samples.notes_lost)} {sorted(samples.notes_lost)}, refused: "
        f"{len(samples.notes_refused)}; board reconnects: {samples.reconnects} | | | | |"
    )
    if samples.machine_seconds:
        busy = 100 * samples.machine_cpu / samples.machine_seconds
        clients = 100 * samples.client_cpu / samples.machine_seconds
        rows.append(
            f"| {name} | CPU | machine busy {busy:.0f} % of its cores, the clients {clients:.0f} %"
            " (the servers and anything else running: the rest) | | | | |"
        )
    for reason in sorted(set(samples.notes_refused)):
        rows.append(f"| {name} | note refused | {reason} | | | | |")
    return rows


def keep_logs(args, target: str, logs: list[Path]) -> None:
    """Copy the servers' logs to ``--logs``/``target`` before the run's directory goes."""
    if args.logs:
        kept = Path(args.logs) / target
        kept.mkdir(parents=True, exist_ok=True)
        for log in logs:
            if log.exists():
                shutil.copy(log, kept / log.name)


def embedded(args) -> tuple[Site, callable]:
    """One gunicorn gthread worker on SQLite (the embedded default), filled; returns the site
    and a function that stops it."""
    workdir = Path(tempfile.mkdtemp(prefix="cocreate-load-"))
    env = production_env(workdir, TRUSTED_PROXIES="1")
    site = generate(production_app(env), args.people, args.threads, args.ideas)
    port = free_port()
    server = start_server("load:bench_app()", env, port, args.people + 50, workdir / "gunicorn.log")
    site.url, site.forwarded = f"http://127.0.0.1:{port}", True

    def stop() -> None:
        stop_server(server)
        keep_logs(args, "embedded", [workdir / "gunicorn.log"])
        shutil.rmtree(workdir, ignore_errors=True)

    return site, stop


def cluster(args) -> tuple[Site, callable]:
    """The two-instance cluster of ``make cluster`` (deploy/cluster.py: PostgreSQL, Redis, two
    gunicorn instances, the job worker, nginx with TLS) in a temporary state directory, its
    database filled; the people come through nginx from one address, so the login limit per
    address is raised for them."""
    from deploy import cluster as launcher

    state = Path(tempfile.mkdtemp(prefix="cocreate-load-cluster-"))
    state.chmod(0o755)  # PostgreSQL runs as the postgres user when we are root
    running = launcher.start(
        state,
        demo=False,
        settings={"LOGIN_LIMIT_PER_IP": "100000 per minute"},
        progress=lambda message: print(f"  cluster: {message}", flush=True),
    )
    try:
        from community.config import ProductionConfig

        app = create_app(
            ProductionConfig,
            SECRET_KEY=running.secret_key,
            SQLALCHEMY_DATABASE_URI=running.database_url,
            SEARCH_INDEX_DIR=str(state / "bench-search"),
        )
        site = generate(app, args.people, args.threads, args.ideas)
    except BaseException:
        launcher.stop(running)
        raise
    site.url = running.url

    def stop() -> None:
        launcher.stop(running)
        keep_logs(args, "cluster", sorted((state / "logs").glob("*.log")))
        shutil.rmtree(state, ignore_errors=True)

    return site, stop


def bench_app():
    """The production app, configured from the environment (gunicorn: ``'load:bench_app()'``)."""
    from community import create_app

    return create_app()


TARGETS = {"embedded": embedded, "cluster": cluster}


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--targets", nargs="+", choices=list(TARGETS), default=list(TARGETS), help="run on each"
    )
    parser.add_argument("--people", type=int, default=200)
    parser.add_argument("--board", type=int, default=50, help="people on the brainstorm board")
    parser.add_argument("--seconds", type=int, default=120, help="how long the load runs")
    parser.add_argument("--note-every", type=float, default=1.0, help="seconds between notes")
    parser.add_argument("--processes", type=int, default=3, help="client processes for browsing")
    parser.add_argument("--threads", type=int, default=300, help="threads in the space")
    parser.add_argument("--ideas", type=int, default=300, help="ideas in the space")
    parser.add_argument("--logs", help="keep the servers' logs in this directory")
    args = parser.parse_args()
    rows = []
    for target in args.targets:
        print(f"{target}: filling and starting", flush=True)
        site, stop = TARGETS[target](args)
        try:
            samples = run_load(site, args)
        finally:
            stop()
        rows += report(target, samples, args.seconds)
        if samples.errors:
            print(f"{target}: first errors", *sorted(set(samples.errors))[:10], sep="\n  ")
    print(
        f"\n{args.people} people ({args.board} on one board, a note every {args.note_every} s), "
        f"{args.seconds} s, 1-3 s between each person's actions; clients and servers share "
        f"this machine's {os.cpu_count()} cores\n"
    )
    print("| target | kind | count | per s | p50 ms | p95 ms | p99 ms |")
    print("|---|---|---:|---:|---:|---:|---:|")
    print(*rows, sep="\n")


if __name__ == "__main__":
    main()
