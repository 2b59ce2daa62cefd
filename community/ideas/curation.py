"""What moderators and experts do to ideas: moving them along the status pipeline with a
public response (one at a time or in bulk), retagging in bulk, and merging a duplicate into
another idea (and undoing it), which moves its voters' votes within the vote budget."""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import delete, select, update

from community import signals
from community.accounts.models import User
from community.accounts.queries import resolve_usernames
from community.database import ID_MAX, utcnow
from community.errors import OperationError
from community.extensions import db
from community.ideas import queries, trending
from community.ideas.locks import hold, lock_budgets
from community.ideas.models import (
    Idea,
    IdeaStatus,
    IdeaStatusChange,
    IdeaTag,
    IdeaVote,
    TimelineKind,
)
from community.ideas.operations import count_idea, recount_ideas
from community.ideas.permissions import can_support
from community.permissions import guardian
from community.spaces.permissions import prime_members
from community.text.markdown import render_markdown
from community.text.tags import MAX_TAGS, parse_tags

RESPONSE_MAX = 10_000


def _clean_response(response: str, *, required: bool = True, field: str = "response") -> str:
    response = response.strip()
    if required and not response:
        raise OperationError(_("Tell the community why, in a short response."), field=field)
    if len(response) > RESPONSE_MAX:
        raise OperationError(
            _("A response may have at most %(count)d characters.", count=RESPONSE_MAX), field
        )
    return response


def _record_change(
    idea: Idea, status: str, response: str, by: User, related: Idea | None = None
) -> IdeaStatusChange:
    """Move ``idea`` to ``status`` with a step on its timeline."""
    change = IdeaStatusChange(
        idea_id=idea.id,
        from_status=idea.status,
        to_status=status,
        response_source=response,
        response_html=render_markdown(response, resolve_usernames).html if response else "",
        by_id=by.id,
        related_idea_id=related.id if related is not None else None,
    )
    db.session.add(change)
    count_idea(idea, -1)
    idea.status = status
    count_idea(idea, 1)
    idea.status_changed_at = idea.updated_at = utcnow()
    idea.author_may_edit = False
    db.session.flush()
    return change


def change_status(idea: Idea, status: str, *, response: str, by: User) -> IdeaStatusChange:
    """Move an idea to another status with a public response (space experts, moderators)."""
    guardian.ensure(by, "idea.set_status", idea, _("You may not change the status of this idea."))
    if status not in {s.value for s in IdeaStatus} or status == IdeaStatus.MERGED:
        raise OperationError(_("Choose a status from the list."), field="status")
    response = _clean_response(response)
    hold(idea)
    if idea.status == IdeaStatus.MERGED:
        raise OperationError(_("This idea is merged. Unmerge it to change its status."))
    if status == idea.status:
        raise OperationError(_("The idea already has that status."), field="status")
    old = idea.status
    change = _record_change(idea, status, response, by)
    signals.idea_status_changed.send(idea, old=old, new=status, change=change, by=by)
    return change


#: How many ideas one bulk change may touch.
BULK_MAX = 200


def _bulk_ideas(ideas: list[Idea], by: User) -> None:
    if not ideas:
        raise OperationError(_("Select at least one idea."), field="ideas")
    if len(ideas) > BULK_MAX:
        raise OperationError(
            _("Change at most %(count)d ideas at once.", count=BULK_MAX), field="ideas"
        )
    refused = [i for i in ideas if not guardian.can(by, "idea.set_status", i)]
    if refused:
        raise OperationError(
            _("You may not change idea #%(id)d; nothing was changed.", id=refused[0].id),
            field="ideas",
        )


def bulk_change_status(
    ideas: list[Idea], status: str, *, response: str, by: User
) -> list[IdeaStatusChange]:
    """Move several ideas to ``status`` with one public response; all or none. Ideas that
    already have that status are left as they are."""
    _bulk_ideas(ideas, by)
    moving = [idea for idea in ideas if idea.status != status]
    if not moving:
        raise OperationError(_("The selected ideas already have that status."), field="status")
    return [change_status(idea, status, response=response, by=by) for idea in moving]


def bulk_retag(ideas: list[Idea], *, add: str = "", remove: str = "", by: User) -> int:
    """Add and remove tags on several ideas (moderators of their spaces); all or none.
    Returns how many ideas changed."""
    _bulk_ideas(ideas, by)
    adding, removing = parse_tags(add, "add"), parse_tags(remove, "remove")
    if not adding and not removing:
        raise OperationError(_("Name a tag to add or remove."), field="add")
    changed = 0
    for idea in ideas:
        before = idea.tag_names
        after = [t for t in before if t not in removing]
        after += [t for t in adding if t not in after]
        if after == before:
            continue
        if len(after) > MAX_TAGS:
            raise OperationError(
                _(
                    "Idea #%(id)d would have more than %(count)d tags; nothing was changed.",
                    id=idea.id,
                    count=MAX_TAGS,
                ),
                field="add",
            )
        kept = [t for t in idea.tags if t.tag not in removing]
        idea.tags = kept + [IdeaTag(tag=t) for t in adding if t not in before]
        idea.updated_at = utcnow()
        changed += 1
        db.session.flush()
        signals.idea_updated.send(idea, by=by, before={"tags": before})
    return changed


def merge_idea(idea: Idea, into_id: int, *, response: str, by: User) -> IdeaStatusChange:
    """Merge the duplicate ``idea`` into idea number ``into_id``, with a public response (those
    who may change its status). Its voters become voters of the other idea, once each and within
    that space's vote budget; its own votes and co-design thread stay on its page."""
    guardian.ensure(by, "idea.merge", idea, _("You may not merge this idea."))
    target = db.session.get(Idea, into_id) if 0 < into_id <= ID_MAX else None
    if target is None or not guardian.can(by, "idea.view", target):
        raise OperationError(
            _("There is no idea #%(number)d that you can see.", number=into_id), "merge_into"
        )
    if target.id == idea.id:
        raise OperationError(_("An idea cannot be merged into itself."), "merge_into")
    response = _clean_response(response, field="merge_response")
    hold(idea, target)
    if idea.status == IdeaStatus.MERGED:
        raise OperationError(_("This idea is already merged into another one."))
    if target.status == IdeaStatus.MERGED:
        raise OperationError(
            _(
                "Idea #%(number)d is itself merged into another idea. Merge into that one.",
                number=target.id,
            ),
            "merge_into",
        )
    change = _record_change(idea, IdeaStatus.MERGED.value, response, by, related=target)
    idea.merged_into_id = target.id
    db.session.flush()
    moved = _move_votes(idea, target)
    signals.idea_merged.send(idea, into=target, change=change, moved=moved, by=by)
    return change


def _move_votes(source: Idea, target: Idea) -> int:
    """Give ``source``'s voters a vote on ``target``: not those who voted there already or may
    not support it, and, while ``target`` is open, only within their vote budget there (the
    source is merged by now, so its own votes no longer count). Returns how many moved."""
    candidates = db.session.execute(
        select(IdeaVote, User)
        .join(User, User.id == IdeaVote.user_id)
        .where(
            IdeaVote.idea_id == source.id,
            IdeaVote.user_id.not_in(select(IdeaVote.user_id).where(IdeaVote.idea_id == target.id)),
        )
        .order_by(IdeaVote.user_id)
    ).all()
    prime_members(target.space, [user.id for _vote, user in candidates])
    moving = [(vote, user) for vote, user in candidates if can_support(user, target)]
    budget = target.space.vote_budget
    if budget is not None and not target.is_closed:
        voter_ids = [user.id for _vote, user in moving]
        lock_budgets(target.space_id, voter_ids)
        active = queries.active_votes(voter_ids, target.space_id)
        moving = [(vote, user) for vote, user in moving if active[user.id] < budget]
    if not moving:
        return 0
    db.session.add_all(
        IdeaVote(
            idea_id=target.id,
            user_id=user.id,
            organisation=vote.organisation,
            segment=vote.segment,
            created_at=vote.created_at,
            merged_from_id=source.id,
        )
        for vote, user in moving
    )
    values = {"vote_count": Idea.vote_count + len(moving)}
    if any(user.id != target.author_id for _vote, user in moving):
        values["author_may_edit"] = False
    db.session.execute(
        update(Idea).where(Idea.id == target.id).values(**values),
        execution_options={"synchronize_session": False},
    )
    db.session.flush()
    # The moved votes keep their dates: the target's trend is counted again (it is held).
    trending.recount([target.id])
    db.session.refresh(target)
    return len(moving)


def unmerge_idea(idea: Idea, *, response: str = "", by: User) -> IdeaStatusChange:
    """Undo a merge: the idea returns to the status it had before it, and the votes the merge
    gave the other idea are taken back (those voters' own votes here were kept)."""
    guardian.ensure(by, "idea.merge", idea, _("You may not unmerge this idea."))
    response = _clean_response(response, required=False, field="unmerge_response")
    target = idea.merged_into
    hold(idea, *([target] if target is not None else []))
    if idea.status != IdeaStatus.MERGED:
        raise OperationError(_("This idea is not merged."))
    if idea.merged_into_id != (target.id if target is not None else None):
        raise OperationError(_("This idea changed meanwhile. Reload the page and try again."))
    merge = db.session.scalar(
        select(IdeaStatusChange)
        .where(
            IdeaStatusChange.idea_id == idea.id,
            IdeaStatusChange.kind == TimelineKind.STATUS.value,
            IdeaStatusChange.to_status == IdeaStatus.MERGED.value,
        )
        .order_by(IdeaStatusChange.created_at.desc(), IdeaStatusChange.id.desc())
        .limit(1)
    )
    removed = 0
    if target is not None:
        removed = db.session.execute(
            delete(IdeaVote).where(
                IdeaVote.idea_id == target.id, IdeaVote.merged_from_id == idea.id
            )
        ).rowcount
    previous = merge.from_status if merge is not None else IdeaStatus.NEW.value
    change = _record_change(idea, previous, response, by, related=target)
    idea.merged_into_id = None
    recount_ideas([i.id for i in (idea, target) if i is not None])
    signals.idea_unmerged.send(idea, into=target, change=change, removed=removed, by=by)
    return change
