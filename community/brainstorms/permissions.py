"""Permission rules for brainstorming sessions, built on the space rules."""

from __future__ import annotations

from community.brainstorms import queries
from community.brainstorms.models import BrainstormSession, WhoMayGroup
from community.permissions import guardian


@guardian.rule("brainstorm.view")
def can_view_session(user, session: BrainstormSession) -> bool:
    """Whoever may read the space may read its sessions (past ones stay readable)."""
    return guardian.can(user, "space.view", session.space)


@guardian.rule("brainstorm.create")
def can_create_session(user, space) -> bool:
    """Space experts, moderators and owners (and site admins) run sessions."""
    return guardian.can(user, "space.answer_as_expert", space)


@guardian.rule("brainstorm.join")
def can_join_session(user, session: BrainstormSession) -> bool:
    """Taking part needs an active, unbanned membership of the space."""
    return can_view_session(user, session) and guardian.can(user, "space.post", session.space)


@guardian.rule("brainstorm.facilitate")
def can_facilitate(user, session: BrainstormSession) -> bool:
    """Only the session's facilitator moves it on, while they still belong to the space."""
    return (
        session.facilitator_id is not None
        and getattr(user, "id", None) == session.facilitator_id
        and can_join_session(user, session)
    )


@guardian.rule("brainstorm.take_over")
def can_take_over(user, session: BrainstormSession) -> bool:
    """Who may become a session's facilitator (co-facilitation): a moderator or owner of the
    space who may take part, while the session is open and its facilitator is gone — not on
    the board, or no longer allowed to facilitate (left the space, banned, account removed).
    Taking over makes them the facilitator, so ``brainstorm.facilitate`` stays one person."""
    if session.is_closed or getattr(user, "id", None) == session.facilitator_id:
        return False
    if not can_join_session(user, session) or not guardian.can(
        user, "space.moderate", session.space
    ):
        return False
    facilitator = session.facilitator
    return (
        facilitator is None
        or not can_facilitate(facilitator, session)
        or not queries.facilitator_here(session)
    )


@guardian.rule("brainstorm.group")
def can_group(user, session: BrainstormSession) -> bool:
    """Everyone taking part, or only the facilitator, as the session's setting says."""
    if session.who_may_group == WhoMayGroup.FACILITATOR.value:
        return can_facilitate(user, session)
    return can_join_session(user, session)


@guardian.rule("brainstorm.promote")
def can_promote(user, session: BrainstormSession) -> bool:
    """The facilitator and the space's moderators turn results into ideas."""
    return can_facilitate(user, session) or (
        can_join_session(user, session) and guardian.can(user, "space.moderate", session.space)
    )


@guardian.rule("brainstorm.export")
def can_export(user, session: BrainstormSession) -> bool:
    """Those who took part or could (active members) and the space's moderators download the
    results: they saw the same notes, with the same names, on the board."""
    return can_join_session(user, session) or guardian.can(user, "space.moderate", session.space)
