"""Expertise forms: they validate input and never save."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, IntegerField, StringField
from wtforms.validators import DataRequired, Length, Optional


class ExpertiseForm(FlaskForm):
    """Declare one's expertise tags."""

    tags = StringField(_l("Your expertise"), validators=[Optional(), Length(max=200)])


class VerifyForm(FlaskForm):
    """Verify or revoke a tag: in a space (its moderators) or site-wide (admins)."""

    space = IntegerField(validators=[Optional()])
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
