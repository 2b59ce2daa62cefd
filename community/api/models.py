"""Personal API tokens: a user's key to ``/api/v1``, read-only or read-write, revocable."""

from __future__ import annotations

import enum
import hashlib
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from community.accounts.models import User
from community.database import UTCDateTime, utcnow
from community.extensions import db

NAME_MAX = 60
#: How many live tokens one person may hold.
TOKENS_MAX = 10
#: Tokens look like ``cc_<40 url-safe characters>``; the first characters identify it in lists.
TOKEN_PREFIX = "cc_"  # noqa: S105 - a label, not a secret
SHOWN_CHARS = 10


class Scope(enum.StrEnum):
    READ = "read"
    WRITE = "write"


SCOPE_LABELS = {
    Scope.READ: _l("Read: see what you can see"),
    Scope.WRITE: _l("Read and write: also vote and change what you may change"),
}


def digest(secret: str) -> str:
    """The stored form of a token: its SHA-256 (tokens are long random strings, so a fast
    hash is enough; the secret itself is shown once and never stored)."""
    return hashlib.sha256(secret.encode()).hexdigest()


class ApiToken(db.Model):
    __tablename__ = "api_tokens"
    __table_args__ = (Index("ix_api_tokens_user_revoked", "user_id", "revoked_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(NAME_MAX))
    scope: Mapped[str] = mapped_column(String(10), default=Scope.READ.value)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    #: The token's first characters, to recognise it in the list.
    shown: Mapped[str] = mapped_column(String(SHOWN_CHARS))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    user: Mapped[User] = relationship(lazy="joined", innerjoin=True)

    @property
    def writes(self) -> bool:
        return self.scope == Scope.WRITE.value

    def __repr__(self) -> str:
        return f"<ApiToken {self.shown}… of user {self.user_id}>"
