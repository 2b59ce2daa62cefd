"""Reads of routed questions: someone's "Questions for you", the count in their menu, and what
a question's page shows of its routing.

Only questions in spaces the person may read still count, so someone who left a private space
no longer sees what was routed to them there.
"""

from __future__ import annotations

from typing import NamedTuple

from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import ColumnElement, Select, and_, case, func, or_, select
from sqlalchemy.orm import joinedload

from community.accounts.models import User
from community.experts.models import QuestionRouting, RoutedQuestion
from community.extensions import db
from community.forums.models import Thread
from community.spaces.queries import readable_space_ids
from community.web.menu import menu_count

QUESTIONS_PER_PAGE = 20


class RoutingCounts(NamedTuple):
    """How many questions were routed to someone, and how many wait for them."""

    total: int
    open: int


class RoutingSummary(NamedTuple):
    """What a question's page shows of its routing."""

    routed: RoutedQuestion
    experts: int
    mine: QuestionRouting | None


def _visible(user) -> ColumnElement[bool]:
    """``user``'s routings of live questions in spaces they may read (Thread joined)."""
    return and_(
        QuestionRouting.expert_id == user.id,
        Thread.deleted_at.is_(None),
        Thread.space_id.in_(readable_space_ids(user)),
    )


def _open(user) -> ColumnElement[bool]:
    """Still waiting for ``user``: not answered or passed on by them, not solved or locked,
    and not claimed by someone else (RoutedQuestion and Thread joined)."""
    return and_(
        QuestionRouting.passed_on_at.is_(None),
        QuestionRouting.answered_at.is_(None),
        Thread.accepted_post_id.is_(None),
        Thread.locked.is_(False),
        or_(RoutedQuestion.claimed_by_id.is_(None), RoutedQuestion.claimed_by_id == user.id),
    )


@menu_count("routed")
def any_routing(user_id: int) -> Select:
    """One of the user's routings' ids, NULL for someone never routed a question (most
    people): one look at ``ix_question_routings_expert_routed``."""
    return select(QuestionRouting.id).where(QuestionRouting.expert_id == user_id).limit(1)


def routing_counts(user, *, routed: bool | None = None) -> RoutingCounts:
    """Routed to ``user`` in all, and still open (the menu, the questions page): nothing more
    than :func:`any_routing` (or ``routed``, when the menu's counts already say) for someone
    never routed a question; else one query, which counts."""
    if user is None or not getattr(user, "is_authenticated", False):
        return RoutingCounts(0, 0)
    if routed is None:
        routed = db.session.scalar(any_routing(user.id)) is not None
    if not routed:
        return RoutingCounts(0, 0)
    total, waiting = db.session.execute(
        select(func.count(QuestionRouting.id), func.sum(case((_open(user), 1), else_=0)))
        .join(Thread, Thread.id == QuestionRouting.thread_id)
        .join(RoutedQuestion, RoutedQuestion.id == QuestionRouting.routed_question_id)
        .where(_visible(user))
    ).one()
    return RoutingCounts(total or 0, int(waiting or 0))


def questions_for(user: User, page: int = 1) -> Pagination:
    """``user``'s routed questions, open ones first, newest first; the question, its space,
    asker and claimer loaded with it (a page costs the same queries whatever its length)."""
    stmt = (
        select(QuestionRouting)
        .join(Thread, Thread.id == QuestionRouting.thread_id)
        .join(RoutedQuestion, RoutedQuestion.id == QuestionRouting.routed_question_id)
        .options(
            joinedload(QuestionRouting.thread).joinedload(Thread.author),
            joinedload(QuestionRouting.thread).joinedload(Thread.space),
            joinedload(QuestionRouting.routed_question).joinedload(RoutedQuestion.claimed_by),
            joinedload(QuestionRouting.passed_by),
            joinedload(QuestionRouting.passed_on_to),
        )
        .where(_visible(user))
        .order_by(
            case((_open(user), 0), else_=1), QuestionRouting.routed_at.desc(), QuestionRouting.id
        )
    )
    return db.paginate(stmt, page=max(page, 1), per_page=QUESTIONS_PER_PAGE, error_out=False)


def is_open_for(routing: QuestionRouting, user) -> bool:
    """The Python twin of :func:`_open`, for one loaded routing."""
    thread, routed = routing.thread, routing.routed_question
    return (
        routing.passed_on_at is None
        and routing.answered_at is None
        and not thread.is_solved
        and not thread.locked
        and routed.claimed_by_id in (None, user.id)
    )


def routing_summary(thread: Thread, viewer) -> RoutingSummary | None:
    """A routed question's routing (claimer and first expert answerer loaded), how many
    people it went to, and the viewer's own routing; None if it was never routed."""
    routed = db.session.scalar(
        select(RoutedQuestion)
        .options(joinedload(RoutedQuestion.claimed_by), joinedload(RoutedQuestion.answered_by))
        .where(RoutedQuestion.thread_id == thread.id)
    )
    if routed is None:
        return None
    viewer_id = getattr(viewer, "id", None) if getattr(viewer, "is_authenticated", False) else None
    rows = db.session.scalars(
        select(QuestionRouting).where(QuestionRouting.routed_question_id == routed.id)
    ).all()
    mine = next((r for r in rows if r.expert_id == viewer_id), None)
    return RoutingSummary(routed, len(rows), mine)
