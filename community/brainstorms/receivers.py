"""Live pushes that follow committed changes to a session's board.

One committed change to a board (one transaction: a note, a move, a phase, someone arriving)
becomes **one** ``update`` message to everyone on the board: ``{"session", "revision",
"changes": [[kind, payload], ...]}``. Every operation on a board writes the session's
revision first, so revisions are committed one at a time and in order; a client applies each
revision once, in order, and asks for the full state again when it finds one missing (see
``static/js/brainstorm.js``). Every change is a snapshot or an upsert by id, so applying one
to a state that already contains it is harmless.

What only one participant may see goes in an ``own`` message to that participant's tabs: a
snapshot of their own notes while ideation is hidden, which notes are theirs, and their dots.
Hidden ideation is enforced here (others are only told how many notes there are), and
anonymity in the serializers. Payloads are built while the transaction is open (the rows are
fresh) and sent only after it commits.
"""

from __future__ import annotations

from sqlalchemy import select

from community import signals
from community.brainstorms import operations, queries, serializers
from community.brainstorms.models import BrainstormSession, Connection, Note, Phase
from community.brainstorms.outbox import NAMESPACE, Outbox, outbox
from community.extensions import db
from community.permissions import Role
from community.web import live


def _refresh_own(box: Outbox, session: BrainstormSession, user_id: int | None) -> None:
    if user_id is not None:
        box.own[user_id] = serializers.own_payload(session, user_id)


@signals.brainstorm_note_changed.connect
def push_note(session: BrainstormSession, *, note: Note, change: str, **_kwargs) -> None:
    """While ideation is hidden, the author's tabs get the note and everyone else a count;
    otherwise everyone gets the note. A note hidden by moderation leaves every board (its
    author's too) and comes back if a moderator approves it; a note that leaves the board takes
    the kept patches before it along (they may carry its text), so nobody catching up later
    reads it."""
    box = outbox(session)
    if session.notes_hidden:
        box.change("note_count", {"count": queries.note_count(session)})
    elif not note.on_board:
        box.change("note_deleted", {"id": note.id}, key=("note", note.id))
    else:
        box.change("note", serializers.note_payload(session, note), key=("note", note.id))
    if not note.on_board:
        box.forget_earlier = True  # its text may be in kept patches: never replay them
    if change in ("hidden", "restored") and session.current_phase in (Phase.RESULTS, Phase.CLOSED):
        box.change("results", serializers.results_payload(session))
    _refresh_own(box, session, note.author_id)


@signals.content_hidden.connect
def moderate_note(target, *, hidden: bool, by=None, **_kwargs) -> None:
    """A moderator (or enough members' flags) hid a note, or approved it: a change to its
    board like any other."""
    if not isinstance(target, Note):
        return
    session = target.session
    operations.bump(session)
    signals.brainstorm_note_changed.send(
        session, note=target, change="hidden" if hidden else "restored", by=by
    )


@signals.brainstorm_phase_changed.connect
def push_phase(session: BrainstormSession, *, old: str, **_kwargs) -> None:
    """The new phase and clock; when hidden ideation ends, every note to everyone."""
    box = outbox(session)
    box.change("phase", serializers.phase_payload(session))
    if session.hidden_ideation and old == Phase.IDEATE.value and not session.notes_hidden:
        notes = [serializers.note_payload(session, n) for n in queries.visible_notes(session, None)]
        box.change("notes", {"notes": notes})
    if session.current_phase == Phase.RESULTS:
        box.change("results", serializers.results_payload(session))
    box.change("presence", serializers.presence_payload(session))  # nobody is done any more


@signals.brainstorm_grouping_changed.connect
def push_grouping(
    session: BrainstormSession,
    *,
    cluster=None,
    removed: int | None = None,
    placement: dict[int, int | None] | None = None,
    **_kwargs,
) -> None:
    """Only what changed: a cluster made or renamed, one merged away, notes that moved."""
    box = outbox(session)
    if placement:
        box.merge("placement", {"notes": {str(k): v for k, v in placement.items()}})
    if cluster is not None:
        box.change("cluster", serializers.cluster_payload(cluster), key=("cluster", cluster.id))
    if removed is not None:
        box.change("cluster_deleted", {"id": removed}, key=("cluster", removed))


@signals.brainstorm_grouping_changed.connect
@signals.brainstorm_phase_changed.connect
def push_merges(
    session: BrainstormSession,
    *,
    old: str | None = None,
    removed: int | None = None,
    undone: bool = False,
    **_kwargs,
) -> None:
    """The merges that can still be split back, when they changed: a cluster merged or
    dissolved away (a merge into it goes with it), a merge split back, grouping over."""
    leaving = old == Phase.GROUP.value and session.current_phase != Phase.GROUP
    if removed is not None or undone or leaving:
        outbox(session).change("merges", serializers.merges_payload(session))


@signals.brainstorm_phase_changed.connect
def push_note_count_when_back(session: BrainstormSession, *, undone: bool = False, **_kw) -> None:
    """Back in hidden ideation (an early end undone): others' notes leave each board (the
    phase says so) and only their number is shown again."""
    if undone and session.notes_hidden:
        outbox(session).change("note_count", {"count": queries.note_count(session)})


@signals.brainstorm_dots_changed.connect
def push_dots(session: BrainstormSession, *, by, note=None, cluster=None, **_kwargs) -> None:
    """The new total of the item voted on to everyone (never who voted) or, while the totals
    are hidden, only to the facilitator's tabs; the voter's own dots only to the voter's."""
    box = outbox(session)
    if session.totals_hidden:
        _refresh_own(box, session, session.facilitator_id)
    else:
        box.merge("tally", serializers.item_tally_payload(session, note=note, cluster=cluster))
    _refresh_own(box, session, by.id)


@signals.brainstorm_presence_changed.connect
def push_presence(session: BrainstormSession, **_kwargs) -> None:
    """Who is here and who is done (a count in an anonymous session)."""
    outbox(session).change("presence", serializers.presence_payload(session))


@signals.brainstorm_settings_changed.connect
def push_settings(session: BrainstormSession, *, fields: set[str], **_kwargs) -> None:
    """The settings everyone goes by; a new facilitator's tabs also get what only the
    facilitator sees (the dot totals while they are hidden from the others)."""
    box = outbox(session)
    box.change("settings", serializers.settings_payload(session))
    if "facilitator" in fields:
        _refresh_own(box, session, session.facilitator_id)
        box.change("presence", serializers.presence_payload(session))


@signals.brainstorm_promoted.connect
def push_promotion(session: BrainstormSession, **_kwargs) -> None:
    """Open boards show the new idea next to the result it came from."""
    outbox(session).change("results", serializers.results_payload(session))


@signals.member_banned.connect
@signals.member_left.connect
def disconnect_from_boards(space, *, user, **_kwargs) -> None:
    """Someone banned from (or leaving) a space stops receiving its open boards at once,
    whichever server process holds their connections (with a message queue, the disconnect
    reaches the others); their events are refused anyway, because every event asks the
    guardian again."""
    sids = set(
        db.session.scalars(
            select(Connection.sid)
            .join(BrainstormSession, BrainstormSession.id == Connection.session_id)
            .where(BrainstormSession.space_id == space.id, Connection.user_id == user.id)
        )
    )
    if sids:
        signals.on_commit(live.close_connections, sorted(sids), NAMESPACE)


@signals.sessions_ended.connect
def disconnect_ended_sessions(user, *, session_ids: list[int], **_kwargs) -> None:
    """Signed-in sessions ended (signed out, a password change, a suspension): their open
    boards close at once, in whichever process holds them (their events would be refused
    anyway: the session check fails)."""
    sids = set(
        db.session.scalars(
            select(Connection.sid).where(Connection.user_session_id.in_(session_ids))
        )
    )
    if sids:
        signals.on_commit(live.close_connections, sorted(sids), NAMESPACE)


@signals.role_changed.connect
def recheck_former_admin(user, *, old_role, new_role, **_kwargs) -> None:
    """A site admin may take part in any space's sessions; one who is an admin no more has
    their boards closed, and their page joins again only where they are still allowed."""
    if old_role == Role.ADMIN and new_role != Role.ADMIN:
        sids = set(db.session.scalars(select(Connection.sid).where(Connection.user_id == user.id)))
        if sids:
            signals.on_commit(live.close_connections, sorted(sids), NAMESPACE)
