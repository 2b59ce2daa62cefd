"""Reads of expertise shared by pages, and (next) by question routing and analytics.

Everything that shows activity is limited to the spaces the viewer may read
(``spaces.queries.readable_space_ids``), so a private space's threads never count, and its
name never shows, for someone outside it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import timedelta
from typing import Any, NamedTuple

from flask import g, has_app_context
from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import ColumnElement, Select, and_, func, select, union
from sqlalchemy.orm import joinedload

from community.accounts.models import User
from community.experts.models import Expertise
from community.extensions import db
from community.forums.models import Post, Thread, ThreadKind
from community.forums.queries import answer_by_others
from community.spaces.models import Membership, MembershipState, Space, SpaceRole, Visibility
from community.spaces.queries import readable_space_ids

DIRECTORY_PER_PAGE = 20
#: Space roles whose holders serve the space as experts.
SERVING_ROLES = (SpaceRole.EXPERT.value, SpaceRole.MODERATOR.value, SpaceRole.OWNER.value)


class SpaceRef(NamedTuple):
    """Just enough of a space to link to it."""

    id: int
    slug: str
    name: str


class ExpertStats(NamedTuple):
    """What an expert's profile shows of their help, in spaces the viewer may read."""

    answers: int
    accepted: int
    first_answers: int
    median_first_answer: timedelta | None


def verified_user_ids() -> Select:
    """The ids of users with at least one verified tag (as a subquery)."""
    return select(Expertise.user_id).where(Expertise.verified_at.is_not(None))


def expertise_for(user_ids: Iterable[int]) -> dict[int, list[Expertise]]:
    """Every declared tag of these users, verified ones first; one query."""
    ids = set(user_ids)
    found: dict[int, list[Expertise]] = {uid: [] for uid in ids}
    if not ids:
        return found
    rows = db.session.scalars(
        select(Expertise)
        .where(Expertise.user_id.in_(ids))
        .order_by(Expertise.user_id, Expertise.verified_at.is_(None), Expertise.tag)
    )
    for row in rows:
        found[row.user_id].append(row)
    return found


def verified_tags_for(user_ids: Iterable[int]) -> dict[int, list[str]]:
    """``{user_id: [verified tags]}`` for these users (empty lists for non-experts); one
    query."""
    ids = set(user_ids)
    found: dict[int, list[str]] = {uid: [] for uid in ids}
    if not ids:
        return found
    rows = db.session.execute(
        select(Expertise.user_id, Expertise.tag)
        .where(Expertise.user_id.in_(ids), Expertise.verified_at.is_not(None))
        .order_by(Expertise.user_id, Expertise.tag)
    )
    for user_id, tag in rows:
        found[user_id].append(tag)
    return found


def _request_cache() -> dict[int, list[Expertise]]:
    if not has_app_context():
        return {}
    if "_expertise" not in g:
        g._expertise = {}
    return g._expertise


def expertise_of(user) -> list[Expertise]:
    """``user``'s declared tags (verified first), for templates.

    The first call in a request loads the expertise of every user the request has loaded so
    far (the session's identity map) in one query, so a page of posts or members costs one
    query for all its authors, however many there are.
    """
    if user is None or getattr(user, "id", None) is None:
        return []
    cache = _request_cache()
    if user.id not in cache:
        loaded = {
            key[1][0]
            for key in list(db.session.identity_map)
            if issubclass(key[0], User) and key[1][0] not in cache
        }
        cache.update(expertise_for(loaded | {user.id}))
    return cache[user.id]


def verified_tags(user) -> list[str]:
    """``user``'s verified tags, for the expert badge (see :func:`expertise_of`)."""
    return [e.tag for e in expertise_of(user) if e.is_verified]


def badge_once(user, limit: int, render: Callable[[Any, int], str]) -> str:
    """``user``'s expert badge as ``render(user, limit)`` (the badge macro) draws it, drawn once
    per request: a page of posts shows the same authors' badges again and again."""
    if user is None or getattr(user, "id", None) is None or not verified_tags(user):
        return ""  # no badge: not an expert (most people), or a deleted account
    if not has_app_context():
        return render(user, limit)
    badges = g.setdefault("_expert_badges", {})
    key = (user.id, limit)
    if key not in badges:
        badges[key] = render(user, limit)
    return badges[key]


def forget_expertise(user_id: int) -> None:
    """Drop a user's cached expertise (and badges) after an operation changed it."""
    _request_cache().pop(user_id, None)
    if has_app_context():
        for key in [k for k in g.get("_expert_badges", {}) if k[0] == user_id]:
            del g._expert_badges[key]


def verified_experts_for(tags: Iterable[str], space: Space) -> list[User]:
    """Active users with a verified tag among ``tags`` who may read ``space`` and are not
    banned from it: everyone so verified for public and restricted spaces, only active
    members for private ones. The people a question in ``space`` can be routed to."""
    wanted = list(tags)
    if not wanted:
        return []
    stmt = select(User).where(
        User.active.is_(True),
        User.id.in_(
            select(Expertise.user_id).where(
                Expertise.tag.in_(wanted), Expertise.verified_at.is_not(None)
            )
        ),
    )
    in_space = select(Membership.user_id).where(Membership.space_id == space.id)
    if space.visibility == Visibility.PRIVATE:
        stmt = stmt.where(
            User.id.in_(in_space.where(Membership.state == MembershipState.ACTIVE.value))
        )
    else:
        stmt = stmt.where(
            User.id.not_in(in_space.where(Membership.state == MembershipState.BANNED.value))
        )
    return list(db.session.scalars(stmt.order_by(User.display_name, User.id)))


def serving_user_ids(space_id: int) -> Select:
    """Who serves a space: its active experts, moderators and owners, and those with a tag
    verified in it (as a subquery)."""
    return union(
        select(Membership.user_id).where(
            Membership.space_id == space_id,
            Membership.state == MembershipState.ACTIVE.value,
            Membership.role.in_(SERVING_ROLES),
        ),
        select(Expertise.user_id).where(
            Expertise.verified_in_space_id == space_id, Expertise.verified_at.is_not(None)
        ),
    )


def directory_page(
    viewer, *, tag: str = "", space: Space | None = None, language: str = "", page: int = 1
) -> Pagination:
    """Active experts (a verified tag each), by name: with ``tag`` verified, serving
    ``space`` (which the caller made sure the viewer may read), using ``language``."""
    experts = verified_user_ids()
    if tag:
        experts = experts.where(Expertise.tag == tag)
    stmt = select(User).where(User.active.is_(True), User.id.in_(experts))
    if space is not None:
        stmt = stmt.where(User.id.in_(serving_user_ids(space.id)))
    if language:
        stmt = stmt.where(User.locale == language)
    stmt = stmt.order_by(User.display_name, User.id)
    return db.paginate(stmt, page=max(page, 1), per_page=DIRECTORY_PER_PAGE, error_out=False)


def expertise_tags(limit: int = 40) -> list[str]:
    """The verified tags held by most experts, for the directory's filter."""
    count = func.count(Expertise.id)
    rows = db.session.execute(
        select(Expertise.tag, count)
        .where(Expertise.verified_at.is_not(None))
        .group_by(Expertise.tag)
        .order_by(count.desc(), Expertise.tag)
        .limit(limit)
    )
    return [tag for tag, _n in rows]


def spaces_with_experts(viewer, limit: int = 100) -> list[SpaceRef]:
    """Readable spaces that someone serves as an expert, by name, for the directory's
    filter."""
    served = union(
        select(Membership.space_id).where(
            Membership.state == MembershipState.ACTIVE.value,
            Membership.role.in_(SERVING_ROLES),
            Membership.user_id.in_(verified_user_ids()),
        ),
        select(Expertise.verified_in_space_id).where(
            Expertise.verified_in_space_id.is_not(None), Expertise.verified_at.is_not(None)
        ),
    )
    rows = db.session.execute(
        select(Space.id, Space.slug, Space.name)
        .where(Space.id.in_(served), Space.id.in_(readable_space_ids(viewer)))
        .order_by(Space.name, Space.id)
        .limit(limit)
    )
    return [SpaceRef(*row) for row in rows]


def served_spaces(viewer, user_ids: Iterable[int]) -> dict[int, list[SpaceRef]]:
    """``{user_id: [spaces they serve]}``, only spaces ``viewer`` may read; one query."""
    ids = set(user_ids)
    found: dict[int, list[SpaceRef]] = {uid: [] for uid in ids}
    if not ids:
        return found
    pairs = union(
        select(Membership.user_id.label("user_id"), Membership.space_id.label("space_id")).where(
            Membership.user_id.in_(ids),
            Membership.state == MembershipState.ACTIVE.value,
            Membership.role.in_(SERVING_ROLES),
        ),
        select(
            Expertise.user_id.label("user_id"), Expertise.verified_in_space_id.label("space_id")
        ).where(Expertise.user_id.in_(ids), Expertise.verified_at.is_not(None)),
    ).subquery()
    rows = db.session.execute(
        select(pairs.c.user_id, Space.id, Space.slug, Space.name)
        .join(Space, Space.id == pairs.c.space_id)
        .where(Space.id.in_(readable_space_ids(viewer)))
        .order_by(pairs.c.user_id, Space.name, Space.id)
    )
    for user_id, *space in rows:
        found[user_id].append(SpaceRef(*space))
    return found


def _visible_question_replies(viewer) -> ColumnElement[bool]:
    """Answers (live replies by others than the asker) in live question threads of spaces
    ``viewer`` may read (Post and Thread joined)."""
    return and_(
        answer_by_others(Thread.author_id),
        Thread.kind == ThreadKind.QUESTION.value,
        Thread.deleted_at.is_(None),
        Thread.space_id.in_(readable_space_ids(viewer)),
    )


def answer_counts(viewer, user_ids: Iterable[int]) -> dict[int, tuple[int, int]]:
    """``{user_id: (answers given, accepted answers)}`` in questions ``viewer`` may read;
    one grouped query."""
    ids = set(user_ids)
    found = dict.fromkeys(ids, (0, 0))
    if not ids:
        return found
    accepted = func.sum(db.case((Thread.accepted_post_id == Post.id, 1), else_=0))
    rows = db.session.execute(
        select(Post.author_id, func.count(Post.id), accepted)
        .join(Thread, Thread.id == Post.thread_id)
        .where(Post.author_id.in_(ids), _visible_question_replies(viewer))
        .group_by(Post.author_id)
    )
    for user_id, answers, accepted_count in rows:
        found[user_id] = (answers, int(accepted_count or 0))
    return found


def _seconds_between(start, end) -> ColumnElement:
    """``end - start`` in seconds, in the database's own date arithmetic."""
    if db.session.get_bind().dialect.name == "sqlite":
        return (func.julianday(end) - func.julianday(start)) * 86400.0
    return func.extract("epoch", end - start)


def first_answer_seconds(viewer, user: User) -> Select:
    """For each question ``viewer`` may read whose first live answer is by ``user``: how
    many seconds after the question it came (one column, ``seconds``)."""
    ranked = (
        select(
            Post.thread_id,
            Post.author_id,
            Post.created_at,
            func.row_number()
            .over(partition_by=Post.thread_id, order_by=(Post.created_at, Post.id))
            .label("position"),
        )
        .join(Thread, Thread.id == Post.thread_id)
        .where(
            _visible_question_replies(viewer),
            # Only threads the user answered can have the user's answer first.
            Post.thread_id.in_(
                select(Post.thread_id).where(Post.author_id == user.id, Post.is_opening.is_(False))
            ),
        )
        .subquery()
    )
    seconds = _seconds_between(Thread.created_at, ranked.c.created_at).label("seconds")
    return (
        select(seconds)
        .select_from(ranked)
        .join(Thread, Thread.id == ranked.c.thread_id)
        .where(ranked.c.position == 1, ranked.c.author_id == user.id)
    )


def expert_stats(viewer, user: User) -> ExpertStats:
    """Answers, accepted answers and the median time to the first answer (over the questions
    ``user`` answered first), counted in SQL: four queries."""
    answers, accepted = answer_counts(viewer, [user.id])[user.id]
    firsts = first_answer_seconds(viewer, user).subquery()
    count = db.session.scalar(select(func.count()).select_from(firsts)) or 0
    median = None
    if count:
        # The middle one (odd count) or two (even count) of the ordered times.
        middle = list(
            db.session.scalars(
                select(firsts.c.seconds)
                .order_by(firsts.c.seconds)
                .offset((count - 1) // 2)
                .limit(2 - count % 2)
            )
        )
        # Whole seconds: SQLite's julianday arithmetic is exact to a few microseconds only.
        seconds = sum(float(s) for s in middle) / len(middle)
        median = timedelta(seconds=max(0, round(seconds)))
    return ExpertStats(answers, accepted, count, median)


def verifications_by_space(viewer, expertise: list[Expertise]) -> dict[int, Space | None]:
    """Where each verified tag was verified, if ``viewer`` may read that space (else None,
    as for site-wide verifications); one query."""
    space_ids = {e.verified_in_space_id for e in expertise if e.verified_in_space_id}
    readable: dict[int, Space] = {}
    if space_ids:
        readable = {
            s.id: s
            for s in db.session.scalars(
                select(Space).where(
                    Space.id.in_(space_ids), Space.id.in_(readable_space_ids(viewer))
                )
            )
        }
    return {e.id: readable.get(e.verified_in_space_id) for e in expertise if e.is_verified}


def expertise_with_verifiers(user: User) -> list[Expertise]:
    """``user``'s declared tags with who verified them loaded, verified first."""
    return list(
        db.session.scalars(
            select(Expertise)
            .options(joinedload(Expertise.verified_by))
            .where(Expertise.user_id == user.id)
            .order_by(Expertise.verified_at.is_(None), Expertise.tag)
        )
    )


def moderated_spaces_of(user, member: User) -> list[Space]:
    """Spaces where ``user`` is an active moderator or owner and ``member`` an active
    member: where ``user`` may verify ``member``'s tags."""
    if user is None or not getattr(user, "is_authenticated", False):
        return []
    mine = select(Membership.space_id).where(
        Membership.user_id == user.id,
        Membership.state == MembershipState.ACTIVE.value,
        Membership.role.in_((SpaceRole.MODERATOR.value, SpaceRole.OWNER.value)),
    )
    theirs = select(Membership.space_id).where(
        Membership.user_id == member.id, Membership.state == MembershipState.ACTIVE.value
    )
    return list(
        db.session.scalars(
            select(Space).where(Space.id.in_(mine), Space.id.in_(theirs)).order_by(Space.name)
        )
    )
