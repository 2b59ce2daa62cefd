"""Language selection (the user's preference, then the switcher's choice, then
Accept-Language) and the translation catalogues: one per language per process, looked up once
per request."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import AbstractContextManager

import flask
from flask import Flask, current_app, g, has_request_context, request, session
from flask_babel import Domain, force_locale, get_babel, get_translations
from flask_babel import _get_current_context as babel_context
from flask_login import current_user
from wtforms.i18n import messages_path

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


class Labels(Mapping[str, str]):
    """A dict of lazy labels (``_l``) as pages read it: translated once per request and
    language, not again for each row that shows one of them."""

    def __init__(self, lazy: Mapping[str, object]) -> None:
        self.lazy = lazy

    def translated(self) -> dict[str, str]:
        ctx = babel_context()
        if ctx is None:
            return {key: str(label) for key, label in self.lazy.items()}
        done = ctx.__dict__.setdefault("translated_labels", {})
        key = (id(self), id(get_translations()))  # one catalogue object per language
        if key not in done:
            done[key] = {key: str(label) for key, label in self.lazy.items()}
        return done[key]

    def __getitem__(self, key: str) -> str:
        return self.translated()[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self.lazy)

    def __len__(self) -> int:
        return len(self.lazy)


class Catalogues(Domain):
    """Flask-Babel's domain with WTForms' messages merged under the project's own (which win on
    a shared message), so one catalogue per language serves pages and forms.

    Flask-Babel loads each language's catalogue once per process, but finds it again on every
    lookup by the locale's name; this keeps the request's catalogue on the request instead
    (where ``force_locale`` and ``refresh`` already reset it)."""

    def __init__(self, app: Flask) -> None:
        directories = [messages_path(), *get_babel(app).translation_directories]
        domains = ["wtforms", *[get_babel(app).default_domain] * (len(directories) - 1)]
        super().__init__(directories, ";".join(domains))

    def get_translations(self):
        ctx = babel_context()
        translations = getattr(ctx, "babel_translations", None)
        if translations is None:
            translations = super().get_translations()
            if ctx is not None:
                ctx.babel_translations = translations
        return translations


class FormMessages:
    """WTForms' messages in the reader's language, from the request's catalogue."""

    def ugettext(self, string: str) -> str:
        return get_translations().ugettext(string)

    def ungettext(self, singular: str, plural: str, n: int) -> str:
        return get_translations().ungettext(singular, plural, n)


class Request(flask.Request):
    """Flask's request, which gives Flask-WTF WTForms' messages from the request's catalogue:
    Flask-WTF uses what it finds on ``request.wtforms_translations`` and otherwise loads
    WTForms' catalogue from disk again for every request that builds a form (the pages that
    answer a refused CSRF token too, which no ``before_request`` hook would reach in time)."""

    wtforms_translations = FormMessages()


def request_translations():
    """The request's catalogue, for templates' lookups (hundreds a page): where
    :class:`Catalogues` keeps it, found through ``g`` once, instead of Flask-Babel's
    ``get_translations()``, which finds its context twice (three reads through ``g`` each).
    Anything else (no catalogue kept yet, ``force_locale`` or ``refresh`` having reset it, no
    request) takes Flask-Babel's way."""
    try:
        translations = g._flask_babel.babel_translations
    except (AttributeError, RuntimeError):
        translations = None
    return translations if translations is not None else get_translations()


def register_catalogues(app: Flask) -> None:
    """Serve ``app``'s translations from :class:`Catalogues` (after ``babel.init_app``), to
    templates through :func:`request_translations`, and Flask-WTF's from the same
    catalogue."""
    get_babel(app).instance.domain_instance = Catalogues(app)
    app.jinja_env.install_gettext_callables(
        gettext=lambda s: request_translations().ugettext(s),
        ngettext=lambda s, p, n: request_translations().ungettext(s, p, n),
        pgettext=lambda c, s: request_translations().upgettext(c, s),
        npgettext=lambda c, s, p, n: request_translations().unpgettext(c, s, p, n),
        newstyle=True,
    )
    app.request_class = Request
