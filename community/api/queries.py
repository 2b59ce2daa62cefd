"""Looking up tokens."""

from __future__ import annotations

from sqlalchemy import select

from community.api.models import TOKEN_PREFIX, ApiToken, digest
from community.extensions import db


def token_for(secret: str) -> ApiToken | None:
    """The live token with this secret, with its user; None for anything else."""
    if not secret.startswith(TOKEN_PREFIX) or len(secret) > 200:
        return None
    return db.session.scalar(
        select(ApiToken).where(ApiToken.token_hash == digest(secret), ApiToken.revoked_at.is_(None))
    )


def tokens_of(user) -> list[ApiToken]:
    """Someone's live tokens, newest first."""
    return list(
        db.session.scalars(
            select(ApiToken)
            .where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
            .order_by(ApiToken.created_at.desc(), ApiToken.id.desc())
        )
    )
