"""Send every event of every Socket.IO namespace, as every role, with hostile payloads, and
fail on any unhandled exception or an answer that is not an acknowledgement.

Namespaces and events are found on the server (its ``on_<event>`` handlers), payload keys from
each event's declared payload (``community.web.live.payload``) and plausible values for them from
the demo database, so an event added later is walked without touching this file. Besides
well-formed events with bad payloads, raw packets try what no client library sends: event
names that are not text, reserved names, payloads that are not lists, nesting deeper than the
parser's recursion limit, broken JSON and binary attachments that are not there.
"""

from __future__ import annotations

import logging

from hypothesis import given
from hypothesis import strategies as st

from community.extensions import socketio
from tests.hostile.conftest import ROLES, known_values, people, sign_in
from tests.hostile.values import HOSTILE_INTS, deep_json, encode_json, json_values, walk_settings

#: Generated payloads per event, namespace and role.
EXAMPLES = 8

#: Raw Socket.IO event packets, after the packet type and the namespace; the id ``7`` asks for
#: an acknowledgement.
RAW_PACKETS = (
    "7[5]",
    "7[5,{}]",
    "7[null,{}]",
    '7[["join"],{}]',
    '7[{"a":1}]',
    '7["connect",{}]',
    '7["disconnect","client"]',
    '7["__disconnect_final"]',
    "7[]",
    "7{}",
    '7"join"',
    "7" + deep_json(),
    '7["join",' + deep_json() + "]",
    '7["join",{"session":1',
    '7["join","\\ud800"]',
    '7["join\\u0000",{}]',
    '7["join",{"session":1e400}]',
    '7["join",{"session":NaN}]',
    '7["join",{"session":' + "9" * 5000 + "}]",
    '7["no_such_event",{}]',
    '7["__init__",{}]',
    # Whole packets ({ns}: the namespace): binary events whose attachments are not there.
    '51-{ns},7["join",{"_placeholder":true,"num":3}]',
    '599-{ns},7["join",{}]',
)


def payload_keys(namespace, event: str) -> list[str]:
    schema = getattr(getattr(namespace, f"on_{event}"), "payload_schema", None)
    return sorted(schema.fields) if schema is not None else []


def values_for(key: str, known: dict[str, list]) -> list:
    """Real ids for a payload key (``session`` → brainstorm sessions, ``ideas`` → ideas)."""
    for name in (key, f"{key}_id", f"{key.removesuffix('s')}_id"):
        if known.get(name) and all(isinstance(v, int) for v in known[name]):
            return known[name]
    return [1, 2]


class SocketWalker:
    def __init__(self, app, caplog) -> None:
        self.app = app
        self.caplog = caplog
        self.people = people(app)
        self.failures: dict[tuple, str] = {}
        self.count = 0

    def connect(self, namespace: str, role):
        client = self.app.test_client()
        sign_in(self.app, client, self.people.get(role))
        sio = socketio.test_client(self.app, namespace=namespace, flask_test_client=client)
        return sio if sio.is_connected(namespace) else None

    def check(self, key: tuple, where: str, reply) -> None:
        """An acknowledgement: ``{"ok": true, …}`` or ``{"ok": false, "error": "…"}``, and
        nothing logged as an error on the way."""
        self.count += 1
        errors = [r for r in self.caplog.records if r.levelno >= logging.ERROR]
        if errors:
            record = errors[0]
            cause = record.exc_info[1] if record.exc_info else None
            self.failures.setdefault(
                (*key, "logged"), f"{where}: logged {record.getMessage()[:200]} ({cause!r:.200})"
            )
            return
        answered = isinstance(reply, dict) and isinstance(reply.get("ok"), bool)
        if answered and reply["ok"] is False:
            answered = isinstance(reply.get("error"), str) and bool(reply["error"])
        if not answered:
            self.failures.setdefault((*key, "reply"), f"{where}: answered {reply!r:.200}")

    def emit(self, sio, namespace: str, event: str, args: list, where: str) -> None:
        self.caplog.clear()
        try:
            reply = sio.emit(event, *args, namespace=namespace, callback=True)
        except Exception as error:  # noqa: BLE001 - collected and reported
            self.failures.setdefault(
                (namespace, event, type(error).__name__), f"{where}: raised {error!r:.300}"
            )
            return
        self.check((namespace, event), where, reply)

    def raw(self, sio, namespace: str, packet: str, where: str) -> None:
        """Send ``packet`` as an event packet (type 2) on ``namespace``, bypassing the client
        library's encoding."""
        self.caplog.clear()
        sio.acks = None
        whole = packet.replace("{ns}", namespace) if "{ns}" in packet else None
        try:
            socketio.server._handle_eio_message(sio.eio_sid, whole or f"2{namespace},{packet}")
            if whole and whole.startswith("51-"):
                socketio.server._handle_eio_message(sio.eio_sid, b"attachment")
        except Exception as error:  # noqa: BLE001 - collected and reported
            self.failures.setdefault(
                (namespace, packet[:30], type(error).__name__), f"{where}: raised {error!r:.300}"
            )
            return
        reply = sio.acks["args"][0] if sio.acks and sio.acks["args"] else None
        self.check((namespace, packet[:30]), where, reply)

    def report(self) -> str:
        return f"{len(self.failures)} failures in {self.count} events:\n" + "\n".join(
            self.failures.values()
        )


def payloads(keys: list[str], known: dict[str, list]) -> st.SearchStrategy:
    """A payload: an object over the event's keys (real ids, hostile numbers, any JSON), or
    any JSON value at all."""
    real = [v for k in keys for v in values_for(k, known)[:3]] or [1]
    value = st.one_of(st.sampled_from(real), st.sampled_from(HOSTILE_INTS), json_values())
    names = st.sampled_from(keys) if keys else st.text(max_size=6)
    objects = st.dictionaries(names, value, max_size=len(keys) + 1)
    return st.one_of(objects, objects, json_values())


def walk_event(walker, sio, namespace: str, event: str, keys: list[str], known, who: str):
    where = f"{namespace} {event} {who}"
    # Plausible payloads first: they also join the sessions later events need joined.
    for first in values_for(keys[0], known)[:3] if keys else [None]:
        plain = {k: values_for(k, known)[0] for k in keys}
        if keys:
            plain[keys[0]] = first
        walker.emit(sio, namespace, event, [plain], where)

    @given(args=st.lists(payloads(keys, known), max_size=3))
    @walk_settings(EXAMPLES)
    def generated(args):
        walker.emit(sio, namespace, event, args, where)

    generated()
    for body in (deep_json(), encode_json(dict.fromkeys(keys, "\ud800"))):
        walker.raw(sio, namespace, f'7["{event}",{body}]', f"{where} raw {body[:20]!r}")


def test_no_socket_event_answers_hostile_payloads_with_an_unhandled_error(walk_app, caplog):
    caplog.set_level(logging.ERROR)
    known = known_values(walk_app)
    walker = SocketWalker(walk_app, caplog)
    namespaces = dict(socketio.server.namespace_handlers)
    assert {"/me", "/ideas", "/brainstorm"} <= set(namespaces)
    for name, namespace in sorted(namespaces.items()):
        events = sorted(
            attr[3:]
            for attr in dir(namespace)
            if attr.startswith("on_") and attr not in ("on_connect", "on_disconnect")
        )
        for role in ROLES:
            sio = walker.connect(name, role)
            if sio is None:  # a namespace for signed-in people only
                continue
            who = f"as {role or 'anonymous'}"
            for packet in RAW_PACKETS:
                walker.raw(sio, name, packet, f"{name} raw {packet[:40]!r} {who}")
            for event in events:
                if not sio.is_connected(name):
                    sio = walker.connect(name, role)
                walk_event(walker, sio, name, event, payload_keys(namespace, event), known, who)
            sio.disconnect(name)
    assert walker.count > 500
    assert not walker.failures, walker.report()
