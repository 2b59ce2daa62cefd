"""The knowledge loop of the Insights dashboard: questions asked in scope, how many were
answered and solved and how fast (by anyone, and by experts), questions the knowledge base
answered before they were asked, and the articles made from answers and shipped ideas."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import ColumnElement, Select, and_, exists, func, or_, select

from community.accounts.models import User
from community.analytics.dashboard.scope import (
    TOP,
    Scope,
    in_community,
    people_of,
    readable_in_scope,
)
from community.analytics.sql import medians, seconds_between
from community.experts.queries import SERVING_ROLES
from community.extensions import db
from community.forums.models import Post, Thread, ThreadKind
from community.forums.queries import answer_by_others
from community.ideas.models import IdeaVote
from community.knowledge.models import (
    Article,
    ArticleFeedback,
    ArticleStatus,
    Deflection,
    DeflectionKind,
)
from community.permissions import Role
from community.spaces.models import Membership, MembershipState

STAFF_ROLES = tuple(r.value for r in Role if r.at_least(Role.EXPERT))


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
    own it), by people of the segment if one is chosen; published ones only (not hidden by
    moderation nor held for approval)."""
    query = select(Thread.id, Thread.space_id, Thread.author_id, Thread.created_at).where(
        Thread.kind == ThreadKind.QUESTION.value,
        Thread.deleted_at.is_(None),
        Thread.hidden_at.is_(None),
        in_community(Thread.space_id, user, scope),
        Thread.created_at >= scope.since,
        Thread.created_at < scope.until,
    )
    if scope.segment:
        query = query.where(Thread.author_id.in_(people_of(scope.segment)))
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
    articles = or_(Article.space_id.in_(readable_in_scope(user, scope)), Article.space_id.is_(None))
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
        asked = select(Thread.id).where(Thread.author_id.in_(people_of(scope.segment)))
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
    deflected = [in_community(Deflection.space_id, user, scope), *in_range]
    if scope.segment:
        deflected.append(Deflection.user_id.in_(people_of(scope.segment)))
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
        feedback.append(ArticleFeedback.user_id.in_(people_of(scope.segment)))
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
