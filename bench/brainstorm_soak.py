"""A whole brainstorm session, as long as a real one, checked for anything lost.

Serves the production app as ``brainstorm_bench.py`` does (gunicorn, one gthread worker, a fresh
SQLite database with a space, its facilitator and N participants, a session in the ideate phase)
and runs it for ``--minutes``: participants write notes at a person's pace and rewrite some of
their own (now and then one deletes a note and most times undoes it), then (the facilitator
moves the phases on) move notes into clusters and spend their dots. Every participant keeps
their own copy of the board, built only from what the server pushes (``update`` patches in
revision order, catching up with ``join {since}`` when a revision is missing), as the board's
page does. Now and then a participant's connection drops and comes
back, resuming from the last revision it drew; what they type meanwhile waits and is sent once
they are back (as the page's composer keeps unsent text).

At the end the bench compares, for every participant: each note they were told was saved (and
its last saved text) with the server's board; their copy of the board (notes, texts, places,
clusters) with the board the server gives a fresh connection; and the dots they were told were
placed with the dots the server holds for them. Any difference is a loss and is listed; the exit
status is 1 if there is one.
"""

from __future__ import annotations

import argparse
import os
import random
import secrets
import shutil
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import socketio  # noqa: E402
from brainstorm_bench import PASSWORD, _address, generate  # noqa: E402
from served import free_port, production_app, production_env, sign_in, start_server, stop_server  # noqa: E402

NAMESPACE = "/brainstorm"
#: Share of the session's time spent in each phase (the rest goes to results and closing).
SHARES = {"ideate": 0.55, "group": 0.2, "vote": 0.2}


class Replica:
    """One participant's connection and their copy of the board, built from pushed patches."""

    def __init__(self, port: int, session_id: int, cookie: str, number: int) -> None:
        self.port, self.session_id, self.cookie, self.number = port, session_id, cookie, number
        self.lock = threading.RLock()
        self.revision = 0
        self.pending: dict[int, dict] = {}
        self.notes: dict[int, dict] = {}  # id -> {"text", "cluster"}
        self.clusters: dict[int, str] = {}
        self.phase = "ideate"
        self.client: socketio.Client | None = None
        self.catch_ups = self.full_states = self.reconnects = 0

    # The board's page, in Python: apply patches once, in order; ask for what is missing.
    def _draw(self, state: dict) -> None:
        self.revision = state["revision"]
        self.phase = state["phase"]
        self.notes = {n["id"]: {"text": n["text"], "cluster": n["cluster"]} for n in state["notes"]}
        self.clusters = {c["id"]: c["name"] for c in state["clusters"]}
        self.pending = {r: p for r, p in self.pending.items() if r > self.revision}
        self.full_states += 1

    def _apply(self, changes: list) -> None:
        for kind, change in changes:
            if kind == "note":
                self.notes[change["id"]] = {"text": change["text"], "cluster": change["cluster"]}
            elif kind == "notes":
                for note in change["notes"]:
                    self.notes[note["id"]] = {"text": note["text"], "cluster": note["cluster"]}
            elif kind == "note_deleted":
                self.notes.pop(change["id"], None)
            elif kind == "placement":
                for note, cluster in change["notes"].items():
                    if int(note) in self.notes:
                        self.notes[int(note)]["cluster"] = cluster
            elif kind == "cluster":
                self.clusters[change["id"]] = change["name"]
            elif kind == "cluster_deleted":
                self.clusters.pop(change["id"], None)
            elif kind == "phase":
                self.phase = change["phase"]

    def _take(self, patch: dict) -> None:
        with self.lock:
            if patch["revision"] > self.revision:
                self.pending[patch["revision"]] = patch
            while self.revision + 1 in self.pending:
                self.revision += 1
                self._apply(self.pending.pop(self.revision)["changes"])

    def on_update(self, patch: dict) -> None:
        self._take(patch)

    def catch_up(self) -> None:
        """Ask for what is missing (a gap that did not fill) or the full state."""
        with self.lock:
            since = self.revision
        ack = self.client.call(
            "join", {"session": self.session_id, "since": since}, namespace=NAMESPACE, timeout=30
        )
        with self.lock:
            if "patches" in ack:
                self.catch_ups += 1
                for patch in ack["patches"]:
                    self._take(patch)
            else:
                self._draw(ack["state"])

    def connect(self) -> None:
        client = socketio.Client(reconnection=False)
        client.on("update", self.on_update, namespace=NAMESPACE)
        client.connect(
            f"http://127.0.0.1:{self.port}",
            headers={"Cookie": self.cookie},
            namespaces=[NAMESPACE],
            transports=["websocket"],
            wait_timeout=30,
        )
        self.client = client
        if self.revision == 0 and not self.notes:
            ack = client.call("join", {"session": self.session_id}, namespace=NAMESPACE, timeout=30)
            with self.lock:
                self._draw(ack["state"])
        else:
            self.catch_up()

    def drop(self) -> None:
        """The network goes away for a moment; the page reconnects and resumes."""
        self.client.disconnect()
        self.reconnects += 1
        self.connect()

    def call(self, event: str, data: dict) -> dict:
        return self.client.call(
            event, {"session": self.session_id, **data}, namespace=NAMESPACE, timeout=30
        )

    def settle(self) -> None:
        """Wait for a gap to fill; if it does not, catch up as the page does."""
        for _ in range(20):
            with self.lock:
                if not self.pending:
                    return
            time.sleep(0.1)
        self.catch_up()


class Person(threading.Thread):
    """A participant at a person's pace: what they type, what the server said it saved."""

    def __init__(self, replica: Replica, pace: float, drop_chance: float, seed: int) -> None:
        super().__init__(daemon=True)
        self.replica, self.pace, self.drop_chance = replica, pace, drop_chance
        self.random = random.Random(seed)
        self.saved: dict[int, str] = {}  # note id -> last text the server acknowledged
        self.dots = self.deleted = self.undone = 0
        self.refused: list[str] = []
        self.stop = threading.Event()

    def _act(self) -> None:
        replica = self.replica
        with replica.lock:
            phase = replica.phase
            notes = list(replica.notes)
            clusters = list(replica.clusters)
        if phase == "ideate":
            if self.saved and self.random.random() < 0.05:
                self._delete_and_maybe_undo()
            elif self.saved and self.random.random() < 0.3:
                note = self.random.choice(list(self.saved))
                text = f"{self.saved[note][:60]} (rewritten {secrets.token_hex(3)})"
                ack = replica.call("edit_note", {"note": note, "text": text})
                if ack.get("ok"):
                    self.saved[note] = ack["note"]["text"]
                else:
                    self.refused.append(f"edit: {ack.get('error')}")
            else:
                text = f"Idea {replica.number}-{len(self.saved)}: {secrets.token_hex(6)}"
                ack = replica.call("add_note", {"text": text})
                if ack.get("ok"):
                    self.saved[ack["note"]["id"]] = ack["note"]["text"]
                else:
                    self.refused.append(f"add: {ack.get('error')}")
        elif phase == "group" and notes:
            target = self.random.choice([*clusters, None]) if clusters else None
            ack = replica.call("move_note", {"note": self.random.choice(notes), "cluster": target})
            if not ack.get("ok"):
                self.refused.append(f"move: {ack.get('error')}")
        elif phase == "vote" and notes and self.dots < 5:
            ack = replica.call("add_dot", {"note": self.random.choice(notes)})
            if ack.get("ok"):
                self.dots += 1
            # else: the per-item limit; a person picks another note next time

    def _delete_and_maybe_undo(self) -> None:
        """Delete one of one's notes after confirming, and most times take it back."""
        note = self.random.choice(list(self.saved))
        ack = self.replica.call("delete_note", {"note": note})
        if not ack.get("ok"):
            self.refused.append(f"delete: {ack.get('error')}")
            return
        self.deleted += 1
        if self.random.random() < 0.8:
            undone = self.replica.call("undo", {"undo": ack["undo"]})
            if undone.get("ok"):
                self.undone += 1
                return
            self.refused.append(f"undo: {undone.get('error')}")
        del self.saved[note]

    def run(self) -> None:
        while not self.stop.wait(self.random.uniform(0.5, 1.5) * self.pace):
            try:
                if self.random.random() < self.drop_chance:
                    self.replica.drop()
                self._act()
            except Exception as error:  # noqa: BLE001 (a timeout or a lost connection is reported)
                self.refused.append(f"error: {type(error).__name__}")


def _compare(person: Person, fresh: dict) -> list[str]:
    """What this participant was told or shows that the server's board does not hold."""
    replica, problems = person.replica, []
    server_notes = {n["id"]: n for n in fresh["notes"]}
    for note, text in person.saved.items():
        if note not in server_notes:
            problems.append(f"p{replica.number}: saved note {note} is not on the board")
        elif server_notes[note]["text"] != text:
            problems.append(f"p{replica.number}: note {note} lost its last saved text")
    with replica.lock:
        mine = {i: (n["text"], n["cluster"]) for i, n in replica.notes.items()}
        clusters = dict(replica.clusters)
    theirs = {i: (n["text"], n["cluster"]) for i, n in server_notes.items()}
    if mine != theirs:
        differ = sorted(set(mine.items()) ^ set(theirs.items()), key=repr)[:5]
        problems.append(f"p{replica.number}: their board differs from the server's: {differ}")
    if clusters != {c["id"]: c["name"] for c in fresh["clusters"]}:
        problems.append(f"p{replica.number}: their clusters differ from the server's")
    used = sum(fresh["my_dots"]["notes"].values()) + sum(fresh["my_dots"]["clusters"].values())
    if used != person.dots:
        problems.append(f"p{replica.number}: placed {person.dots} dots, the server holds {used}")
    return problems


def run(participants: int, minutes: float, pace: float, drop_chance: float) -> int:
    workdir = Path(tempfile.mkdtemp(prefix="cocreate-brainstorm-soak-"))
    env = production_env(workdir, TRUSTED_PROXIES="1")
    server, people, facilitator = None, [], None
    try:
        app = production_app(env)
        session_id = generate(app, participants)
        port = free_port()
        server = start_server(
            "brainstorm_bench:bench_app()", env, port, participants + 50, workdir / "gunicorn.log"
        )
        cookies = [
            sign_in(port, f"p{n}", PASSWORD, {"X-Forwarded-For": _address(n)})
            for n in range(1, participants + 1)
        ]
        facilitator = Replica(
            port, session_id, sign_in(port, "p0", PASSWORD, {"X-Forwarded-For": _address(0)}), 0
        )
        facilitator.connect()
        for number, cookie in enumerate(cookies, start=1):
            replica = Replica(port, session_id, cookie, number)
            replica.connect()
            people.append(Person(replica, pace, drop_chance, seed=number))
        started = time.monotonic()
        for person in people:
            person.start()
        for phase, share in SHARES.items():
            time.sleep(share * minutes * 60)
            if phase == "ideate":
                facilitator.call("advance", {"from": "ideate"})
                for n in range(3):
                    facilitator.call("create_cluster", {"name": f"Theme {n + 1}"})
            elif phase == "group":
                facilitator.call("advance", {"from": "group"})
            else:
                for person in people:
                    person.stop.set()
                for person in people:
                    person.join()
                facilitator.call("advance", {"from": "vote"})
            print(f"{time.monotonic() - started:7.0f} s  {phase} over", flush=True)
        problems, saved, edits_refused = [], 0, []
        for person in people:
            person.replica.settle()
            fresh = Replica(port, session_id, person.replica.cookie, person.replica.number)
            fresh.client = socketio.Client(reconnection=False)
            fresh.client.connect(
                f"http://127.0.0.1:{port}",
                headers={"Cookie": fresh.cookie},
                namespaces=[NAMESPACE],
                transports=["websocket"],
                wait_timeout=30,
            )
            state = fresh.call("join", {})["state"]
            fresh.client.disconnect()
            problems += _compare(person, state)
            saved += len(person.saved)
            edits_refused += person.refused
        print(
            f"\n{participants} participants, {minutes:g} minutes: {saved} notes saved, "
            f"{sum(p.deleted for p in people)} deleted ({sum(p.undone for p in people)} undone), "
            f"{sum(p.dots for p in people)} dots, "
            f"{sum(p.replica.reconnects for p in people)} dropped connections resumed "
            f"({sum(p.replica.catch_ups for p in people)} from patches, "
            f"{sum(p.replica.full_states for p in people) - participants} from the full state), "
            f"{len(edits_refused)} actions refused by the server"
        )
        for reason in sorted(set(edits_refused)):
            print(f"  refused: {reason} ×{edits_refused.count(reason)}")
        print(f"lost or different: {len(problems)}")
        for problem in problems[:50]:
            print(f"  {problem}")
        return 1 if problems else 0
    finally:
        for person in people:
            person.stop.set()
            if person.replica.client is not None:
                person.replica.client.disconnect()
        if facilitator is not None and facilitator.client is not None:
            facilitator.client.disconnect()
        if server is not None:
            stop_server(server)
        shutil.rmtree(workdir, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--participants", type=int, default=20)
    parser.add_argument("--minutes", type=float, default=30, help="length of the session")
    parser.add_argument(
        "--pace", type=float, default=20, help="seconds between one person's actions (mean)"
    )
    parser.add_argument(
        "--drops", type=float, default=0.05, help="chance a connection drops before an action"
    )
    args = parser.parse_args()
    sys.exit(run(args.participants, args.minutes, args.pace, args.drops))


if __name__ == "__main__":
    main()
