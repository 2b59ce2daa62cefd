"""The numbers on the analytics dashboard, each view one function of a :class:`Scope`
(date range, space, product, segment), computed with aggregates in the database.

Only spaces the viewer may read are counted. Ideas are in scope when proposed in the date
range (and, with a segment, when a customer of that segment voted for them); votes, posts
and questions when made in the range.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import Select, and_, distinct, exists, func, or_, select, union_all

from community.accounts.models import User
from community.analytics.sql import medians, seconds_between, week_of
from community.experts.queries import SERVING_ROLES
from community.extensions import db
from community.forums.models import Post, Thread, ThreadKind
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
from community.products.models import Product
from community.spaces.models import Membership, MembershipState, Space
from community.spaces.queries import readable_space_ids

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


def _ideas_in_scope(user, scope: Scope) -> Select:
    """Ideas (ids) proposed in the range, in readable spaces, with the filters."""
    stmt = select(Idea.id).where(
        Idea.space_id.in_(_spaces(user, scope)),
        Idea.created_at >= scope.since,
        Idea.created_at < scope.until,
    )
    if scope.product_id is not None:
        stmt = stmt.where(Idea.product_id == scope.product_id)
    if scope.segment:
        stmt = stmt.where(
            exists().where(IdeaVote.idea_id == Idea.id, IdeaVote.segment == scope.segment)
        )
    return stmt


# Funnel.


@dataclass
class Funnel:
    by_status: dict[str, int]
    total: int
    reached_planned: int
    shipped: int
    #: Median days an idea spent in each status before it moved on.
    median_days: dict[str, float]
    by_product: list[tuple[str, int, int, int]] = field(default_factory=list)
    by_space: list[tuple[str, int, int, int]] = field(default_factory=list)

    def share(self, part: int) -> float:
        return part / self.total if self.total else 0.0


def funnel(user, scope: Scope) -> Funnel:
    ideas = _ideas_in_scope(user, scope).subquery()
    by_status = dict(
        db.session.execute(
            select(Idea.status, func.count())
            .where(Idea.id.in_(select(ideas.c.id)))
            .group_by(Idea.status)
        ).all()
    )
    reached = select(IdeaStatusChange.idea_id).where(
        IdeaStatusChange.kind == TimelineKind.STATUS.value,
        IdeaStatusChange.to_status.in_(REACHED_PLANNED),
    )
    shipped = select(IdeaStatusChange.idea_id).where(
        IdeaStatusChange.kind == TimelineKind.STATUS.value,
        IdeaStatusChange.to_status == IdeaStatus.SHIPPED.value,
    )
    in_scope = Idea.id.in_(select(ideas.c.id))
    planned_flag = or_(Idea.status.in_(REACHED_PLANNED), Idea.id.in_(reached))
    shipped_flag = or_(Idea.status == IdeaStatus.SHIPPED.value, Idea.id.in_(shipped))
    counts = db.session.execute(
        select(
            func.count(),
            func.count().filter(planned_flag),
            func.count().filter(shipped_flag),
        ).where(in_scope)
    ).one()
    # Time in each status: from entering it (the previous step, or the proposal) to leaving.
    entered = func.coalesce(
        func.lag(IdeaStatusChange.created_at).over(
            partition_by=IdeaStatusChange.idea_id,
            order_by=(IdeaStatusChange.created_at, IdeaStatusChange.id),
        ),
        Idea.created_at,
    )
    spans = (
        select(
            IdeaStatusChange.from_status.label("status"),
            seconds_between(entered, IdeaStatusChange.created_at).label("seconds"),
        )
        .join(Idea, Idea.id == IdeaStatusChange.idea_id)
        .where(IdeaStatusChange.kind == TimelineKind.STATUS.value, in_scope)
    )
    median_seconds = medians(spans, value="seconds", group="status")

    def breakdown(model, join_on, label) -> list[tuple[str, int, int, int]]:
        rows = db.session.execute(
            select(
                label,
                func.count(),
                func.count().filter(planned_flag),
                func.count().filter(shipped_flag),
            )
            .select_from(Idea)
            .join(model, join_on)
            .where(in_scope)
            .group_by(model.id, label)
            .order_by(func.count().desc(), label)
            .limit(TOP)
        ).all()
        return [(name, int(n), int(p), int(sh)) for name, n, p, sh in rows]

    return Funnel(
        by_status={s: int(by_status.get(s, 0)) for s in [*PIPELINE, "declined", "merged"]},
        total=int(counts[0]),
        reached_planned=int(counts[1]),
        shipped=int(counts[2]),
        median_days={
            status: round(seconds / 86400, 1)
            for status, seconds in median_seconds.items()
            if seconds is not None
        },
        by_product=breakdown(Product, Product.id == Idea.product_id, Product.name),
        by_space=breakdown(Space, Space.id == Idea.space_id, Space.name),
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


def _votes_in_scope(user, scope: Scope) -> Select:
    stmt = (
        select(IdeaVote)
        .join(Idea, Idea.id == IdeaVote.idea_id)
        .where(
            Idea.space_id.in_(_spaces(user, scope)),
            IdeaVote.created_at >= scope.since,
            IdeaVote.created_at < scope.until,
        )
    )
    if scope.product_id is not None:
        stmt = stmt.where(Idea.product_id == scope.product_id)
    if scope.segment:
        stmt = stmt.where(IdeaVote.segment == scope.segment)
    return stmt


def demand(user, scope: Scope) -> Demand:
    from community.ideas.queries import order_by_trending

    votes = _votes_in_scope(user, scope).subquery()
    top_by_votes = db.session.execute(
        select(Idea.id, Idea.title, func.count(votes.c.id))
        .join(votes, votes.c.idea_id == Idea.id)
        .group_by(Idea.id, Idea.title)
        .order_by(func.count(votes.c.id).desc(), Idea.id)
        .limit(TOP)
    ).all()
    open_ideas = select(Idea).where(
        Idea.space_id.in_(_spaces(user, scope)),
        Idea.status.in_(
            [
                IdeaStatus.NEW.value,
                IdeaStatus.UNDER_REVIEW.value,
                IdeaStatus.PLANNED.value,
                IdeaStatus.IN_PROGRESS.value,
            ]
        ),
    )
    if scope.product_id is not None:
        open_ideas = open_ideas.where(Idea.product_id == scope.product_id)
    trending = db.session.scalars(order_by_trending(open_ideas).limit(TOP)).all()
    by_segment = db.session.execute(
        select(
            votes.c.segment,
            func.count(),
            func.count(distinct(votes.c.user_id)),
            func.count(distinct(votes.c.organisation)).filter(votes.c.organisation != ""),
        )
        .group_by(votes.c.segment)
        .order_by(func.count().desc())
    ).all()
    by_organisation = db.session.execute(
        select(votes.c.organisation, func.count(distinct(votes.c.user_id)), func.count())
        .where(votes.c.organisation != "")
        .group_by(votes.c.organisation)
        .order_by(func.count(distinct(votes.c.user_id)).desc(), func.count().desc())
        .limit(TOP)
    ).all()
    ideas = _ideas_in_scope(user, scope).subquery()
    top_tags = db.session.execute(
        select(IdeaTag.tag, func.count())
        .where(IdeaTag.idea_id.in_(select(ideas.c.id)))
        .group_by(IdeaTag.tag)
        .order_by(func.count().desc(), IdeaTag.tag)
        .limit(8)
    ).all()
    tag_weeks: dict[str, dict[str, int]] = {tag: {} for tag, _n in top_tags}
    if top_tags:
        week = week_of(Idea.created_at)
        for tag, week_start, count in db.session.execute(
            select(IdeaTag.tag, week, func.count())
            .join(Idea, Idea.id == IdeaTag.idea_id)
            .where(IdeaTag.idea_id.in_(select(ideas.c.id)), IdeaTag.tag.in_(list(tag_weeks)))
            .group_by(IdeaTag.tag, week)
        ):
            tag_weeks[tag][str(week_start)] = int(count)
    origin = db.session.execute(
        select(
            func.count().filter(Idea.brainstorm_session_id.is_not(None)),
            func.count().filter(Idea.brainstorm_session_id.is_(None)),
        ).where(Idea.id.in_(select(ideas.c.id)))
    ).one()
    return Demand(
        top_by_votes=[(i, t, int(n)) for i, t, n in top_by_votes],
        top_trending=[(i.id, i.title, i.vote_count) for i in trending],
        by_segment=[(s or "", int(v), int(p), int(o or 0)) for s, v, p, o in by_segment],
        by_organisation=[(o, int(p), int(v)) for o, p, v in by_organisation],
        top_tags=[(t, int(n)) for t, n in top_tags],
        tag_weeks=tag_weeks,
        from_brainstorms=int(origin[0]),
        direct=int(origin[1]),
    )


# The knowledge loop.


@dataclass
class KnowledgeLoop:
    questions: int
    answered: int
    solved: int
    median_first_answer_hours: float | None
    median_first_expert_answer_hours: float | None
    #: Questions not posted because a suggested article or solved thread answered them.
    deflected: int = 0
    #: Questions posted although suggestions were shown.
    asked_despite: int = 0
    articles_from_answers: int = 0
    articles_from_ideas: int = 0
    #: (article id, title, helpful, answers) of the most helpful published articles.
    most_helpful: list[tuple[int, str, int, int]] = field(default_factory=list)

    def share(self, part: int) -> float:
        return part / self.questions if self.questions else 0.0

    @property
    def deflected_share(self) -> float:
        """Of the questions people came to ask, the share the knowledge base answered."""
        wanted = self.questions + self.deflected
        return self.deflected / wanted if wanted else 0.0


def _questions(user, scope: Scope) -> Select:
    return select(Thread.id, Thread.space_id, Thread.created_at).where(
        Thread.kind == ThreadKind.QUESTION.value,
        Thread.deleted_at.is_(None),
        Thread.space_id.in_(_spaces(user, scope)),
        Thread.created_at >= scope.since,
        Thread.created_at < scope.until,
    )


def _first_answers(questions, *, experts_only: bool) -> Select:
    """Seconds from each question to its first live reply (by an expert, if asked)."""
    conditions = [
        Post.thread_id == questions.c.id,
        Post.is_opening.is_(False),
        Post.deleted_at.is_(None),
    ]
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


def knowledge_loop(user, scope: Scope) -> KnowledgeLoop:
    questions = _questions(user, scope).subquery()
    counts = db.session.execute(
        select(
            func.count(),
            func.count().filter(Thread.reply_count > 0),
            func.count().filter(Thread.accepted_post_id.is_not(None)),
        ).where(Thread.id.in_(select(questions.c.id)))
    ).one()

    def hours(experts_only: bool) -> float | None:
        found = medians(_first_answers(questions, experts_only=experts_only), value="seconds")
        seconds = found[None]
        return round(seconds / 3600, 1) if seconds is not None else None

    spaces = _spaces(user, scope)
    in_range = (Deflection.created_at >= scope.since, Deflection.created_at < scope.until)
    deflections = dict(
        db.session.execute(
            select(Deflection.kind, func.count())
            .where(Deflection.space_id.in_(spaces), *in_range)
            .group_by(Deflection.kind)
        ).all()
    )
    articles = or_(Article.space_id.in_(spaces), Article.space_id.is_(None))
    if scope.space_id is not None:
        articles = Article.space_id == scope.space_id
    if scope.product_id is not None:
        articles = and_(articles, Article.product_id == scope.product_id)
    made = db.session.execute(
        select(
            func.count().filter(Article.source_thread_id.is_not(None)),
            func.count().filter(Article.source_idea_id.is_not(None)),
        ).where(articles, Article.created_at >= scope.since, Article.created_at < scope.until)
    ).one()
    helpful = func.count().filter(ArticleFeedback.helpful.is_(True))
    most_helpful = db.session.execute(
        select(Article.id, Article.title, helpful, func.count())
        .join(ArticleFeedback, ArticleFeedback.article_id == Article.id)
        .where(
            articles,
            Article.status == ArticleStatus.PUBLISHED.value,
            ArticleFeedback.updated_at >= scope.since,
            ArticleFeedback.updated_at < scope.until,
        )
        .group_by(Article.id, Article.title)
        .order_by(helpful.desc(), func.count().desc(), Article.id)
        .limit(TOP)
    ).all()
    return KnowledgeLoop(
        questions=int(counts[0]),
        answered=int(counts[1]),
        solved=int(counts[2]),
        median_first_answer_hours=hours(False),
        median_first_expert_answer_hours=hours(True),
        deflected=int(deflections.get(DeflectionKind.ANSWERED.value, 0)),
        asked_despite=int(deflections.get(DeflectionKind.ASKED.value, 0)),
        articles_from_answers=int(made[0]),
        articles_from_ideas=int(made[1]),
        most_helpful=[(i, t, int(h), int(n)) for i, t, h, n in most_helpful],
    )


# Participation.


@dataclass
class Participation:
    weekly_active: list[tuple[str, int]]
    by_space: list[tuple[str, int]]
    new: int
    returning: int


def _contributions(user, scope: Scope):
    """(user, space, moment) for every post and vote in readable spaces in the range."""
    spaces = _spaces(user, scope)
    posts = (
        select(
            Post.author_id.label("user_id"),
            Thread.space_id.label("space_id"),
            Post.created_at.label("at"),
        )
        .join(Thread, Thread.id == Post.thread_id)
        .where(
            Post.created_at >= scope.since,
            Post.created_at < scope.until,
            Thread.space_id.in_(spaces),
            Post.author_id.is_not(None),
            Post.deleted_at.is_(None),
        )
    )
    votes = (
        select(IdeaVote.user_id, Idea.space_id, IdeaVote.created_at)
        .join(Idea, Idea.id == IdeaVote.idea_id)
        .where(
            IdeaVote.created_at >= scope.since,
            IdeaVote.created_at < scope.until,
            Idea.space_id.in_(spaces),
        )
    )
    if scope.segment:
        posts = posts.join(User, User.id == Post.author_id).where(User.segment == scope.segment)
        votes = votes.where(IdeaVote.segment == scope.segment)
    return union_all(posts, votes).subquery()


def participation(user, scope: Scope) -> Participation:
    rows = _contributions(user, scope)
    week = week_of(rows.c.at)
    weekly = db.session.execute(
        select(week, func.count(distinct(rows.c.user_id))).group_by(week).order_by(week)
    ).all()
    by_space = db.session.execute(
        select(Space.name, func.count(distinct(rows.c.user_id)))
        .join(Space, Space.id == rows.c.space_id)
        .group_by(Space.id, Space.name)
        .order_by(func.count(distinct(rows.c.user_id)).desc(), Space.name)
        .limit(TOP)
    ).all()
    # Returning: took part before the range (anywhere on the site; only the count is shown).
    people = select(rows.c.user_id).distinct().subquery()
    earlier = or_(
        exists().where(
            Post.author_id == people.c.user_id,
            Post.created_at < scope.since,
            Post.deleted_at.is_(None),
        ),
        exists().where(IdeaVote.user_id == people.c.user_id, IdeaVote.created_at < scope.since),
    )
    split = db.session.execute(
        select(func.count().filter(~earlier), func.count().filter(earlier)).select_from(people)
    ).one()
    return Participation(
        weekly_active=[(str(w), int(n)) for w, n in weekly],
        by_space=[(name, int(n)) for name, n in by_space],
        new=int(split[0]),
        returning=int(split[1]),
    )
