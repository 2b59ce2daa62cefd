"""Permission rules for threads and posts, built on the space rules."""

from __future__ import annotations

from community.forums.models import Post, Thread
from community.permissions import Role as SiteRole
from community.permissions import guardian, has_role
from community.spaces.permissions import is_banned


def _moderates(user, thread: Thread) -> bool:
    return guardian.can(user, "space.moderate", thread.space)


def _own(user, item: Thread | Post) -> bool:
    return item.author_id is not None and getattr(user, "id", None) == item.author_id


@guardian.rule("thread.view")
def can_view_thread(user, thread: Thread) -> bool:
    """Readable where the space is; deleted threads only by moderators, and threads held for
    approval only by their author and the moderators (to others they do not exist yet)."""
    if not guardian.can(user, "space.view", thread.space):
        return False
    if thread.held and not _own(user, thread):
        return _moderates(user, thread)
    return not thread.is_deleted or _moderates(user, thread)


@guardian.rule("post.view")
def can_view_post(user, post: Post) -> bool:
    """A post of a thread one may read; deleted ones only by moderators, and replies held for
    approval only by their author and the moderators."""
    if not guardian.can(user, "thread.view", post.thread):
        return False
    if post.held and not post.is_deleted and _own(user, post):
        return True
    return not (post.is_deleted or post.held) or _moderates(user, post.thread)


@guardian.rule("thread.start")
def can_start_thread(user, space) -> bool:
    """Members who may write in the space start threads."""
    return guardian.can(user, "space.post", space) and not is_banned(user, space)


@guardian.rule("thread.reply")
def can_reply(user, thread: Thread) -> bool:
    """Writers reply to open threads; moderators also to locked or hidden ones."""
    if thread.is_deleted or not guardian.can(user, "thread.view", thread):
        return False
    if not guardian.can(user, "thread.start", thread.space):
        return False
    # Locked threads, and those hidden pending review, take replies from moderators only.
    return not (thread.locked or thread.hidden_at) or _moderates(user, thread)


@guardian.rule("thread.moderate")
def can_moderate_thread(user, thread: Thread) -> bool:
    """Pin, lock, move, delete and restore: the space's moderators."""
    return _moderates(user, thread)


@guardian.rule("thread.accept")
def can_accept_answer(user, thread: Thread) -> bool:
    """The asker (while they may write) or the space's moderators: the question is theirs to
    close. Experts answer; they do not decide which answer helped."""
    if not thread.is_question or thread.is_deleted:
        return False
    if _moderates(user, thread):
        return True
    asker = thread.author_id is not None and getattr(user, "id", None) == thread.author_id
    return asker and not thread.locked and guardian.can(user, "thread.start", thread.space)


@guardian.rule("post.accept")
def can_accept_post(user, post: Post) -> bool:
    """Accepting this reply: whoever may accept answers to its question, but never a
    moderator their own reply to someone else's question (accepting earns its author
    points). The asker may accept their own reply; it earns nothing."""
    thread = post.thread
    if post.is_opening or post.is_deleted or not can_accept_answer(user, thread):
        return False
    own = post.author_id is not None and getattr(user, "id", None) == post.author_id
    return not own or post.author_id == thread.author_id


@guardian.rule("post.edit")
def can_edit_post(user, post: Post) -> bool:
    """Authors edit their own posts while they may write and the thread is open;
    moderators edit anything."""
    thread = post.thread
    if not guardian.can(user, "thread.view", thread):
        return False
    if _moderates(user, thread):
        return True
    return (
        _own(user, post)
        and not post.is_deleted
        and not thread.locked
        and guardian.can(user, "thread.start", thread.space)
    )


# Deleting a post is allowed exactly where editing it is: one rule, so one answer per page.
guardian.rule("post.delete")(can_edit_post)


@guardian.rule("post.history")
def can_see_history(user, post: Post) -> bool:
    """Revision history: the author and moderators."""
    if not guardian.can(user, "post.view", post):
        return False
    return _own(user, post) or _moderates(user, post.thread)


#: What a reader may do to a thread as a whole: the page asks once and passes the answers to
#: each post it shows (``render_post``'s ``may``).
THREAD_VERBS = ("reply", "moderate", "accept")


def thread_may(thread: Thread) -> dict[str, bool]:
    """``{verb: answer}`` for the current user and ``thread`` (:data:`THREAD_VERBS`), asked
    through the template memo (:meth:`Guardian.can_here`): a template global."""
    return {verb: guardian.can_here(f"thread.{verb}", thread) for verb in THREAD_VERBS}


@guardian.rule("post.helpful")
def can_mark_helpful(user, post: Post) -> bool:
    """Members mark others' posts helpful (not their own, not deleted ones)."""
    if post.is_deleted or not has_role(user, SiteRole.MEMBER):
        return False
    if post.author_id == user.id:
        return False
    return guardian.can(user, "thread.start", post.thread.space) and guardian.can(
        user, "post.view", post
    )
