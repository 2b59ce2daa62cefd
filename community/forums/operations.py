"""Every change to forums: threads, replies, edits, deletion, moderation, answers, helpful marks.

Markdown is rendered and sanitised once, here, when a post is saved. Counters change with SQL
increments so concurrent replies and marks keep them right.
"""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.exc import IntegrityError

from community import signals
from community.accounts.models import User
from community.accounts.queries import resolve_usernames, users_by_username
from community.database import utcnow
from community.errors import OperationError
from community.extensions import db
from community.forums.models import (
    BODY_MAX,
    TITLE_MAX,
    HelpfulMark,
    Post,
    PostRevision,
    Thread,
    ThreadKind,
    ThreadTag,
)
from community.forums.queries import KIND_COUNTS, answer_by_others
from community.permissions import guardian
from community.spaces.models import Space
from community.text.markdown import render_markdown
from community.text.tags import parse_tags
from community.web.reasons import clean_reason


def _clean_title(title: str) -> str:
    title = " ".join(title.split())
    if not title:
        raise OperationError(_("Give it a title."), field="title")
    if len(title) > TITLE_MAX:
        raise OperationError(
            _("A title may have at most %(count)d characters.", count=TITLE_MAX), field="title"
        )
    return title


def _clean_body(body: str) -> str:
    body = body.strip()
    if not body:
        raise OperationError(_("Write something first."), field="body")
    if len(body) > BODY_MAX:
        raise OperationError(
            _("A post may have at most %(count)d characters.", count=BODY_MAX), field="body"
        )
    return body


def _render(post: Post, source: str) -> list[str]:
    rendered = render_markdown(source, resolve_usernames)
    post.body_source = source
    post.body_html = rendered.html
    return list(rendered.mentions)


def mentioned_users(post: Post, usernames: list[str] | None = None) -> list[User]:
    """The people a post mentions (``usernames``: these of its mentions), not its author."""
    if usernames is None:
        usernames = list(render_markdown(post.body_source, resolve_usernames).mentions)
    return [u for u in users_by_username(usernames) if u.id != post.author_id]


def _announce_mentions(post: Post, usernames: list[str], already: set[str] | None = None) -> None:
    users = mentioned_users(post, [name for name in usernames if name not in (already or set())])
    if users:
        signals.mention.send(post, users=users)


def _count(model, row_id: int, **deltas: int) -> None:
    values = {name: getattr(model, name) + delta for name, delta in deltas.items()}
    db.session.execute(update(model).where(model.id == row_id).values(**values))


# Counts include only what readers see: a space's thread count its live threads (and its
# question and discussion counts those of each kind), a thread's reply and answer counts its
# live replies (neither deleted nor hidden by moderation, nor held for approval). Each change
# of state counts the row while it is live, before or after it.


def _count_thread(thread: Thread, sign: int) -> None:
    if thread.is_live:
        deltas = {"thread_count": sign}
        if kind_count := KIND_COUNTS.get(thread.kind):
            deltas[kind_count] = sign
        _count(Space, thread.space_id, **deltas)


def _count_reply(post: Post, sign: int) -> None:
    """A live reply is counted (``sign`` 1) or no longer (-1): its thread's replies, and its
    answers when someone other than the asker wrote it (see ``Thread.answer_count``)."""
    if post.is_opening or not post.is_live:
        return
    deltas = {"reply_count": sign}
    if post.author_id != post.thread.author_id:
        deltas["answer_count"] = sign
    _count(Thread, post.thread_id, **deltas)


def set_hidden(target: Thread | Post, hidden: bool, *, held: bool = False) -> None:
    """Hide a thread or reply from readers, or show it again (moderation's switch: hidden
    pending review, or ``held`` for approval before it is ever published). The space's thread
    count and the thread's reply and answer counts follow; moderation announces the change."""
    if target.is_hidden == hidden and target.held == held:
        return
    count = _count_thread if isinstance(target, Thread) else _count_reply
    count(target, -1)
    target.hidden_at = (target.hidden_at or utcnow()) if hidden else None
    target.held = held and hidden
    count(target, 1)
    db.session.flush()


def start_thread(
    space: Space,
    *,
    author: User,
    kind: str,
    title: str,
    body: str,
    tags: str | list[str] = "",
    ask_expert: bool = False,
    suggestions_shown: str = "",
) -> Thread:
    """Start a discussion or question in ``space``; ``ask_expert`` asks for the question to
    be routed to experts at once; ``suggestions_shown`` passes on which knowledge base
    suggestions the asker saw while typing (see ``signals.thread_created``)."""
    guardian.ensure(author, "thread.start", space, _("Join this space to write in it."))
    if kind not in {k.value for k in ThreadKind}:
        raise OperationError(_("Choose a kind of thread."), field="kind")
    title, body, tag_list = _clean_title(title), _clean_body(body), parse_tags(tags)
    now = utcnow()
    thread = Thread(
        space_id=space.id,
        author_id=author.id,
        kind=kind,
        title=title,
        created_at=now,
        last_activity_at=now,
        tags=[ThreadTag(tag=t) for t in tag_list],
    )
    db.session.add(thread)
    db.session.flush()
    post = Post(thread_id=thread.id, author_id=author.id, is_opening=True, created_at=now)
    mentions = _render(post, body)
    db.session.add(post)
    db.session.flush()
    _count_thread(thread, 1)
    signals.thread_created.send(
        thread,
        post=post,
        ask_expert=ask_expert and kind == ThreadKind.QUESTION,
        suggestions_shown=(suggestions_shown or "")[:400],
    )
    _announce_mentions(post, mentions)
    return thread


def reply_to_thread(thread: Thread, *, author: User, body: str) -> Post:
    """Post a reply (an answer, on a question)."""
    if thread.locked and not guardian.can(author, "thread.moderate", thread):
        raise OperationError(_("This thread is locked."))
    guardian.ensure(author, "thread.reply", thread, _("You may not reply here."))
    body = _clean_body(body)
    now = utcnow()
    post = Post(thread_id=thread.id, author_id=author.id, created_at=now)
    mentions = _render(post, body)
    db.session.add(post)
    db.session.flush()
    _count_reply(post, 1)
    db.session.execute(update(Thread).where(Thread.id == thread.id).values(last_activity_at=now))
    signals.post_created.send(post, thread=thread)
    _announce_mentions(post, mentions)
    return post


def edit_post(
    post: Post,
    *,
    by: User,
    body: str,
    title: str | None = None,
    tags: str | list[str] | None = None,
    reason: str = "",
) -> None:
    """Edit a post (and, for an opening post, its thread's title and tags); the previous text
    is kept as a revision. A moderator editing someone else's post gives a ``reason`` (it is
    recorded in the audit log)."""
    guardian.ensure(by, "post.edit", post, _("You may not edit this post."))
    thread = post.thread
    reason = clean_reason(reason, required=post.author_id != by.id)
    body = _clean_body(body)
    new_title = _clean_title(title) if post.is_opening and title is not None else None
    tag_list = parse_tags(tags) if post.is_opening and tags is not None else None
    if (
        body == post.body_source
        and new_title in (None, thread.title)
        and tag_list
        in (
            None,
            thread.tag_names,
        )
    ):
        return
    db.session.add(
        PostRevision(
            post_id=post.id,
            editor_id=by.id,
            body_source=post.body_source,
            title=thread.title if post.is_opening else None,
        )
    )
    before = set(render_markdown(post.body_source, resolve_usernames).mentions)
    mentions = _render(post, body)
    post.edited_at = utcnow()
    if new_title is not None:
        thread.title = new_title
    if tag_list is not None:
        thread.tags = [ThreadTag(tag=t) for t in tag_list]
    db.session.flush()
    signals.post_edited.send(post, by=by, reason=reason)
    _announce_mentions(post, mentions, already=before)


def delete_post(post: Post, *, by: User) -> None:
    """Soft-delete a reply, or the whole thread when it is the opening post."""
    guardian.ensure(by, "post.delete", post, _("You may not delete this post."))
    thread = post.thread
    now = utcnow()
    if post.is_opening:
        if thread.is_deleted:
            raise OperationError(_("This thread is already deleted."))
        _count_thread(thread, -1)
        thread.deleted_at = now
        db.session.flush()
        signals.post_deleted.send(thread, by=by)
        return
    if post.is_deleted:
        raise OperationError(_("This post is already deleted."))
    _count_reply(post, -1)
    post.deleted_at, post.deleted_by_id = now, by.id
    if thread.accepted_post_id == post.id:
        thread.accepted_post_id = None
    _count(Thread, thread.id, helpful_count=-post.helpful_count)
    db.session.flush()
    signals.post_deleted.send(post, by=by)


def restore_post(post: Post, *, by: User) -> None:
    """Undo a deletion (moderators)."""
    thread = post.thread
    guardian.ensure(by, "thread.moderate", thread)
    if post.is_opening:
        if not thread.is_deleted:
            raise OperationError(_("This thread is not deleted."))
        thread.deleted_at = None
        _count_thread(thread, 1)
        db.session.flush()
        signals.post_deleted.send(thread, by=by)
        return
    if not post.is_deleted:
        raise OperationError(_("This post is not deleted."))
    post.deleted_at, post.deleted_by_id = None, None
    _count_reply(post, 1)
    _count(Thread, thread.id, helpful_count=post.helpful_count)
    db.session.flush()
    signals.post_deleted.send(post, by=by)


def set_pinned(thread: Thread, pinned: bool, *, by: User) -> None:
    """Pin a thread to the top of its space's list, or unpin it."""
    guardian.ensure(by, "thread.moderate", thread)
    thread.pinned = pinned
    db.session.flush()
    signals.thread_moderated.send(thread, action="pin" if pinned else "unpin", by=by)


def set_locked(thread: Thread, locked: bool, *, by: User) -> None:
    """Lock a thread against new replies and edits, or unlock it."""
    guardian.ensure(by, "thread.moderate", thread)
    thread.locked = locked
    db.session.flush()
    signals.thread_moderated.send(thread, action="lock" if locked else "unlock", by=by)


def move_thread(thread: Thread, to_space: Space, *, by: User, reason: str) -> None:
    """Move a thread to another space, saying why; the mover must moderate both."""
    guardian.ensure(by, "thread.moderate", thread)
    guardian.ensure(
        by, "space.moderate", to_space, _("You may only move threads to spaces you moderate.")
    )
    reason = clean_reason(reason)
    if to_space.id == thread.space_id:
        raise OperationError(_("The thread is already in that space."), field="space")
    from_space = thread.space
    _count_thread(thread, -1)
    thread.space_id = to_space.id
    _count_thread(thread, 1)
    thread.space = to_space
    db.session.flush()
    signals.thread_moderated.send(
        thread, action="move", by=by, from_space=from_space, reason=reason
    )


def accept_answer(post: Post, *, by: User) -> None:
    """Mark ``post`` as the accepted answer of its question (replacing any earlier one): the
    asker or a moderator, never a moderator their own reply (``post.accept``)."""
    thread = post.thread
    guardian.ensure(by, "thread.accept", thread, _("You may not accept answers here."))
    if post.is_opening or post.is_deleted:
        raise OperationError(_("Only a reply can be the accepted answer."))
    if post.held:
        raise OperationError(_("Approve this reply before you accept it as the answer."))
    guardian.ensure(
        by,
        "post.accept",
        post,
        _("You may not accept your own answer: the asker or another moderator can."),
    )
    if thread.accepted_post_id == post.id:
        return
    thread.accepted_post_id = post.id
    db.session.flush()
    signals.answer_accepted.send(post, thread=thread, by=by)


def unaccept_answer(thread: Thread, *, by: User) -> None:
    """Clear the accepted answer."""
    guardian.ensure(by, "thread.accept", thread, _("You may not accept answers here."))
    thread.accepted_post_id = None
    db.session.flush()
    signals.answer_cleared.send(thread, by=by)


def mark_helpful(post: Post, user: User, helpful: bool = True) -> bool:
    """Mark (or unmark) ``post`` as helpful; one mark per user. Idempotent; returns whether
    the user's mark now exists."""
    guardian.ensure(user, "post.helpful", post, _("You may not mark this post."))
    existing = db.session.scalar(
        select(HelpfulMark).where(HelpfulMark.post_id == post.id, HelpfulMark.user_id == user.id)
    )
    if helpful and existing is None:
        mark = HelpfulMark(post_id=post.id, user_id=user.id)
        try:
            with db.session.begin_nested():
                db.session.add(mark)
        except IntegrityError:
            return True  # a concurrent request of the same user got there first
        _count(Post, post.id, helpful_count=1)
        _count(Thread, post.thread_id, helpful_count=1)
        db.session.flush()
        signals.helpful_marked.send(post, mark_id=mark.id, helpful=True, by=user)
    elif not helpful and existing is not None:
        mark_id = existing.id
        db.session.delete(existing)
        _count(Post, post.id, helpful_count=-1)
        _count(Thread, post.thread_id, helpful_count=-1)
        db.session.flush()
        signals.helpful_marked.send(post, mark_id=mark_id, helpful=False, by=user)
    return helpful


def _live_replies(*, answers: bool):
    """The live replies of the thread being updated (``answers``: by others than its asker)."""
    if answers:
        live = answer_by_others(Thread.author_id)
    else:
        live = and_(Post.is_opening.is_(False), Post.deleted_at.is_(None), Post.hidden_at.is_(None))
    return select(func.count(Post.id)).where(Post.thread_id == Thread.id, live).scalar_subquery()


def recount_replies() -> int:
    """Make every thread's ``reply_count`` and ``answer_count`` equal its live replies (and
    those by others than the asker; neither deleted nor hidden); returns how many threads
    were wrong."""
    replies, answers = _live_replies(answers=False), _live_replies(answers=True)
    wrong = or_(Thread.reply_count != replies, Thread.answer_count != answers)
    count = db.session.scalar(select(func.count(Thread.id)).where(wrong)) or 0
    if count:
        db.session.execute(
            update(Thread).where(wrong).values(reply_count=replies, answer_count=answers),
            execution_options={"synchronize_session": False},
        )
    return count


def recount_space_threads() -> int:
    """Make every space's ``thread_count``, ``question_count`` and ``discussion_count`` equal
    its live threads (of each kind); returns how many spaces were wrong."""

    def live(*kinds: str):
        stmt = select(func.count(Thread.id)).where(
            Thread.space_id == Space.id, Thread.deleted_at.is_(None), Thread.hidden_at.is_(None)
        )
        return (stmt.where(Thread.kind.in_(kinds)) if kinds else stmt).scalar_subquery()

    counts = {"thread_count": live()} | {column: live(kind) for kind, column in KIND_COUNTS.items()}
    wrong = or_(*(getattr(Space, column) != count for column, count in counts.items()))
    count = db.session.scalar(select(func.count(Space.id)).where(wrong)) or 0
    if count:
        db.session.execute(
            update(Space).where(wrong).values(**counts),
            execution_options={"synchronize_session": False},
        )
    return count
