"""Moderation forms: flagging, and the queue's actions (each with a required reason)."""

from __future__ import annotations

import marshmallow as ma
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, IntegerField, RadioField, TextAreaField
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from community.moderation.models import FLAG_REASON_LABELS, REASON_MAX
from community.web.args import RANGE_REVERSED, Args, Day, Page, Text, check_range
from community.web.forms import REASON, as_choices


class FlagForm(FlaskForm):
    """Flag something for the moderators."""

    reason = RadioField(
        _l("What is wrong with it?"),
        choices=as_choices((r.value, label) for r, label in FLAG_REASON_LABELS.items()),
        validators=[InputRequired(message=_l("Choose why you are flagging this."))],
    )
    note = TextAreaField(
        _l("Anything the moderators should know? (optional)"),
        validators=[Optional(), Length(max=REASON_MAX)],
    )


class ReasonForm(FlaskForm):
    """An action that needs only a reason (hide, delete, lock, warn, unsuspend)."""

    reason = TextAreaField(_l("Reason"), validators=REASON)


class ApproveForm(ReasonForm):
    """Approve, with a fingerprint of the words the moderator read (``operations.approve``)."""

    seen = HiddenField(
        validators=[
            InputRequired(message=_l("Reload the page and read it again before you decide.")),
            Length(max=64),
        ]
    )


class PeriodForm(ReasonForm):
    """An action for a number of days (ban from the space, suspend)."""

    days = IntegerField(
        _l("Days"),
        default=7,
        validators=[
            InputRequired(message=_l("Give a number of days.")),
            NumberRange(min=1, max=3650, message=_l("Give a number of days from 1 to 3650.")),
        ],
    )


class SpaceSettingsForm(FlaskForm):
    """A space's moderation settings."""

    hold_new_posts = BooleanField(_l("Hold new members' first posts for approval"))


class AuditArgs(Args):
    """The audit log's filters: an action, a space's address, who acted, whom it was about,
    and the days from and to (both included)."""

    action = Text(80)
    space = Text(80)
    actor = Text(80)
    target = Text(80)
    since = Day()
    until = Day()
    page = Page()

    @ma.validates_schema(skip_on_field_errors=False)
    def range_in_order(self, data, **kwargs) -> None:
        check_range(data, "since", "until", RANGE_REVERSED)
