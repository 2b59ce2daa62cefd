"""Socket.IO: the namespace every feature's live events build on, and how packets are read.

Flask's ``before_request`` hooks and CSRF do not run for socket events, so everything a view
gets from the request's edge happens here instead. :class:`Packet` reads what clients send:
an event whose payload is not valid JSON, nests too deeply or carries text no view may see
(``community.web.inputs``), or whose name is not text or is one the server reserves
(``connect``, ``disconnect``), arrives as a malformed event, which every namespace refuses.
Each event declares its payload with :func:`payload` (fields from ``community.web.args``), so a
handler only ever gets a dict of typed, bounded values; :class:`LiveNamespace` refuses unknown
events and payloads that do not fit, runs each event as one unit of work (commit once, roll
back on error) and answers refusals with an acknowledgement ``{"ok": false, "error": ...}``.
:class:`SecureNamespace` also authenticates the connection and re-checks the user on every
event (the same session check as pages: a session ended by signing out, a password change or
from the sessions list cannot act, even on a connection still open). Individual events
authorise with :func:`authorize`, which asks the same guardian the pages ask.

Every signed-in connection, in every namespace, is in the room of its session
(:func:`session_room`): ending a session closes them all (:func:`close_sessions`).
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from typing import Any

import marshmallow as ma
from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_socketio import Namespace, disconnect, join_room
from socketio import packet as sio_packet

from community import signals
from community.errors import OperationError
from community.extensions import db, socketio
from community.logs import begin
from community.permissions import guardian
from community.ratelimit import spend
from community.web.inputs import BadInput, check_value

log = logging.getLogger(__name__)

#: The name a malformed event arrives under: NUL-prefixed, which no client's event name can be
#: (``community.web.inputs`` refuses NUL in anything a client sends).
MALFORMED = "\x00malformed"
#: Event names only the server triggers.
RESERVED = frozenset({"connect", "connect_error", "disconnect", "__disconnect_final"})
#: Binary attachments an event may carry (the protocol allows ten digits' worth).
MAX_ATTACHMENTS = 4
NOT_UNDERSTOOD = _l("That request was not understood.")
_EVENTS = (sio_packet.EVENT, sio_packet.BINARY_EVENT)
_ACKS = (sio_packet.ACK, sio_packet.BINARY_ACK)


class Packet(sio_packet.Packet):
    """A Socket.IO packet as the server decodes it (``SocketIO(serializer=Packet)``): client
    events that cannot be accepted become a :data:`MALFORMED` event carrying the reason, with
    the client's acknowledgement id, so the client is told instead of the server failing."""

    def decode(self, encoded_packet: Any) -> int:
        try:
            count = super().decode(encoded_packet)
        except (ValueError, TypeError, RecursionError):
            # Bad JSON (or a header past the protocol's bounds): the type, namespace and ack id
            # read so far still say where the answer goes.
            if self.packet_type in _ACKS or self.packet_type == sio_packet.CONNECT:
                self.data = [] if self.packet_type in _ACKS else None
                return 0
            return self._malformed(_l("That is not valid JSON."))
        if self.packet_type not in _EVENTS:
            return count
        data = self.data
        if not (isinstance(data, list) and data and isinstance(data[0], str)):
            return self._malformed(NOT_UNDERSTOOD)
        try:
            check_value(data)
        except BadInput as error:
            return self._malformed(error.message)
        if data[0] in RESERVED or count > MAX_ATTACHMENTS:
            return self._malformed(NOT_UNDERSTOOD)
        return count

    def _malformed(self, reason: Any) -> int:
        self.packet_type = sio_packet.EVENT
        self.data = [MALFORMED, reason]
        return 0

    @classmethod
    def reconstruct_binary(cls, data: Any, attachments: list) -> Any:
        try:
            return super().reconstruct_binary(data, attachments)
        except (IndexError, KeyError, TypeError):  # a placeholder for a missing attachment
            return [MALFORMED, NOT_UNDERSTOOD]


class EventRefused(Exception):
    """An event was refused; the message is sent back in the acknowledgement."""


def refusal(message: str) -> dict[str, Any]:
    """The acknowledgement sent for a refused event."""
    return {"ok": False, "error": message}


def payload(**fields: ma.fields.Field) -> Callable:
    """Declare what an event takes: one JSON object with ``fields`` (other keys are ignored).
    The handler receives it loaded; anything else is refused, with what the first field that
    failed says if it was given a ``message`` (``community.web.args`` fields), or "not
    understood"."""
    schema = ma.Schema.from_dict(fields)(unknown=ma.EXCLUDE)

    def declare(handler: Callable) -> Callable:
        handler.payload_schema = schema
        return handler

    return declare


def _loaded(schema: ma.Schema, args: tuple) -> dict:
    """The event's one argument loaded by ``schema``, or :class:`EventRefused`."""
    if len(args) > 1 or (args and not isinstance(args[0], dict)):
        raise EventRefused(str(NOT_UNDERSTOOD))
    try:
        return schema.load(args[0] if args else {})
    except ma.ValidationError as error:
        for name, field in schema.fields.items():
            if name in error.messages and getattr(field, "message", None) is not None:
                raise EventRefused(str(error.messages[name][0])) from None
        raise EventRefused(str(NOT_UNDERSTOOD)) from None


class LiveNamespace(Namespace):
    """A namespace where every event has a declared payload and is one transaction.

    Subclasses write ``on_<event>`` handlers decorated with :func:`payload`; each is wrapped
    when the class is created, so the checks and the commit run inside the request context
    Flask-SocketIO provides. A handler without a declared payload is a programming error.
    """

    #: The events clients may send (``on_<event>`` handlers), filled in for each subclass.
    events: frozenset[str] = frozenset()

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        for name, handler in list(vars(cls).items()):
            if name.startswith("on_") and name not in ("on_connect", "on_disconnect"):
                schema = getattr(handler, "payload_schema", None)
                if schema is None:
                    raise TypeError(f"{cls.__name__}.{name} declares no @payload")
                setattr(cls, name, _unit_of_work(handler, schema))
        cls.events = frozenset(
            name[3:]
            for name in dir(cls)
            if name.startswith("on_") and name not in ("on_connect", "on_disconnect")
        )

    def trigger_event(self, event: Any, *args: Any) -> Any:
        """Dispatch ``event``; an unknown or malformed one is refused (in the event's request
        context, so the refusal is in the user's language)."""
        if event in ("connect", "disconnect") or event in self.events:
            return super().trigger_event(event, *args)
        reason = args[1] if event == MALFORMED and len(args) > 1 else NOT_UNDERSTOOD
        # Flask-SocketIO's own dispatch (what the base class calls) gives the request context.
        return self.socketio._handle_event(
            lambda *_args: refusal(str(reason)), event, self.namespace, *args
        )

    def refuse(self) -> dict[str, Any] | None:
        """A refusal for an event the connection may not send at all (None: it may)."""
        return None


class SecureNamespace(LiveNamespace):
    """A namespace for signed-in users only."""

    def on_connect(self, auth: Any = None) -> None:
        """Refuse connections without a signed-in, active user."""
        if not current_user.is_authenticated:
            raise ConnectionRefusedError("unauthorized")
        join_session_room()

    def refuse(self) -> dict[str, Any] | None:
        if not current_user.is_authenticated:
            disconnect()
            return refusal(_("Your session has ended. Sign in again."))
        return None


def session_room(session_id: int) -> str:
    """The room, in each namespace, of every connection opened by one signed-in session."""
    return f"session:{session_id}"


def recheck_after_access_change(space, user, room: str, namespace: str) -> None:
    """A space's access changed (``signals.space_access_changed``: it changed visibility, or
    ``user`` lost access to a private space): after the commit, the connections in ``room``
    are told to ``recheck`` and watch again, so news goes to the rooms of who may read now."""
    if user is None or space.is_private:
        signals.on_commit(
            socketio.emit, "recheck", {"space": space.id}, to=room, namespace=namespace
        )


def readers_room(name: str, space) -> str:
    """The room where live news of ``name`` (``"idea:3"``, ``"thread:7"``) in ``space`` goes:
    open in a public or restricted space; in a private one, the room of its readers of now
    (its access epoch), so those let in before a change of access stop hearing at once, in
    every process, without a check per push."""
    if space.is_private:
        return f"{name}:{space.access_epoch}"
    return name


def join_session_room() -> None:
    """Put this connection in its signed-in session's room (connections of signed-in users)."""
    join_room(session_room(current_user.signed_in_session.id))


def close_connections(sids: list[str], namespace: str) -> None:
    """Close these connections of ``namespace``; with a message queue, a connection another
    process holds is closed by that process. One held here runs its disconnect handler right
    here, so each runs in an application context of its own: otherwise it would share ``g``
    (the signed-in user Flask-Login keeps there, and the database session) with the request
    that closed it, and act as that request's user."""
    app = current_app._get_current_object()
    for sid in sids:
        with app.app_context():
            socketio.server.disconnect(sid, namespace=namespace)


def close_sessions(session_ids: list[int]) -> None:
    """Close every connection this process holds for these signed-in sessions, in every
    namespace (after the commit that ended them)."""
    manager = socketio.server.manager
    rooms = [session_room(session_id) for session_id in session_ids]
    for namespace in list(manager.get_namespaces()):
        sids = {sid for sid, _eio_sid in manager.get_participants(namespace, rooms)}
        close_connections(sorted(sids), namespace)


def _unit_of_work(handler: Callable, schema: ma.Schema) -> Callable:
    """Check who sends, load the payload, run the handler, commit once; refusals and failures
    become acknowledgements."""

    @functools.wraps(handler)
    def run(self: LiveNamespace, *args: Any) -> Any:
        begin("EVENT", f"{self.namespace} {handler.__name__.removeprefix('on_')}")
        refused = self.refuse()
        if refused is not None:
            return refused
        try:
            result = handler(self, _loaded(schema, args))
            db.session.commit()
        except (EventRefused, OperationError) as error:
            db.session.rollback()
            return refusal(getattr(error, "message", str(error)))
        except Exception:
            db.session.rollback()
            log.exception("socket event %s %s failed", self.namespace, handler.__name__)
            return refusal(_("Something went wrong. Please try again."))
        return result

    return run


def rate_limit(config_key: str) -> None:
    """Refuse the event once the user has used up their budget named by ``config_key`` (e.g.
    ``"FLAG_LIMIT"``): the same budget the pages and the API spend (``community.ratelimit``)."""
    if not spend(config_key):
        raise EventRefused(_("You are going too fast. Wait a moment and try again."))


def authorize(action: str, load: Callable[..., Any] | None = None) -> Callable:
    """Decorate an event handler: ``load(*args)`` finds the object (None when missing) and the
    guardian must allow ``action`` on it; the handler then receives the object first."""

    def decorate(handler: Callable) -> Callable:
        @functools.wraps(handler)
        def wrapped(self: SecureNamespace, *args: Any) -> Any:
            obj = load(*args) if load is not None else None
            # Missing and forbidden answer alike, so a refusal never confirms a hidden thing.
            if (load is not None and obj is None) or not guardian.can(current_user, action, obj):
                raise EventRefused(_("That isn't there, or you may not do that."))
            if load is None:
                return handler(self, *args)
            return handler(self, obj, *args)

        return wrapped

    return decorate
