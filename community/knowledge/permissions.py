"""Who may read, write, publish, suggest edits to and rate knowledge base articles.

Writers of a space's articles: its experts, moderators and owners, site experts (and site
moderators and admins), and verified experts who are active members of it. Site-wide
articles: site experts, moderators and admins. Drafts are read by their creator and the
writers of their space; every article follows its space's visibility.
"""

from __future__ import annotations

from community.experts.queries import verified_tags
from community.knowledge.models import Article, ArticleStatus
from community.permissions import Role, guardian, has_role
from community.spaces.models import Space, SpaceRole
from community.spaces.permissions import active_role, is_banned


def writes_in(user, space: Space | None) -> bool:
    """Whether ``user`` may write, edit and publish articles in ``space`` (None: site-wide)."""
    if not has_role(user, Role.MEMBER):
        return False
    if space is None:
        return has_role(user, Role.EXPERT)
    if not guardian.can(user, "space.view", space) or is_banned(user, space):
        return False
    if has_role(user, Role.EXPERT):
        return True
    role = active_role(user, space)
    if role is None:
        return False
    return role.at_least(SpaceRole.EXPERT) or bool(verified_tags(user))


@guardian.rule("article.write")
def can_write_articles(user, space: Space | None) -> bool:
    """Start articles in a space (or site-wide, with no space)."""
    return writes_in(user, space)


@guardian.rule("article.view")
def can_view_article(user, article: Article) -> bool:
    """Published articles where the space is readable; drafts also to their creator and the
    space's writers."""
    if article.space is not None and not guardian.can(user, "space.view", article.space):
        return False
    if article.status == ArticleStatus.PUBLISHED:
        return True
    own = article.created_by_id is not None and getattr(user, "id", None) == article.created_by_id
    return (own and has_role(user, Role.MEMBER)) or writes_in(user, article.space)


@guardian.rule("article.edit")
def can_edit_article(user, article: Article) -> bool:
    """Edit, publish, unpublish and delete; accept or decline suggested edits."""
    return writes_in(user, article.space) and can_view_article(user, article)


@guardian.rule("article.suggest")
def can_suggest_edit(user, article: Article) -> bool:
    """Members who may write in the article's space (any member, for site-wide articles)
    suggest edits to published articles they may not edit themselves."""
    if not article.is_published or not can_view_article(user, article):
        return False
    if can_edit_article(user, article):
        return False
    if article.space is None:
        return has_role(user, Role.MEMBER)
    return guardian.can(user, "space.post", article.space) and not is_banned(user, article.space)


@guardian.rule("article.feedback")
def can_give_feedback(user, article: Article) -> bool:
    """Signed-in readers answer "Did this help?" on published articles."""
    return article.is_published and has_role(user, Role.MEMBER) and can_view_article(user, article)


@guardian.rule("article.from_answer")
def can_turn_answer_into_article(user, thread) -> bool:
    """On a question with an accepted answer, those who may write articles in its space."""
    return (
        thread.is_question
        and thread.accepted_post_id is not None
        and not thread.is_deleted
        and writes_in(user, thread.space)
    )
