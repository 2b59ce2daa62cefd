"""On-demand benchmark of a live brainstorm board: how long a patch takes to reach everyone.

Fills a temporary SQLite database with a public space, its facilitator and N participants, and
a session in the ideate phase with hidden ideation off (so every note is broadcast to the whole
board), serves the real app with gunicorn the way production does (one gthread worker), signs
every participant in through the login form, connects each of them to ``/brainstorm`` over a
WebSocket (python-socketio's client) and joins the session. Then participants take turns adding
notes, one at a time, and for each note the bench measures the time from sending ``add_note``
until the last of the N clients has received the ``update`` carrying it.

Senders rotate through the participants, so no connection comes near the per-connection note
limit (20 per 30 s) that ``events.py`` enforces. Sign-ins come from distinct addresses through
``X-Forwarded-For`` (the server trusts one proxy, as it would behind one), because the login
form allows 20 attempts a minute per address.
"""

from __future__ import annotations

import argparse
import math
import os
import secrets
import shutil
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import socketio  # noqa: E402
from flask import Flask  # noqa: E402
from served import free_port, production_app, production_env, sign_in, start_server, stop_server  # noqa: E402
from sqlalchemy import insert, select  # noqa: E402

from community import create_app  # noqa: E402
from community.accounts.models import User  # noqa: E402
from community.accounts.passwords import hash_password  # noqa: E402
from community.brainstorms import operations as brainstorms  # noqa: E402
from community.extensions import db  # noqa: E402
from community.permissions import Role  # noqa: E402
from community.spaces import operations as spaces  # noqa: E402

PASSWORD = "bench-participant-passphrase"  # noqa: S105 (a throwaway database)
NAMESPACE = "/brainstorm"


def generate(app: Flask, participants: int) -> int:
    """The space, its facilitator, ``participants`` members and a session in the ideate phase
    with visible notes; returns the session's id."""
    with app.app_context():
        db.create_all()
        password_hash = hash_password(PASSWORD)
        rows = [
            {
                "id": n,
                "username": f"p{n}",
                "username_key": f"p{n}",
                "email": f"p{n}@example.com",
                "email_key": f"p{n}@example.com",
                "display_name": f"Participant {n}",
                "password_hash": password_hash,
                "role": Role.ADMIN.value if n == 0 else Role.MEMBER.value,
            }
            for n in range(participants + 1)
        ]
        db.session.execute(insert(User), rows)
        users = db.session.scalars(select(User).order_by(User.id)).all()
        facilitator, members = users[0], users[1:]
        space = spaces.create_space(
            name="Bench Board",
            description="A space for the brainstorm benchmark.",
            visibility="public",
            tags="",
            by=facilitator,
            slug="bench-board",
        )
        for member in members:
            spaces.join_space(space, member)
        session = brainstorms.create_session(
            space,
            by=facilitator,
            prompt="What should we build next?",
            hidden_ideation=False,
            # Long hard timers: the benches move the phases on themselves.
            ideate_minutes=60,
            group_minutes=60,
            vote_minutes=60,
            # Live totals: every dot goes to everyone (the heaviest case), and the bench
            # times a dot by its tally patch.
            dot_totals="live",
        )
        brainstorms.advance_phase(session, by=facilitator)  # ideate
        db.session.commit()
        session_id = session.id
        db.session.remove()
        db.engine.dispose()
    return session_id


def _address(n: int) -> str:
    return f"10.{n // 65536}.{n // 256 % 256}.{n % 256}"


def bench_app() -> Flask:
    """The production app, configured from the environment.

    gunicorn calls this in the server process: ``'brainstorm_bench:bench_app()'``.
    """
    return create_app()


def _keys(changes: list) -> list[str]:
    """What a patch tells, as keys the bench waits for: a note's text, a note's new cluster,
    an item's new dot total."""
    keys = []
    for kind, change in changes:
        if kind == "note":
            keys.append(change["text"])
        elif kind == "placement":
            keys += [f"place:{note}:{cluster}" for note, cluster in change["notes"].items()]
        elif kind == "tally":
            keys += [f"tally:{note}:{total}" for note, total in change["notes"].items()]
    return keys


class Board:
    """N connected participants (and the facilitator) and, per key of a patch (``_keys``), when
    each participant received it; every client's revisions are checked for gaps and repeats."""

    def __init__(self, port: int, session_id: int, cookies: list[str], facilitator: str) -> None:
        self.port, self.session_id, self.cookies = port, session_id, cookies
        self.facilitator_cookie = facilitator
        self.clients: list[socketio.Client] = []
        self.facilitator: socketio.Client | None = None
        self.received: dict[str, list[float]] = {}
        self.revisions: dict[int, int] = {}  # client number -> last revision seen
        self.out_of_order = 0
        self.note_ids: dict[str, int] = {}
        self.everyone = threading.Condition()

    def _listen(self, client: socketio.Client, number: int) -> None:
        def on_update(data: dict) -> None:
            now = time.perf_counter()
            keys = _keys(data["changes"])
            with self.everyone:
                last = self.revisions.get(number)
                if last is not None and data["revision"] != last + 1:
                    self.out_of_order += 1
                self.revisions[number] = max(data["revision"], last or 0)
                for kind, change in data["changes"]:
                    if kind == "note":
                        self.note_ids[change["text"]] = change["id"]
                if number >= 0:
                    for key in keys:
                        self.received.setdefault(key, []).append(now)
                self.everyone.notify_all()

        client.on("update", on_update, namespace=NAMESPACE)

    def _connect(self, cookie: str, number: int) -> socketio.Client:
        client = socketio.Client(reconnection=False)
        self._listen(client, number)
        client.connect(
            f"http://127.0.0.1:{self.port}",
            headers={"Cookie": cookie},
            namespaces=[NAMESPACE],
            transports=["websocket"],
            wait_timeout=30,
        )
        ack = client.call("join", {"session": self.session_id}, namespace=NAMESPACE, timeout=30)
        if not ack.get("ok"):
            sys.exit(f"joining the session failed: {ack}")
        with self.everyone:
            self.revisions[number] = max(ack["state"]["revision"], self.revisions.get(number, 0))
        return client

    def connect(self) -> None:
        self.facilitator = self._connect(self.facilitator_cookie, -1)
        for number, cookie in enumerate(self.cookies):
            self.clients.append(self._connect(cookie, number))

    def facilitate(self, event: str, data: dict) -> dict:
        return self.facilitator.call(
            event, {"session": self.session_id, **data}, namespace=NAMESPACE, timeout=30
        )

    def act(self, number: int, event: str, data: dict, key: str, timeout: float) -> float | None:
        """Participant ``number % N`` sends ``event``; seconds until all N had the patch with
        ``key`` (None: not within ``timeout``)."""
        sender = self.clients[number % len(self.clients)]
        start = time.perf_counter()
        sender.emit(event, {"session": self.session_id, **data}, namespace=NAMESPACE)
        with self.everyone:
            done = self.everyone.wait_for(
                lambda: len(self.received.get(key, ())) >= len(self.clients), timeout
            )
            if not done:
                return None
            return max(self.received[key]) - start

    def catch_up(self, number: int, behind: int) -> float:
        """Seconds for participant ``number % N`` to get the patches since ``behind`` ago."""
        client = self.clients[number % len(self.clients)]
        with self.everyone:
            since = max(0, self.revisions[number % len(self.clients)] - behind)
        start = time.perf_counter()
        ack = client.call(
            "join", {"session": self.session_id, "since": since}, namespace=NAMESPACE, timeout=30
        )
        elapsed = time.perf_counter() - start
        if "patches" not in ack:
            sys.exit(f"catching up sent the full state: {list(ack)}")
        return elapsed

    def close(self) -> None:
        for client in [*self.clients, self.facilitator]:
            if client is not None:
                client.disconnect()


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, math.ceil(share * len(ordered)) - 1)]


def row(participants: int, kind: str, latencies: list[float], lost: int) -> str:
    """One line of the table."""
    shown = latencies or [math.nan]
    return (
        f"| {participants} | {kind} | {len(latencies)} | {statistics.median(shown):.1f} | "
        f"{percentile(shown, 0.95):.1f} | {max(shown):.1f} | {lost} |"
    )


def run(participants: int, notes: int, threads: int, pause: float) -> dict:
    """One board of ``participants``: fresh database, server and clients."""
    workdir = Path(tempfile.mkdtemp(prefix="cocreate-brainstorm-bench-"))
    env = production_env(workdir, TRUSTED_PROXIES="1")
    server = board = None
    try:
        app = production_app(env)
        session_id = generate(app, participants)
        port = free_port()
        server = start_server(
            "brainstorm_bench:bench_app()", env, port, threads, workdir / "gunicorn.log"
        )
        begin = time.perf_counter()
        cookies = [
            sign_in(port, f"p{n}", PASSWORD, {"X-Forwarded-For": _address(n)})
            for n in range(1, participants + 1)
        ]
        facilitator = sign_in(port, "p0", PASSWORD, {"X-Forwarded-For": _address(0)})
        board = Board(port, session_id, cookies, facilitator)
        board.connect()
        print(
            f"{participants} participants signed in and joined in "
            f"{time.perf_counter() - begin:.1f} s",
            flush=True,
        )
        time.sleep(1)  # let the presence pushes of the last joins settle
        measured: dict[str, tuple[list[float], int]] = {}

        def measure(kind: str, actions) -> None:
            latencies, lost = [], 0
            for number, event, data, key in actions:
                latency = board.act(number, event, data, key, timeout=10)
                if latency is None:
                    lost += 1
                else:
                    latencies.append(latency * 1000)
                time.sleep(pause)
            measured[kind] = (latencies, lost)
            print(f"  {row(participants, kind, latencies, lost)}", flush=True)

        texts = [f"Bench note {n}: {secrets.token_hex(4)}" for n in range(notes)]
        measure("note", [(n, "add_note", {"text": t}, t) for n, t in enumerate(texts)])
        board.facilitate("advance", {"from": "ideate"})
        cluster = board.facilitate("create_cluster", {"name": "Bench"})["cluster"]["id"]
        time.sleep(1)
        ids = [board.note_ids[t] for t in texts]
        moves = []
        for n in range(notes):
            target = cluster if (n // len(ids)) % 2 == 0 else None
            note = ids[n % len(ids)]
            moves.append(
                (n, "move_note", {"note": note, "cluster": target}, f"place:{note}:{target}")
            )
        measure("move", moves)
        board.facilitate("advance", {"from": "group"})
        time.sleep(1)
        totals: dict[int, int] = {}
        dots = []
        for n in range(notes):
            note = ids[(n * 7) % len(ids)]
            totals[note] = totals.get(note, 0) + 1
            dots.append((n, "add_dot", {"note": note}, f"tally:{note}:{totals[note]}"))
        measure("dot", dots)
        catch_ups = [board.catch_up(n, 50) * 1000 for n in range(notes)]
        measured["catch-up"] = (catch_ups, 0)
        print(f"  {row(participants, 'catch-up', catch_ups, 0)}", flush=True)
        return {
            "participants": participants,
            "measured": measured,
            "out_of_order": board.out_of_order,
        }
    finally:
        if board is not None:
            board.close()
        if server is not None:
            stop_server(server)
        shutil.rmtree(workdir, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--participants", type=int, nargs="+", default=[25, 100, 200], help="board sizes"
    )
    parser.add_argument(
        "--notes", type=int, default=30, help="actions of each kind measured per board"
    )
    parser.add_argument(
        "--threads",
        type=int,
        default=0,
        help="gunicorn threads; each WebSocket holds one, so 0 means participants + 50",
    )
    parser.add_argument("--pause", type=float, default=0.2, help="seconds between notes")
    args = parser.parse_args()
    results = []
    for participants in args.participants:
        threads = args.threads or participants + 50
        results.append(run(participants, args.notes, threads, args.pause))
    print(
        f"\n{args.notes} actions of each kind per board, one at a time, gunicorn gthread 1 worker, "
        "WebSocket clients on loopback\n"
    )
    print("| participants | patch | count | median ms | p95 ms | max ms | not delivered to all |")
    print("|---:|---|---:|---:|---:|---:|---:|")
    for result in results:
        for kind, (latencies, lost) in result["measured"].items():
            print(row(result["participants"], kind, latencies, lost))
    for result in results:
        print(
            f"{result['participants']} participants: updates that arrived after a later one "
            f"or again, all clients (the board's client puts them in order): "
            f"{result['out_of_order']}"
        )


if __name__ == "__main__":
    main()
