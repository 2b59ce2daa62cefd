"""Reads for the moderation pages: the queues, the audit log and one's warnings; each page
is a bounded number of queries whatever the number of items."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import Select, or_, select
from sqlalchemy.orm import joinedload

from community.accounts.queries import user_by_username
from community.extensions import db
from community.moderation.models import AuditEvent, CaseState, ModerationCase, ModerationWarning
from community.permissions import Role, has_role
from community.spaces.models import Space, Visibility
from community.text.diff import diff_html
from community.web.menu import menu_count

CASES_PER_PAGE = 25
EVENTS_PER_PAGE = 50


def queue_page(user, *, space: Space | None = None, page: int = 1) -> Pagination:
    """Open cases (flagged or held), most recently active first; a space's, or the site's
    (private spaces' only for admins)."""
    stmt = (
        select(ModerationCase)
        .options(joinedload(ModerationCase.space), joinedload(ModerationCase.author))
        .where(ModerationCase.state == CaseState.OPEN.value)
        .order_by(ModerationCase.updated_at.desc(), ModerationCase.id.desc())
    )
    if space is not None:
        stmt = stmt.where(ModerationCase.space_id == space.id)
    elif not has_role(user, Role.ADMIN):
        private = select(Space.id).where(Space.visibility == Visibility.PRIVATE.value)
        stmt = stmt.where(
            or_(ModerationCase.space_id.is_(None), ModerationCase.space_id.not_in(private))
        )
    return db.paginate(stmt, page=max(page, 1), per_page=CASES_PER_PAGE, error_out=False)


def changes_since_opened(case: ModerationCase, words: dict | None) -> dict | None:
    """What changed in the item's words since the case opened, as readable diffs of its title
    and body (each None when unchanged); None when nothing changed or it is gone."""
    if words is None or not case.original or words == case.original:
        return None
    changes = {}
    for part in ("title", "body"):
        then, now = case.original.get(part), words.get(part)
        changes[part] = diff_html(then or "", now or "") if then != now else None
    return changes


def case_history(case: ModerationCase, limit: int = 20) -> list[AuditEvent]:
    """What was done to the case's item, newest first."""
    return list(
        db.session.scalars(
            select(AuditEvent)
            .options(joinedload(AuditEvent.actor))
            .where(
                AuditEvent.target_type == case.target_type,
                AuditEvent.target_id == case.target_id,
            )
            .order_by(AuditEvent.created_at.desc(), AuditEvent.id.desc())
            .limit(limit)
        )
    )


def _user_id(username: str) -> int:
    """The id of the account with this username (0, which no account has, when none)."""
    user = user_by_username(username.lstrip("@"))
    return user.id if user is not None else 0


def audit_page(
    *,
    action: str = "",
    space: str = "",
    actor: str = "",
    target: str = "",
    since: date | None = None,
    until: date | None = None,
    page: int = 1,
) -> Pagination:
    """The audit log, newest first, filtered by action, space (slug), actor and target user
    (usernames) and a range of days (both included)."""
    stmt = select(AuditEvent).options(
        joinedload(AuditEvent.actor),
        joinedload(AuditEvent.target_user),
        joinedload(AuditEvent.space),
    )
    if action:
        stmt = stmt.where(AuditEvent.action == action)
    if space:
        stmt = stmt.where(AuditEvent.space_id.in_(select(Space.id).where(Space.slug == space)))
    if actor:
        stmt = stmt.where(AuditEvent.actor_id == _user_id(actor))
    if target:
        stmt = stmt.where(AuditEvent.target_user_id == _user_id(target))
    if since:
        stmt = stmt.where(AuditEvent.created_at >= datetime.combine(since, time(), tzinfo=UTC))
    if until:
        end = datetime.combine(until + timedelta(days=1), time(), tzinfo=UTC)
        stmt = stmt.where(AuditEvent.created_at < end)
    stmt = stmt.order_by(AuditEvent.created_at.desc(), AuditEvent.id.desc())
    return db.paginate(stmt, page=max(page, 1), per_page=EVENTS_PER_PAGE, error_out=False)


def audit_actions() -> list[str]:
    """The action names in the log, for the filter."""
    return list(
        db.session.scalars(select(AuditEvent.action).distinct().order_by(AuditEvent.action))
    )


def warnings_of(user) -> list[ModerationWarning]:
    """Someone's warnings, newest first."""
    return list(
        db.session.scalars(
            select(ModerationWarning)
            .options(joinedload(ModerationWarning.space))
            .where(ModerationWarning.user_id == user.id)
            .order_by(ModerationWarning.created_at.desc())
        )
    )


@menu_count("warnings")
def unread_warnings_select(user_id: int) -> Select:
    """The count of the warnings the user has not acknowledged, as a statement (the menu's
    link to them)."""
    return select(db.func.count(ModerationWarning.id)).where(
        ModerationWarning.user_id == user_id, ModerationWarning.acknowledged_at.is_(None)
    )
