"""Socket.IO: the authenticated namespace every feature's live events build on.

Flask's ``before_request`` hooks and CSRF do not run for socket events, so a
:class:`SecureNamespace` authenticates the connection, re-checks the user on every event
(the same session check as pages: a session ended by signing out, a password change or from
the sessions list cannot act, even on a connection still open), runs each event as one unit of
work (commit once, roll back on error) and answers refusals with an acknowledgement
``{"ok": false, "error": ...}``. Individual events authorise with :func:`authorize`, which asks
the same guardian the pages ask.

Every signed-in connection, in every namespace, is in the room of its session
(:func:`session_room`): ending a session closes them all (:func:`close_sessions`).
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from typing import Any

from flask import current_app
from flask_babel import gettext as _
from flask_login import current_user
from flask_socketio import Namespace, disconnect, join_room

from community.errors import OperationError
from community.extensions import db, socketio
from community.permissions import guardian
from community.ratelimit import spend

log = logging.getLogger(__name__)


class EventRefused(Exception):
    """An event was refused; the message is sent back in the acknowledgement."""


def refusal(message: str) -> dict[str, Any]:
    """The acknowledgement sent for a refused event."""
    return {"ok": False, "error": message}


class SecureNamespace(Namespace):
    """A namespace for signed-in users only, where every event is one transaction.

    Subclasses write plain ``on_<event>`` handlers; each is wrapped when the class is created,
    so the check and the commit run inside the request context Flask-SocketIO provides.
    """

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        for name, handler in list(vars(cls).items()):
            if name.startswith("on_") and name not in ("on_connect", "on_disconnect"):
                setattr(cls, name, _unit_of_work(handler))

    def on_connect(self, auth: Any = None) -> None:
        """Refuse connections without a signed-in, active user."""
        if not current_user.is_authenticated:
            raise ConnectionRefusedError("unauthorized")
        join_session_room()


def session_room(session_id: int) -> str:
    """The room, in each namespace, of every connection opened by one signed-in session."""
    return f"session:{session_id}"


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


def _unit_of_work(handler: Callable) -> Callable:
    """Re-check the user, run the handler, commit once; refusals become acknowledgements."""

    @functools.wraps(handler)
    def run(self: SecureNamespace, *args: Any) -> Any:
        if not current_user.is_authenticated:
            disconnect()
            return refusal(_("Your session has ended. Sign in again."))
        try:
            result = handler(self, *args)
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
