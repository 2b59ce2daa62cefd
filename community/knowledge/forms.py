"""Knowledge base forms: they validate input and never save."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, SelectField, StringField, TextAreaField
from wtforms.validators import AnyOf, DataRequired, Length, Optional

from community.knowledge.models import BODY_MAX, SUMMARY_MAX, TITLE_MAX
from community.web.args import Args, Id, Page, Text


class ArticleForm(FlaskForm):
    """Write or edit an article, or suggest an edit. Limits have slack so that the
    operation's clear message is shown."""

    title = StringField(
        _l("Title"),
        validators=[
            DataRequired(message=_l("Give the article a title.")),
            Length(max=TITLE_MAX + 100),
        ],
    )
    body = TextAreaField(
        _l("Article"),
        validators=[
            DataRequired(message=_l("Write the article first.")),
            Length(max=BODY_MAX + 1000),
        ],
    )
    tags = StringField(_l("Tags"), validators=[Optional(), Length(max=400)])
    product = SelectField(_l("Product"), validate_choice=False)
    summary = StringField(_l("Edit summary"), validators=[Optional(), Length(max=SUMMARY_MAX + 50)])


class FeedbackForm(FlaskForm):
    """ "Did this help?": yes or no."""

    helpful = HiddenField(validators=[AnyOf(["yes", "no"])])


class DeflectForm(FlaskForm):
    """ "This answered my question": which suggestion, and the title that was typed."""

    target = HiddenField(validators=[DataRequired()])
    title = HiddenField(validators=[Optional(), Length(max=TITLE_MAX + 100)])


class ConfirmForm(FlaskForm):
    """A one-button form (publish, delete, accept, decline): only the CSRF token."""


class ArticleListArgs(Args):
    """The knowledge base's list: ``?q=…&tag=…&product=<id>&space=<address>|site&page=2``."""

    q = Text(100, cut=True)
    tag = Text(30)
    product = Id(load_default=None)
    space = Text(60)
    page = Page()


class DiffArgs(Args):
    """The revision to compare with: ``?against=<revision id>``."""

    against = Id(load_default=None)
