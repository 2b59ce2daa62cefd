"""Every change to routed questions: routing a question to experts (asked for, or unanswered
in time), escalating it to the space's moderators, claiming it, passing it on, and recording
the first expert answer.

A question is routed to the verified experts whose verified tags match its tags and who may
read its space, and to the space's own experts (members with the expert role), never to the
asker. Routing happens once per question (``RoutedQuestion.thread_id`` is unique); escalation
once more. One person claims a question: the claim is a conditional UPDATE, so two experts
claiming at the same moment cannot both win.

The clock is ``community.database.utcnow``, read through the module so that tests can move it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import exists, select, update
from sqlalchemy.exc import IntegrityError

from community import database, signals
from community.accounts.models import User
from community.errors import OperationError
from community.experts.models import Expertise, QuestionRouting, RoutedQuestion, RoutingReason
from community.experts.queries import verified_experts_for
from community.extensions import db
from community.forums.models import Post, Thread, ThreadKind
from community.forums.queries import unanswered
from community.permissions import guardian
from community.spaces.models import Membership, MembershipState, Space, SpaceRole
from community.spaces.permissions import active_role, is_banned

#: Space roles whose holders receive escalated questions.
ESCALATION_ROLES = (SpaceRole.MODERATOR.value, SpaceRole.OWNER.value)


@dataclass
class RoutingReport:
    """What one routing pass did, for the CLI and the log."""

    routed: list[tuple[Thread, list[User]]] = field(default_factory=list)
    escalated: list[tuple[Thread, list[User]]] = field(default_factory=list)

    def lines(self) -> list[str]:
        """One line per question, then a summary."""
        out = []
        for label, items in (("routed", self.routed), ("escalated", self.escalated)):
            for thread, people in items:
                names = ", ".join(u.username for u in people) or "nobody matched"
                out.append(f"{label} question {thread.id} ({thread.title!r}) to {names}")
        out.append(
            f"Routed {len(self.routed)} unanswered question(s); "
            f"escalated {len(self.escalated)} question(s)."
        )
        return out


def _members_with_roles(
    space_id: int, roles: tuple[str, ...], *, besides: int | None
) -> list[User]:
    """Active users who are active members of the space in one of ``roles``, except
    ``besides`` (the asker), by name."""
    return list(
        db.session.scalars(
            select(User)
            .join(Membership, Membership.user_id == User.id)
            .where(
                Membership.space_id == space_id,
                Membership.state == MembershipState.ACTIVE.value,
                Membership.role.in_(roles),
                User.active.is_(True),
                User.id.is_distinct_from(besides),
            )
            .order_by(User.display_name, User.id)
        )
    )


def experts_for_question(thread: Thread) -> list[User]:
    """Who a question goes to: verified experts for its tags who may read its space, and the
    space's own experts; never the asker."""
    people = {u.id: u for u in verified_experts_for(thread.tag_names, thread.space)}
    own = _members_with_roles(thread.space_id, (SpaceRole.EXPERT.value,), besides=thread.author_id)
    people.update({u.id: u for u in own})
    people.pop(thread.author_id, None)
    return sorted(people.values(), key=lambda u: (u.display_name, u.id))


def _routed_question(thread: Thread, reason: RoutingReason, now: datetime) -> RoutedQuestion | None:
    """The question's routing row, made now; None if another pass made it first."""
    routed = RoutedQuestion(thread_id=thread.id, reason=reason.value, routed_at=now)
    try:
        with db.session.begin_nested():
            db.session.add(routed)
            db.session.flush()
    except IntegrityError:  # thread_id is unique: routed by a concurrent pass or request
        return None
    return routed


def _deliver(
    routed: RoutedQuestion,
    people: list[User],
    reason: RoutingReason,
    now: datetime,
    *,
    passed_by: User | None = None,
) -> list[User]:
    """Give the question to each of ``people`` who does not have it yet; returns those."""
    have = set(
        db.session.scalars(
            select(QuestionRouting.expert_id).where(QuestionRouting.thread_id == routed.thread_id)
        )
    )
    fresh = [u for u in people if u.id not in have]
    for user in fresh:
        db.session.add(
            QuestionRouting(
                routed_question_id=routed.id,
                thread_id=routed.thread_id,
                expert_id=user.id,
                reason=reason.value,
                passed_by_id=passed_by.id if passed_by else None,
                routed_at=now,
            )
        )
    db.session.flush()
    if fresh:
        thread = db.session.get(Thread, routed.thread_id)
        signals.question_routed.send(thread, experts=fresh, reason=reason.value, by=passed_by)
    return fresh


def _check_routable(thread: Thread) -> None:
    if not thread.is_question or thread.is_deleted:
        raise OperationError(_("Only questions can be routed to experts."))


def route_question(
    thread: Thread, reason: RoutingReason = RoutingReason.ASKED, *, now: datetime | None = None
) -> list[User]:
    """Route a question to its experts (see :func:`experts_for_question`), once; returns who
    received it (empty if it was routed before or nobody matched)."""
    _check_routable(thread)
    now = now or database.utcnow()
    routed = _routed_question(thread, reason, now)
    if routed is None:
        return []
    return _deliver(routed, experts_for_question(thread), reason, now)


def _unanswered() -> list:
    """Conditions for a live, open question that is unanswered as the forums say it: no live
    reply by anyone but its asker, and not solved."""
    return [
        Thread.kind == ThreadKind.QUESTION.value,
        Thread.deleted_at.is_(None),
        Thread.locked.is_(False),
        *unanswered(),
    ]


def route_unanswered(now: datetime | None = None) -> list[tuple[Thread, list[User]]]:
    """Route every question unanswered for ``EXPERT_ROUTING_DELAY_HOURS`` and not routed
    yet. Idempotent: a routed question is never routed again."""
    now = now or database.utcnow()
    cutoff = now - timedelta(hours=current_app.config["EXPERT_ROUTING_DELAY_HOURS"])
    due = db.session.scalars(
        select(Thread)
        .where(
            *_unanswered(),
            Thread.created_at <= cutoff,
            ~exists().where(RoutedQuestion.thread_id == Thread.id),
        )
        .order_by(Thread.created_at, Thread.id)
    ).all()
    done = []
    for thread in due:
        routed = _routed_question(thread, RoutingReason.UNANSWERED, now)
        if routed is not None:
            people = experts_for_question(thread)
            done.append((thread, _deliver(routed, people, RoutingReason.UNANSWERED, now)))
    return done


def escalate_unclaimed(now: datetime | None = None) -> list[tuple[Thread, list[User]]]:
    """Route to the space's moderators and owners every routed question still unclaimed and
    unanswered ``EXPERT_ESCALATION_HOURS`` after it was routed. Each escalates once."""
    now = now or database.utcnow()
    cutoff = now - timedelta(hours=current_app.config["EXPERT_ESCALATION_HOURS"])
    due = db.session.execute(
        select(RoutedQuestion, Thread)
        .join(Thread, Thread.id == RoutedQuestion.thread_id)
        .where(
            *_unanswered(),
            RoutedQuestion.routed_at <= cutoff,
            RoutedQuestion.claimed_by_id.is_(None),
            RoutedQuestion.answered_at.is_(None),
            RoutedQuestion.escalated_at.is_(None),
        )
        .order_by(RoutedQuestion.routed_at, RoutedQuestion.id)
    ).all()
    done = []
    for routed, thread in due:
        # Conditional, so that two passes at once escalate a question only once.
        marked = db.session.execute(
            update(RoutedQuestion)
            .where(RoutedQuestion.id == routed.id, RoutedQuestion.escalated_at.is_(None))
            .values(escalated_at=now)
        )
        if marked.rowcount != 1:
            continue
        db.session.refresh(routed)
        people = _deliver(
            routed,
            _members_with_roles(thread.space_id, ESCALATION_ROLES, besides=thread.author_id),
            RoutingReason.ESCALATED,
            now,
        )
        done.append((thread, people))
    return done


def run_routing_pass(now: datetime | None = None) -> RoutingReport:
    """Route unanswered questions and escalate unclaimed ones (the CLI and the background
    loop); the caller commits."""
    now = now or database.utcnow()
    return RoutingReport(routed=route_unanswered(now), escalated=escalate_unclaimed(now))


def routing_of(thread: Thread, user) -> QuestionRouting | None:
    """``user``'s routing record for ``thread``, if it was routed to them."""
    if user is None or getattr(user, "id", None) is None:
        return None
    return db.session.scalar(
        select(QuestionRouting).where(
            QuestionRouting.thread_id == thread.id, QuestionRouting.expert_id == user.id
        )
    )


def _check_open(thread: Thread) -> None:
    if thread.is_deleted:
        raise OperationError(_("This question was deleted."))
    if thread.locked:
        raise OperationError(_("This question is locked: it can no longer be answered."))
    if thread.is_solved:
        raise OperationError(_("This question already has an accepted answer."))


def _own_routing(thread: Thread, by: User) -> QuestionRouting:
    routing = routing_of(thread, by)
    if routing is None or not guardian.can(by, "thread.view", thread):
        raise OperationError(_("This question was not routed to you."))
    if routing.passed_on_at is not None:
        raise OperationError(_("You passed this question on."))
    return routing


def claim_question(thread: Thread, *, by: User, now: datetime | None = None) -> None:
    """Claim a question routed to ``by``: the others see it is taken. One claimer only."""
    routing = _own_routing(thread, by)
    _check_open(thread)
    now = now or database.utcnow()
    claimed = db.session.execute(
        update(RoutedQuestion)
        .where(
            RoutedQuestion.id == routing.routed_question_id,
            RoutedQuestion.claimed_by_id.is_(None),
        )
        .values(claimed_by_id=by.id, claimed_at=now)
    )
    if claimed.rowcount != 1:
        db.session.refresh(routing.routed_question)
        claimer = routing.routed_question.claimed_by
        if claimer is not None and claimer.id == by.id:
            raise OperationError(_("You already claimed this question."))
        raise OperationError(
            _(
                "%(name)s already claimed this question.",
                name=claimer.display_name if claimer else _("Someone"),
            )
        )
    routing.claimed_at = now
    db.session.flush()
    db.session.refresh(routing.routed_question)


def is_routable_expert(user: User, space: Space) -> bool:
    """A verified expert (a verified tag, or the expert role or above in ``space``) who may
    read ``space`` and is not banned from it: someone a question there may be passed to."""
    if not user.active or not guardian.can(user, "space.view", space) or is_banned(user, space):
        return False
    role = active_role(user, space)
    if role is not None and role.at_least(SpaceRole.EXPERT):
        return True
    return db.session.scalar(
        select(exists().where(Expertise.user_id == user.id, Expertise.verified_at.is_not(None)))
    )


def pass_on(thread: Thread, to: User | None, *, by: User, now: datetime | None = None) -> None:
    """Hand a question routed to ``by`` to another verified expert who may read its space;
    ``by``'s claim, if any, is released."""
    routing = _own_routing(thread, by)
    _check_open(thread)
    if to is None:
        raise OperationError(_("There is nobody with that username."), "username")
    if to.id == by.id:
        raise OperationError(_("Pass it on to someone else."), "username")
    if to.id == thread.author_id:
        raise OperationError(_("%(name)s asked this question.", name=to.display_name), "username")
    if not is_routable_expert(to, thread.space):
        raise OperationError(
            _(
                "%(name)s is not a verified expert who can read this space.",
                name=to.display_name,
            ),
            "username",
        )
    now = now or database.utcnow()
    routed = routing.routed_question
    if not _deliver(routed, [to], RoutingReason.PASSED, now, passed_by=by):
        raise OperationError(
            _("%(name)s already has this question.", name=to.display_name), "username"
        )
    routing.passed_on_to_id, routing.passed_on_at = to.id, now
    db.session.execute(
        update(RoutedQuestion)
        .where(RoutedQuestion.id == routed.id, RoutedQuestion.claimed_by_id == by.id)
        .values(claimed_by_id=None, claimed_at=None)
    )
    db.session.flush()
    db.session.refresh(routed)


def record_expert_answer(post: Post) -> None:
    """A reply by someone the question was routed to: their first answer, and the question's
    first expert answer (for the time to first expert answer)."""
    if post.is_opening or post.author_id is None:
        return
    routing = db.session.scalar(
        select(QuestionRouting).where(
            QuestionRouting.thread_id == post.thread_id,
            QuestionRouting.expert_id == post.author_id,
        )
    )
    if routing is None:
        return
    if routing.answered_at is None:
        routing.answered_at = post.created_at
    db.session.execute(
        update(RoutedQuestion)
        .where(
            RoutedQuestion.id == routing.routed_question_id, RoutedQuestion.answered_at.is_(None)
        )
        .values(answered_at=post.created_at, answered_by_id=post.author_id, answer_post_id=post.id)
    )
    db.session.flush()
