"""Permission rules for ideas, built on the space rules."""

from __future__ import annotations

from community.ideas.models import Idea
from community.permissions import Role, guardian, has_role
from community.spaces.models import Space, Visibility
from community.spaces.permissions import is_banned, prime_memberships


@guardian.rule("idea.view")
def can_view_idea(user, idea: Idea) -> bool:
    """Readable where the space is; ideas held for approval only by their author and the
    space's moderators (to others they do not exist yet)."""
    if not guardian.can(user, "space.view", idea.space):
        return False
    own = idea.author_id is not None and getattr(user, "id", None) == idea.author_id
    if idea.held and not own:
        return guardian.can(user, "space.moderate", idea.space)
    return True


@guardian.rule("idea.submit")
def can_submit_idea(user, space) -> bool:
    """Whoever may start threads in the space may propose ideas there."""
    return guardian.can(user, "thread.start", space)


@guardian.rule("idea.vote")
def can_vote(user, idea: Idea) -> bool:
    """Open ideas take votes from those who may support them (not while hidden for review)."""
    return not idea.is_closed and not idea.is_hidden and can_support(user, idea)


def can_support(user, idea: Idea) -> bool:
    """Whether ``user`` may be counted among the idea's voters, open or not (see
    ``may_support_in``). Merging moves only these voters' votes."""
    return may_support_in(user, idea.space)


def may_support_in(user, space: Space) -> bool:
    """Whether ``user`` may support ideas in ``space``: signed-in readers of public spaces
    (unless banned) and members of restricted and private ones."""
    if not has_role(user, Role.MEMBER) or not guardian.can(user, "space.view", space):
        return False
    if is_banned(user, space):
        return False
    return space.visibility == Visibility.PUBLIC or guardian.can(user, "space.post", space)


def votable_ideas(user, ideas: list[Idea]) -> set[int]:
    """The ids of ``ideas`` that ``user`` may vote for (``idea.vote``), for lists: the user's
    memberships in all their spaces come in one query, and each space is decided once."""
    if not has_role(user, Role.MEMBER):
        return set()
    spaces = {idea.space_id: idea.space for idea in ideas}
    prime_memberships(user, list(spaces.values()))
    allowed = {space_id for space_id, space in spaces.items() if may_support_in(user, space)}
    return {idea.id for idea in ideas if idea.space_id in allowed and not idea.is_closed}


@guardian.rule("idea.set_status")
def can_set_status(user, idea: Idea) -> bool:
    """Space experts, moderators and owners (and site admins) answer ideas with a status."""
    return can_view_idea(user, idea) and guardian.can(user, "space.answer_as_expert", idea.space)


@guardian.rule("idea.merge")
def can_merge(user, idea: Idea) -> bool:
    """Merging a duplicate into another idea, and undoing it: whoever answers with a status."""
    return can_set_status(user, idea)


@guardian.rule("idea.edit")
def can_edit_idea(user, idea: Idea) -> bool:
    """Moderators always; the author until someone else votes or the status changes."""
    if guardian.can(user, "space.moderate", idea.space):
        return True
    own = idea.author_id is not None and getattr(user, "id", None) == idea.author_id
    return own and idea.author_may_edit and guardian.can(user, "thread.start", idea.space)


@guardian.rule("idea.delete")
def can_delete_idea(user, idea: Idea) -> bool:
    """Like editing: moderators always; the author until someone else votes or the status
    changes. (An idea others were merged into is kept; the operation refuses that.)"""
    return can_edit_idea(user, idea)
