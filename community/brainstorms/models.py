"""Live brainstorming sessions, their participants and their sticky notes."""

from __future__ import annotations

import enum
from datetime import datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from community.accounts.models import User
from community.database import Hideable, SoftDeleted, UTCDateTime, utcnow
from community.extensions import db
from community.ideas.models import Idea
from community.spaces.models import Space

NOTE_MAX = 500
PROMPT_MAX = 300
CLUSTER_NAME_MAX = 80
#: Each process refreshes the connections it holds this often (seconds); a connection not
#: refreshed for ``STALE_AFTER`` (its process died) no longer counts as someone here.
HEARTBEAT = 30
STALE_AFTER = timedelta(seconds=3 * HEARTBEAT)
#: How many of a board's latest patches are kept, so that a client that missed some (a dropped
#: message, a reconnect) catches up with them; one further behind gets the full state.
PATCH_WINDOW = 200


class Phase(enum.StrEnum):
    LOBBY = "lobby"
    IDEATE = "ideate"
    GROUP = "group"
    VOTE = "vote"
    RESULTS = "results"
    CLOSED = "closed"


class WhoMayGroup(enum.StrEnum):
    EVERYONE = "everyone"
    FACILITATOR = "facilitator"


class DotTotals(enum.StrEnum):
    """Whether participants see the dot totals while voting (the facilitator always does)."""

    HIDDEN = "hidden"
    LIVE = "live"


DOT_TOTALS_LABELS = {
    DotTotals.HIDDEN: _l("Hidden until the vote closes"),
    DotTotals.LIVE: _l("Live while voting"),
}


class TimerMode(enum.StrEnum):
    """What happens when a timed phase's time is up: with a hard timer the phase stops taking
    what it collects (new and edited notes while ideating, dots while voting) until the
    facilitator extends it or moves on; with a soft one the clock only shows the time."""

    HARD = "hard"
    SOFT = "soft"


TIMER_MODE_LABELS = {
    TimerMode.HARD: _l("Hard: adding stops when time is up"),
    TimerMode.SOFT: _l("Soft: the clock is only a guide"),
}

WHO_MAY_GROUP_LABELS = {
    WhoMayGroup.EVERYONE: _l("Everyone"),
    WhoMayGroup.FACILITATOR: _l("Only the facilitator"),
}

#: The order the facilitator moves through.
PHASES = list(Phase)

#: Phases with a time box (and so a server-set end time).
TIMED = {Phase.IDEATE, Phase.GROUP, Phase.VOTE}

PHASE_LABELS = {
    Phase.LOBBY: _l("Lobby"),
    Phase.IDEATE: _l("Ideate"),
    Phase.GROUP: _l("Group"),
    Phase.VOTE: _l("Vote"),
    Phase.RESULTS: _l("Results"),
    Phase.CLOSED: _l("Closed"),
}


class BrainstormSession(db.Model):
    """A timed brainstorm in a space, moved through its phases by its facilitator."""

    __tablename__ = "brainstorm_sessions"
    __table_args__ = (Index("ix_brainstorm_sessions_space_phase", "space_id", "phase"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    space_id: Mapped[int] = mapped_column(ForeignKey("spaces.id", ondelete="CASCADE"))
    facilitator_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    idea_id: Mapped[int | None] = mapped_column(ForeignKey("ideas.id", ondelete="SET NULL"))
    prompt: Mapped[str] = mapped_column(String(PROMPT_MAX))
    anonymous: Mapped[bool] = mapped_column(default=False)
    hidden_ideation: Mapped[bool] = mapped_column(default=True)
    dots_per_participant: Mapped[int] = mapped_column(default=5)
    dots_per_item: Mapped[int] = mapped_column(default=3)
    ideate_minutes: Mapped[int] = mapped_column(default=10)
    group_minutes: Mapped[int] = mapped_column(default=5)
    vote_minutes: Mapped[int] = mapped_column(default=5)
    who_may_group: Mapped[str] = mapped_column(
        String(16), default=WhoMayGroup.EVERYONE.value, server_default=WhoMayGroup.EVERYONE.value
    )
    # Hidden: participants learn the totals only once the vote closes (never sent before).
    dot_totals: Mapped[str] = mapped_column(
        String(16), default=DotTotals.HIDDEN.value, server_default=DotTotals.HIDDEN.value
    )
    timer_mode: Mapped[str] = mapped_column(
        String(16), default=TimerMode.HARD.value, server_default=TimerMode.HARD.value
    )
    phase: Mapped[str] = mapped_column(String(16), default=Phase.LOBBY.value)
    # Server-authoritative end of the current timed phase; None outside timed phases.
    phase_ends_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # While the facilitator has paused the clock: the seconds that were left (ends_at is None).
    paused_seconds: Mapped[int | None] = mapped_column()
    # Counts every committed change to the board; live updates carry it so that clients apply
    # each change once, in order, and notice one they missed.
    revision: Mapped[int] = mapped_column(default=0, server_default="0")
    scheduled_for: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    space: Mapped[Space] = relationship()
    facilitator: Mapped[User | None] = relationship()
    idea: Mapped[Idea | None] = relationship(foreign_keys=[idea_id])

    @property
    def current_phase(self) -> Phase:
        return Phase(self.phase)

    @property
    def is_closed(self) -> bool:
        return self.current_phase == Phase.CLOSED

    @property
    def next_phase(self) -> Phase | None:
        index = PHASES.index(self.current_phase)
        return PHASES[index + 1] if index + 1 < len(PHASES) else None

    def minutes_for(self, phase: Phase) -> int | None:
        """The time box of ``phase`` in minutes, or None for untimed phases."""
        return {
            Phase.IDEATE: self.ideate_minutes,
            Phase.GROUP: self.group_minutes,
            Phase.VOTE: self.vote_minutes,
        }.get(phase)

    @property
    def time_is_up(self) -> bool:
        """Whether the current timed phase's time is up, by the server's clock (a paused
        clock never runs out)."""
        return (
            self.paused_seconds is None
            and self.phase_ends_at is not None
            and utcnow() >= self.phase_ends_at
        )

    @property
    def closed_by_clock(self) -> bool:
        """Whether the phase takes nothing more because its hard timer ran out."""
        return self.timer_mode == TimerMode.HARD and self.time_is_up

    @property
    def notes_hidden(self) -> bool:
        """Whether participants see only their own notes right now."""
        return self.hidden_ideation and self.current_phase in (Phase.LOBBY, Phase.IDEATE)

    @property
    def totals_hidden(self) -> bool:
        """Whether participants other than the facilitator are kept from the dot totals right
        now: in a session with hidden totals, until the vote closes."""
        return self.dot_totals == DotTotals.HIDDEN and self.current_phase not in (
            Phase.RESULTS,
            Phase.CLOSED,
        )

    def sees_totals(self, user_id: int | None) -> bool:
        """Whether ``user_id`` may be sent the dot totals now (the facilitator always may)."""
        return not self.totals_hidden or (user_id is not None and user_id == self.facilitator_id)


class Participant(db.Model):
    """Someone who joined a session, and whether they are done with the current phase."""

    __tablename__ = "brainstorm_participants"
    __table_args__ = (UniqueConstraint("session_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(
        ForeignKey("brainstorm_sessions.id", ondelete="CASCADE")
    )
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    done: Mapped[bool] = mapped_column(default=False)
    #: Their composer holds a note they have not sent (their browser says so), which the
    #: facilitator is told before moving on.
    unsent: Mapped[bool] = mapped_column(default=False, server_default="0")
    joined_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    user: Mapped[User] = relationship()


class Connection(db.Model):
    """An open Socket.IO connection on a session's board: presence, and how any server process
    finds the connections to close when someone is banned or signed out. The process holding a
    connection refreshes ``seen_at``; rows of a process that died go stale and stop counting."""

    __tablename__ = "brainstorm_connections"
    __table_args__ = (
        UniqueConstraint("sid", "session_id"),
        Index("ix_brainstorm_connections_session_user", "session_id", "user_id"),
        Index("ix_brainstorm_connections_seen", "seen_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    sid: Mapped[str] = mapped_column(String(64))
    session_id: Mapped[int] = mapped_column(
        ForeignKey("brainstorm_sessions.id", ondelete="CASCADE")
    )
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    #: The signed-in session (``accounts.UserSession``) the connection was opened with.
    user_session_id: Mapped[int] = mapped_column(
        ForeignKey("user_sessions.id", ondelete="CASCADE"), index=True
    )
    connected_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    seen_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class Patch(db.Model):
    """One committed change to a board as it was sent to everyone on it (``changes``: the
    ``[kind, payload]`` pairs of the ``update`` message); the last ``PATCH_WINDOW`` are kept."""

    __tablename__ = "brainstorm_patches"
    __table_args__ = (UniqueConstraint("session_id", "revision"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(
        ForeignKey("brainstorm_sessions.id", ondelete="CASCADE")
    )
    revision: Mapped[int] = mapped_column()
    changes: Mapped[list] = mapped_column(JSON, default=list)


class Note(SoftDeleted, Hideable, db.Model):
    """A sticky note written during ideation; deleting it only marks it deleted. A note
    hidden pending review (``hidden_at``, community/moderation) is off the board for
    everyone until a moderator approves it."""

    __tablename__ = "brainstorm_notes"
    __table_args__ = (Index("ix_brainstorm_notes_session_created", "session_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(
        ForeignKey("brainstorm_sessions.id", ondelete="CASCADE")
    )
    author_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    text: Mapped[str] = mapped_column(Text)
    cluster_id: Mapped[int | None] = mapped_column(
        ForeignKey("brainstorm_clusters.id", ondelete="SET NULL"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    author: Mapped[User | None] = relationship()
    session: Mapped[BrainstormSession] = relationship()

    @property
    def on_board(self) -> bool:
        """Neither deleted by its author nor hidden by moderation."""
        return self.deleted_at is None and self.hidden_at is None


class Cluster(db.Model):
    """A named group of notes, made while grouping; merging one into another deletes it."""

    __tablename__ = "brainstorm_clusters"
    __table_args__ = (Index("ix_brainstorm_clusters_session_position", "session_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(
        ForeignKey("brainstorm_sessions.id", ondelete="CASCADE")
    )
    name: Mapped[str] = mapped_column(String(CLUSTER_NAME_MAX))
    position: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class Dot(db.Model):
    """One dot a participant put on a note or a cluster while voting (one row per dot)."""

    __tablename__ = "brainstorm_dots"
    __table_args__ = (
        CheckConstraint("(note_id IS NULL) <> (cluster_id IS NULL)", name="dot_on_note_or_cluster"),
        Index("ix_brainstorm_dots_session_user", "session_id", "user_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(
        ForeignKey("brainstorm_sessions.id", ondelete="CASCADE")
    )
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    note_id: Mapped[int | None] = mapped_column(
        ForeignKey("brainstorm_notes.id", ondelete="CASCADE"), index=True
    )
    cluster_id: Mapped[int | None] = mapped_column(
        ForeignKey("brainstorm_clusters.id", ondelete="CASCADE"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class UndoKind(enum.StrEnum):
    DELETE_NOTE = "delete_note"
    MERGE = "merge"
    DISSOLVE = "dissolve"
    ADVANCE = "advance"


#: How long the person who made a change may undo it (the board offers it for less); the
#: facilitator may split a merge back for as long as grouping lasts.
UNDO_WINDOW = timedelta(seconds=30)


class Undo(db.Model):
    """What undoing one recent change to a board needs (``undo.py``): a note taken off, two
    clusters merged, a cluster dissolved, a phase ended early. Written by the change itself, so
    undo never trusts what a client sends, and works on any instance and after a reload. It
    holds only while the board is in ``phase`` (every phase change removes the rows of the
    board); a merge's row goes with the cluster it merged into, a note's with the note."""

    __tablename__ = "brainstorm_undos"
    # Ids are never handed out twice (SQLite would reuse a deleted row's): an old id sent
    # again never names a newer change.
    __table_args__ = (
        Index("ix_brainstorm_undos_session_kind", "session_id", "kind"),
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(
        ForeignKey("brainstorm_sessions.id", ondelete="CASCADE")
    )
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    kind: Mapped[str] = mapped_column(String(16))
    #: The phase the change may be undone in (for an early end: the phase it moved to).
    phase: Mapped[str] = mapped_column(String(16))
    #: The board's revision of the change.
    revision: Mapped[int] = mapped_column()
    note_id: Mapped[int | None] = mapped_column(
        ForeignKey("brainstorm_notes.id", ondelete="CASCADE"), index=True
    )
    #: A merge: the cluster the notes went into.
    cluster_id: Mapped[int | None] = mapped_column(
        ForeignKey("brainstorm_clusters.id", ondelete="CASCADE"), index=True
    )
    #: The rest: a removed cluster's name, position and notes; an early end's phase and clock.
    data: Mapped[dict] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    user: Mapped[User | None] = relationship()
