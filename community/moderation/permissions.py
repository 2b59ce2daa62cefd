"""Who may flag, see hidden content, work the queues, read the audit log and suspend."""

from __future__ import annotations

from community.accounts.models import User
from community.brainstorms.models import Note
from community.forums.models import Post, Thread
from community.ideas.models import Idea
from community.moderation.models import ModerationCase
from community.permissions import Role, guardian, has_role
from community.spaces.models import Space
from community.spaces.permissions import is_banned


def space_of(target) -> Space | None:
    """The space a thread, post, idea or note lives in (None for a user)."""
    if isinstance(target, Thread | Idea):
        return target.space
    if isinstance(target, Post):
        return target.thread.space
    if isinstance(target, Note):
        return target.session.space
    return None


def author_id_of(target) -> int | None:
    if isinstance(target, User):
        return target.id
    return getattr(target, "author_id", None)


def readable(user, target) -> bool:
    """Whether ``user`` may read the item to flag it (a note: while it is on a board they can
    see, which during hidden ideation is only its author's)."""
    if isinstance(target, Thread):
        return guardian.can(user, "thread.view", target) and not target.is_deleted
    if isinstance(target, Post):
        return guardian.can(user, "thread.view", target.thread) and not target.is_deleted
    if isinstance(target, Idea):
        return guardian.can(user, "idea.view", target)
    if isinstance(target, Note):
        session = target.session
        return (
            target.on_board
            and guardian.can(user, "brainstorm.view", session)
            and (not session.notes_hidden or target.author_id == getattr(user, "id", None))
        )
    if isinstance(target, User):
        return target.active
    return False


@guardian.rule("moderation.flag")
def can_flag(user, target) -> bool:
    """Signed-in members flag what they can read and did not write (not while banned there)."""
    if not has_role(user, Role.MEMBER) or not readable(user, target):
        return False
    if author_id_of(target) == user.id:
        return False
    space = space_of(target)
    return space is None or not is_banned(user, space)


@guardian.rule("moderation.see_hidden")
def can_see_hidden(user, target) -> bool:
    """Hidden content stays visible to its author (marked) and to the space's moderators."""
    if not getattr(user, "is_authenticated", False):
        return False
    if author_id_of(target) == user.id:
        return True
    space = space_of(target)
    return space is not None and guardian.can(user, "space.moderate", space)


@guardian.rule("moderation.queue")
def can_work_space_queue(user, space: Space) -> bool:
    """A space's queue: its moderators and owners (and site moderators where they moderate)."""
    return guardian.can(user, "space.moderate", space)


@guardian.rule("moderation.site")
def can_work_site_queue(user, _obj=None) -> bool:
    """The site-wide queue: site moderators and admins."""
    return has_role(user, Role.MODERATOR)


@guardian.rule("moderation.act")
def can_act_on_case(user, case: ModerationCase) -> bool:
    """Acting on a queued item: its space's moderators; site moderators for profiles."""
    if case.space is not None:
        return guardian.can(user, "space.moderate", case.space)
    return has_role(user, Role.MODERATOR)


@guardian.rule("moderation.audit")
def can_read_audit_log(user, _obj=None) -> bool:
    """The audit log: admins."""
    return has_role(user, Role.ADMIN)


@guardian.rule("moderation.suspend")
def can_suspend(user, target: User) -> bool:
    """Site-wide suspension: admins, of anyone but themselves and other admins."""
    return (
        has_role(user, Role.ADMIN)
        and target is not None
        and target.id != user.id
        and Role(target.role) != Role.ADMIN
    )


@guardian.rule("moderation.warn")
def can_warn(user, target: User) -> bool:
    """Warnings: site moderators, or (in a space) its moderators — checked per space by the
    operation; here the person must be someone else."""
    return has_role(user, Role.MEMBER) and target is not None and target.id != user.id


def trusted_flagger(user, target) -> bool:
    """Flags from those who could hide the item themselves hide it at once."""
    space = space_of(target)
    if space is not None:
        return guardian.can(user, "space.moderate", space)
    return has_role(user, Role.MODERATOR)
