"""Password hashing (Argon2id) and the strength rules new passwords must meet."""

from __future__ import annotations

import functools

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app
from flask_babel import gettext as _

MIN_LENGTH = 10
MAX_LENGTH = 200
COMMON_PASSWORDS = frozenset(
    [
        "password",
        "password1",
        "password12",
        "password123",
        "password1234",
        "passw0rd123",
        "1234567890",
        "0123456789",
        "12345678910",
        "qwertyuiop",
        "qwerty1234",
        "qwerty12345",
        "1q2w3e4r5t",
        "1qaz2wsx3edc",
        "iloveyou123",
        "letmein123",
        "welcome123",
        "welcome1234",
        "abc1234567",
        "abcdefghij",
        "administrator",
        "admin12345",
        "changeme123",
        "sunshine123",
        "football123",
        "baseball123",
        "dragon1234",
        "monkey1234",
        "princess123",
        "trustno1234",
        "whatever123",
        "starwars123",
        "superman123",
        "computer123",
        "michael123",
        "11111111111",
        "1111111111",
        "0000000000",
        "aaaaaaaaaa",
        "zaq12wsxcv",
        "asdfghjkl1",
        "zxcvbnm123",
        "cocreate123",
    ]
)


def _hasher() -> tuple[PasswordHasher, str]:
    """The hasher for the app's ``PASSWORD_HASHING`` parameters, and a hash made with it that
    a sign-in with no matching account is checked against, so a miss costs as long as a hit."""
    return _hasher_for(tuple(sorted(current_app.config["PASSWORD_HASHING"].items())))


@functools.cache
def _hasher_for(parameters: tuple[tuple[str, int], ...]) -> tuple[PasswordHasher, str]:
    hasher = PasswordHasher(**dict(parameters))
    return hasher, hasher.hash("no-such-account-timing-equaliser")


def hash_password(password: str) -> str:
    """An Argon2id hash of ``password``."""
    return _hasher()[0].hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """Check ``password``; with no hash (no such account) still spend the same time."""
    hasher, dummy = _hasher()
    try:
        return hasher.verify(password_hash or dummy, password) and bool(password_hash)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    """True when the hash was made with other parameters than today's."""
    return _hasher()[0].check_needs_rehash(password_hash)


def password_problem(password: str, *, username: str = "", email: str = "") -> str | None:
    """Why ``password`` is too weak, or None when it is acceptable."""
    if len(password) < MIN_LENGTH:
        return _("Use at least %(count)d characters.", count=MIN_LENGTH)
    if len(password) > MAX_LENGTH:
        return _("Use at most %(count)d characters.", count=MAX_LENGTH)
    lowered = password.casefold()
    if lowered in COMMON_PASSWORDS or len(set(lowered)) < 4:
        return _("This password is too easy to guess; choose a less common one.")
    local_part = email.split("@", 1)[0].casefold()
    for personal in (username.casefold(), local_part):
        if len(personal) >= 3 and personal in lowered and len(lowered) - len(personal) < 6:
            return _("Don't build your password from your username or e-mail.")
    return None
