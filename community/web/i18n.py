"""Language selection: the user's preference, then the switcher's choice, then Accept-Language."""

from __future__ import annotations

from contextlib import AbstractContextManager

from flask import current_app, has_request_context, request, session
from flask_babel import force_locale
from flask_login import current_user

SESSION_KEY = "locale"  # the switcher's choice: kept across sign-in and sign-out
ACCOUNT_KEY = "account_locale"  # the signed-in account's language: gone at sign-out


def normalise_locale(tag: str | None) -> str | None:
    """Map a language tag (``zh-CN``, ``zh_Hans``, ``en-GB``) to a supported locale, or None."""
    if not tag:
        return None
    tag = tag.replace("-", "_").strip()
    if tag in current_app.config["LANGUAGES"]:
        return tag
    primary = tag.split("_", 1)[0].lower()
    if primary == "zh":
        return "zh_Hans"
    if primary == "en":
        return "en"
    return None


def select_locale() -> str:
    """Flask-Babel's locale selector (the default outside requests, e.g. on the CLI)."""
    if not has_request_context():
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    if current_user and current_user.is_authenticated and current_user.locale:
        chosen = normalise_locale(current_user.locale)
        if chosen:
            return chosen
    return request_locale()


def request_locale() -> str:
    """The reader's language from the request alone, without reading the database (error
    pages): the signed-in account's language (copied at sign-in), then the switcher's choice,
    then Accept-Language, then the default."""
    for key in (ACCOUNT_KEY, SESSION_KEY):
        chosen = normalise_locale(session.get(key))
        if chosen:
            return chosen
    for tag, _quality in request.accept_languages:
        chosen = normalise_locale(tag)
        if chosen:
            return chosen
    return current_app.config["BABEL_DEFAULT_LOCALE"]


def locale_of(user) -> str:
    """The language to write to ``user`` in when they are not the one asking (e-mail, live
    pushes): their chosen one, else the site's default."""
    return user.locale or current_app.config["BABEL_DEFAULT_LOCALE"]


def content_language(space) -> AbstractContextManager:
    """Write in the language of ``space``'s content, not the reader's: text the app puts into
    the space (or into a file of it) for everyone, whoever asked for it."""
    return force_locale(space.content_language or current_app.config["BABEL_DEFAULT_LOCALE"])


def html_lang(locale: str) -> str:
    """The BCP 47 tag for the ``lang`` attribute (``zh_Hans`` → ``zh-Hans``)."""
    return locale.replace("_", "-")
