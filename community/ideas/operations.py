"""Every change to ideas: submitting, editing, voting, the status pipeline, merging duplicates
and deleting.

Vote counts change with SQL increments next to a unique (idea, user) constraint, so
concurrent votes leave exactly one row per voter and a count equal to the rows.

Concurrent requests take their locks in one order, so they wait for each other instead of
deadlocking: idea rows first (``SELECT … FOR UPDATE``, by ascending id), then, where a space
has a vote budget, one PostgreSQL advisory lock per (space, voter) held until the commit,
then vote rows. A voter's budget is counted only under that lock, so two simultaneous votes
cannot both take the last one. SQLite has no row locks but lets one writer in at a time:
there, checks that must see the latest rows run after the transaction's first write.
"""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import IntegrityError

from community import signals
from community.accounts.models import User
from community.accounts.queries import resolve_usernames
from community.database import ID_MAX, utcnow
from community.errors import OperationError
from community.extensions import db
from community.forums import operations as forums
from community.forums.models import TITLE_MAX, Post, ThreadKind
from community.ideas import queries, trending
from community.ideas.models import (
    Idea,
    IdeaStatus,
    IdeaStatusChange,
    IdeaTag,
    IdeaVote,
    TimelineKind,
)
from community.ideas.permissions import can_support
from community.permissions import guardian
from community.spaces.models import Space
from community.spaces.permissions import prime_members
from community.text.markdown import render_markdown
from community.text.tags import MAX_TAGS, parse_tags
from community.web.reasons import clean_reason

RESPONSE_MAX = 10_000


def _lock_rows(idea_ids: list[int]) -> None:
    """Lock these ideas' rows until the commit, in id order (PostgreSQL; a no-op on SQLite)."""
    db.session.execute(
        select(Idea.id).where(Idea.id.in_(idea_ids)).order_by(Idea.id).with_for_update()
    )


def _hold(*ideas: Idea) -> None:
    """Lock the ideas and read them afresh, so that the checks that follow see the latest
    status: on SQLite the ``updated_at`` write takes the database's write lock first."""
    ids = sorted({idea.id for idea in ideas})
    _lock_rows(ids)
    db.session.execute(
        update(Idea).where(Idea.id.in_(ids)).values(updated_at=utcnow()),
        execution_options={"synchronize_session": False},
    )
    for idea in ideas:
        db.session.refresh(idea)


def _lock_budgets(space_id: int, user_ids: list[int]) -> None:
    """Hold the (space, voter) budget locks until the commit, in user order (PostgreSQL;
    on SQLite the vote's own write already keeps other writers out)."""
    if db.session.get_bind().dialect.name != "postgresql":
        return
    for user_id in sorted(set(user_ids)):
        db.session.execute(select(func.pg_advisory_xact_lock(space_id, user_id)))


def _has_voted(idea_id: int, user_id: int) -> bool:
    return (
        db.session.scalar(
            select(IdeaVote.id).where(IdeaVote.idea_id == idea_id, IdeaVote.user_id == user_id)
        )
        is not None
    )


def _active(user: User, space_id: int) -> int:
    return queries.active_votes([user.id], space_id)[user.id]


def _budget_spent(budget: int) -> str:
    return ngettext(
        "You have used your %(num)d vote in this space. Take it back, or wait until the idea "
        "you voted for ships, is declined or is merged.",
        "You have used all %(num)d of your votes in this space. Take one back, or wait until "
        "an idea you voted for ships, is declined or is merged.",
        budget,
    )


def submit_idea(
    space: Space, *, author: User, title: str, body: str, tags: str | list[str] = ""
) -> Idea:
    """Propose an idea in ``space``; its co-design thread is started with it."""
    guardian.ensure(author, "idea.submit", space, _("Join this space to post ideas."))
    thread = forums.start_thread(
        space, author=author, kind=ThreadKind.CODESIGN.value, title=title, body=body, tags=tags
    )
    opening = thread_opening_html(thread.id)
    idea = Idea(
        space_id=space.id,
        author_id=author.id,
        thread_id=thread.id,
        title=thread.title,
        body_source=body.strip(),
        body_html=opening,
        tags=[IdeaTag(tag=t) for t in thread.tag_names],
    )
    db.session.add(idea)
    db.session.flush()
    thread.idea_id = idea.id
    db.session.flush()
    signals.idea_submitted.send(idea)
    return idea


def thread_opening_html(thread_id: int) -> str:
    return db.session.scalar(
        select(Post.body_html).where(Post.thread_id == thread_id, Post.is_opening.is_(True))
    )


def edit_idea(
    idea: Idea, *, by: User, title: str, body: str, tags: str | list[str] = "", reason: str = ""
) -> None:
    """Edit an idea (the author until it has support from others or a status; moderators,
    who give a ``reason`` for the audit log when the idea is someone else's)."""
    guardian.ensure(by, "idea.edit", idea, _("This idea can no longer be edited by its author."))
    reason = clean_reason(reason, required=idea.author_id != by.id)
    title = " ".join(title.split())
    if not title or len(title) > TITLE_MAX:
        raise OperationError(
            _("Give it a title of at most %(count)d characters.", count=TITLE_MAX), "title"
        )
    tag_list = parse_tags(tags)
    body = body.strip()
    if not body:
        raise OperationError(_("Write something first."), field="body")
    if len(body) > 50_000:
        raise OperationError(
            _("A post may have at most %(count)d characters.", count=50_000), "body"
        )
    before = {"title": idea.title, "body": idea.body_source}
    idea.title, idea.body_source = title, body
    idea.body_html = render_markdown(body, resolve_usernames).html
    idea.tags = [IdeaTag(tag=t) for t in tag_list]
    idea.updated_at = utcnow()
    if idea.thread is not None:
        idea.thread.title = title
    db.session.flush()
    signals.idea_updated.send(idea, by=by, reason=reason, before=before)


def cast_vote(idea: Idea, user: User) -> bool:
    """Vote for ``idea``; voting twice changes nothing. Returns True when a vote was added.

    Where the space has a vote budget, a vote beyond the voter's active votes is refused."""
    if idea.is_closed:
        raise OperationError(_("This idea is closed and takes no more votes."))
    guardian.ensure(user, "idea.vote", idea, _("You may not vote on this idea."))
    budget = idea.space.vote_budget
    _lock_rows([idea.id])
    if budget is not None:
        _lock_budgets(idea.space_id, [user.id])
    now = utcnow()
    values = {
        "vote_count": Idea.vote_count + 1,
        "trend": trending.add(Idea.trend, now, trending.VOTE),
        "updated_at": now,
    }
    if user.id != idea.author_id:
        values["author_may_edit"] = False
    vote = IdeaVote(
        idea_id=idea.id,
        user_id=user.id,
        organisation=user.organisation or "",
        segment=user.segment or "",
        created_at=now,
    )
    try:
        with db.session.begin_nested():
            db.session.add(vote)
            db.session.flush()
            # Counted after the vote's write, which on SQLite keeps other writers out.
            if budget is not None and _active(user, idea.space_id) > budget:
                raise OperationError(_budget_spent(budget))
            counted = db.session.execute(
                update(Idea)
                .where(Idea.id == idea.id, Idea.status.not_in(queries.CLOSED_VALUES))
                .values(**values)
            ).rowcount
            if not counted:  # closed by a request that committed meanwhile
                raise OperationError(_("This idea is closed and takes no more votes."))
    except IntegrityError:
        if _has_voted(idea.id, user.id):
            return False  # already voted (perhaps in a concurrent request)
        if db.session.scalar(select(Idea.id).where(Idea.id == idea.id)) is None:
            # Deleted by a request that committed after this one loaded it.
            raise OperationError(_("This idea was deleted.")) from None
        raise  # not the (idea, voter) uniqueness: a real error, never "already voted"
    _announce(signals.vote_cast, idea, user, vote)
    return True


def _announce(signal, idea: Idea, user: User, vote) -> None:
    """Send a vote signal with what the vote recorded (its time, segment and organisation)."""
    signal.send(
        idea,
        user=user,
        voted_at=vote.created_at,
        segment=vote.segment,
        organisation=vote.organisation,
    )


def retract_vote(idea: Idea, user: User) -> bool:
    """Take a vote back; doing it twice changes nothing. Returns True when a vote was removed.

    The vote is deleted by who cast it on which idea, and what it was is read back from that
    same statement: reading its id first and deleting by id later would let a concurrent
    request retract it and a third cast another vote that SQLite gives the freed id, so the
    late delete would take that vote and count it off the wrong idea."""
    if idea.is_closed:
        raise OperationError(_("This idea is closed; its votes stay as they are."))
    _lock_rows([idea.id])
    vote = db.session.execute(
        delete(IdeaVote)
        .where(IdeaVote.idea_id == idea.id, IdeaVote.user_id == user.id)
        .returning(IdeaVote.created_at, IdeaVote.segment, IdeaVote.organisation),
        execution_options={"synchronize_session": False},
    ).first()
    if vote is None:
        return False
    counted = db.session.execute(
        update(Idea)
        .where(Idea.id == idea.id, Idea.status.not_in(queries.CLOSED_VALUES))
        .values(vote_count=Idea.vote_count - 1),
        execution_options={"synchronize_session": False},
    ).rowcount
    if not counted:  # closed by a request that committed meanwhile
        raise OperationError(_("This idea is closed; its votes stay as they are."))
    trending.recount([idea.id])
    db.session.flush()
    _announce(signals.vote_retracted, idea, user, vote)
    return True


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
    idea.status = status
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
    _hold(idea)
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
    _hold(idea, target)
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
        _lock_budgets(target.space_id, voter_ids)
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
    _hold(idea, *([target] if target is not None else []))
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
    _recount([i.id for i in (idea, target) if i is not None])
    signals.idea_unmerged.send(idea, into=target, change=change, removed=removed, by=by)
    return change


def delete_idea(idea: Idea, *, by: User) -> None:
    """Delete an idea with its votes and timeline, and its co-design thread (moderators; the
    author until someone else votes or the status changes). An idea that others were merged
    into is kept, so that their links and the votes moved to it keep their meaning."""
    guardian.ensure(by, "idea.delete", idea, _("You may not delete this idea."))
    _hold(idea)
    if db.session.scalar(select(func.count(Idea.id)).where(Idea.merged_into_id == idea.id)):
        raise OperationError(
            _("Other ideas were merged into this one, so it cannot be deleted. Unmerge them first.")
        )
    thread = idea.thread
    if thread is not None and not thread.is_deleted:
        opening = db.session.scalar(
            select(Post).where(Post.thread_id == thread.id, Post.is_opening.is_(True))
        )
        forums.delete_post(opening, by=by)
    # Votes moved from this idea to another stay there, as ordinary votes.
    db.session.execute(
        update(IdeaVote).where(IdeaVote.merged_from_id == idea.id).values(merged_from_id=None)
    )
    db.session.execute(
        update(IdeaStatusChange)
        .where(IdeaStatusChange.related_idea_id == idea.id)
        .values(related_idea_id=None)
    )
    # Sent while the votes and timeline are still there, for receivers to read them.
    signals.idea_deleted.send(idea, by=by)
    db.session.execute(delete(IdeaVote).where(IdeaVote.idea_id == idea.id))
    db.session.execute(delete(IdeaStatusChange).where(IdeaStatusChange.idea_id == idea.id))
    db.session.delete(idea)
    db.session.flush()


def _vote_rows():
    return select(func.count(IdeaVote.id)).where(IdeaVote.idea_id == Idea.id).scalar_subquery()


def _recount(idea_ids: list[int]) -> None:
    db.session.execute(
        update(Idea).where(Idea.id.in_(idea_ids)).values(vote_count=_vote_rows()),
        execution_options={"synchronize_session": False},
    )
    trending.recount(idea_ids)
    db.session.flush()


def recount_votes() -> int:
    """Make every cached vote count equal its vote rows; returns how many were wrong."""
    actual = _vote_rows()
    wrong = db.session.scalar(select(func.count(Idea.id)).where(Idea.vote_count != actual))
    if wrong:
        db.session.execute(update(Idea).where(Idea.vote_count != actual).values(vote_count=actual))
    return wrong or 0
