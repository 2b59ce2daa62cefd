"""Notification forms: following something, the notification settings. They validate only."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, SelectField
from wtforms.validators import DataRequired, InputRequired

from community.notifications.kinds import KINDS
from community.notifications.models import DELIVERY_LABELS, LEVEL_LABELS, Target
from community.web.forms import IdField, as_choices


class FollowForm(FlaskForm):
    """Follow a thing at a level, or stop following it (an empty level)."""

    target_type = SelectField(
        choices=as_choices((t.value, t.value) for t in Target), validators=[DataRequired()]
    )
    target_id = IdField(validators=[InputRequired()])
    level = SelectField(
        _l("Notifications"),
        choices=as_choices(
            [("", _l("Not following"))] + [(k.value, v) for k, v in LEVEL_LABELS.items()]
        ),
        validate_choice=True,
    )
    next = HiddenField()


class ConfirmForm(FlaskForm):
    """A one-button form (mark read, mark all read, unsubscribe)."""


def settings_form(**defaults) -> FlaskForm:
    """The settings form: two automatic-follow choices and one delivery per kind."""

    class NotificationSettingsForm(FlaskForm):
        follow_created = BooleanField(_l("Follow the threads and ideas I create"))
        follow_voted = BooleanField(_l("Follow the ideas I vote for"))

    choices = as_choices((k.value, v) for k, v in DELIVERY_LABELS.items())
    for name, kind in KINDS.items():
        setattr(
            NotificationSettingsForm,
            f"mail_{name}",
            SelectField(kind.label, choices=choices, validate_choice=True),
        )
    return NotificationSettingsForm(data=defaults)
