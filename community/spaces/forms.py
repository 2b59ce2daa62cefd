"""Space forms: they validate input and never save."""

from __future__ import annotations

from flask import current_app
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional, ValidationError

from community.spaces.models import SPACE_ROLE_LABELS, VISIBILITY_LABELS, VOTE_BUDGET_MAX
from community.web.args import Args, Choice, Flag, Page, Text
from community.web.forms import as_choices


class SpaceForm(FlaskForm):
    """Create or edit a space."""

    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=80)])
    slug = StringField(_l("Address"), validators=[Optional(), Length(max=60)])
    description = TextAreaField(_l("Description"), validators=[Optional(), Length(max=2000)])
    tags = StringField(_l("Topic tags"), validators=[Optional(), Length(max=200)])
    visibility = SelectField(
        _l("Visibility"),
        choices=as_choices((v.value, label) for v, label in VISIBILITY_LABELS.items()),
    )
    expert_community = BooleanField(_l("Expert community"))
    content_language = SelectField(_l("Language of the content"))

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        languages = current_app.config["LANGUAGES"]
        self.content_language.choices = list(languages.items())
        if self.content_language.data is None:
            self.content_language.data = current_app.config["BABEL_DEFAULT_LOCALE"]

    def values(self) -> dict[str, str | bool]:
        """The submitted fields, as the space operations take them."""
        return {
            "name": self.name.data,
            "slug": self.slug.data or "",
            "description": self.description.data or "",
            "visibility": self.visibility.data,
            "tags": self.tags.data or "",
            "expert_community": bool(self.expert_community.data),
            "content_language": self.content_language.data,
        }


class JoinRequestForm(FlaskForm):
    """Ask to join a restricted space."""

    note = TextAreaField(_l("Why would you like to join? (optional)"), validators=[Length(max=500)])


class MemberRoleForm(FlaskForm):
    """Change a member's role in a space."""

    role = SelectField(
        _l("Role"), choices=as_choices((r.value, label) for r, label in SPACE_ROLE_LABELS.items())
    )


class BanForm(FlaskForm):
    """Ban someone from a space."""

    reason = StringField(_l("Reason"), validators=[DataRequired(), Length(max=500)])
    until = DateField(_l("Until (leave empty for no end)"), validators=[Optional()])


class InviteForm(FlaskForm):
    """Make an invite link."""

    days = IntegerField(
        _l("Valid for (days)"), default=7, validators=[DataRequired(), NumberRange(1, 90)]
    )
    requires_approval = BooleanField(_l("Moderators approve people who use it"))


class VoteBudgetForm(FlaskForm):
    """A space's ideas settings: how many open ideas one person may vote for at a time."""

    vote_budget = StringField(_l("Votes per member"), validators=[Optional()])

    def validate_vote_budget(self, field) -> None:
        value = field.data.strip()
        if not (value.isdigit() and len(value) <= 4 and 1 <= int(value) <= VOTE_BUDGET_MAX):
            raise ValidationError(
                _l(
                    "Enter a whole number from 1 to %(max)d, or leave it empty for no limit.",
                    max=VOTE_BUDGET_MAX,
                )
            )

    def budget(self) -> int | None:
        """The submitted budget; None for no limit."""
        value = (self.vote_budget.data or "").strip()
        return int(value) if value else None


class DirectoryArgs(Args):
    """The spaces directory: ``?q=…&tag=…&mine=1&page=2`` (``partial=1``: the results only,
    for the search box that filters as one types)."""

    q = Text(100, cut=True)
    tag = Text(30)
    mine = Flag()
    partial = Flag()
    page = Page()


class MembersArgs(Args):
    """A space's members list: ``?state=pending&page=2``."""

    state = Choice(["active", "pending", "banned"], load_default="active")
    page = Page()
