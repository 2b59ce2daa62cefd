"""The explorer's bulk change form: it validates input and never saves."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, SelectField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional

from community.ideas.curation import BULK_MAX
from community.ideas.models import STATUS_LABELS, IdeaStatus
from community.web.forms import as_choices, row_id


class IdeaIdsField(StringField):
    """The ticked ideas: every ``ideas`` value of the form, as numbers."""

    def process_formdata(self, valuelist):
        self.data = []
        for raw in valuelist:
            try:
                self.data.append(row_id(raw))
            except ValueError:
                raise ValueError(_l("Select ideas from the list.")) from None
        if len(self.data) > BULK_MAX:
            raise ValueError(_l("Change at most %(count)d ideas at once.", count=BULK_MAX))


class BulkForm(FlaskForm):
    ideas = IdeaIdsField()
    action = SelectField(
        _l("Change"),
        choices=as_choices([("status", _l("Set status")), ("tags", _l("Add or remove tags"))]),
        validators=[InputRequired()],
    )
    status = SelectField(
        _l("New status"),
        choices=as_choices(
            [("", "—")]
            + [(s.value, label) for s, label in STATUS_LABELS.items() if s != IdeaStatus.MERGED]
        ),
        validators=[Optional()],
    )
    response = TextAreaField(_l("Public response"), validators=[Length(max=11_000)])
    add = StringField(_l("Add tags"), validators=[Length(max=200)])
    remove = StringField(_l("Remove tags"), validators=[Length(max=200)])
    next = HiddenField()
