"""Idea forms: they validate input and never save."""

from __future__ import annotations

import re

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from community.ideas.models import STATUS_LABELS, IdeaStatus
from community.ideas.queries import SORTS
from community.web.args import Args, Choice, Flag, Id, Page, Text
from community.web.forms import OPTIONAL_REASON, as_choices

# "42", "#42" or a pasted link ending in /ideas/42.
IDEA_NUMBER = re.compile(r"^(?:#\s*|.*/ideas/)?(\d{1,10})/?$")


class IdeaForm(FlaskForm):
    """Propose or edit an idea."""

    title = StringField(
        _l("Your idea in one sentence"),
        validators=[DataRequired(message=_l("Give it a title.")), Length(max=300)],
    )
    body = TextAreaField(
        _l("Describe it"),
        validators=[DataRequired(message=_l("Write something first.")), Length(max=51_000)],
    )
    tags = StringField(_l("Tags"), validators=[Optional(), Length(max=400)])
    reason = TextAreaField(_l("Why are you editing this idea?"), validators=OPTIONAL_REASON)


class StatusForm(FlaskForm):
    """Move an idea through the pipeline, with a public response."""

    status = SelectField(
        _l("New status"),
        choices=as_choices(
            (s.value, label) for s, label in STATUS_LABELS.items() if s != IdeaStatus.MERGED
        ),
    )
    response = TextAreaField(
        _l("Public response"),
        validators=[
            DataRequired(message=_l("Tell the community why, in a short response.")),
            Length(max=11_000),
        ],
    )


class MergeForm(FlaskForm):
    """Merge a duplicate into another idea, named by its number, with a public response.
    (Field names differ from the status form's: both are on the idea page.)"""

    merge_into = StringField(
        _l("Merge into idea number"),
        validators=[DataRequired(message=_l("Enter the number of the idea to merge into."))],
    )
    merge_response = TextAreaField(
        _l("Why merge? (shown to everyone)"),
        validators=[
            DataRequired(message=_l("Tell the community why, in a short response.")),
            Length(max=11_000),
        ],
    )

    def validate_merge_into(self, field) -> None:
        if IDEA_NUMBER.match(field.data.strip()) is None:
            raise ValidationError(_l("Enter an idea's number, such as 42."))

    def target_id(self) -> int:
        """The number of the idea to merge into (after validation)."""
        return int(IDEA_NUMBER.match(self.merge_into.data.strip()).group(1))


class UnmergeForm(FlaskForm):
    """Undo a merge, optionally saying why."""

    unmerge_response = TextAreaField(
        _l("Why unmerge? (optional, shown to everyone)"),
        validators=[Optional(), Length(max=11_000)],
    )


class IdeaListArgs(Args):
    """An ideas list: ``?status=open&sort=top&tag=…&mine=1&voted=1&product=3&page=2``."""

    status = Choice(["open", *(s.value for s in IdeaStatus)])
    sort = Choice(SORTS, load_default="trending")
    tag = Text(30)
    mine = Flag()
    voted = Flag()
    product = Id(load_default=None)
    page = Page()
