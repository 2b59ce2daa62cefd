"""The Socket.IO message queue against a real Redis: after an outage it is back within its
capped wait (not the library's back-off of up to a minute), tells this process's clients to
``resync``, and messages published by other processes reach them again."""

from __future__ import annotations

import logging
import subprocess
import sys
import threading
from pathlib import Path

import pytest
import socketio

from community.extensions import socketio as flask_socketio
from community.web.queue import RESYNC, RedisQueue
from tests.fixtures.app import make_app

GENEROUS = 60  # seconds to wait for something that should come at once, on a busy machine


class Recorder(logging.Handler):
    """The waits the queue announces between attempts, and an event once ``count`` came."""

    def __init__(self, count: int) -> None:
        super().__init__()
        self.count = count
        self.waits: list[float] = []
        self.enough = threading.Event()

    def emit(self, record: logging.LogRecord) -> None:
        if record.msg.startswith("Message queue unreachable"):
            self.waits.append(record.args[-1])
            if len(self.waits) >= self.count:
                self.enough.set()


class StoppableQueue(RedisQueue):
    """The queue, with a way to quiet its listening thread when the test is over (the library
    gives none): stopped, it waits for ever instead of reconnecting."""

    stopped = False

    def _redis_connect(self):
        if self.stopped:
            threading.Event().wait()
        super()._redis_connect()


@pytest.fixture
def listener(redis_server):
    """A queue on ``redis_server`` serving one connected client on ``/ideas``; returns the
    queue and the ``(event, data)`` pairs that client was sent, with an event per name."""
    queue = StoppableQueue(redis_server.url, first_wait=0.05, max_wait=0.2)
    server = socketio.Server(async_mode="threading", client_manager=queue)
    received: list[tuple[str, object]] = []
    arrived: dict[str, threading.Event] = {
        "votes": threading.Event(),
        RESYNC: threading.Event(),
    }

    def send(eio_sid, eio_packet):
        event, data = socketio.packet.Packet(encoded_packet=eio_packet.data).data
        received.append((event, data))
        arrived.setdefault(event, threading.Event()).set()

    server._send_eio_packet = send
    server.manager_initialized = True
    queue.initialize()  # starts the listening thread, as the first connection would
    queue.connect("eio-1", "/ideas")
    yield queue, received, arrived
    queue.stopped = True
    queue.pubsub.close()  # wakes the thread up if it is listening


def test_after_an_outage_the_queue_is_back_within_its_capped_wait_and_resyncs(
    redis_server, listener
):
    queue, received, arrived = listener
    other = socketio.RedisManager(redis_server.url, channel=queue.channel, write_only=True)
    # Subscribed once the first of these arrives (Redis keeps nothing for late subscribers).
    while not arrived["votes"].wait(0.05):
        other.emit("votes", {"idea": 1, "votes": 1}, namespace="/ideas")

    recorder = Recorder(count=6)
    logger = logging.getLogger("community.web.queue")
    logger.addHandler(recorder)
    try:
        redis_server.stop()
        assert recorder.enough.wait(GENEROUS)
        # Doubling from the first wait, never past the cap (the library's: 1, 2, 4 … 60 s).
        assert recorder.waits[:6] == [0.05, 0.1, 0.2, 0.2, 0.2, 0.2]
        assert not arrived[RESYNC].is_set()

        redis_server.start()
        assert arrived[RESYNC].wait(GENEROUS)  # subscribed again, so clients fetch again
    finally:
        logger.removeHandler(recorder)

    arrived["votes"].clear()
    other.emit("votes", {"idea": 1, "votes": 2}, namespace="/ideas")
    assert arrived["votes"].wait(GENEROUS)
    assert received[-1] == ("votes", {"idea": 1, "votes": 2})
    assert (RESYNC, {}) in received


def test_the_app_uses_the_capped_queue_for_a_redis_url(tmp_path, redis_server):
    make_app(tmp_path, SOCKETIO_MESSAGE_QUEUE=redis_server.url)
    assert isinstance(flask_socketio.server.manager, RedisQueue)
    assert flask_socketio.server.manager.channel == "flask-socketio"  # as other processes' emits
    (tmp_path / "later").mkdir()
    make_app(tmp_path / "later")  # no queue: none kept from the app before
    assert not isinstance(flask_socketio.server.manager, RedisQueue)


def test_a_silent_redis_is_noticed_by_tcp_keepalive(redis_server):
    """A Redis host that vanishes closes nothing: the queue's connections probe it."""
    import socket as sockets

    queue = RedisQueue(redis_server.url)
    queue._redis_connect()
    queue.redis.ping()
    connection = queue.redis.connection_pool.get_connection()
    try:
        sock = connection._sock
        assert sock.getsockopt(sockets.SOL_SOCKET, sockets.SO_KEEPALIVE) == 1
        if hasattr(sockets, "TCP_KEEPIDLE"):
            assert sock.getsockopt(sockets.IPPROTO_TCP, sockets.TCP_KEEPIDLE) == 10
    finally:
        queue.redis.connection_pool.release(connection)
        queue.redis.close()


# Instance B serves the page's socket in a process of its own (this process's one Socket.IO
# server belongs to the app made here, instance A), on the same database and Redis.
INSTANCE = """
import sys
from werkzeug.serving import make_server
from community import create_app
from community.config import TestingConfig
app = create_app(
    TestingConfig,
    SQLALCHEMY_DATABASE_URI=sys.argv[1],
    SEARCH_INDEX_DIR=sys.argv[2],
    SOCKETIO_MESSAGE_QUEUE=sys.argv[3],
)
server = make_server("127.0.0.1", 0, app, threaded=True)
print(server.server_port, flush=True)
server.serve_forever()
"""


@pytest.fixture
def app(tmp_path, redis_server):
    """Instance A: the app the test writes through, publishing on ``redis_server``."""
    return make_app(tmp_path, SOCKETIO_MESSAGE_QUEUE=redis_server.url)


@pytest.fixture
def instance_b(app, tmp_path, redis_server):
    """Instance B's address."""
    log = (tmp_path / "instance-b.log").open("w")
    process = subprocess.Popen(  # noqa: S603 - our interpreter and code, our arguments
        [
            sys.executable,
            "-c",
            INSTANCE,
            app.config["SQLALCHEMY_DATABASE_URI"],
            app.config["SEARCH_INDEX_DIR"],
            redis_server.url,
        ],
        stdout=subprocess.PIPE,
        stderr=log,
        text=True,
        cwd=Path(__file__).resolve().parents[2],
    )
    try:
        yield f"http://127.0.0.1:{int(process.stdout.readline())}"
    finally:
        process.terminate()
        process.wait(timeout=30)
        process.stdout.close()
        log.close()


def test_a_page_on_another_instance_catches_up_after_a_redis_outage(
    app, cast, create_idea, create_user, add_member, redis_server, instance_b
):
    """The issue's case: votes through A reach a page on B; Redis stops, and a vote through A
    meanwhile is lost to B; once Redis is back, B tells the page to resync, and watching
    again (what ideas.js does) shows the vote."""
    from community.extensions import db
    from community.ideas import operations as ideas
    from community.ideas.models import Idea

    idea = create_idea(cast.space, cast.asker)
    voters = [create_user(), create_user()]
    for voter in voters:
        add_member(cast.space, voter)

    def vote(voter) -> None:
        with app.test_request_context():
            ideas.cast_vote(db.session.get(Idea, idea.id), db.session.get(type(voter), voter.id))
            db.session.commit()

    heard: dict[str, threading.Event] = {name: threading.Event() for name in ("hello", RESYNC)}
    counts: list[int] = []
    page = socketio.Client()
    page.on("hello", lambda data: heard["hello"].set(), namespace="/ideas")
    page.on(RESYNC, lambda data: heard[RESYNC].set(), namespace="/ideas")
    pushed = threading.Event()

    def on_votes(data):
        counts.append(data["votes"])
        pushed.set()

    page.on("votes", on_votes, namespace="/ideas")
    page.connect(instance_b, namespaces=["/ideas"], transports=["websocket"], wait_timeout=GENEROUS)
    try:
        assert page.call("watch", {"ideas": [idea.id]}, namespace="/ideas", timeout=GENEROUS)[
            "votes"
        ] == {str(idea.id): 0}
        # B listens once this arrives (Redis keeps nothing for late subscribers).
        with app.app_context():
            while not heard["hello"].wait(0.1):
                flask_socketio.emit("hello", {}, namespace="/ideas")

        redis_server.stop()
        vote(voters[0])  # committed; its push to B is lost (and logged)
        redis_server.start()
        assert heard[RESYNC].wait(GENEROUS)
        answer = page.call("watch", {"ideas": [idea.id]}, namespace="/ideas", timeout=GENEROUS)
        assert answer["votes"] == {str(idea.id): 1}
        assert counts == []  # it came by catching up, not by a push

        vote(voters[1])  # and pushes flow again
        assert pushed.wait(GENEROUS)
        assert counts == [2]
    finally:
        page.disconnect()
