"""Reads of ideas: lists with sorts and filters, votes, the timeline.

Trending sorts by the value each idea keeps (``community/ideas/trending.py``): recent votes,
replies and the proposal itself, fading by half every week. Read in the order of an index, a
trending page costs what any other sorted page costs, whatever the number of ideas.
"""

from __future__ import annotations

from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import joinedload, load_only, selectinload

from community.accounts.models import User
from community.extensions import db
from community.ideas.models import (
    CLOSED,
    Idea,
    IdeaStatus,
    IdeaStatusChange,
    IdeaTag,
    IdeaVote,
    SpaceIdeaCount,
)
from community.permissions import guardian
from community.spaces.models import Space
from community.spaces.queries import readable_space_ids

PER_PAGE = 20
SORTS = ("trending", "top", "newest", "updated")
CLOSED_VALUES = sorted(s.value for s in CLOSED)
#: The columns a row of an ideas list shows: the ideas lists, the explorer, the roadmap and
#: the changelog load these (:func:`list_columns`), never the bodies.
IDEA_LIST_COLUMNS = (
    Idea.space_id,
    Idea.author_id,
    Idea.title,
    Idea.status,
    Idea.vote_count,
    Idea.created_at,
    Idea.updated_at,
    Idea.status_changed_at,
    Idea.hidden_at,
    Idea.held,
    Idea.product_id,
    Idea.release_id,
    Idea.brainstorm_session_id,
)


def order_by_trending(stmt: Select) -> Select:
    """``stmt``, a select of ``Idea``, ordered by trending (the kept value)."""
    return stmt.order_by(Idea.trend.desc())


def shown_ideas(user):
    """The ideas a list shows someone who does not moderate their space: none hidden by
    moderation (or held for approval), except their own."""
    if not getattr(user, "is_authenticated", False):
        return Idea.hidden_at.is_(None)
    return or_(Idea.hidden_at.is_(None), Idea.author_id == user.id)


def list_columns():
    """The loader option for a list of ideas: only :data:`IDEA_LIST_COLUMNS`."""
    return load_only(*IDEA_LIST_COLUMNS)


def ideas_page(
    user,
    *,
    space: Space | None = None,
    status: str = "",
    tag: str = "",
    sort: str = "trending",
    mine: bool = False,
    voted: bool = False,
    product: int | None = None,
    page: int = 1,
) -> Pagination:
    """Ideas the user may see (in one space, or all readable spaces), sorted and filtered
    (``product``: a product's id, see ``community/products``).

    Loads what a list row shows: no bodies, the authors' names, and the spaces (without their
    tags) only when the list spans spaces. Five queries at most, whatever the page holds.
    """
    stmt = _listed(user, space)
    stmt = _filtered(stmt, user, status=status, tag=tag, product=product, mine=mine, voted=voted)
    result = db.paginate(
        _sorted(stmt, sort).order_by(Idea.id.desc()),
        page=max(page, 1),
        per_page=PER_PAGE,
        error_out=False,
        count=False,
    )
    if space is not None and not (tag or mine or voted) and product is None:
        result.total = _kept_total(user, space, _statuses(status))
    else:  # counted without the joins that only sort the list
        result.total = db.session.scalar(select(func.count()).select_from(stmt.subquery()))
    return result


def _statuses(status: str) -> list[str]:
    """The statuses a list's ``status`` filter shows (as :func:`_filtered` filters)."""
    if status in {s.value for s in IdeaStatus}:
        return [status]
    if status == "open":
        return [s.value for s in IdeaStatus if s not in CLOSED]
    return [s.value for s in IdeaStatus if s != IdeaStatus.MERGED]


def _kept_total(user, space: Space, statuses: list[str]) -> int:
    """How many of the space's ideas in ``statuses`` a list shows ``user``: the space's kept
    counts of shown ideas, whatever their number, and the hidden ones ``user`` is shown (all
    to its moderators, their own to others, none to anonymous visitors) through
    ``ix_ideas_space_hidden``."""
    total = db.session.scalar(
        select(func.coalesce(func.sum(SpaceIdeaCount.ideas), 0)).where(
            SpaceIdeaCount.space_id == space.id, SpaceIdeaCount.status.in_(statuses)
        )
    )
    moderating = guardian.can(user, "space.moderate", space)
    if not moderating and not getattr(user, "is_authenticated", False):
        return total
    hidden = select(func.count()).where(
        Idea.space_id == space.id, Idea.status.in_(statuses), Idea.hidden_at.is_not(None)
    )
    if not moderating:
        hidden = hidden.where(Idea.author_id == user.id)
    return total + db.session.scalar(hidden)


def _listed(user, space: Space | None) -> Select:
    """The ideas a list may show ``user``: in ``space`` or every space they may read, without
    those hidden pending review (listed to their authors and, in a space, its moderators)."""
    stmt = select(Idea).options(
        list_columns(), selectinload(Idea.author).load_only(User.username, User.display_name)
    )
    if space is not None:
        # The ideas' space is the one already loaded: the identity map answers ``idea.space``.
        stmt = stmt.where(Idea.space_id == space.id)
    else:
        stmt = stmt.where(Idea.space_id.in_(readable_space_ids(user))).options(
            selectinload(Idea.space).lazyload(Space.tags)
        )
    if space is None or not guardian.can(user, "space.moderate", space):
        stmt = stmt.where(shown_ideas(user))
    return stmt


def _filtered(
    stmt: Select, user, *, status: str, tag: str, product: int | None, mine: bool, voted: bool
) -> Select:
    """``stmt`` narrowed to a status ("open": not closed; else all but merged), a tag, a
    product, and the user's own ideas or those they voted for."""
    if status in {s.value for s in IdeaStatus}:
        stmt = stmt.where(Idea.status == status)
    elif status == "open":
        stmt = stmt.where(Idea.status.not_in(CLOSED_VALUES))
    else:
        stmt = stmt.where(Idea.status != IdeaStatus.MERGED.value)
    if tag:
        stmt = stmt.where(Idea.id.in_(select(IdeaTag.idea_id).where(IdeaTag.tag == tag)))
    if product is not None:
        stmt = stmt.where(Idea.product_id == product)
    signed_in = user is not None and getattr(user, "is_authenticated", False)
    if mine:
        stmt = stmt.where(Idea.author_id == (user.id if signed_in else -1))
    if voted:
        stmt = stmt.where(
            Idea.id.in_(
                select(IdeaVote.idea_id).where(IdeaVote.user_id == (user.id if signed_in else -1))
            )
        )
    return stmt


def _sorted(stmt: Select, sort: str) -> Select:
    """``stmt`` in the order of ``sort`` (trending unless another of :data:`SORTS`). Without
    joins, an index on (space, column) can stop after the page's rows."""
    if sort == "top":
        return stmt.order_by(Idea.vote_count.desc())
    if sort == "newest":
        return stmt.order_by(Idea.created_at.desc())
    if sort == "updated":
        return stmt.order_by(Idea.updated_at.desc())
    return order_by_trending(stmt)


def voted_by(user, idea_ids: list[int]) -> set[int]:
    """Which of ``idea_ids`` the user voted for; one query."""
    if not idea_ids or user is None or not getattr(user, "is_authenticated", False):
        return set()
    return set(
        db.session.scalars(
            select(IdeaVote.idea_id).where(
                IdeaVote.user_id == user.id, IdeaVote.idea_id.in_(idea_ids)
            )
        )
    )


def timeline(idea: Idea) -> list[IdeaStatusChange]:
    """Status changes and product and release links, oldest first, with who made them."""
    return list(
        db.session.scalars(
            select(IdeaStatusChange)
            .options(
                joinedload(IdeaStatusChange.by),
                joinedload(IdeaStatusChange.related_idea),
                joinedload(IdeaStatusChange.product),
                joinedload(IdeaStatusChange.release),
            )
            .where(IdeaStatusChange.idea_id == idea.id)
            .order_by(IdeaStatusChange.created_at, IdeaStatusChange.id)
        )
    )


def supporters(idea: Idea, limit: int = 12):
    """The latest voters, with their organisations, for the idea page."""
    return list(
        db.session.execute(
            select(User, IdeaVote.organisation)
            .join(IdeaVote, IdeaVote.user_id == User.id)
            .where(IdeaVote.idea_id == idea.id)
            .order_by(IdeaVote.created_at.desc(), IdeaVote.id.desc())
            .limit(limit)
        ).all()
    )


def active_votes(user_ids: list[int], space_id: int) -> dict[int, int]:
    """Each user's active votes in a space: votes on its ideas that are not closed; one query.

    Votes on ideas that ship, are declined or are merged stop counting, so they come back to
    the voter's budget by themselves.
    """
    if not user_ids:
        return {}
    rows = db.session.execute(
        select(IdeaVote.user_id, func.count(IdeaVote.id))
        .join(Idea, Idea.id == IdeaVote.idea_id)
        .where(
            IdeaVote.user_id.in_(user_ids),
            Idea.space_id == space_id,
            Idea.status.not_in(CLOSED_VALUES),
        )
        .group_by(IdeaVote.user_id)
    )
    return dict.fromkeys(user_ids, 0) | dict(rows.all())


def votes_left(user, space: Space) -> int | None:
    """How many more open ideas ``user`` may vote for in ``space``; None when there is no
    budget (or no signed-in user). Never below zero, even if the budget was lowered."""
    if space.vote_budget is None or user is None or not getattr(user, "is_authenticated", False):
        return None
    return max(space.vote_budget - active_votes([user.id], space.id)[user.id], 0)


def merged_here(idea: Idea) -> list[Idea]:
    """The ideas merged into ``idea``, oldest merge first."""
    return list(
        db.session.scalars(
            select(Idea)
            .options(joinedload(Idea.space))
            .where(Idea.merged_into_id == idea.id)
            .order_by(Idea.status_changed_at, Idea.id)
        )
    )
