"""New-account limits ("as trusted forums do") and holding new members' posts for approval.

Until an account is ``NEW_ACCOUNT_DAYS`` old *and* has written ``NEW_ACCOUNT_POSTS`` posts,
each post may carry only so many links and mentions (also after an edit), and only so many
posts a day. These receivers run inside the writing operation, right after the post is
flushed: a refusal raises :class:`OperationError`, the caller rolls back, and nothing changes.
"""

from __future__ import annotations

import re
from datetime import timedelta

from flask import current_app
from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import func, select

from community import signals
from community.accounts.models import User
from community.database import utcnow
from community.errors import OperationError
from community.extensions import db
from community.forums.models import Post, Thread
from community.moderation import operations
from community.permissions import Role, guardian, has_role
from community.spaces.models import Space

# Links written out or as Markdown: every web address in the source counts.
_LINK = re.compile(r"\bhttps?://|\bwww\.", re.I)
_MENTION = re.compile(r'<a\s[^>]*class="mention"', re.I)


def is_new_account(user: User | None) -> bool:
    """Whether ``user`` is still under the new-account limits."""
    config = current_app.config
    if user is None or not config["NEW_ACCOUNT_LIMITS"] or has_role(user, Role.MODERATOR):
        return False
    young = user.created_at > utcnow() - timedelta(days=config["NEW_ACCOUNT_DAYS"])
    if young:
        return True
    written = db.session.scalar(
        select(func.count(Post.id)).where(Post.author_id == user.id, Post.deleted_at.is_(None))
    )
    return written < config["NEW_ACCOUNT_POSTS"]


def _check_caps(post: Post, space: Space) -> bool:
    """Refuse the post if it breaks a new account's caps; True when the author is new."""
    author = post.author or db.session.get(User, post.author_id)
    if guardian.can(author, "space.moderate", space) or not is_new_account(author):
        return False
    config = current_app.config
    mentions = len(_MENTION.findall(post.body_html))
    links = len(_LINK.findall(post.body_source))
    if links > config["NEW_ACCOUNT_MAX_LINKS"]:
        raise OperationError(
            ngettext(
                "New accounts may put at most %(num)d link in a post. Remove some and try again.",
                "New accounts may put at most %(num)d links in a post. Remove some and try again.",
                config["NEW_ACCOUNT_MAX_LINKS"],
            ),
            field="body",
        )
    if mentions > config["NEW_ACCOUNT_MAX_MENTIONS"]:
        raise OperationError(
            ngettext(
                "New accounts may mention at most %(num)d person in a post.",
                "New accounts may mention at most %(num)d people in a post.",
                config["NEW_ACCOUNT_MAX_MENTIONS"],
            ),
            field="body",
        )
    today = db.session.scalar(
        select(func.count(Post.id)).where(
            Post.author_id == author.id, Post.created_at > utcnow() - timedelta(days=1)
        )
    )
    if today > config["NEW_ACCOUNT_POSTS_PER_DAY"]:
        raise OperationError(
            ngettext(
                "New accounts may write %(num)d post a day. Please come back tomorrow.",
                "New accounts may write %(num)d posts a day. Please come back tomorrow.",
                config["NEW_ACCOUNT_POSTS_PER_DAY"],
            )
        )
    return True


def _hold_reason() -> str:
    return _("New member's post held for approval.")


@signals.thread_created.connect
def limit_new_thread(thread: Thread, *, post: Post, **_kwargs) -> None:
    """Caps on a new account's thread; held for approval where the space asks for it (an
    idea's co-design thread is held through its idea instead)."""
    is_new = _check_caps(post, thread.space)
    if is_new and thread.space.hold_new_posts and thread.kind != "codesign":
        operations.hold(thread, reason=_hold_reason())


@signals.post_created.connect
def limit_new_reply(post: Post, *, thread: Thread, **_kwargs) -> None:
    """Caps on a new account's reply; held for approval where the space asks for it."""
    if _check_caps(post, thread.space) and thread.space.hold_new_posts:
        operations.hold(post, reason=_hold_reason())


@signals.post_edited.connect
def limit_new_edit(post: Post, *, by, **_kwargs) -> None:
    """The same caps on a new account's edit of its own post: an edit may not add the links
    or mentions a new post may not have."""
    if by is not None and by.id == post.author_id:
        _check_caps(post, post.thread.space)


@signals.idea_submitted.connect
def hold_new_idea(idea, **_kwargs) -> None:
    """A new account's idea waits for approval where the space asks for it."""
    if not idea.space.hold_new_posts:
        return
    author = db.session.get(User, idea.author_id)
    if is_new_account(author) and not guardian.can(author, "space.moderate", idea.space):
        operations.hold(idea, reason=_hold_reason())
