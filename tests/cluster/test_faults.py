"""Faults while people use the site: an instance dies, PostgreSQL restarts, Redis stops. The
site carries on and recovers by itself, without restarting anything else."""

from __future__ import annotations

import secrets
import threading
import time

from sqlalchemy import func, select

from tests.cluster.conftest import WAIT, Live

A, B = "web-a", "web-b"


def _until(check, timeout: float = WAIT) -> bool:
    """Wait until ``check()`` holds; whether it did within ``timeout``."""
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.1)
    return True


def _logged(log, probe: str) -> list[str]:
    return [line for line in log.read_text().splitlines() if probe in line]


def _pinned_to(cluster, visitors, name: str):
    """A visitor whose browser nginx sends to instance ``name`` (its sticky cookie hashes
    there): nginx's access log names the instance that answered."""
    upstream = f"upstream=127.0.0.1:{cluster.ports[name]}"
    log = cluster.log("nginx-access")
    for _ in range(30):
        visitor, probe = visitors(), secrets.token_hex(8)
        visitor.get(cluster.url, "/")  # the sticky cookie
        visitor.get(cluster.url, f"/?probe={probe}")
        assert _until(lambda probe=probe: bool(_logged(log, probe)))  # written after answering
        if _logged(log, probe)[0].endswith(upstream):
            return visitor
    raise AssertionError(f"no visitor of 30 was sent to {name}")


def test_clients_of_a_stopped_instance_continue_on_the_other(
    cluster, visitors, sockets, world, brainstorm
):
    moved, stayed = _pinned_to(cluster, visitors, A), _pinned_to(cluster, visitors, B)
    moved.sign_in(world.member)
    stayed.sign_in(world.other)
    on_a = sockets(Live(moved, cluster.url, "/brainstorm"))
    on_b = sockets(Live(stayed, cluster.url, "/brainstorm"))
    for live in (on_a, on_b):
        assert live.call("join", {"session": brainstorm})["ok"]

    try:
        cluster.stop_process(A, kill=True)  # as a crash would
        on_a.wait_for(lambda event, data: event == "disconnect")
        # python-socketio reconnects by itself, as the page's script does; nginx sends it on.
        with on_a.changed:
            assert on_a.changed.wait_for(
                lambda: [e for e, _d in on_a.events].count("connect") >= 2, WAIT
            )
        assert on_a.call("join", {"session": brainstorm})["ok"]
        added = on_a.call("add_note", {"session": brainstorm, "text": "Posted after moving"})
        assert added["ok"], added
        for live in (on_a, on_b):
            live.wait_for(lambda event, data: "Posted after moving" in str(data))
    finally:
        cluster.start_instance(A)


def test_postgresql_restarting_under_load(cluster, visitors, members, idea, data_app):
    """Votes through both instances while PostgreSQL restarts: they are refused with a 503
    while it is down (never a 500 or a dropped connection), succeed again once it is back,
    with no instance restarted, and every count equals its rows."""
    from community.extensions import db
    from community.ideas.models import Idea, IdeaVote

    voters = members(6)
    people = []
    for n, voter in enumerate(voters):
        visitor = visitors()
        visitor.sign_in(voter)
        base = cluster.instance_url((A, B)[n % 2])
        people.append((visitor, base, visitor.csrf(base)))
    statuses: list[object] = []
    lock, stop = threading.Lock(), threading.Event()

    def load(visitor, base: str, token: str) -> None:
        vote = True
        while not stop.is_set():
            try:
                status = visitor.post(
                    base,
                    f"/ideas/{idea.id}/vote",
                    {"vote": "1" if vote else "0"},
                    headers={"Accept": "application/json"},
                    token=token,
                    timeout=15,
                ).status_code
            except Exception as error:  # a dropped connection is a failure too
                status = repr(error)
            with lock:
                statuses.append(status)
            vote = not vote if status == 200 else vote
            stop.wait(0.5)  # each person well within the vote budget (60 a minute)

    threads = [threading.Thread(target=load, args=person) for person in people]
    for thread in threads:
        thread.start()
    try:

        def seen(status, after: int) -> bool:
            with lock:
                return status in statuses[after:]

        assert _until(lambda: seen(200, 0))
        cluster.stop_process("postgres")
        down = len(statuses)
        assert _until(lambda: seen(503, down)), statuses
        cluster.start_postgres()
        with lock:
            back = len(statuses)
        assert _until(lambda: seen(200, back)), statuses[back:]
    finally:
        if cluster.pid("postgres") is None:
            cluster.start_postgres()
        stop.set()
        for thread in threads:
            thread.join()

    assert set(statuses) <= {200, 503}, statuses
    recount = cluster.flask_run("ideas", "recount")
    assert "Fixed 0 vote counts" in recount.stdout + recount.stderr
    with data_app.app_context():
        count = db.session.scalar(select(Idea.vote_count).where(Idea.id == idea.id))
        rows = db.session.scalar(select(func.count()).where(IdeaVote.idea_id == idea.id))
        db.session.remove()
    assert count == rows


def test_with_redis_stopped_pages_and_writes_work_and_live_updates_come_back(
    cluster, visitors, sockets, world, idea
):
    watcher, voter, late = visitors(), visitors(), visitors()
    watcher.sign_in(world.other)
    voter.sign_in(world.member)
    live = sockets(watcher.socket(cluster.instance_url(B), "/ideas"))
    assert live.call("watch", {"ideas": [idea.id]})["watching"] == [idea.id]

    def vote(value: str):
        return voter.post(
            cluster.instance_url(A),
            f"/ideas/{idea.id}/vote",
            {"vote": value},
            headers={"Accept": "application/json"},
        )

    try:
        cluster.stop_process("redis")
        assert voter.get(cluster.url, f"/ideas/{idea.id}").status_code == 200
        assert vote("1").json()["votes"] == 1
        late.sign_in(world.owner)  # sign-in limits are counted in the process meanwhile
    finally:
        cluster.start_redis()

    # The queue's listeners reconnect by themselves; until then pushes are lost, so vote
    # again (and take it back) until one reaches B.
    value = "0"
    deadline = time.monotonic() + 2 * WAIT
    while not live.received(lambda event, data: event == "votes"):
        assert time.monotonic() < deadline, "no live update reached B after Redis came back"
        assert vote(value).status_code == 200
        value = "1" if value == "0" else "0"
        with live.changed:
            live.changed.wait_for(lambda: bool(live.events), 1.0)
    assert live.received(lambda event, data: event == "votes" and data["idea"] == idea.id)
