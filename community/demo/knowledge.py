"""Demo knowledge base: articles from the demo's accepted answers (published), the "What's
new" drafts that shipping drafted (one published, one left as a draft), a few site-wide
how-to articles, a suggested edit accepted and one waiting, readers' "did this help?"
answers, and a few deflections for analytics."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select

from community.accounts.models import User
from community.extensions import db
from community.forums.models import Thread, ThreadKind
from community.knowledge import operations as knowledge
from community.knowledge.models import Article, ArticleRevision, Deflection, DeflectionKind
from community.permissions import guardian
from community.products.models import Product
from community.spaces.models import Space

# (author, title, tags, body) — site-wide articles, written by staff.
HOW_TOS: tuple[tuple[str, str, str, str], ...] = (
    (
        "admin",
        "How questions become knowledge here",
        "community, knowledge-base",
        """Cocreate closes the loop that GE made famous in its customer answer centres: every
question answered once should answer the next customer before they have to ask.

## The loop

1. **You start typing a question.** Matching articles and solved questions appear beside
   the form. If one answers you, click *This answered my question* — nothing is posted.
2. **Nothing fits?** Post it. Tag it well: experts whose expertise matches are told.
3. **An answer is accepted.** An expert turns it into an article with one click, tidies it
   up and publishes it.
4. **An idea ships.** A draft *What's new* article is written for it automatically, linked to
   the idea and the release.

## Improve what you read

Spotted something outdated? Use **Suggest an edit** on any article. An editor reviews it, and
once accepted you are credited as a contributor.""",
    ),
    (
        "expert",
        "Asking a question that gets answered quickly",
        "community, questions",
        """Good questions get answers in hours, not days. Before you post:

- **Search first**, or just start typing your title: the knowledge base suggests answers.
- **One problem per question**, with the product, version and what you already tried.
- **Tags matter**: they route your question to verified experts (`imaging`, `assembly`…).
- **Accept the answer** that solved it. Accepted answers become articles for everyone.

> Amazon learned early that customers teach each other best: reviews and answers from people
> who bought the product beat any brochure. Our forums work the same way.""",
    ),
    (
        "moderator",
        "如何提出一个好问题 (How to ask a good question)",
        "community, 中文",
        """好的问题能更快得到回答：

1. **先搜索**：输入标题时，系统会自动推荐知识库文章和已解决的问题。
2. **说清楚**：产品、版本、你已经尝试过的方法。
3. **加标签**：标签会把问题送到对应领域的认证专家那里。
4. **采纳答案**：被采纳的答案会整理成知识库文章，帮助下一个人。

Start typing your title in English or Chinese: suggestions work in both.""",
    ),
)


def _backdate(article: Article, when: datetime) -> None:
    article.created_at = article.updated_at = when
    if article.published_at is not None:
        article.published_at = when
    for revision in db.session.scalars(
        select(ArticleRevision).where(ArticleRevision.article_id == article.id)
    ):
        revision.created_at = when


def _from_answers(people: dict[str, User], now: datetime) -> list[Article]:
    """Published articles from the demo's solved questions (outside private spaces)."""
    made = []
    threads = db.session.scalars(
        select(Thread)
        .join(Space, Space.id == Thread.space_id)
        .where(
            Thread.kind == ThreadKind.QUESTION.value,
            Thread.accepted_post_id.is_not(None),
            Space.visibility != "private",
        )
        .order_by(Thread.id)
        .limit(4)
    )
    for thread in threads:
        article = knowledge.article_from_answer(thread, by=people["expert"])
        knowledge.publish_article(article, by=people["expert"])
        _backdate(article, max(thread.last_activity_at, now - timedelta(days=20)))
        made.append(article)
    return made


def _whats_new(people: dict[str, User], now: datetime) -> list[Article]:
    """The drafts shipping wrote (``idea_released``): the first published after an edit,
    the others left as drafts for their editors."""
    drafts = list(
        db.session.scalars(
            select(Article).where(Article.source_idea_id.is_not(None)).order_by(Article.id)
        )
    )
    published = []
    for article in drafts[:1]:
        _backdate(article, now - timedelta(days=5))
        knowledge.edit_article(
            article,
            title=article.title,
            body=article.body_source
            + "\n\n## How to use it\n\nOpen a service session from the console's *Help* menu "
            "and tick **Share my screen (read-only)**. The engineer sees what you see; you can "
            "end sharing at any time.",
            tags=article.tag_names,
            summary="Add how to use it",
            product=db.session.get(Product, article.product_id) if article.product_id else None,
            by=people["expert"],
        )
        knowledge.publish_article(article, by=people["expert"])
        published.append(article)
    return published


def load_demo_knowledge(people: dict[str, User], now: datetime) -> None:
    """Create the demo knowledge base (after products, so shipping has drafted its articles).
    Caller commits."""
    articles = _from_answers(people, now)
    articles += _whats_new(people, now)
    for days, (author, title, tags, body) in enumerate(HOW_TOS, start=10):
        article = knowledge.create_article(
            None, title=title, body=body, tags=tags, publish=True, by=people[author]
        )
        _backdate(article, now - timedelta(days=days))
        articles.append(article)
    guide = articles[-3]
    accepted = knowledge.suggest_edit(
        guide,
        title=guide.title,
        body=guide.body_source.replace(
            "Use **Suggest an edit** on any article.",
            "Use **Suggest an edit** on any article — fixing a typo counts too.",
        ),
        tags=guide.tag_names,
        summary="Encourage small fixes",
        by=people["greta"],
    )
    knowledge.accept_suggestion(accepted, by=people["admin"])
    waiting = articles[-2]
    knowledge.suggest_edit(
        waiting,
        title=waiting.title,
        body=waiting.body_source + "\n- **Add a screenshot** when the problem is on screen.",
        tags=waiting.tag_names,
        summary="Mention screenshots",
        by=people["customer"],
    )
    readers = [people[name] for name in ("customer", "greta", "jamal", "lumen", "liwei")]
    for n, article in enumerate(articles):
        for m, reader in enumerate(readers):
            if (n + m) % 3 != 2 and guardian.can(reader, "article.feedback", article):
                knowledge.rate_article(article, by=reader, helpful=(n + m) % 5 != 0)
    _deflections(articles, now)
    db.session.flush()


def _deflections(articles: list[Article], now: datetime) -> None:
    """A few questions answered by the base while they were typed, and one asked anyway."""
    for days, article in enumerate(a for a in articles if a.space_id is not None):
        db.session.add(
            Deflection(
                kind=DeflectionKind.ANSWERED.value,
                space_id=article.space_id,
                article_id=article.id,
                title=article.title.lower(),
                created_at=now - timedelta(days=days + 1),
            )
        )
    first = next((a for a in articles if a.space_id is not None), None)
    if first is not None:
        db.session.add(
            Deflection(
                kind=DeflectionKind.ASKED.value,
                space_id=first.space_id,
                title="still stuck after reading the guide",
                shown=f"article:{first.id}",
                created_at=now - timedelta(days=2),
            )
        )
