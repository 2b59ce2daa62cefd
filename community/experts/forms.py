"""Expertise forms: they validate input and never save."""

from __future__ import annotations

from flask import current_app
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, StringField
from wtforms.validators import DataRequired, Length, Optional

from community.web.args import Args, Choice, Month, Page, Text
from community.web.forms import IdField


class ExpertiseForm(FlaskForm):
    """Declare one's expertise tags."""

    tags = StringField(_l("Your expertise"), validators=[Optional(), Length(max=200)])


class VerifyForm(FlaskForm):
    """Verify or revoke a tag: in a space (its moderators) or site-wide (admins)."""

    space = IdField(validators=[Optional()])
    next = HiddenField()


class ClaimForm(FlaskForm):
    """Claim a routed question (the CSRF token, and where to go back to)."""

    next = HiddenField()


class PassOnForm(FlaskForm):
    """Pass a routed question on to another expert."""

    username = StringField(
        _l("Pass on to"),
        validators=[DataRequired(message=_l("Whose username?")), Length(max=40)],
    )
    next = HiddenField()


class DirectoryArgs(Args):
    """The expert directory's filters: ``?tag=…&space=<address>&language=zh_Hans&page=2``."""

    tag = Text(30)
    space = Text(60)
    language = Choice(lambda: current_app.config["LANGUAGES"])
    page = Page()


class LeaderboardArgs(Args):
    """A leaderboard's period: ``?month=YYYY-MM`` (none: all time)."""

    month = Month()
