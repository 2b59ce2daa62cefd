"""Who is told what: receivers of the features' signals that choose the recipients of each
event (by their follows, their authorship, their votes) and make the notifications inside the
event's transaction. What each level means is written down in docs/notifications.md."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import and_, or_, select

from community import signals
from community.accounts.models import User
from community.accounts.queries import resolve_usernames
from community.brainstorms.models import Note
from community.extensions import db
from community.forums.models import Post, Thread, ThreadKind
from community.forums.operations import mentioned_users
from community.ideas.models import Idea, IdeaVote
from community.notifications import operations
from community.notifications.models import Follow, Level, Notification, Target
from community.permissions import guardian
from community.spaces.models import Membership, MembershipState, SpaceRole
from community.spaces.permissions import prime_members
from community.text.markdown import render_markdown

FOLLOWING = (Level.WATCHING, Level.NORMAL)


def _levels(*targets: tuple[str, int | None]) -> dict[int, str]:
    """Each follower's level for an event about ``targets`` (most specific first): the first
    target a user follows decides."""
    targets = tuple((t, i) for t, i in targets if i is not None)
    rows = db.session.execute(
        select(Follow.user_id, Follow.target_type, Follow.target_id, Follow.level).where(
            or_(*(and_(Follow.target_type == t, Follow.target_id == i) for t, i in targets))
        )
    ).all()
    rank = {target: n for n, target in enumerate(targets)}
    best: dict[int, tuple[int, str]] = {}
    for user_id, target_type, target_id, level in rows:
        r = rank[(target_type, target_id)]
        if user_id not in best or r < best[user_id][0]:
            best[user_id] = (r, level)
    return {user_id: level for user_id, (_r, level) in best.items()}


def _readers(user_ids: Iterable[int], action: str, obj, space) -> list[User]:
    """The active users among ``user_ids`` who may ``action`` on ``obj`` (bounded queries)."""
    ids = set(user_ids)
    if not ids:
        return []
    users = list(db.session.scalars(select(User).where(User.id.in_(ids), User.active.is_(True))))
    prime_members(space, [u.id for u in users])
    return [u for u in users if guardian.can(u, action, obj)]


def _thread_targets(thread) -> tuple:
    return (Target.THREAD.value, thread.id), (Target.IDEA.value, thread.idea_id)


def _actor(user_id: int | None) -> User | None:
    return db.session.get(User, user_id) if user_id else None


# Forums ------------------------------------------------------------------------------------


@signals.thread_created.connect
def follow_and_announce_thread(thread, *, post, **_kwargs) -> None:
    """The author follows their thread; watchers of the space hear of a new thread (an idea's
    co-design thread is announced as the idea instead)."""
    if thread.author_id:
        operations.auto_follow(
            thread.author_id, Target.THREAD.value, thread.id, Level.WATCHING, "follow_created"
        )
    if thread.kind != ThreadKind.CODESIGN:
        db.session().before_commit(_announce_thread, thread, post)


def _announce_thread(thread, post) -> None:
    if thread.is_hidden:  # held for a moderator's approval: not yet
        return
    levels = _levels((Target.SPACE.value, thread.space_id))
    watchers = [u for u, level in levels.items() if level == Level.WATCHING]
    readers = _readers(watchers, "thread.view", thread, thread.space)
    operations.notify_all(
        readers,
        "new_thread",
        actor=_actor(thread.author_id),
        space=thread.space,
        thread=thread,
        post=post,
    )


@signals.post_created.connect
def announce_reply(post, *, thread, **_kwargs) -> None:
    """Watchers of the thread (or of its idea) hear of every reply; its author, following it
    at "normal", hears of replies to their thread. Decided just before the transaction
    commits, once moderation has had its say: a reply held for approval is not announced."""
    db.session().before_commit(_announce_reply, post, thread)


def _announce_reply(post, thread) -> None:
    if post.is_hidden or thread.is_hidden:
        return
    levels = _levels(*_thread_targets(thread))
    wanted = {u for u, level in levels.items() if level == Level.WATCHING}
    if thread.author_id and levels.get(thread.author_id) == Level.NORMAL:
        wanted.add(thread.author_id)
    readers = _readers(wanted, "thread.view", thread, thread.space)
    operations.notify_all(
        readers, "reply", actor=_actor(post.author_id), space=thread.space, thread=thread, post=post
    )


@signals.mention.connect
def announce_mention(post, *, users, **_kwargs) -> None:
    """Mentioned people are told, unless they muted the thread; someone already told of this
    post (as a reply) has that notification turned into the mention."""
    db.session().before_commit(_announce_mention, post, users)


def _announce_mention(post, users) -> None:
    thread = post.thread
    if post.is_hidden or thread.is_hidden:
        return
    levels = _levels(*_thread_targets(thread))
    wanted = {u.id for u in users if levels.get(u.id) != Level.MUTED}
    readers = {u.id for u in _readers(wanted, "thread.view", thread, thread.space)}
    actor = _actor(post.author_id)
    told = operations.upgrade_to("mention", post.id, readers, actor=actor)
    operations.notify_all(
        readers - told, "mention", actor=actor, space=thread.space, thread=thread, post=post
    )


@signals.answer_accepted.connect
def announce_accepted(post, *, thread, by, **_kwargs) -> None:
    """The answer's author is told their answer was accepted; the thread's followers that
    the question has its answer."""
    levels = _levels(*_thread_targets(thread))
    followers = {u for u, level in levels.items() if level in FOLLOWING}
    author = post.author_id if levels.get(post.author_id) != Level.MUTED else None
    followers.discard(post.author_id)
    refs = {"actor": by, "space": thread.space, "thread": thread, "post": post}
    if author:
        readers = _readers([author], "thread.view", thread, thread.space)
        operations.notify_all(readers, "answer_accepted", data={"yours": True}, **refs)
    operations.notify_all(
        _readers(followers, "thread.view", thread, thread.space), "answer_accepted", **refs
    )


@signals.content_hidden.connect
def announce_released(target, *, hidden: bool, released: bool = False, **_kwargs) -> None:
    """A thread, reply or idea held for a moderator's approval is announced once approved,
    as it would have been when written: the words approved, mentions included (an idea's are
    its own, told through its co-design thread's opening post)."""
    if hidden or not released:
        return
    if isinstance(target, Idea):
        post = db.session.scalar(
            select(Post).where(Post.thread_id == target.thread_id, Post.is_opening.is_(True))
        )
        if post is not None:
            mentions = render_markdown(target.body_source, resolve_usernames).mentions
            users = mentioned_users(post, list(mentions))
            if users:
                db.session().before_commit(_announce_mention, post, users)
        db.session().before_commit(_announce_idea, target)
        return
    if isinstance(target, Thread):
        post = db.session.scalar(
            select(Post).where(Post.thread_id == target.id, Post.is_opening.is_(True))
        )
        if post is None:
            return
        if target.kind != ThreadKind.CODESIGN:
            db.session().before_commit(_announce_thread, target, post)
    elif isinstance(target, Post):
        post = target
        db.session().before_commit(_announce_reply, post, post.thread)
    else:
        return
    users = mentioned_users(post)
    if users:
        db.session().before_commit(_announce_mention, post, users)


# Ideas -------------------------------------------------------------------------------------


@signals.idea_submitted.connect
def follow_and_announce_idea(idea, **_kwargs) -> None:
    """The author follows their idea; watchers of the space hear of it (unless its opening
    post already mentioned them)."""
    if idea.author_id:
        operations.auto_follow(
            idea.author_id, Target.IDEA.value, idea.id, Level.WATCHING, "follow_created"
        )
    db.session().before_commit(_announce_idea, idea)


def _announce_idea(idea) -> None:
    if idea.is_hidden:
        return
    levels = _levels((Target.SPACE.value, idea.space_id))
    watchers = {u for u, level in levels.items() if level == Level.WATCHING}
    mentioned = set(
        db.session.scalars(
            select(Notification.user_id).where(Notification.thread_id == idea.thread_id)
        )
    )
    readers = _readers(watchers - mentioned, "idea.view", idea, idea.space)
    operations.notify_all(
        readers, "new_idea", actor=_actor(idea.author_id), space=idea.space, idea=idea
    )


@signals.vote_cast.connect
def follow_voted_idea(idea, *, user, **_kwargs) -> None:
    """Voters follow the idea they voted for (at "normal"), unless they turned that off."""
    operations.auto_follow(user.id, Target.IDEA.value, idea.id, Level.NORMAL, "follow_voted")


@signals.idea_status_changed.connect
def announce_status(idea, *, new, by, **_kwargs) -> None:
    """Followers of an idea hear of every move through the pipeline."""
    levels = _levels((Target.IDEA.value, idea.id))
    followers = {u for u, level in levels.items() if level in FOLLOWING}
    operations.notify_all(
        _readers(followers, "idea.view", idea, idea.space),
        "idea_status",
        actor=by,
        space=idea.space,
        idea=idea,
        data={"status": str(new)},
    )


@signals.idea_released.connect
def announce_release(idea, *, release, by, **_kwargs) -> None:
    """Everyone who voted for or follows the idea hears which release delivered it (unless
    they muted it)."""
    levels = _levels((Target.IDEA.value, idea.id))
    voters = set(db.session.scalars(select(IdeaVote.user_id).where(IdeaVote.idea_id == idea.id)))
    wanted = {u for u in voters | set(levels) if levels.get(u) != Level.MUTED}
    operations.notify_all(
        _readers(wanted, "idea.view", idea, idea.space),
        "idea_released",
        actor=by,
        space=idea.space,
        idea=idea,
        data={"product": release.product.name, "version": release.version},
    )


# Experts -----------------------------------------------------------------------------------


@signals.question_routed.connect
def announce_routed(thread, *, experts, by=None, **_kwargs) -> None:
    """Each expert a question was routed to is told (unless they muted the thread)."""
    levels = _levels(*_thread_targets(thread))
    wanted = {u.id for u in experts if levels.get(u.id) != Level.MUTED}
    operations.notify_all(
        _readers(wanted, "thread.view", thread, thread.space),
        "question_routed",
        actor=by,
        space=thread.space,
        thread=thread,
    )


# Spaces and sessions -----------------------------------------------------------------------


@signals.join_requested.connect
def announce_join_request(space, *, user, **_kwargs) -> None:
    """The space's moderators and owners hear of a request to join (unless they muted it)."""
    levels = _levels((Target.SPACE.value, space.id))
    staff = db.session.scalars(
        select(Membership.user_id).where(
            Membership.space_id == space.id,
            Membership.state == MembershipState.ACTIVE.value,
            Membership.role.in_([SpaceRole.MODERATOR.value, SpaceRole.OWNER.value]),
        )
    )
    wanted = {u for u in staff if levels.get(u) != Level.MUTED}
    operations.notify_all(
        _readers(wanted, "space.moderate", space, space), "join_requested", actor=user, space=space
    )


@signals.join_decided.connect
def announce_join_decision(space, *, user, approved, by, **_kwargs) -> None:
    """Whoever asked to join hears the answer."""
    operations.notify(user, "join_decided", actor=by, space=space, data={"approved": approved})


@signals.brainstorm_phase_changed.connect
def announce_session(session, *, old, by, **_kwargs) -> None:
    """A session leaving its lobby has started: followers of it and of its space are told.
    Later phase changes go to the session's watchers only."""
    if old == session.phase:
        return  # the clock was extended, paused or resumed
    levels = _levels((Target.SESSION.value, session.id), (Target.SPACE.value, session.space_id))
    if old == "lobby":
        kind, wanted = "session_started", {u for u, lv in levels.items() if lv in FOLLOWING}
    else:
        kind, wanted = "session_phase", {u for u, lv in levels.items() if lv == Level.WATCHING}
        session_followers = set(
            db.session.scalars(
                select(Follow.user_id).where(
                    Follow.target_type == Target.SESSION.value, Follow.target_id == session.id
                )
            )
        )
        wanted &= session_followers
    operations.notify_all(
        _readers(wanted, "brainstorm.view", session, session.space),
        kind,
        actor=by,
        space=session.space,
        session=session,
        data={"phase": session.phase},
    )


# Moderation --------------------------------------------------------------------------------


@signals.moderation_decided.connect
def announce_decision(event, *, action, target, author, reason, by, space, **_kwargs) -> None:
    """The person whose content or account a moderator decided on is told what and why
    (also for automatic hides by members' flags: ``by`` is None). A status change is told as
    such (``idea_status``), not twice."""
    if action == "idea_status":
        return
    refs: dict = {"space": space}
    data = {"action": action, "reason": reason}
    if isinstance(target, Post):
        refs.update(thread=target.thread, post=target)
    elif isinstance(target, Thread):
        refs["thread"] = target
    elif isinstance(target, Idea):
        refs["idea"] = target
    elif isinstance(target, Note):
        refs["session"] = target.session
        data["subject"] = "note"
    elif target is author and action in ("hide", "approve"):
        data["subject"] = "profile"
    operations.notify_all([author], "moderation_decision", actor=by, data=data, **refs)
