"""The Socket.IO message queue between processes: python-socketio's ``RedisManager`` with its
reconnect back-off capped, and a ``resync`` to this process's clients each time it reconnects.

python-socketio's listener waits 1, 2, 4 … up to 60 seconds between attempts to reach Redis
again, a schedule it does not let anyone set (python-socketio 5.18), so after an outage of a
minute live updates between processes stayed lost for up to another minute. :class:`RedisQueue`
waits :attr:`RedisQueue.first_wait` seconds, doubling to at most :attr:`RedisQueue.max_wait`.

Whatever other processes published while this one was not subscribed is lost (Redis pub/sub
keeps nothing), and the page showing it would never learn of it. So once subscribed again the
queue emits :data:`RESYNC` to every client this process holds, in every namespace, and each
page fetches what it shows again (each after a random moment of up to 2 s:
``cocreate.resyncSoon`` in ``static/js/app.js``). redis-py's own retries are turned off for the
same reason: it would re-subscribe quietly, and the loss would go unnoticed.

The library offers no setting for either, so :class:`RedisQueue` replaces the one method that
holds the loop, ``_redis_listen_with_retries`` (python-socketio is pinned in pyproject.toml;
``tests/core/test_message_queue.py`` fails if an upgrade stops calling it).
"""

from __future__ import annotations

import logging
import socket
import time

import socketio

try:  # optional: installed with the ``scale`` extra
    from redis.backoff import NoBackoff
    from redis.retry import Retry
except ImportError:  # pragma: no cover - without it no Redis URL is usable
    Retry = None

log = logging.getLogger(__name__)

#: The event that tells a client to fetch again what its page shows.
RESYNC = "resync"
#: Flask-SocketIO's channel, which ``SocketIO(message_queue=…)`` in other processes uses too.
CHANNEL = "flask-socketio"
#: TCP keepalive: first probe after 10 s idle, then every 5 s, dead after 3 unanswered (Linux).
KEEPALIVE = {
    getattr(socket, name): value
    for name, value in (("TCP_KEEPIDLE", 10), ("TCP_KEEPINTVL", 5), ("TCP_KEEPCNT", 3))
    if hasattr(socket, name)
}


class RedisQueue(socketio.RedisManager):
    """A Redis message queue that comes back within ``max_wait`` seconds of Redis, and then
    tells this process's clients to resynchronise."""

    def __init__(
        self,
        url: str,
        *,
        channel: str = CHANNEL,
        write_only: bool = False,
        first_wait: float = 0.5,
        max_wait: float = 2.0,
    ) -> None:
        if Retry is None:
            raise RuntimeError("the redis package is missing: pip install -e '.[scale]'")
        super().__init__(
            url,
            channel=channel,
            write_only=write_only,
            redis_options={
                "retry": Retry(NoBackoff(), 0),
                # A Redis that stops answering without closing the connection (its host
                # gone, a network partition) would leave the listener waiting for ever: TCP
                # keepalive notices within about 25 s; a connection attempt gives up in 5 s.
                "socket_connect_timeout": 5,
                "socket_keepalive": True,
                "socket_keepalive_options": KEEPALIVE,
            },
        )
        self.first_wait = first_wait
        self.max_wait = max_wait

    def _redis_listen_with_retries(self):
        """Messages from the channel, for ever: the library's loop, with the wait capped
        and a resync after each reconnection."""
        wait = self.first_wait
        lost = False
        while True:
            try:
                self._redis_connect()
                self.pubsub.subscribe(self.channel)
                if lost:
                    log.warning("Message queue reachable again: clients resynchronise")
                    self.resync_clients()
                    lost = False
                wait = self.first_wait
                yield from self.pubsub.listen()
            except Exception as exc:  # noqa: BLE001 - any failure means reconnecting
                log.error("Message queue unreachable (%s); retrying in %s s", exc, wait)
                lost = True
                time.sleep(wait)
                wait = min(wait * 2, self.max_wait)

    def resync_clients(self) -> None:
        """Tell every client of this process, in every namespace, to fetch its page's live
        parts again (only here: each process resynchronises its own)."""
        for namespace in list(self.rooms):
            self.server.emit(RESYNC, {}, namespace=namespace, ignore_queue=True)


def client_manager(url: str | None) -> dict:
    """The ``client_manager`` option for ``socketio.init_app``: a :class:`RedisQueue` for a
    Redis URL; otherwise nothing (no queue, or another kind Flask-SocketIO picks itself)."""
    if url and url.startswith(("redis://", "rediss://", "unix://")):
        return {"client_manager": RedisQueue(url)}
    return {}
