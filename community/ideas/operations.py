"""Ideas and their votes: submitting, editing and deleting an idea, casting and taking back a
vote (within the space's vote budget), and counting votes again.

Vote counts change with SQL increments next to a unique (idea, user) constraint, so
concurrent votes leave exactly one row per voter and a count equal to the rows. Locks are
taken in the order ``locks.py`` describes. What moderators do to ideas — statuses, bulk
changes, merging duplicates — is in ``curation.py``.
"""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import delete, func, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError

from community import signals
from community.accounts.models import User
from community.accounts.queries import resolve_usernames
from community.database import utcnow
from community.errors import OperationError
from community.extensions import db
from community.forums import operations as forums
from community.forums.models import TITLE_MAX, Post, ThreadKind
from community.ideas import queries, trending
from community.ideas.locks import hold, lock_budgets, lock_rows
from community.ideas.models import Idea, IdeaStatusChange, IdeaTag, IdeaVote, SpaceIdeaCount
from community.permissions import guardian
from community.spaces.models import Space
from community.text.markdown import render_markdown
from community.text.tags import parse_tags
from community.web.reasons import clean_reason


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
    count_idea(idea, 1)
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
    lock_rows([idea.id])
    if budget is not None:
        lock_budgets(idea.space_id, [user.id])
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
    lock_rows([idea.id])
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


def delete_idea(idea: Idea, *, by: User) -> None:
    """Delete an idea with its votes and timeline, and its co-design thread (moderators; the
    author until someone else votes or the status changes). An idea that others were merged
    into is kept, so that their links and the votes moved to it keep their meaning."""
    guardian.ensure(by, "idea.delete", idea, _("You may not delete this idea."))
    hold(idea)
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
    count_idea(idea, -1)
    db.session.delete(idea)
    db.session.flush()


def count_idea(idea: Idea, sign: int) -> None:
    """A shown idea (not hidden by moderation) is counted in its space and status (``sign``
    1) or no longer (-1); callers count it before and after they change its status or
    visibility, as forums count threads."""
    if idea.hidden_at is not None:
        return
    dialect = db.session.get_bind().dialect.name
    insert = sqlite.insert if dialect == "sqlite" else postgresql.insert
    stmt = insert(SpaceIdeaCount).values(space_id=idea.space_id, status=idea.status, ideas=sign)
    db.session.execute(
        stmt.on_conflict_do_update(
            index_elements=["space_id", "status"],
            set_={"ideas": SpaceIdeaCount.ideas + stmt.excluded.ideas},
        )
    )


def recount_space_ideas() -> int:
    """Make every space's kept idea counts equal its shown ideas in each status; returns how
    many counts were wrong."""
    shown = db.session.execute(
        select(Idea.space_id, Idea.status, func.count(Idea.id))
        .where(Idea.hidden_at.is_(None))
        .group_by(Idea.space_id, Idea.status)
    )
    actual = {(space_id, status): n for space_id, status, n in shown}
    kept = {
        (row.space_id, row.status): row.ideas for row in db.session.scalars(select(SpaceIdeaCount))
    }
    wrong = [key for key in actual.keys() | kept.keys() if actual.get(key, 0) != kept.get(key, 0)]
    for space_id, status in wrong:
        db.session.merge(
            SpaceIdeaCount(
                space_id=space_id, status=status, ideas=actual.get((space_id, status), 0)
            )
        )
    db.session.flush()
    return len(wrong)


def _vote_rows():
    return select(func.count(IdeaVote.id)).where(IdeaVote.idea_id == Idea.id).scalar_subquery()


def recount_ideas(idea_ids: list[int]) -> None:
    """Count these ideas' votes and trending values again from their rows."""
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
