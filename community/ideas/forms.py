"""Idea forms: they validate input and never save."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from community.forms import as_choices
from community.ideas.models import STATUS_LABELS, IdeaStatus


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
