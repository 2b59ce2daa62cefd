"""The ``/brainstorm`` Socket.IO namespace: the live board of a brainstorming session.

Every event names its session (``{"session": id, ...}``) and is authorised through the
guardian; a connection must ``join`` a session before it acts in it. Identity comes only from
the server-side login session. What is broadcast after a commit, and to which room, is decided
in ``receivers.py``, which is where hidden ideation and anonymity are enforced.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Any

from flask import Flask, current_app, request
from flask import session as connection
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_socketio import join_room, leave_room, rooms

from community.brainstorms import (
    dots,
    notes,
    operations,
    outbox,
    presence,
    queries,
    serializers,
    undo,
)
from community.brainstorms.models import (
    CLUSTER_NAME_MAX,
    HEARTBEAT,
    NOTE_MAX,
    BrainstormSession,
    Cluster,
    Note,
)
from community.brainstorms.outbox import NAMESPACE, ROOM_PREFIX, session_room, user_room
from community.database import ID_MAX
from community.extensions import db, socketio
from community.moderation import operations as moderation
from community.web.args import Flag, Id, Text, Whole
from community.web.live import EventRefused, SecureNamespace, authorize, payload, rate_limit
from community.web.queue import RESYNC

log = logging.getLogger(__name__)

#: Notes added or edited per connection within ``NOTE_WINDOW`` seconds before it must wait.
NOTE_BURST = 20
NOTE_WINDOW = 30.0
#: Changes of "has unsent text" per connection within ``NOTE_WINDOW`` seconds (two per note).
UNSENT_BURST = 2 * NOTE_BURST

NOT_UNDERSTOOD = _l("That request was not understood.")
#: The payload fields of the board's events (``community.web.live.payload``).
SESSION = Id(strict=True, required=True, message=_l("That isn't there, or you may not do that."))
NOTE = Id(strict=True, message=_l("That note isn't on this board."))
CLUSTER = Id(strict=True, message=_l("That cluster isn't on this board."))
NOTE_TEXT = Text(
    NOTE_MAX * 2,  # refuse floods before touching them; the operation is exact
    required=True,
    message=_l("A note must be text."),
    too_long=_l("A note may have at most %(count)d characters.", count=NOTE_MAX),
)
CLUSTER_NAME = Text(
    CLUSTER_NAME_MAX * 2,
    required=True,
    message=_l("Name the cluster in at most %(count)d characters.", count=CLUSTER_NAME_MAX),
)


def load_session(data: dict) -> BrainstormSession | None:
    """The session named by the event's payload."""
    return db.session.get(BrainstormSession, data["session"])


def _joined(session: BrainstormSession) -> None:
    if session_room(session.id) not in rooms():
        raise EventRefused(_("Join the session first."))


def _note(session: BrainstormSession, data: dict) -> Note:
    note = db.session.get(Note, data["note"]) if "note" in data else None
    if note is None or note.session_id != session.id or not note.on_board:
        raise EventRefused(_("That note isn't on this board."))
    return note


def _cluster(session: BrainstormSession, data: dict, key: str = "cluster") -> Cluster:
    cluster = db.session.get(Cluster, data[key]) if key in data else None
    if cluster is None or cluster.session_id != session.id:
        raise EventRefused(_("That cluster isn't on this board."))
    return cluster


def _item(session: BrainstormSession, data: dict) -> dict:
    """The note or the cluster a dot goes on: exactly one of ``note`` and ``cluster``."""
    if ("note" in data) == ("cluster" in data):
        raise EventRefused(_("Put the dot on one note or one cluster."))
    if "note" in data:
        return {"note": _note(session, data)}
    return {"cluster": _cluster(session, data)}


def _throttle(key: str = "brainstorm_writes", burst: int | None = None) -> None:
    """Stop floods: a connection may write ``burst`` notes (or other ``key``) per
    ``NOTE_WINDOW`` seconds. Kept in the connection's own session (Flask-SocketIO keeps one
    per connection)."""
    now = time.monotonic()
    recent = [t for t in connection.get(key, []) if now - t < NOTE_WINDOW]
    if len(recent) >= (burst or NOTE_BURST):
        raise EventRefused(_("You are writing notes very fast. Wait a few seconds."))
    connection[key] = [*recent, now]


class BrainstormNamespace(SecureNamespace):
    """A session's board, live: presence, notes, phases and the countdown."""

    @payload(
        session=SESSION,
        since=Whole(
            0, ID_MAX, strict=True, allow_none=True, load_default=None, message=NOT_UNDERSTOOD
        ),
    )
    @authorize("brainstorm.join", load=load_session)
    def on_join(self, session: BrainstormSession, data: dict) -> dict:
        """Enter the board (again, after a reconnect or a missed update). The acknowledgement
        carries the full current state, or, for ``since`` (the revision the client has drawn)
        while the patches after it are kept, those patches and the viewer's own snapshot."""
        # New on this board, or counted out while still connected (forgotten as stale while
        # this process could not vouch for it: ``heartbeat`` tells it to join again).
        if session_room(session.id) not in rooms() or not queries.counted(session, request.sid):
            start_heartbeat(current_app._get_current_object())
            presence.arrive(
                session,
                current_user,
                sid=request.sid,
                user_session_id=current_user.signed_in_session.id,
            )
            join_room(session_room(session.id))
            join_room(user_room(session.id, current_user.id))
            connection["user_id"] = current_user.id  # who leaves, even once signed out
        if data["since"] is not None:
            patches = outbox.patches_since(session, data["since"])
            if patches is not None:
                return {
                    "ok": True,
                    "patches": patches,
                    "own": serializers.own_payload(session, current_user.id),
                }
        return {"ok": True, "state": serializers.state_payload(session, current_user)}

    @payload(session=SESSION, text=NOTE_TEXT)
    @authorize("brainstorm.join", load=load_session)
    def on_add_note(self, session: BrainstormSession, data: dict) -> dict:
        _joined(session)
        _throttle()
        rate_limit("BRAINSTORM_NOTE_LIMIT")
        note = notes.add_note(session, author=current_user, text=data["text"])
        return {"ok": True, "note": serializers.note_payload(session, note, current_user.id)}

    @payload(session=SESSION, note=NOTE, text=NOTE_TEXT)
    @authorize("brainstorm.join", load=load_session)
    def on_edit_note(self, session: BrainstormSession, data: dict) -> dict:
        _joined(session)
        _throttle()
        rate_limit("BRAINSTORM_NOTE_LIMIT")
        note = _note(session, data)
        notes.edit_note(note, by=current_user, text=data["text"])
        return {"ok": True, "note": serializers.note_payload(session, note, current_user.id)}

    @payload(session=SESSION, note=NOTE)
    @authorize("brainstorm.join", load=load_session)
    def on_delete_note(self, session: BrainstormSession, data: dict) -> dict:
        _joined(session)
        taken_off = notes.delete_note(_note(session, data), by=current_user)
        return {"ok": True, "undo": taken_off.id}

    @payload(
        session=SESSION,
        note=NOTE,
        reason=Text(40, required=True, message=NOT_UNDERSTOOD),
        comment=Text(2000, message=NOT_UNDERSTOOD),
    )
    @authorize("brainstorm.join", load=load_session)
    def on_flag_note(self, session: BrainstormSession, data: dict) -> dict:
        """Flag someone else's note for the space's moderators:
        ``{"note": id, "reason": "spam", "comment": "…"}`` (enough flags hide it)."""
        _joined(session)
        rate_limit("FLAG_LIMIT")
        note = _note(session, data)
        moderation.flag_content(note, by=current_user, reason=data["reason"], note=data["comment"])
        return {"ok": True}

    @payload(session=SESSION, name=CLUSTER_NAME)
    @authorize("brainstorm.join", load=load_session)
    def on_create_cluster(self, session: BrainstormSession, data: dict) -> dict:
        _joined(session)
        cluster = notes.create_cluster(session, by=current_user, name=data["name"])
        return {"ok": True, "cluster": serializers.cluster_payload(cluster)}

    @payload(session=SESSION, cluster=CLUSTER, name=CLUSTER_NAME)
    @authorize("brainstorm.join", load=load_session)
    def on_rename_cluster(self, session: BrainstormSession, data: dict) -> dict:
        _joined(session)
        cluster = _cluster(session, data)
        notes.rename_cluster(cluster, by=current_user, name=data["name"])
        return {"ok": True, "cluster": serializers.cluster_payload(cluster)}

    @payload(
        session=SESSION,
        note=NOTE,
        cluster=Id(strict=True, allow_none=True, message=CLUSTER.message),
    )
    @authorize("brainstorm.join", load=load_session)
    def on_move_note(self, session: BrainstormSession, data: dict) -> dict:
        """Put a note into a cluster (``{"note": id, "cluster": id}``) or out (``null``)."""
        _joined(session)
        note = _note(session, data)
        if "cluster" not in data:
            raise EventRefused(_("That request was not understood."))
        cluster = None if data["cluster"] is None else _cluster(session, data)
        notes.move_note(note, by=current_user, cluster=cluster)
        return {"ok": True}

    @payload(session=SESSION, source=CLUSTER, target=CLUSTER)
    @authorize("brainstorm.join", load=load_session)
    def on_merge_clusters(self, session: BrainstormSession, data: dict) -> dict:
        """Merge ``source`` into ``target``; ``source`` disappears."""
        _joined(session)
        source, target = _cluster(session, data, "source"), _cluster(session, data, "target")
        merged = notes.merge_clusters(source, target, by=current_user)
        return {"ok": True, "undo": merged.id}

    @payload(session=SESSION, cluster=CLUSTER)
    @authorize("brainstorm.join", load=load_session)
    def on_dissolve_cluster(self, session: BrainstormSession, data: dict) -> dict:
        """Remove a cluster; its notes go back to those in no cluster."""
        _joined(session)
        dissolved = notes.dissolve_cluster(_cluster(session, data), by=current_user)
        return {"ok": True, "undo": dissolved.id}

    @payload(session=SESSION, undo=Id(strict=True, required=True, message=NOT_UNDERSTOOD))
    @authorize("brainstorm.join", load=load_session)
    def on_undo(self, session: BrainstormSession, data: dict) -> dict:
        """Undo a change one just made (``{"undo": id}``, from that change's acknowledgement),
        or, for the facilitator, split back a merge (the ``merges`` on the board)."""
        _joined(session)
        undo.undo_change(session, data["undo"], by=current_user)
        return {"ok": True}

    @payload(session=SESSION, note=NOTE, cluster=CLUSTER)
    @authorize("brainstorm.join", load=load_session)
    def on_add_dot(self, session: BrainstormSession, data: dict) -> dict:
        """One dot on ``{"note": id}`` or ``{"cluster": id}``."""
        _joined(session)
        rate_limit("BRAINSTORM_DOT_LIMIT")
        dots.add_dot(session, by=current_user, **_item(session, data))
        return {"ok": True, "my_dots": serializers.my_dots_payload(session, current_user.id)}

    @payload(session=SESSION, note=NOTE, cluster=CLUSTER)
    @authorize("brainstorm.join", load=load_session)
    def on_remove_dot(self, session: BrainstormSession, data: dict) -> dict:
        _joined(session)
        rate_limit("BRAINSTORM_DOT_LIMIT")
        dots.remove_dot(session, by=current_user, **_item(session, data))
        return {"ok": True, "my_dots": serializers.my_dots_payload(session, current_user.id)}

    @payload(
        session=SESSION,
        **{"from": Text(20, allow_none=True, load_default=None, message=NOT_UNDERSTOOD)},
    )
    @authorize("brainstorm.facilitate", load=load_session)
    def on_advance(self, session: BrainstormSession, data: dict) -> dict:
        """Move to the next phase (the client confirms first when not everyone is done)."""
        _joined(session)
        phase = operations.advance_phase(session, by=current_user, expected=data["from"])
        reply = {"ok": True, "phase": phase.value}
        early = queries.early_end_undo(session)  # ended while its clock still ran
        return reply if early is None else {**reply, "undo": early}

    @payload(
        session=SESSION,
        minutes=Whole(-ID_MAX, ID_MAX, strict=True, required=True, message=NOT_UNDERSTOOD),
    )
    @authorize("brainstorm.facilitate", load=load_session)
    def on_extend(self, session: BrainstormSession, data: dict) -> dict:
        _joined(session)
        operations.extend_phase(session, by=current_user, minutes=data["minutes"])
        return {"ok": True}

    @payload(session=SESSION)
    @authorize("brainstorm.facilitate", load=load_session)
    def on_pause(self, session: BrainstormSession, data: dict) -> dict:
        """Stop the clock (the time left is kept); ``resume`` starts it again."""
        _joined(session)
        operations.pause_phase(session, by=current_user)
        return {"ok": True}

    @payload(session=SESSION)
    @authorize("brainstorm.facilitate", load=load_session)
    def on_resume(self, session: BrainstormSession, data: dict) -> dict:
        _joined(session)
        operations.resume_phase(session, by=current_user)
        return {"ok": True}

    @payload(session=SESSION)
    @authorize("brainstorm.join", load=load_session)
    def on_take_over(self, session: BrainstormSession, data: dict) -> dict:
        """A moderator of the space becomes the facilitator of a session whose facilitator
        is gone (``brainstorm.take_over``)."""
        _joined(session)
        operations.take_over(session, by=current_user)
        return {"ok": True}

    @payload(session=SESSION, done=Flag(strict=True, load_default=True, message=NOT_UNDERSTOOD))
    @authorize("brainstorm.join", load=load_session)
    def on_done(self, session: BrainstormSession, data: dict) -> dict:
        """Mark oneself done with the phase (``{"done": false}`` takes it back)."""
        _joined(session)
        presence.mark_done(session, current_user, data["done"])
        return {"ok": True, "done": data["done"]}

    @payload(session=SESSION, unsent=Flag(strict=True, message=NOT_UNDERSTOOD))
    @authorize("brainstorm.join", load=load_session)
    def on_unsent(self, session: BrainstormSession, data: dict) -> dict:
        """The composer holds text not sent yet (``{"unsent": true}``), or no more: the
        facilitator is told how many participants have some before moving on."""
        _joined(session)
        _throttle("brainstorm_unsent", UNSENT_BURST)
        presence.mark_unsent(session, current_user, data["unsent"])
        return {"ok": True}

    @payload(session=SESSION)
    @authorize("brainstorm.join", load=load_session)
    def on_leave(self, session: BrainstormSession, data: dict) -> dict:
        if session_room(session.id) in rooms():
            self._depart(session.id, current_user.id)
        return {"ok": True}

    def on_disconnect(self, reason: Any = None) -> None:
        """Presence: count the connection out of every session it joined (also when it closes
        because its user signed out, and so is no longer signed in here)."""
        user_id = connection.get("user_id")
        joined = [session for room in rooms() if (session := _session_of(room)) is not None]
        if user_id is None or not joined:
            return
        try:
            for session_id in joined:
                self._depart(session_id, user_id)
            db.session.commit()
        except Exception:
            db.session.rollback()
            raise

    def _depart(self, session_id: int, user_id: int) -> None:
        leave_room(session_room(session_id))
        leave_room(user_room(session_id, user_id))
        session = db.session.get(BrainstormSession, session_id)
        if session is not None:
            presence.leave(session, user_id, sid=request.sid)


# Presence that survives a crashed process: each process holding board connections refreshes
# their rows every HEARTBEAT seconds and removes every process's rows that nobody refreshed
# for STALE_AFTER (their process died), telling those boards who is still here. The loop
# starts with the first board joined in a process; BRAINSTORM_HEARTBEAT = False (the tests)
# leaves it off, and tests call ``heartbeat()`` directly.
_heartbeat_started = False
_heartbeat_lock = threading.Lock()


def start_heartbeat(app: Flask) -> None:
    """Start this process's heartbeat once (where the configuration allows it)."""
    global _heartbeat_started
    if not app.config.get("BRAINSTORM_HEARTBEAT", True):
        return
    with _heartbeat_lock:
        if _heartbeat_started:
            return
        _heartbeat_started = True
    socketio.start_background_task(_heartbeat_loop, app)


def heartbeat() -> list[int]:
    """Vouch for the board connections this process holds and forget stale ones (any
    process's); returns the sessions whose presence changed. A connection held here whose row
    was forgotten meanwhile is told to ``resync``: the board joins again, which counts it
    back in (through the guardian, as any join)."""
    # Copies (list()), as other threads join and leave rooms meanwhile.
    boards = list(socketio.server.manager.rooms.get(NAMESPACE, {}).items())
    sids = sorted(
        {sid for room, held in boards if _session_of(room) is not None for sid in list(held)}
    )
    forgotten = presence.keep_alive(sids)
    changed = presence.forget_stale_connections()
    db.session.commit()
    for sid in forgotten:
        socketio.emit(RESYNC, {}, to=sid, namespace=NAMESPACE)
    return changed


def _session_of(room: str) -> int | None:
    """The session of a board's room (``brainstorm:<id>``), or None for any other room."""
    rest = room[len(ROOM_PREFIX) :] if room and room.startswith(ROOM_PREFIX) else ""
    return int(rest) if rest.isdigit() else None


def _heartbeat_loop(app: Flask) -> None:
    while True:
        socketio.sleep(HEARTBEAT)
        with app.app_context():
            try:
                heartbeat()
            except Exception:
                db.session.rollback()
                log.exception("brainstorm heartbeat failed")
            finally:
                db.session.remove()
