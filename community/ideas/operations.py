"""Every change to ideas: submitting, editing, voting and moving through the status pipeline.

Vote counts change with SQL increments next to a unique (idea, user) constraint, so
concurrent votes leave exactly one row per voter and a count equal to the rows.

Concurrent requests take their locks in one order, so they wait for each other instead of
deadlocking: the idea's row first (``SELECT … FOR UPDATE``), then, where a space has a vote
budget, one PostgreSQL advisory lock per (space, voter) held until the commit, then vote rows.
A voter's budget is counted only under that lock, so two simultaneous votes cannot both take
the last one. SQLite has no row locks but lets one writer in at a time: there, checks that
must see the latest rows run after the transaction's first write.
"""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import IntegrityError

from community import signals
from community.accounts.models import User
from community.accounts.queries import resolve_usernames
from community.database import utcnow
from community.errors import OperationError
from community.extensions import db
from community.forums import operations as forums
from community.forums.models import TITLE_MAX, Post, ThreadKind
from community.ideas import queries
from community.ideas.models import Idea, IdeaStatus, IdeaStatusChange, IdeaTag, IdeaVote
from community.markdown import render_markdown
from community.permissions import guardian
from community.spaces.models import Space
from community.tags import parse_tags


def _require(user, action: str, obj, message: str) -> None:
    if not guardian.can(user, action, obj):
        raise OperationError(message)


def _lock_rows(idea_ids: list[int]) -> None:
    """Lock these ideas' rows until the commit, in id order (PostgreSQL; a no-op on SQLite)."""
    db.session.execute(
        select(Idea.id).where(Idea.id.in_(idea_ids)).order_by(Idea.id).with_for_update()
    )


def _lock_budgets(space_id: int, user_ids: list[int]) -> None:
    """Hold the (space, voter) budget locks until the commit, in user order (PostgreSQL;
    on SQLite the vote's own write already keeps other writers out)."""
    if db.session.get_bind().dialect.name != "postgresql":
        return
    for user_id in sorted(set(user_ids)):
        db.session.execute(select(func.pg_advisory_xact_lock(space_id, user_id)))


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
    _require(author, "idea.submit", space, _("Join this space to post ideas."))
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


def edit_idea(idea: Idea, *, by: User, title: str, body: str, tags: str | list[str] = "") -> None:
    """Edit an idea (the author until it has support from others or a status; moderators)."""
    _require(by, "idea.edit", idea, _("This idea can no longer be edited by its author."))
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
    idea.title, idea.body_source = title, body
    idea.body_html = render_markdown(body, resolve_usernames).html
    idea.tags = [IdeaTag(tag=t) for t in tag_list]
    idea.updated_at = utcnow()
    if idea.thread is not None:
        idea.thread.title = title
    db.session.flush()
    signals.idea_updated.send(idea, by=by)


def cast_vote(idea: Idea, user: User) -> bool:
    """Vote for ``idea``; voting twice changes nothing. Returns True when a vote was added.

    Where the space has a vote budget, a vote beyond the voter's active votes is refused."""
    if idea.is_closed:
        raise OperationError(_("This idea is closed and takes no more votes."))
    _require(user, "idea.vote", idea, _("You may not vote on this idea."))
    budget = idea.space.vote_budget
    _lock_rows([idea.id])
    if budget is not None:
        _lock_budgets(idea.space_id, [user.id])
    values = {"vote_count": Idea.vote_count + 1, "updated_at": utcnow()}
    if user.id != idea.author_id:
        values["author_may_edit"] = False
    try:
        with db.session.begin_nested():
            db.session.add(
                IdeaVote(
                    idea_id=idea.id,
                    user_id=user.id,
                    organisation=user.organisation or "",
                    segment=user.segment or "",
                )
            )
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
        return False  # already voted (perhaps in a concurrent request)
    signals.vote_cast.send(idea, user=user)
    return True


def retract_vote(idea: Idea, user: User) -> bool:
    """Take a vote back; doing it twice changes nothing. Returns True when a vote was removed."""
    if idea.is_closed:
        raise OperationError(_("This idea is closed; its votes stay as they are."))
    _lock_rows([idea.id])
    removed = db.session.execute(
        delete(IdeaVote).where(IdeaVote.idea_id == idea.id, IdeaVote.user_id == user.id)
    ).rowcount
    if removed:
        db.session.execute(
            update(Idea).where(Idea.id == idea.id).values(vote_count=Idea.vote_count - removed)
        )
        db.session.flush()
        signals.vote_retracted.send(idea, user=user)
    return bool(removed)


def change_status(idea: Idea, status: str, *, response: str, by: User) -> IdeaStatusChange:
    """Move an idea to another status with a public response (space experts, moderators)."""
    _require(by, "idea.set_status", idea, _("You may not change the status of this idea."))
    if status not in {s.value for s in IdeaStatus} or status == IdeaStatus.MERGED:
        raise OperationError(_("Choose a status from the list."), field="status")
    if status == idea.status:
        raise OperationError(_("The idea already has that status."), field="status")
    response = response.strip()
    if not response:
        raise OperationError(_("Tell the community why, in a short response."), field="response")
    if len(response) > 10_000:
        raise OperationError(
            _("A response may have at most %(count)d characters.", count=10_000), "response"
        )
    change = IdeaStatusChange(
        idea_id=idea.id,
        from_status=idea.status,
        to_status=status,
        response_source=response,
        response_html=render_markdown(response, resolve_usernames).html,
        by_id=by.id,
    )
    db.session.add(change)
    old = idea.status
    idea.status = status
    idea.status_changed_at = idea.updated_at = utcnow()
    idea.author_may_edit = False
    db.session.flush()
    signals.idea_status_changed.send(idea, old=old, new=status, change=change, by=by)
    return change


def recount_votes() -> int:
    """Make every cached vote count equal its vote rows; returns how many were wrong."""
    actual = select(func.count(IdeaVote.id)).where(IdeaVote.idea_id == Idea.id).scalar_subquery()
    wrong = db.session.scalar(select(func.count(Idea.id)).where(Idea.vote_count != actual))
    if wrong:
        db.session.execute(update(Idea).where(Idea.vote_count != actual).values(vote_count=actual))
    return wrong or 0
