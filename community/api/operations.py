"""Creating and revoking personal API tokens."""

from __future__ import annotations

import secrets

from flask_babel import gettext as _
from sqlalchemy import func, select, update

from community.api.models import (
    NAME_MAX,
    SHOWN_CHARS,
    TOKEN_PREFIX,
    TOKENS_MAX,
    ApiToken,
    Scope,
    digest,
)
from community.database import utcnow
from community.errors import OperationError
from community.extensions import db


def create_token(user, *, name: str, scope: str) -> tuple[ApiToken, str]:
    """A new token for ``user``; returns it with its secret, which is shown once only."""
    name = " ".join((name or "").split())
    if not name or len(name) > NAME_MAX:
        raise OperationError(
            _("Name the token (at most %(count)d characters).", count=NAME_MAX), "name"
        )
    if scope not in {s.value for s in Scope}:
        raise OperationError(_("Choose read or read-write."), "scope")
    live = db.session.scalar(
        select(func.count())
        .select_from(ApiToken)
        .where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
    )
    if live >= TOKENS_MAX:
        raise OperationError(
            _("You have %(count)d tokens already: revoke one first.", count=TOKENS_MAX)
        )
    secret = TOKEN_PREFIX + secrets.token_urlsafe(30)
    token = ApiToken(
        user_id=user.id,
        name=name,
        scope=scope,
        token_hash=digest(secret),
        shown=secret[:SHOWN_CHARS],
    )
    db.session.add(token)
    db.session.flush()
    return token, secret


def revoke_token(token: ApiToken, *, by) -> None:
    """Revoke one of ``by``'s own tokens; from now on it is refused."""
    if token.user_id != by.id:
        raise OperationError(_("That token is not yours."))
    if token.revoked_at is None:
        token.revoked_at = utcnow()


def revoke_all_tokens(user) -> int:
    """Revoke every live token of ``user`` (their password changed); returns how many."""
    result = db.session.execute(
        update(ApiToken)
        .where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    )
    return result.rowcount
