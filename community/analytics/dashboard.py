"""The numbers on the analytics dashboard, each view one function of a :class:`Scope`
(date range, space, product, segment), computed with aggregates in the database.

Only spaces the viewer may read are counted. Ideas are in scope when proposed in the date
range (and, with a segment, when a customer of that segment voted for them); votes, posts
and questions when made in the range.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import (
    ColumnElement,
    Select,
    and_,
    case,
    distinct,
    exists,
    func,
    literal,
    null,
    or_,
    select,
    true,
    union_all,
)
from sqlalchemy.orm import load_only

from community.accounts.models import User
from community.analytics.models import ActivityDay, ActivityWeekPeople, VoteDay, VoteVoter
from community.analytics.rollup import week_of_day
from community.analytics.sql import (
    median_in_order,
    medians,
    read_in_index_order,
    seconds_between,
    week_of,
)
from community.analytics.votes import most_voted
from community.experts.queries import SERVING_ROLES
from community.extensions import db
from community.forums.models import Post, Thread, ThreadKind
from community.forums.queries import answer_by_others
from community.ideas.models import (
    Idea,
    IdeaStatus,
    IdeaStatusChange,
    IdeaTag,
    IdeaVote,
    TimelineKind,
)
from community.knowledge.models import (
    Article,
    ArticleFeedback,
    ArticleStatus,
    Deflection,
    DeflectionKind,
)
from community.permissions import Role
from community.products.models import Product, product_spaces
from community.spaces.models import Membership, MembershipState, Space
from community.spaces.queries import readable_space_ids, reads_every_space

TOP = 10
#: Statuses an idea passes on its way to shipping, in order.
PIPELINE = (
    IdeaStatus.NEW.value,
    IdeaStatus.UNDER_REVIEW.value,
    IdeaStatus.PLANNED.value,
    IdeaStatus.IN_PROGRESS.value,
    IdeaStatus.SHIPPED.value,
)
REACHED_PLANNED = (IdeaStatus.PLANNED.value, IdeaStatus.IN_PROGRESS.value, IdeaStatus.SHIPPED.value)
STAFF_ROLES = tuple(r.value for r in Role if r.at_least(Role.EXPERT))


@dataclass(frozen=True)
class Scope:
    start: date
    end: date  # inclusive
    space_id: int | None = None
    product_id: int | None = None
    segment: str = ""

    @property
    def since(self) -> datetime:
        return datetime.combine(self.start, time.min, tzinfo=UTC)

    @property
    def until(self) -> datetime:
        return datetime.combine(self.end + timedelta(days=1), time.min, tzinfo=UTC)


def _spaces(user, scope: Scope):
    spaces = readable_space_ids(user)
    if scope.space_id is not None:
        spaces = spaces.where(Space.id == scope.space_id)
    return spaces


def _every_space(user, scope: Scope) -> bool:
    return scope.space_id is None and reads_every_space(user)


def _in_spaces(column, user, scope: Scope) -> ColumnElement[bool]:
    """``column`` (a space id) is one of the readable spaces in scope. For someone who reads
    every space, with no space chosen, that is no condition at all: the aggregates then read
    their indexes without looking each row's space up."""
    if _every_space(user, scope):
        return true()
    return column.in_(_spaces(user, scope))


def _in_community(column, user, scope: Scope) -> ColumnElement[bool]:
    """``column`` (a space id) is one of the readable spaces in scope and, with a product
    chosen, one of the spaces that own it. Questions, deflections and contributions belong to
    a space, not to a product: a product's are those of the spaces that own it."""
    condition = _in_spaces(column, user, scope)
    if scope.product_id is None:
        return condition
    owners = select(product_spaces.c.space_id).where(
        product_spaces.c.product_id == scope.product_id
    )
    return and_(condition, column.in_(owners))


def _people_of(segment: str) -> Select:
    """The ids of the people in a customer segment (as they stand now: posts, questions,
    deflections and feedback carry no segment of their own)."""
    return select(User.id).where(User.segment == segment)


def _idea_filters(user, scope: Scope) -> list[ColumnElement[bool]]:
    """The conditions on ``Idea`` other than the date range: readable spaces (none for
    someone who reads every space, with no space chosen), the product and the segment."""
    conditions = [] if _every_space(user, scope) else [Idea.space_id.in_(_spaces(user, scope))]
    if scope.product_id is not None:
        conditions.append(Idea.product_id == scope.product_id)
    if scope.segment:
        conditions.append(
            exists().where(IdeaVote.idea_id == Idea.id, IdeaVote.segment == scope.segment)
        )
    return conditions


def _ideas_in_scope(user, scope: Scope) -> ColumnElement[bool]:
    """The condition on ``Idea`` for ideas proposed in the range, in readable spaces, with
    the filters (a condition rather than a subquery of ids: each idea is read once)."""
    return and_(
        Idea.created_at >= scope.since, Idea.created_at < scope.until, *_idea_filters(user, scope)
    )


# Funnel.


@dataclass
class Funnel:
    by_status: dict[str, int]
    total: int
    reached_planned: int
    shipped: int
    #: Median days an idea spent in each status before it moved on.
    median_days: dict[str, float]
    #: Name None: the ideas with no product.
    by_product: list[tuple[str | None, int, int, int]] = field(default_factory=list)
    by_space: list[tuple[str, int, int, int]] = field(default_factory=list)

    def share(self, part: int) -> float:
        return part / self.total if self.total else 0.0


def _breakdown(model, tallies: dict[int | None, list[int]]) -> list[tuple]:
    """The ``TOP`` largest groups of ``tallies`` (id -> [ideas, planned, shipped]), named;
    the group of id None (ideas with no product) keeps the name None."""
    names: dict[int | None, str | None] = {None: None}
    ids = [key for key in tallies if key is not None]
    if ids:
        names.update(
            db.session.execute(select(model.id, model.name).where(model.id.in_(ids))).all()
        )
    rows = sorted(((names[key], *tally) for key, tally in tallies.items()), key=_largest_first)
    return [(name, int(n), int(p), int(sh)) for name, n, p, sh in rows[:TOP]]


def _largest_first(row: tuple) -> tuple:
    return (-row[1], row[0] is None, row[0] or "")


def _median_seconds_in_range(scope: Scope) -> dict[str, float | None]:
    """The median time in each status, for ideas proposed in the range (every space, no
    product or segment): the steps per status, then the middle ones, each read from
    ``ix_idea_status_changes_time_in_status`` alone (the range checked on the step's copy of
    the idea's ``created_at``, the values in order: nothing is sorted)."""
    proposed = IdeaStatusChange.proposed_at
    steps = (
        IdeaStatusChange.kind == TimelineKind.STATUS.value,
        read_in_index_order(and_(proposed >= scope.since, proposed < scope.until)),
    )
    spent = IdeaStatusChange.seconds_in_status
    steps_per_status = db.session.execute(
        select(IdeaStatusChange.from_status, func.count())
        .where(*steps)
        .group_by(IdeaStatusChange.from_status)
    ).all()
    return {
        status: median_in_order(
            select(spent).where(*steps, IdeaStatusChange.from_status == status), spent, count
        )
        for status, count in steps_per_status
    }


def _median_seconds_of_ideas(in_scope: ColumnElement[bool]) -> dict[str, float | None]:
    """The median time in each status, for the ideas ``in_scope`` when a space, product or
    segment limits them: each idea is checked once (the segment's votes looked up), then
    its steps' stored times are sorted per status."""
    spans = (
        select(
            IdeaStatusChange.from_status.label("status"),
            IdeaStatusChange.seconds_in_status.label("seconds"),
        )
        .join(Idea, Idea.id == IdeaStatusChange.idea_id)
        .where(IdeaStatusChange.kind == TimelineKind.STATUS.value, in_scope)
    )
    return medians(spans, value="seconds", group="status")


def funnel(user, scope: Scope) -> Funnel:
    in_scope = _ideas_in_scope(user, scope)
    reached = select(IdeaStatusChange.idea_id).where(
        IdeaStatusChange.kind == TimelineKind.STATUS.value,
        IdeaStatusChange.to_status.in_(REACHED_PLANNED),
    )
    shipped = select(IdeaStatusChange.idea_id).where(
        IdeaStatusChange.kind == TimelineKind.STATUS.value,
        IdeaStatusChange.to_status == IdeaStatus.SHIPPED.value,
    )
    planned_flag = or_(Idea.status.in_(REACHED_PLANNED), Idea.id.in_(reached))
    shipped_flag = or_(Idea.status == IdeaStatus.SHIPPED.value, Idea.id.in_(shipped))
    # One pass over the ideas in scope (``ix_ideas_created`` holds every column read) gives
    # the counts per status, the totals and the breakdowns by space and by product.
    by_status: dict[str, int] = {}
    totals = [0, 0, 0]
    spaces: dict[int, list[int]] = {}
    products: dict[int | None, list[int]] = {}
    for status, space_id, product_id, *tally in db.session.execute(
        select(
            Idea.status,
            Idea.space_id,
            Idea.product_id,
            func.count(),
            func.count().filter(planned_flag),
            func.count().filter(shipped_flag),
        )
        .where(in_scope)
        .group_by(Idea.status, Idea.space_id, Idea.product_id)
    ):
        by_status[status] = by_status.get(status, 0) + tally[0]
        groups = [
            totals,
            spaces.setdefault(space_id, [0, 0, 0]),
            products.setdefault(product_id, [0, 0, 0]),
        ]
        for group in groups:
            for position, count in enumerate(tally):
                group[position] += count
    # Time in each status, stored on every status step (community/ideas/time_in_status.py).
    if _idea_filters(user, scope):
        median_seconds = _median_seconds_of_ideas(in_scope)
    else:
        median_seconds = _median_seconds_in_range(scope)
    return Funnel(
        by_status={s: int(by_status.get(s, 0)) for s in [*PIPELINE, "declined", "merged"]},
        total=int(totals[0]),
        reached_planned=int(totals[1]),
        shipped=int(totals[2]),
        median_days={
            status: round(seconds / 86400, 1)
            for status, seconds in median_seconds.items()
            if seconds is not None
        },
        by_product=_breakdown(Product, products),
        by_space=_breakdown(Space, spaces),
    )


# Demand.


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


def _voted_ideas(user, scope: Scope) -> list[ColumnElement[bool]]:
    """Conditions on ``Idea`` for the ideas whose votes count (whenever proposed): in the
    readable spaces in scope, of the product chosen; none at all for every idea."""
    ideas = [] if _every_space(user, scope) else [Idea.space_id.in_(_spaces(user, scope))]
    if scope.product_id is not None:
        ideas.append(Idea.product_id == scope.product_id)
    return ideas


def _votes_in_scope(user, scope: Scope) -> list[ColumnElement[bool]]:
    """Conditions on ``IdeaVote`` for the votes cast in the range on ideas in scope. The idea
    is looked up only when a space or product limits them."""
    conditions = [IdeaVote.created_at >= scope.since, IdeaVote.created_at < scope.until]
    ideas = _voted_ideas(user, scope)
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
    if _every_space(user, scope) and scope.product_id is None and not _votes_since(scope.until):
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
        .where(_ideas_in_scope(user, scope))
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
    from community.ideas.queries import order_by_trending

    cast_in_range = most_voted(
        _voted_ideas(user, scope), scope.since, scope.until, scope.segment, TOP
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
            _in_spaces(Idea.space_id, user, scope),
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


# The knowledge loop.


@dataclass
class KnowledgeLoop:
    questions: int
    #: Questions with an answer: a live reply by someone other than the asker.
    answered: int
    solved: int
    median_first_answer_hours: float | None
    median_first_expert_answer_hours: float | None
    #: Answered but not solved (solved ones may have no answer: an asker's own reply
    #: accepted).
    answered_unsolved: int = 0
    #: Questions not posted because a suggested article or solved thread answered them.
    deflected: int = 0
    #: Questions posted although suggestions were shown.
    asked_despite: int = 0
    #: Published articles (published in the range) made from answers and shipped ideas.
    articles_from_answers: int = 0
    articles_from_ideas: int = 0
    #: (article id, title, helpful, answers) of the most helpful published articles.
    most_helpful: list[tuple[int, str, int, int]] = field(default_factory=list)

    def share(self, part: int) -> float:
        return part / self.questions if self.questions else 0.0

    @property
    def unanswered(self) -> int:
        """Neither solved nor answered by anyone but the asker."""
        return self.questions - self.solved - self.answered_unsolved

    @property
    def deflected_share(self) -> float:
        """Of the questions people came to ask, the share the knowledge base answered."""
        wanted = self.questions + self.deflected
        return self.deflected / wanted if wanted else 0.0


def _questions(user, scope: Scope) -> Select:
    """Questions asked in the range in the spaces in scope (with a product, the spaces that
    own it), by people of the segment if one is chosen."""
    query = select(Thread.id, Thread.space_id, Thread.author_id, Thread.created_at).where(
        Thread.kind == ThreadKind.QUESTION.value,
        Thread.deleted_at.is_(None),
        _in_community(Thread.space_id, user, scope),
        Thread.created_at >= scope.since,
        Thread.created_at < scope.until,
    )
    if scope.segment:
        query = query.where(Thread.author_id.in_(_people_of(scope.segment)))
    return query


def _first_answers(questions, *, experts_only: bool) -> Select:
    """Seconds from each question to its first answer (a live reply by someone other than
    the asker; by an expert, if asked)."""
    conditions = [Post.thread_id == questions.c.id, answer_by_others(questions.c.author_id)]
    if experts_only:
        author = User.__table__.alias("answerer")
        conditions.append(
            or_(
                Post.author_id.in_(select(author.c.id).where(author.c.role.in_(STAFF_ROLES))),
                exists().where(
                    Membership.user_id == Post.author_id,
                    Membership.space_id == questions.c.space_id,
                    Membership.state == MembershipState.ACTIVE.value,
                    Membership.role.in_(SERVING_ROLES),
                ),
            )
        )
    first = select(func.min(Post.created_at)).where(*conditions).scalar_subquery()
    return select(seconds_between(questions.c.created_at, first).label("seconds")).where(
        first.is_not(None)
    )


def _articles(user, scope: Scope) -> ColumnElement[bool]:
    """Articles in scope: site-wide or in the readable spaces in scope, of the product."""
    articles = or_(Article.space_id.in_(_spaces(user, scope)), Article.space_id.is_(None))
    if scope.space_id is not None:
        articles = Article.space_id == scope.space_id
    if scope.product_id is not None:
        articles = and_(articles, Article.product_id == scope.product_id)
    return articles


def _articles_made(user, scope: Scope) -> tuple[int, int]:
    """Articles published in the range from answers and from shipped ideas (drafts are not
    in the knowledge base yet). With a segment: from questions its people asked, and from
    ideas its people voted for (as the funnel counts ideas)."""
    from_answers = Article.source_thread_id.is_not(None)
    from_ideas = Article.source_idea_id.is_not(None)
    if scope.segment:
        asked = select(Thread.id).where(Thread.author_id.in_(_people_of(scope.segment)))
        voted = select(IdeaVote.idea_id).where(IdeaVote.segment == scope.segment)
        from_answers = and_(from_answers, Article.source_thread_id.in_(asked))
        from_ideas = and_(from_ideas, Article.source_idea_id.in_(voted))
    made = db.session.execute(
        select(func.count().filter(from_answers), func.count().filter(from_ideas)).where(
            _articles(user, scope),
            Article.status == ArticleStatus.PUBLISHED.value,
            Article.published_at >= scope.since,
            Article.published_at < scope.until,
        )
    ).one()
    return int(made[0]), int(made[1])


def knowledge_loop(user, scope: Scope) -> KnowledgeLoop:
    questions = _questions(user, scope).subquery()
    answered = Thread.answer_count > 0
    counts = db.session.execute(
        select(
            func.count(),
            func.count().filter(answered),
            func.count().filter(Thread.accepted_post_id.is_not(None)),
            func.count().filter(answered, Thread.accepted_post_id.is_(None)),
        ).where(Thread.id.in_(select(questions.c.id)))
    ).one()

    def hours(experts_only: bool) -> float | None:
        found = medians(_first_answers(questions, experts_only=experts_only), value="seconds")
        seconds = found[None]
        return round(seconds / 3600, 1) if seconds is not None else None

    in_range = (Deflection.created_at >= scope.since, Deflection.created_at < scope.until)
    deflected = [_in_community(Deflection.space_id, user, scope), *in_range]
    if scope.segment:
        deflected.append(Deflection.user_id.in_(_people_of(scope.segment)))
    deflections = dict(
        db.session.execute(
            select(Deflection.kind, func.count()).where(*deflected).group_by(Deflection.kind)
        ).all()
    )
    from_answers, from_ideas = _articles_made(user, scope)
    helpful = func.count().filter(ArticleFeedback.helpful.is_(True))
    feedback = [
        ArticleFeedback.updated_at >= scope.since,
        ArticleFeedback.updated_at < scope.until,
    ]
    if scope.segment:
        feedback.append(ArticleFeedback.user_id.in_(_people_of(scope.segment)))
    most_helpful = db.session.execute(
        select(Article.id, Article.title, helpful, func.count())
        .join(ArticleFeedback, ArticleFeedback.article_id == Article.id)
        .where(_articles(user, scope), Article.status == ArticleStatus.PUBLISHED.value, *feedback)
        .group_by(Article.id, Article.title)
        .order_by(helpful.desc(), func.count().desc(), Article.id)
        .limit(TOP)
    ).all()
    return KnowledgeLoop(
        questions=int(counts[0]),
        answered=int(counts[1]),
        solved=int(counts[2]),
        answered_unsolved=int(counts[3]),
        median_first_answer_hours=hours(False),
        median_first_expert_answer_hours=hours(True),
        deflected=int(deflections.get(DeflectionKind.ANSWERED.value, 0)),
        asked_despite=int(deflections.get(DeflectionKind.ASKED.value, 0)),
        articles_from_answers=from_answers,
        articles_from_ideas=from_ideas,
        most_helpful=[(i, t, int(h), int(n)) for i, t, h, n in most_helpful],
    )


# Participation.


@dataclass
class Participation:
    weekly_active: list[tuple[str, int]]
    by_space: list[tuple[str, int]]
    new: int
    returning: int


def _took_part(user, scope: Scope) -> list[ColumnElement[bool]]:
    """Rollup rows of the range, in readable spaces (with a product, those that own it), with
    the segment filter: votes carry the segment the voter had then, posts the poster's
    segment now."""
    conditions = [
        ActivityDay.day >= scope.start,
        ActivityDay.day <= scope.end,
        _in_community(ActivityDay.space_id, user, scope),
    ]
    if scope.segment:
        # Posts are counted under the segment "" (see ActivityDay).
        conditions.append(
            or_(
                ActivityDay.segment == scope.segment,
                and_(
                    ActivityDay.segment == "",
                    ActivityDay.posts > 0,
                    ActivityDay.user_id.in_(_people_of(scope.segment)),
                ),
            )
        )
    return conditions


def _weekly_active(user, scope: Scope, took_part) -> list[tuple[date, int]]:
    """Distinct people per week. Someone who reads every space, with no product or segment
    chosen, gets the weeks wholly inside the range from ``ActivityWeekPeople`` (kept counts),
    and only the weeks the range cuts from ``ActivityDay``."""
    first, last = week_of_day(scope.start), week_of_day(scope.end)
    from_days = [ActivityDay.week >= first, ActivityDay.week <= last, *took_part]
    statements = []
    whole_from = first if first == scope.start else first + timedelta(days=7)
    whole_to = last if last + timedelta(days=6) == scope.end else last - timedelta(days=7)
    everyone = _every_space(user, scope) and scope.product_id is None and not scope.segment
    if everyone and whole_from <= whole_to:
        statements.append(
            select(ActivityWeekPeople.week, ActivityWeekPeople.people).where(
                ActivityWeekPeople.week >= whole_from,
                ActivityWeekPeople.week <= whole_to,
                ActivityWeekPeople.people > 0,
            )
        )
        # Only the (at most two) weeks the range cuts: a list, which SQLite reads as two
        # lookups rather than the range of every week between them.
        cut = [week for week in {first, last} if not whole_from <= week <= whole_to]
        from_days = [ActivityDay.week.in_(cut), *took_part]
    statements.append(
        select(ActivityDay.week, func.count(distinct(ActivityDay.user_id)))
        .where(*from_days)
        .group_by(ActivityDay.week)
    )
    return sorted(db.session.execute(union_all(*statements)).all())


def participation(user, scope: Scope) -> Participation:
    """Read from the rollup (``ActivityDay``): one row per person, space and day they posted
    or voted, so each count of people is a count of distinct users over an index."""
    took_part = _took_part(user, scope)
    weekly = _weekly_active(user, scope, took_part)
    per_space = (
        select(ActivityDay.space_id, func.count(distinct(ActivityDay.user_id)).label("people"))
        .where(*took_part)
        .group_by(ActivityDay.space_id)
        .subquery()
    )
    by_space = db.session.execute(
        select(Space.name, per_space.c.people)
        .join(per_space, per_space.c.space_id == Space.id)
        .order_by(per_space.c.people.desc(), Space.name)
        .limit(TOP)
    ).all()
    # Returning: took part before the range (anywhere on the site; only the count is shown).
    # Asked person by person: two index lookups each, whatever the length of the range.
    earlier = select(ActivityDay.user_id).where(
        ActivityDay.user_id == User.id, ActivityDay.day < scope.start
    )
    in_range = select(ActivityDay.user_id).where(ActivityDay.user_id == User.id, *took_part)
    people = (
        select(earlier.exists().label("earlier"))
        .select_from(User)
        .where(in_range.exists())
        .subquery()
    )
    split = db.session.execute(
        select(
            func.count().filter(people.c.earlier.is_(False)),
            func.count().filter(people.c.earlier.is_(True)),
        )
    ).one()
    return Participation(
        weekly_active=[(str(w), int(n)) for w, n in weekly],
        by_space=[(name, int(n)) for name, n in by_space],
        new=int(split[0]),
        returning=int(split[1]),
    )
