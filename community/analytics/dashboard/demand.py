"""Demand on the Insights dashboard: the most voted and trending ideas, votes by customer
segment and organisation (from the votes rollup when it can tell), the tags of the ideas
proposed week by week, and how many came from brainstorming sessions."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, case, distinct, exists, func, literal, null, select, union_all
from sqlalchemy.orm import load_only

from community.analytics.dashboard.scope import (
    TOP,
    Scope,
    every_space,
    idea_space_and_product,
    ideas_in_scope,
    in_spaces,
)
from community.analytics.models import VoteDay, VoteVoter
from community.analytics.sql import read_in_index_order, week_of
from community.analytics.votes import most_voted
from community.extensions import db
from community.ideas.models import Idea, IdeaStatus, IdeaTag, IdeaVote
from community.ideas.queries import order_by_trending


@dataclass
class Demand:
    top_by_votes: list[tuple[int, str, int]]  # id, title, votes cast in the range
    top_trending: list[tuple[int, str, int]]  # id, title, all votes
    by_segment: list[tuple[str, int, int, int]]  # segment, votes, voters, organisations
    by_organisation: list[tuple[str, int, int]]  # organisation, voters, votes
    top_tags: list[tuple[str, int]]
    tag_weeks: dict[str, dict[str, int]]  # tag -> week -> ideas proposed
    from_brainstorms: int
    direct: int


def _votes_in_scope(user, scope: Scope) -> list[ColumnElement[bool]]:
    """Conditions on ``IdeaVote`` for the votes cast in the range on ideas in scope. The idea
    is looked up only when a space or product limits them."""
    conditions = [IdeaVote.created_at >= scope.since, IdeaVote.created_at < scope.until]
    ideas = idea_space_and_product(user, scope)
    if ideas:
        conditions.append(IdeaVote.idea_id.in_(select(Idea.id).where(*ideas)))
    if scope.segment:
        conditions.append(IdeaVote.segment == scope.segment)
    return conditions


def _votes_by_voter(user, scope: Scope):
    """Votes in scope per (segment, organisation, voter): one pass over the votes, read in
    the order of ``ix_idea_votes_voters``, from which both breakdowns are counted."""
    conditions = _votes_in_scope(user, scope)
    conditions[:2] = [read_in_index_order(c) for c in conditions[:2]]
    return (
        select(
            IdeaVote.segment,
            IdeaVote.organisation,
            IdeaVote.user_id,
            func.count().label("votes"),
        )
        .where(*conditions)
        .group_by(IdeaVote.segment, IdeaVote.organisation, IdeaVote.user_id)
        .cte("voters")
    )


def _segments_and_organisations(user, scope: Scope):
    """(segment, votes, voters, organisations) and the top (organisation, voters, votes): from
    the votes rollup when it can tell (see :func:`_from_the_votes_rollup`), else from the
    votes in one statement so that they are read once."""
    if every_space(user, scope) and scope.product_id is None and not _votes_since(scope.until):
        return _from_the_votes_rollup(scope)
    voters = _votes_by_voter(user, scope)
    segments = select(
        literal("segment").label("kind"),
        voters.c.segment.label("name"),
        func.sum(voters.c.votes).label("votes"),
        func.count(distinct(voters.c.user_id)).label("people"),
        func.count(distinct(voters.c.organisation))
        .filter(voters.c.organisation != "")
        .label("organisations"),
    ).group_by(voters.c.segment)
    people = func.count(distinct(voters.c.user_id))
    organisations = (
        select(
            literal("organisation").label("kind"),
            voters.c.organisation,
            func.sum(voters.c.votes),
            people,
            literal(0),
        )
        .where(voters.c.organisation != "")
        .group_by(voters.c.organisation)
        .order_by(people.desc(), func.sum(voters.c.votes).desc())
        .limit(TOP)
        .subquery()
    )
    rows = db.session.execute(union_all(segments, select(organisations))).all()
    by_segment = sorted(
        ((name or "", int(v), int(p), int(o or 0)) for k, name, v, p, o in rows if k == "segment"),
        key=lambda row: -row[1],
    )
    by_organisation = sorted(
        ((name, int(p), int(v)) for k, name, v, p, _o in rows if k == "organisation"),
        key=lambda row: (-row[1], -row[2]),
    )
    return by_segment, by_organisation


def _votes_since(moment: datetime) -> bool:
    """Whether a vote was cast at ``moment`` or later (one lookup in ``ix_idea_votes_created``)."""
    return (
        db.session.scalar(select(IdeaVote.id).where(IdeaVote.created_at >= moment).limit(1))
        is not None
    )


def _from_the_votes_rollup(scope: Scope):
    """The breakdowns by segment and organisation of every vote, for a range that no vote
    follows: the votes are the days' rows of ``VoteDay``, and a person voted in the range
    exactly when their last vote (``VoteVoter``) is in it. Without a space or product chosen
    (the rollup does not record the idea voted for)."""
    days = (
        select(VoteDay.segment, VoteDay.organisation, func.sum(VoteDay.votes))
        .where(VoteDay.day >= scope.start, VoteDay.day <= scope.end)
        .group_by(VoteDay.segment, VoteDay.organisation)
    )
    voters = [VoteVoter.last_voted_at >= scope.since]
    if scope.segment:
        days = days.where(VoteDay.segment == scope.segment)
        voters.append(VoteVoter.segment == scope.segment)
    votes = {(seg, org): int(n) for seg, org, n in db.session.execute(days)}
    people = func.count(distinct(VoteVoter.user_id))
    segments = select(
        literal("segment"),
        VoteVoter.segment,
        people,
        func.count(distinct(VoteVoter.organisation)).filter(VoteVoter.organisation != ""),
    ).group_by(VoteVoter.segment)
    organisations = (
        select(literal("organisation"), VoteVoter.organisation, people, literal(0))
        .where(VoteVoter.organisation != "")
        .group_by(VoteVoter.organisation)
    )
    rows = db.session.execute(
        union_all(segments.where(*voters), organisations.where(*voters))
    ).all()
    by_segment = sorted(
        (
            (name, sum(n for (seg, _org), n in votes.items() if seg == name), int(p), int(o or 0))
            for kind, name, p, o in rows
            if kind == "segment"
        ),
        key=lambda row: -row[1],
    )
    by_organisation = sorted(
        (
            (name, int(p), sum(n for (_seg, org), n in votes.items() if org == name))
            for kind, name, p, _o in rows
            if kind == "organisation"
        ),
        key=lambda row: (-row[1], -row[2], row[0]),
    )[:TOP]
    return by_segment, by_organisation


BRAINSTORMED, DIRECT = "brainstorms", "direct"


def _tags_and_origin(user, scope: Scope) -> tuple[dict[str, dict[str, int]], dict[str, int]]:
    """The ideas in scope per tag and week (tag -> week -> ideas), and how many came from a
    brainstorm or not, in one statement over the ideas in scope: with a segment, whether an
    idea has a vote of that segment is then looked up once per idea, not once per count."""
    brainstormed = Idea.brainstorm_session_id.is_not(None)
    ideas = (
        select(
            Idea.id,
            week_of(Idea.created_at).label("week"),
            case((brainstormed, literal(BRAINSTORMED)), else_=literal(DIRECT)).label("origin"),
        )
        .where(ideas_in_scope(user, scope))
        .cte("scoped_ideas")
    )
    per_tag = (
        select(IdeaTag.tag, ideas.c.week, func.count())
        .join(ideas, ideas.c.id == IdeaTag.idea_id)
        .group_by(IdeaTag.tag, ideas.c.week)
    )
    per_origin = select(null(), ideas.c.origin, func.count()).group_by(ideas.c.origin)
    per_week: dict[str, dict[str, int]] = {}
    origin: dict[str, int] = {}
    for tag, key, count in db.session.execute(union_all(per_tag, per_origin)):
        if tag is None:
            origin[key] = int(count)
        else:
            per_week.setdefault(tag, {})[str(key)] = int(count)
    return per_week, origin


def demand(user, scope: Scope) -> Demand:
    cast_in_range = most_voted(
        idea_space_and_product(user, scope), scope.since, scope.until, scope.segment, TOP
    )
    titles = dict(
        db.session.execute(
            select(Idea.id, Idea.title).where(Idea.id.in_([i for i, _n in cast_in_range]))
        ).all()
    )
    top_by_votes = [(idea_id, titles[idea_id], votes) for idea_id, votes in cast_in_range]
    # Only what the list shows: the sort then carries narrow rows.
    open_ideas = (
        select(Idea)
        .options(load_only(Idea.id, Idea.title, Idea.vote_count))
        .where(
            in_spaces(Idea.space_id, user, scope),
            Idea.status.in_(
                [
                    IdeaStatus.NEW.value,
                    IdeaStatus.UNDER_REVIEW.value,
                    IdeaStatus.PLANNED.value,
                    IdeaStatus.IN_PROGRESS.value,
                ]
            ),
        )
    )
    if scope.product_id is not None:
        open_ideas = open_ideas.where(Idea.product_id == scope.product_id)
    if scope.segment:
        open_ideas = open_ideas.where(
            exists().where(IdeaVote.idea_id == Idea.id, IdeaVote.segment == scope.segment)
        )
    trending = db.session.scalars(
        order_by_trending(open_ideas).order_by(Idea.id.desc()).limit(TOP)
    ).all()
    by_segment, by_organisation = _segments_and_organisations(user, scope)
    per_week, origin = _tags_and_origin(user, scope)
    top_tags = sorted(
        ((tag, sum(weeks.values())) for tag, weeks in per_week.items()),
        key=lambda row: (-row[1], row[0]),
    )[:8]
    tag_weeks = {tag: per_week[tag] for tag, _n in top_tags}
    return Demand(
        top_by_votes=[(i, t, int(n)) for i, t, n in top_by_votes],
        top_trending=[(i.id, i.title, i.vote_count) for i in trending],
        by_segment=by_segment,
        by_organisation=by_organisation,
        top_tags=top_tags,
        tag_weeks=tag_weeks,
        from_brainstorms=origin.get(BRAINSTORMED, 0),
        direct=origin.get(DIRECT, 0),
    )
