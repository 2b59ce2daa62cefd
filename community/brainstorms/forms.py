"""Session forms: they validate input and never save."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateTimeLocalField,
    HiddenField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional, ValidationError

from community.brainstorms.models import (
    DOT_TOTALS_LABELS,
    PROMPT_MAX,
    TIMER_MODE_LABELS,
    WHO_MAY_GROUP_LABELS,
    DotTotals,
    TimerMode,
    WhoMayGroup,
)
from community.brainstorms.operations import MINUTES_MAX
from community.web.args import Args, Id
from community.web.forms import as_choices


def local_to_utc(moment: datetime, zone: str) -> datetime:
    """``moment``, a wall-clock time as entered (no zone), in time zone ``zone`` (an IANA name,
    as the browser's ``Intl`` says it; UTC when empty), as an aware UTC time. ValueError for an
    unknown zone or a time that no calendar holds once converted (9999-12-31 west of UTC)."""
    try:
        tz = ZoneInfo(zone) if zone else UTC
        return moment.replace(tzinfo=tz).astimezone(UTC)
    except (ZoneInfoNotFoundError, ValueError, OverflowError, OSError, TypeError) as error:
        raise ValueError(str(error)) from error


def _minutes(label, default: int) -> IntegerField:
    return IntegerField(
        label,
        default=default,
        validators=[
            DataRequired(message=_l("Give a number of minutes.")),
            NumberRange(1, MINUTES_MAX, message=_l("Between 1 and %(max)d minutes.")),
        ],
    )


class SessionForm(FlaskForm):
    """Schedule a brainstorming session."""

    prompt = StringField(
        _l("Prompt"),
        validators=[
            DataRequired(message=_l("Give the session a prompt.")),
            Length(max=PROMPT_MAX, message=_l("At most %(max)d characters.")),
        ],
    )
    scheduled_for = DateTimeLocalField(
        _l("Starts at (your time, optional)"), format="%Y-%m-%dT%H:%M", validators=[Optional()]
    )
    #: The facilitator's time zone, which their browser fills in; the start time is entered in
    #: it, kept in UTC and shown in each viewer's own time zone.
    timezone = HiddenField(validators=[Optional(), Length(max=64)])
    timer_mode = SelectField(
        _l("Timer"),
        choices=as_choices((t.value, label) for t, label in TIMER_MODE_LABELS.items()),
        default=TimerMode.HARD.value,
    )
    anonymous = BooleanField(_l("Anonymous: nobody sees who wrote which note"))
    hidden_ideation = BooleanField(_l("Hide notes from others until grouping starts"), default=True)
    dots_per_participant = IntegerField(
        _l("Dots per participant"),
        default=5,
        validators=[
            DataRequired(message=_l("Give a number of dots.")),
            NumberRange(1, 20, message=_l("Between 1 and 20 dots.")),
        ],
    )
    dots_per_item = IntegerField(
        _l("Dots per item"),
        default=3,
        validators=[
            DataRequired(message=_l("Give a number of dots.")),
            NumberRange(1, 20, message=_l("Between 1 and 20 dots.")),
        ],
    )
    who_may_group = SelectField(
        _l("Who may group the notes"),
        choices=as_choices((w.value, label) for w, label in WHO_MAY_GROUP_LABELS.items()),
        default=WhoMayGroup.EVERYONE.value,
    )
    dot_totals = SelectField(
        _l("Dot totals"),
        choices=as_choices((d.value, label) for d, label in DOT_TOTALS_LABELS.items()),
        default=DotTotals.HIDDEN.value,
    )
    ideate_minutes = _minutes(_l("Ideate (minutes)"), 10)
    group_minutes = _minutes(_l("Group (minutes)"), 5)
    vote_minutes = _minutes(_l("Vote (minutes)"), 5)

    #: The start time in UTC, once validated (None: not scheduled).
    scheduled_utc: datetime | None = None

    def validate_scheduled_for(self, field) -> None:
        self.scheduled_utc = None
        if field.data is None:
            return
        try:
            self.scheduled_utc = local_to_utc(field.data, self.timezone.data or "")
        except ValueError:
            raise ValidationError(_l("Schedule the session within the next year.")) from None


class SessionSettingsForm(SessionForm):
    """Change a session's settings (its facilitator); the dot totals are chosen once."""

    dot_totals = None


class PromoteForm(FlaskForm):
    """Post a note or cluster of the results as an idea, prefilled and editable."""

    title = StringField(
        _l("Idea title"),
        validators=[DataRequired(message=_l("Give it a title.")), Length(max=300)],
    )
    body = TextAreaField(
        _l("Describe it"),
        validators=[DataRequired(message=_l("Write something first.")), Length(max=51_000)],
    )
    tags = StringField(_l("Tags"), validators=[Optional(), Length(max=400)])


class PromoteArgs(Args):
    """What to promote to an idea: ``?note=<id>`` or ``?cluster=<id>``."""

    note = Id(load_default=None)
    cluster = Id(load_default=None)
