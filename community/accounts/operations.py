"""Every change to accounts: sign up, register, authenticate, passwords, profiles, roles.

Operations check the rule, change rows, flush and send a signal; the caller commits.
"""

from __future__ import annotations

import enum
import hashlib
import secrets
import unicodedata
from datetime import timedelta

from flask import current_app, render_template, url_for
from flask_babel import force_locale, format_date
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError

from community import signals
from community.accounts.models import SEGMENTS, PasswordResetToken, SignupRequest, User
from community.accounts.passwords import (
    hash_password,
    needs_rehash,
    password_problem,
    verify_password,
)
from community.accounts.sessions import end_all_sessions, start_session
from community.database import utcnow
from community.errors import OperationError
from community.extensions import db, mailer
from community.mail import Message
from community.permissions import Role, guardian
from community.web.i18n import locale_of


def normalise_key(value: str) -> str:
    """The form uniqueness is checked on: NFKC-normalised and case-folded (twice, as
    case folding can undo normalisation)."""
    folded = unicodedata.normalize("NFKC", value.strip()).casefold()
    return unicodedata.normalize("NFKC", folded)


def find_user_by_login(login: str) -> User | None:
    """The user whose username or e-mail matches ``login`` after normalisation."""
    key = normalise_key(login)
    if not key or "\x00" in key:  # no account has it; PostgreSQL refuses NUL in text
        return None
    return db.session.scalar(
        select(User).where((User.username_key == key) | (User.email_key == key))
    )


def _check_unique(username: str | None, email: str | None, exclude: User | None = None) -> None:
    checks = [("username", User.username_key, username), ("email", User.email_key, email)]
    for field, column, value in checks:
        if value is None:
            continue
        stmt = select(User.id).where(column == normalise_key(value))
        if exclude is not None:
            stmt = stmt.where(User.id != exclude.id)
        if db.session.scalar(stmt) is not None:
            if field == "username":
                raise OperationError(_("That username is taken."), field="username")
            raise OperationError(_("An account with that e-mail already exists."), field="email")


def _check_password(password: str, username: str, email: str, field: str = "password") -> None:
    problem = password_problem(password, username=username, email=email)
    if problem:
        raise OperationError(problem, field=field)


def register_user(
    *,
    username: str,
    email: str,
    display_name: str,
    password: str,
    locale: str | None = None,
    role: Role = Role.MEMBER,
) -> User:
    """Create a usable account at once (the demo, ``users create-admin``, tests; people sign
    up through :func:`request_signup`); refuses taken usernames/e-mails (after normalisation)
    and weak passwords."""
    username, email = unicodedata.normalize("NFKC", username.strip()), email.strip()
    _check_unique(username, email)
    _check_password(password, username, email)
    try:
        return _add_user(
            username=username,
            email=email,
            display_name=display_name,
            password_hash=hash_password(password),
            locale=locale,
            role=role,
        )
    except IntegrityError:
        # Someone registered the same name between our check and our insert.
        raise OperationError(
            _("That username or e-mail was just taken."), field="username"
        ) from None


def _add_user(
    *,
    username: str,
    email: str,
    display_name: str,
    password_hash: str,
    locale: str | None,
    role: Role = Role.MEMBER,
) -> User:
    """Insert the account (the caller checked the rules) and announce it; IntegrityError
    (inside a savepoint, so the transaction goes on) when the name or address was just
    taken."""
    user = User(
        username=username,
        username_key=normalise_key(username),
        email=email,
        email_key=normalise_key(email),
        display_name=display_name.strip() or username,
        password_hash=password_hash,
        role=role.value,
        locale=locale,
    )
    with db.session.begin_nested():  # on failure, the savepoint's rollback takes ``user`` out
        db.session.add(user)
        db.session.flush()
    signals.user_registered.send(user)
    return user


def authenticate(login: str, password: str) -> User | None:
    """The active user matching ``login`` and ``password``, or None. Upgrades old hashes."""
    user = find_user_by_login(login)
    if not verify_password(user.password_hash if user else None, password):
        return None
    if user is not None and user.active and user.is_suspended:
        raise OperationError(
            _("Your account is suspended until %(date)s.", date=format_date(user.suspended_until))
        )
    if user is None or not user.is_active:
        return None
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    user.last_login_at = utcnow()
    return user


def _set_password(user: User, password: str, reason: str) -> list:
    """Set the password and end every session of the user. Returns what else ended with the
    old password (the lazy sentences ``password_changed`` receivers return), which the
    security e-mail lists in the owner's language and the page shows."""
    user.password_hash = hash_password(password)
    db.session.flush()
    ended = [notice for _receiver, notice in signals.password_changed.send(user, reason=reason)]
    ended = [notice for notice in ended if notice]
    end_all_sessions(user, reason=reason)
    _mail_owner(
        user,
        _l("Your Cocreate password was changed"),
        "accounts/email/password_changed.txt",
        ended=ended,
    )
    return ended


def _mail_owner(user: User, subject, template: str, **context) -> None:
    """E-mail ``user`` in their language: the (lazy) ``subject`` and ``template`` rendered
    with ``user`` and ``context``."""
    with force_locale(locale_of(user)):
        mailer.send(
            Message(
                to=user.email,
                subject=str(subject),
                text=render_template(template, user=user, **context),
            )
        )


def change_password(
    user: User, current_password: str, new_password: str, *, user_agent: str = ""
) -> list[str]:
    """Change ``user``'s password after checking the current one. Every session ends; the
    browser that changed it goes on with a fresh one (``user.signed_in_session``). Returns
    what else ended with the old password, to tell the user."""
    if not verify_password(user.password_hash, current_password):
        raise OperationError(_("Your current password is not correct."), field="current_password")
    _check_password(new_password, user.username, user.email, field="new_password")
    if verify_password(user.password_hash, new_password):
        raise OperationError(_("Choose a password you haven't used here."), field="new_password")
    ended = _set_password(user, new_password, reason="change")
    start_session(user, user_agent=user_agent)
    return ended


def _token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def request_password_reset(email: str) -> None:
    """E-mail a single-use reset link if an active account has ``email``; silent otherwise,
    so the form does not reveal who has an account."""
    user = db.session.scalar(select(User).where(User.email_key == normalise_key(email)))
    if user is None or not user.is_active:
        return
    token = secrets.token_urlsafe(32)
    max_age = current_app.config["PASSWORD_RESET_MAX_AGE"]
    db.session.add(
        PasswordResetToken(
            user=user,
            token_hash=_token_digest(token),
            expires_at=utcnow() + timedelta(seconds=max_age),
        )
    )
    db.session.flush()
    link = url_for("accounts.reset_password", token=token, _external=True)
    _mail_owner(
        user,
        _l("Reset your Cocreate password"),
        "accounts/email/reset_password.txt",
        link=link,
        minutes=max_age // 60,
    )


def find_reset_token(token: str) -> PasswordResetToken | None:
    """The unused, unexpired reset token matching ``token``, or None."""
    row = db.session.scalar(
        select(PasswordResetToken).where(PasswordResetToken.token_hash == _token_digest(token))
    )
    if row is None or row.used_at is not None or row.expires_at <= utcnow():
        return None
    if not row.user.is_active:
        return None
    return row


def reset_password(token: str, new_password: str) -> tuple[User, list]:
    """Set a new password with a reset token; the token and every other one are spent, and
    every session of the account ends. Returns the user and what else ended with the old
    password, to tell them."""
    row = find_reset_token(token)
    if row is None:
        raise OperationError(_("This reset link is invalid, used or expired. Ask for a new one."))
    user = row.user
    _check_password(new_password, user.username, user.email)
    now = utcnow()
    for other in user.reset_tokens:
        if other.used_at is None:
            other.used_at = now
    return user, _set_password(user, new_password, reason="reset")


# Sign-up: the form never says whether an address has an account. The address's owner gets a
# link that creates the account, or a reminder that they already have one.


class SignupLink(enum.StrEnum):
    """What following a sign-up link leads to."""

    INVALID = "invalid"
    EXPIRED = "expired"
    USED = "used"
    ACCOUNT_EXISTS = "exists"  # the address got an account meanwhile (another sign-up of it)
    READY = "ready"  # to create the account


def request_signup(
    *, username: str, email: str, display_name: str, password: str, locale: str | None = None
) -> None:
    """Start a sign-up: a new address is e-mailed a link that creates the account; an address
    that has one is e-mailed a reminder instead. Both answer alike, in words and in time (the
    password is hashed either way). Refuses a taken username (usernames are public) and weak
    passwords."""
    username, email = unicodedata.normalize("NFKC", username.strip()), email.strip()
    _check_unique(username, None)
    _check_password(password, username, email)
    password_hash = hash_password(password)
    db.session.execute(delete(SignupRequest).where(SignupRequest.expires_at <= utcnow()))
    owner = _account_with_email(email)
    if owner is not None:
        _mail_account_exists(owner)
        return
    signup = SignupRequest(
        username=username,
        email=email,
        email_key=normalise_key(email),
        display_name=display_name.strip() or username,
        password_hash=password_hash,
        locale=locale,
    )
    db.session.add(signup)
    _mail_signup_link(signup)


def resend_signup(email: str) -> None:
    """Send the sign-up e-mail for ``email`` again: a fresh link (the last one stops working)
    for its newest waiting sign-up, or the reminder if the address has an account; nothing
    when there is neither."""
    owner = _account_with_email(email)
    if owner is not None:
        _mail_account_exists(owner)
        return
    signup = db.session.scalar(
        select(SignupRequest)
        .where(
            SignupRequest.email_key == normalise_key(email),
            SignupRequest.used_at.is_(None),
            SignupRequest.expires_at > utcnow(),
        )
        .order_by(SignupRequest.id.desc())
        .limit(1)
    )
    if signup is not None:
        _mail_signup_link(signup)


def _account_with_email(email: str) -> User | None:
    return db.session.scalar(select(User).where(User.email_key == normalise_key(email)))


def _mail_signup_link(signup: SignupRequest) -> None:
    """Give ``signup`` a new single-use token and e-mail its link, in the language the person
    is using."""
    token = secrets.token_urlsafe(32)
    max_age = current_app.config["SIGNUP_CONFIRM_MAX_AGE"]
    signup.token_hash = _token_digest(token)
    signup.expires_at = utcnow() + timedelta(seconds=max_age)
    db.session.flush()
    mailer.send(
        Message(
            to=signup.email,
            subject=_("Confirm your e-mail to finish signing up for Cocreate"),
            text=render_template(
                "accounts/email/confirm_signup.txt",
                signup=signup,
                link=url_for("accounts.confirm_signup", token=token, _external=True),
                hours=max_age // 3600,
            ),
        )
    )


def _mail_account_exists(user: User) -> None:
    """Tell the owner of an address that someone tried to sign up with it, in their
    language."""
    _mail_owner(
        user,
        _l("You already have a Cocreate account"),
        "accounts/email/account_exists.txt",
        login_link=url_for("accounts.login", _external=True),
        reset_link=url_for("accounts.forgot_password", _external=True),
    )


def find_signup(token: str) -> SignupRequest | None:
    """The sign-up whose link carries ``token`` (in any state), or None."""
    if not token or len(token) > 200:
        return None
    return db.session.scalar(
        select(SignupRequest).where(SignupRequest.token_hash == _token_digest(token))
    )


def signup_link_state(signup: SignupRequest | None) -> SignupLink:
    """What following the link of ``signup`` leads to."""
    if signup is None:
        return SignupLink.INVALID
    if signup.used_at is not None:
        return SignupLink.USED
    if signup.expires_at <= utcnow():
        return SignupLink.EXPIRED
    if _account_with_email(signup.email) is not None:
        return SignupLink.ACCOUNT_EXISTS
    return SignupLink.READY


def confirm_signup(token: str, *, username: str | None = None) -> User:
    """Create the account a sign-up link stands for, once, under ``username`` if given (when
    the one chosen at sign-up was taken meanwhile). Claiming the link is one conditional
    ``UPDATE``, so the same link followed twice at once creates one account; two sign-ups for
    the same address or username race on the unique keys, and the later one is refused."""
    signup = find_signup(token)
    state = signup_link_state(signup)
    if state != SignupLink.READY:
        raise OperationError(_signup_link_problem(state))
    claimed = db.session.execute(
        update(SignupRequest)
        .where(SignupRequest.id == signup.id, SignupRequest.used_at.is_(None))
        .values(used_at=utcnow())
    )
    if claimed.rowcount != 1:
        raise OperationError(_signup_link_problem(SignupLink.USED))
    name = unicodedata.normalize("NFKC", (username or signup.username).strip())
    try:
        _check_unique(name, None)
        return _add_user(
            username=name,
            email=signup.email,
            display_name=signup.display_name,
            password_hash=signup.password_hash,
            locale=signup.locale,
        )
    except (IntegrityError, OperationError):
        if _account_with_email(signup.email) is not None:
            raise OperationError(_signup_link_problem(SignupLink.ACCOUNT_EXISTS)) from None
        raise OperationError(
            _("Someone took that username while your sign-up waited. Choose another."),
            field="username",
        ) from None


def _signup_link_problem(state: SignupLink) -> str:
    return {
        SignupLink.INVALID: _("This sign-up link is not valid."),
        SignupLink.EXPIRED: _("This sign-up link has expired."),
        SignupLink.USED: _("This sign-up link was already used."),
        SignupLink.ACCOUNT_EXISTS: _("You already have an account with this e-mail address."),
    }[state]


def update_profile(
    user: User,
    *,
    display_name: str,
    bio: str,
    organisation: str,
    segment: str,
    locale: str | None,
) -> None:
    """Change the public profile and preferences of ``user``."""
    if segment and segment not in SEGMENTS:
        raise OperationError(_("Choose a segment from the list."), field="segment")
    if locale and locale not in current_app.config["LANGUAGES"]:
        raise OperationError(_("Choose a language from the list."), field="locale")
    user.display_name = display_name.strip() or user.username
    user.bio = bio.strip()
    user.organisation = organisation.strip()
    user.segment = segment
    user.locale = locale or None
    db.session.flush()
    signals.profile_updated.send(user)


def set_locale(user: User, locale: str) -> None:
    """Remember ``user``'s interface language."""
    if locale not in current_app.config["LANGUAGES"]:
        raise OperationError(_("Choose a language from the list."), field="locale")
    user.locale = locale
    db.session.flush()


def change_role(user: User, role: Role, *, by: User) -> None:
    """Give ``user`` the site role ``role``; only admins may, and the last admin stays one."""
    if not guardian.can(by, "users.change_role", user):
        raise OperationError(_("You may not change roles."))
    old = user.site_role
    if old == role:
        return
    if old == Role.ADMIN:
        admins = db.session.scalar(
            select(db.func.count(User.id)).where(User.role == Role.ADMIN.value, User.active)
        )
        if admins <= 1:
            raise OperationError(_("The site needs at least one admin."))
    user.role = role.value
    db.session.flush()
    signals.role_changed.send(user, old_role=old, new_role=role, by=by)
