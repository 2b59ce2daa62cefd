"""Reputation: points for help that worked, badges for milestones, leaderboards.

Points come from facts, never from counters of their own: an accepted answer (to whoever
wrote it, per question), a helpful mark (to the post's author, per mark), an idea that reached
planned and one that shipped (to its author, per idea), and a brainstorm note that became an
idea, alone or in its cluster (to its author, per note; never in an anonymous session, where
points would tell who wrote it). One ``ReputationEntry`` stands for each such fact while it
holds: :func:`sync` compares the facts with the entries for some sources and adds, moves or
removes entries, adding the difference to ``users.reputation`` with an SQL increment. Signal
receivers at the bottom call it whenever a fact may have changed; :func:`recount` runs it over
everything and sets every total to the sum of its entries, so ``flask reputation recount``
reports (and fixes) any drift. Badges are awarded when their milestone is reached and kept.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, and_, delete, func, literal, or_, select, update

from community import signals
from community.accounts.models import User
from community.brainstorms.models import BrainstormSession, Note
from community.database import utcnow
from community.experts.models import Badge, ReputationEntry
from community.extensions import db
from community.forums.models import HelpfulMark, Post, Thread
from community.ideas.models import Idea, IdeaStatus, IdeaStatusChange
from community.progress import NO_PROGRESS, Progress

ACCEPTED, HELPFUL, PLANNED, SHIPPED, PROMOTED = (
    "accepted",
    "helpful",
    "planned",
    "shipped",
    "promoted",
)

#: Points per fact.
POINTS = {ACCEPTED: 15, HELPFUL: 5, PLANNED: 10, SHIPPED: 25, PROMOTED: 10}

KIND_LABELS = {
    ACCEPTED: _l("Accepted answers"),
    HELPFUL: _l("Helpful marks"),
    PLANNED: _l("Ideas planned"),
    SHIPPED: _l("Ideas shipped"),
    PROMOTED: _l("Brainstorm notes that became ideas"),
}

#: Reached planned (or went past it).
_PLANNED_OR_LATER = (
    IdeaStatus.PLANNED.value,
    IdeaStatus.IN_PROGRESS.value,
    IdeaStatus.SHIPPED.value,
)


@dataclass(frozen=True)
class BadgeRule:
    key: str
    label: object
    kind: str | None  # None: the total points
    at_least: int
    icon: str


BADGES = [
    BadgeRule("first_accepted", _l("First accepted answer"), ACCEPTED, 1, "patch-check"),
    BadgeRule("ten_accepted", _l("Ten accepted answers"), ACCEPTED, 10, "award"),
    BadgeRule("helpful_ten", _l("Ten helpful marks"), HELPFUL, 10, "hand-thumbs-up"),
    BadgeRule("first_planned", _l("First idea planned"), PLANNED, 1, "signpost"),
    BadgeRule("first_shipped", _l("First idea shipped"), SHIPPED, 1, "rocket-takeoff"),
    BadgeRule("first_promoted", _l("Brainstorm note became an idea"), PROMOTED, 1, "lightbulb"),
    BadgeRule("hundred_points", _l("100 points"), None, 100, "trophy"),
]
BADGE_RULES = {rule.key: rule for rule in BADGES}


def _facts(kind: str, source_ids: Iterable[int] | None = None) -> Select:
    """Rows ``(source_id, user_id, space_id, awarded_at)`` for the facts of ``kind`` that
    hold now (``awarded_at`` None: not recorded by the fact; the entry keeps its own)."""
    if kind == ACCEPTED:
        source = Thread.id
        query = (
            select(Thread.id, Post.author_id, Thread.space_id, literal(None))
            .join(Post, Post.id == Thread.accepted_post_id)
            .where(
                Thread.deleted_at.is_(None),
                Post.deleted_at.is_(None),
                Post.author_id.is_not(None),
                or_(Thread.author_id.is_(None), Post.author_id != Thread.author_id),
            )
        )
    elif kind == HELPFUL:
        source = HelpfulMark.id
        query = (
            select(HelpfulMark.id, Post.author_id, Thread.space_id, HelpfulMark.created_at)
            .join(Post, Post.id == HelpfulMark.post_id)
            .join(Thread, Thread.id == Post.thread_id)
            .where(
                Post.deleted_at.is_(None),
                Thread.deleted_at.is_(None),
                Post.author_id.is_not(None),
                HelpfulMark.user_id != Post.author_id,
            )
        )
    elif kind in (PLANNED, SHIPPED):
        source = Idea.id
        reached = _PLANNED_OR_LATER if kind == PLANNED else (IdeaStatus.SHIPPED.value,)
        when = (
            select(func.min(IdeaStatusChange.created_at))
            .where(IdeaStatusChange.idea_id == Idea.id, IdeaStatusChange.to_status.in_(reached))
            .scalar_subquery()
        )
        query = select(Idea.id, Idea.author_id, Idea.space_id, when).where(
            Idea.status.in_(reached), Idea.author_id.is_not(None)
        )
    elif kind == PROMOTED:
        source = Note.id
        promoted_as = or_(
            Idea.brainstorm_note_id == Note.id,
            and_(Note.cluster_id.is_not(None), Idea.brainstorm_cluster_id == Note.cluster_id),
        )
        query = (
            select(Note.id, Note.author_id, BrainstormSession.space_id, func.min(Idea.created_at))
            .join(BrainstormSession, BrainstormSession.id == Note.session_id)
            .join(Idea, promoted_as)
            .where(
                Note.deleted_at.is_(None),
                Note.author_id.is_not(None),
                BrainstormSession.anonymous.is_(False),
            )
            .group_by(Note.id, Note.author_id, BrainstormSession.space_id)
        )
    else:
        raise ValueError(kind)
    if source_ids is not None:
        query = query.where(source.in_(list(source_ids)))
    return query


def sync(kind: str, source_ids: Iterable[int] | None = None) -> int:
    """Make the entries of ``kind`` for ``source_ids`` (None: all) match the facts, and the
    affected totals follow; returns how many entries were added, moved or removed."""
    ids = None if source_ids is None else sorted(set(source_ids))
    if ids == []:
        return 0
    desired = {
        source: (user_id, space_id, at)
        for source, user_id, space_id, at in db.session.execute(_facts(kind, ids))
    }
    query = select(ReputationEntry).where(ReputationEntry.kind == kind)
    if ids is not None:
        query = query.where(ReputationEntry.source_id.in_(ids))
    existing = {entry.source_id: entry for entry in db.session.scalars(query)}
    points = POINTS[kind]
    delta: dict[int, int] = defaultdict(int)
    changed = 0
    for source, entry in existing.items():
        want = desired.get(source)
        if want is None:
            delta[entry.user_id] -= entry.points
            db.session.delete(entry)
        elif (entry.user_id, entry.space_id, entry.points) != (want[0], want[1], points):
            delta[entry.user_id] -= entry.points
            delta[want[0]] += points
            entry.user_id, entry.space_id, entry.points = want[0], want[1], points
        else:
            continue
        changed += 1
    for source, (user_id, space_id, at) in desired.items():
        if source not in existing:
            db.session.add(
                ReputationEntry(
                    user_id=user_id,
                    space_id=space_id,
                    kind=kind,
                    source_id=source,
                    points=points,
                    awarded_at=at or utcnow(),
                )
            )
            delta[user_id] += points
            changed += 1
    db.session.flush()
    for user_id, amount in delta.items():
        if amount:
            db.session.execute(
                update(User)
                .where(User.id == user_id)
                .values(reputation=User.reputation + amount)
                .execution_options(synchronize_session=False)
            )
    gained = [user_id for user_id, amount in delta.items() if amount > 0]
    if gained:
        award_badges(gained)
    return changed


def remove(kind: str, source_ids: Iterable[int]) -> None:
    """Remove the entries of facts that are going away with their rows (a deleted idea)."""
    entries = list(
        db.session.scalars(
            select(ReputationEntry).where(
                ReputationEntry.kind == kind, ReputationEntry.source_id.in_(list(source_ids))
            )
        )
    )
    for entry in entries:
        db.session.execute(
            update(User)
            .where(User.id == entry.user_id)
            .values(reputation=User.reputation - entry.points)
            .execution_options(synchronize_session=False)
        )
        db.session.delete(entry)
    db.session.flush()


def award_badges(user_ids: Iterable[int]) -> list[tuple[int, str]]:
    """Give these users the badges whose milestones they have reached (kept once earned);
    returns the ``(user_id, key)`` pairs awarded now."""
    ids = sorted(set(user_ids))
    counts: dict[int, dict[str | None, int]] = defaultdict(dict)
    for user_id, kind, count in db.session.execute(
        select(ReputationEntry.user_id, ReputationEntry.kind, func.count())
        .where(ReputationEntry.user_id.in_(ids))
        .group_by(ReputationEntry.user_id, ReputationEntry.kind)
    ):
        counts[user_id][kind] = count
    for user_id, total in db.session.execute(
        select(ReputationEntry.user_id, func.sum(ReputationEntry.points))
        .where(ReputationEntry.user_id.in_(ids))
        .group_by(ReputationEntry.user_id)
    ):
        counts[user_id][None] = total
    held = set(
        db.session.execute(select(Badge.user_id, Badge.key).where(Badge.user_id.in_(ids))).all()
    )
    awarded = [
        (user_id, rule.key)
        for user_id in ids
        for rule in BADGES
        if counts[user_id].get(rule.kind, 0) >= rule.at_least and (user_id, rule.key) not in held
    ]
    for user_id, key in awarded:
        db.session.add(Badge(user_id=user_id, key=key))
    db.session.flush()
    return awarded


def recount(progress: Progress = NO_PROGRESS) -> int:
    """Rebuild every entry from the facts and every total from the entries; award missing
    badges. Returns how many entries and totals had to change (0 when all was right)."""
    progress.expect(len(POINTS) + 2)
    changed = 0
    for kind in POINTS:
        changed += sync(kind)
        progress.advance()
    stale = select(ReputationEntry.id).where(ReputationEntry.kind.not_in(list(POINTS)))
    changed += db.session.execute(
        delete(ReputationEntry).where(ReputationEntry.id.in_(stale))
    ).rowcount
    earned = (
        select(func.coalesce(func.sum(ReputationEntry.points), 0))
        .where(ReputationEntry.user_id == User.id)
        .scalar_subquery()
    )
    changed += db.session.execute(
        update(User)
        .where(User.reputation != earned)
        .values(reputation=earned)
        .execution_options(synchronize_session=False)
    ).rowcount
    progress.advance()
    award_badges(db.session.scalars(select(ReputationEntry.user_id).distinct()))
    db.session.expire_all()
    progress.advance()
    return changed


# Leaderboards and profiles.


@dataclass(frozen=True)
class Leader:
    rank: int
    user: User
    points: int


def leaderboard(
    *,
    space_id: int | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    limit: int = 25,
) -> list[Leader]:
    """The people with the most points (in one space; earned in ``[since, until)``), active
    accounts only, most points first; two queries."""
    points = func.sum(ReputationEntry.points).label("points")
    query = (
        select(ReputationEntry.user_id, points)
        .join(User, User.id == ReputationEntry.user_id)
        .where(User.active.is_(True))
        .group_by(ReputationEntry.user_id)
        .order_by(points.desc(), ReputationEntry.user_id)
        .limit(limit)
    )
    if space_id is not None:
        query = query.where(ReputationEntry.space_id == space_id)
    if since is not None:
        query = query.where(ReputationEntry.awarded_at >= since)
    if until is not None:
        query = query.where(ReputationEntry.awarded_at < until)
    rows = db.session.execute(query).all()
    users = {
        u.id: u for u in db.session.scalars(select(User).where(User.id.in_([r[0] for r in rows])))
    }
    return [Leader(rank, users[user_id], total) for rank, (user_id, total) in enumerate(rows, 1)]


def badges_for(user_ids: Iterable[int]) -> dict[int, list[BadgeRule]]:
    """``{user_id: [badge rules held, in BADGES order]}``; one query."""
    ids = sorted(set(user_ids))
    held: dict[int, set[str]] = defaultdict(set)
    for user_id, key in db.session.execute(
        select(Badge.user_id, Badge.key).where(Badge.user_id.in_(ids))
    ):
        held[user_id].add(key)
    return {user_id: [r for r in BADGES if r.key in held[user_id]] for user_id in ids}


def points_by_kind(user_id: int) -> list[tuple[str, object, int, int]]:
    """``(kind, label, how many, points)`` for each kind ``user_id`` earned points for."""
    rows = db.session.execute(
        select(ReputationEntry.kind, func.count(), func.sum(ReputationEntry.points))
        .where(ReputationEntry.user_id == user_id)
        .group_by(ReputationEntry.kind)
    ).all()
    found = {kind: (count, total) for kind, count, total in rows}
    return [(k, KIND_LABELS[k], *found[k]) for k in POINTS if k in found]


# Receivers: every signal after which a fact may hold or stop holding.


@signals.answer_accepted.connect
def _answer_accepted(post: Post, *, thread: Thread, **_kwargs) -> None:
    sync(ACCEPTED, [thread.id])


@signals.answer_cleared.connect
def _answer_cleared(thread: Thread, **_kwargs) -> None:
    sync(ACCEPTED, [thread.id])


@signals.helpful_marked.connect
def _helpful_marked(post: Post, *, mark_id: int, **_kwargs) -> None:
    sync(HELPFUL, [mark_id])


@signals.post_deleted.connect
def _post_deleted(sender, **_kwargs) -> None:
    """A post or a thread was deleted or restored: its accepted answer and helpful marks."""
    thread_id = sender.id if isinstance(sender, Thread) else sender.thread_id
    marks = select(HelpfulMark.id).join(Post, Post.id == HelpfulMark.post_id)
    if isinstance(sender, Thread):
        marks = marks.where(Post.thread_id == sender.id)
    else:
        marks = marks.where(HelpfulMark.post_id == sender.id)
    sync(ACCEPTED, [thread_id])
    sync(HELPFUL, db.session.scalars(marks))


@signals.thread_moderated.connect
def _thread_moved(thread: Thread, *, action: str, **_kwargs) -> None:
    """A moved question's points count in its new space."""
    if action == "move":
        sync(ACCEPTED, [thread.id])
        marks = select(HelpfulMark.id).join(Post, Post.id == HelpfulMark.post_id)
        sync(HELPFUL, db.session.scalars(marks.where(Post.thread_id == thread.id)))


@signals.idea_status_changed.connect
@signals.idea_merged.connect
@signals.idea_unmerged.connect
def _idea_moved(idea: Idea, **_kwargs) -> None:
    sync(PLANNED, [idea.id])
    sync(SHIPPED, [idea.id])


@signals.idea_deleted.connect
def _idea_deleted(idea: Idea, **_kwargs) -> None:
    """The idea's own entries go with it; notes promoted into it are looked at again once the
    idea is gone (another idea may still come from their cluster)."""
    remove(PLANNED, [idea.id])
    remove(SHIPPED, [idea.id])
    notes = _promoted_notes(idea)
    if notes:
        signals.on_commit(_sync_after_commit, PROMOTED, notes)


@signals.brainstorm_promoted.connect
def _note_promoted(session: BrainstormSession, *, idea: Idea, **_kwargs) -> None:
    sync(PROMOTED, _promoted_notes(idea))


def _promoted_notes(idea: Idea) -> list[int]:
    if idea.brainstorm_note_id is not None:
        return [idea.brainstorm_note_id]
    if idea.brainstorm_cluster_id is not None:
        return list(
            db.session.scalars(select(Note.id).where(Note.cluster_id == idea.brainstorm_cluster_id))
        )
    return []


def _sync_after_commit(kind: str, source_ids: list[int]) -> None:
    try:
        sync(kind, source_ids)
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
