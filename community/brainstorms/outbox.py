"""What one transaction changed on a board: its patch, kept and sent once it commits.

Every change to a board bumps the session's revision once per transaction
(``operations.bump``), which opens that transaction's :class:`Outbox` for the board. The
receivers add the changes (``[kind, payload]`` pairs); just before the commit the patch is
written to ``brainstorm_patches`` (the last ``PATCH_WINDOW`` revisions are kept), and once the
commit succeeds it goes to everyone on the board as one ``update``: ``{"session", "revision",
"changes"}``. So every revision is one update, with no gaps, and a client that missed some asks
for the patches since its revision (``patches_since``) instead of the whole board.

What only one participant may see goes in an ``own`` message to their tabs (a snapshot, so the
newest wins); it is not kept: catching up sends a fresh one.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, select

from community import signals
from community.brainstorms.models import PATCH_WINDOW, BrainstormSession, Patch
from community.extensions import db, socketio

NAMESPACE = "/brainstorm"
ROOM_PREFIX = "brainstorm:"
#: Old patches are deleted every this many revisions (not at every commit).
PRUNE_EVERY = 50


def session_room(session_id: int) -> str:
    """Everyone on the session's board."""
    return f"{ROOM_PREFIX}{session_id}"


def user_room(session_id: int, user_id: int) -> str:
    """Every open tab of one participant (their own notes while ideation is hidden)."""
    return f"{ROOM_PREFIX}{session_id}:user:{user_id}"


class Outbox:
    """What one transaction changed on one board, kept before and sent after it commits."""

    def __init__(self, session_id: int, revision: int) -> None:
        self.session_id = session_id
        self.revision = revision
        self.changes: dict[Any, tuple[str, dict]] = {}
        self.own: dict[int, dict] = {}
        #: Something left the board (a note deleted or hidden by moderation): the kept patches
        #: before this one may carry it, so they go, and whoever is behind gets the full state.
        self.forget_earlier = False

    def change(self, kind: str, payload: dict, key: Any = None) -> None:
        """Record a change; a later one with the same key (a newer snapshot) replaces it."""
        self.changes.pop(key or kind, None)
        self.changes[key or kind] = (kind, payload)

    def merge(self, kind: str, payload: dict, key: Any = None) -> None:
        """Record a change whose payload adds to an earlier one of the same key (dicts of
        dicts: placements, dot totals), so one transaction still sends one of it."""
        key = key or kind
        if key in self.changes:
            old = self.changes[key][1]
            payload = {
                k: {**old.get(k, {}), **v} if isinstance(v, dict) else v for k, v in payload.items()
            }
        self.change(kind, payload, key)

    def patch(self) -> list[list]:
        return [list(change) for change in self.changes.values()]

    def keep(self) -> None:
        """Write the patch beside the change (inside the transaction, just before commit)."""
        db.session.add(
            Patch(session_id=self.session_id, revision=self.revision, changes=self.patch())
        )
        if self.forget_earlier:
            db.session.execute(
                delete(Patch).where(
                    Patch.session_id == self.session_id, Patch.revision < self.revision
                )
            )
        elif self.revision % PRUNE_EVERY == 0:
            db.session.execute(
                delete(Patch).where(
                    Patch.session_id == self.session_id,
                    Patch.revision <= self.revision - PATCH_WINDOW,
                )
            )
        db.session.flush()

    def send(self) -> None:
        socketio.emit(
            "update",
            {"session": self.session_id, "revision": self.revision, "changes": self.patch()},
            to=session_room(self.session_id),
            namespace=NAMESPACE,
        )
        for user_id, payload in self.own.items():
            socketio.emit(
                "own",
                {**payload, "revision": self.revision},
                to=user_room(self.session_id, user_id),
                namespace=NAMESPACE,
            )


def outbox(session: BrainstormSession) -> Outbox:
    """The current transaction's outbox for ``session`` (opened by its revision's bump)."""
    boxes = db.session().transaction_scoped("brainstorm_outbox", dict)
    box = boxes.get(session.id)
    if box is None:
        box = boxes[session.id] = Outbox(session.id, session.revision)
        db.session().before_commit(box.keep)
        signals.on_commit(box.send)
    return box


def opened(session: BrainstormSession) -> bool:
    """Whether this transaction has already counted a change to ``session``'s board."""
    return session.id in db.session().transaction_scoped("brainstorm_outbox", dict)


def patches_since(session: BrainstormSession, revision: int) -> list[dict] | None:
    """The patches after ``revision`` up to the board's current one, in order, or None when
    they are not all kept any more (or ``revision`` is not one this board has had)."""
    current = session.revision
    if opened(session):  # this transaction's own patch goes to the room once it commits
        current -= 1
    if revision > current:
        return None
    rows = db.session.execute(
        select(Patch.revision, Patch.changes)
        .where(Patch.session_id == session.id, Patch.revision > revision)
        .order_by(Patch.revision)
        .limit(PATCH_WINDOW + 1)
    ).all()
    numbers = [number for number, _changes in rows]
    if numbers != list(range(revision + 1, revision + 1 + len(numbers))):
        return None
    if revision + len(numbers) < current:
        return None
    return [{"session": session.id, "revision": n, "changes": c} for n, c in rows]
