"""Account forms: they validate input and never save."""

from __future__ import annotations

import re

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Email, EqualTo, Length, Optional, ValidationError

from community.accounts.models import SEGMENTS
from community.permissions import ROLE_LABELS, Role
from community.web.args import Args, Choice, Page, Text
from community.web.forms import as_choices

# Letters (any script), digits, underscore, dot and hyphen; starting with a letter or digit.
USERNAME_RE = re.compile(r"^[^\W_][\w.-]{1,29}$")
USERNAME_HINT = _l(
    "2–30 letters, digits, dots, hyphens or underscores; start with a letter or digit."
)


def _username_chars(form, field) -> None:
    if not USERNAME_RE.fullmatch(field.data or ""):
        raise ValidationError(USERNAME_HINT)


class RegisterForm(FlaskForm):
    """Sign up."""

    username = StringField(_l("Username"), validators=[DataRequired(), _username_chars])
    email = EmailField(
        _l("E-mail"),
        validators=[DataRequired(), Length(max=254), Email(check_deliverability=False)],
    )
    display_name = StringField(_l("Display name"), validators=[DataRequired(), Length(max=80)])
    password = PasswordField(_l("Password"), validators=[DataRequired()])
    confirm = PasswordField(
        _l("Repeat password"),
        validators=[DataRequired(), EqualTo("password", message=_l("The passwords differ."))],
    )


class ConfirmSignupForm(FlaskForm):
    """Finish signing up from the e-mailed link; a new username only when the one chosen was
    taken meanwhile."""

    username = StringField(_l("Username"), validators=[Optional(), _username_chars])


class ResendSignupForm(FlaskForm):
    """Send the sign-up e-mail again: only the CSRF token (the address is the session's)."""


class LoginForm(FlaskForm):
    """Sign in by username or e-mail."""

    login = StringField(_l("Username or e-mail"), validators=[DataRequired(), Length(max=254)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=200)])
    remember = BooleanField(_l("Keep me signed in on this device"))


class ForgotPasswordForm(FlaskForm):
    """Ask for a reset link."""

    email = EmailField(
        _l("E-mail"),
        validators=[DataRequired(), Length(max=254), Email(check_deliverability=False)],
    )


class ResetPasswordForm(FlaskForm):
    """Choose a new password with a reset link."""

    password = PasswordField(_l("New password"), validators=[DataRequired()])
    confirm = PasswordField(
        _l("Repeat new password"),
        validators=[DataRequired(), EqualTo("password", message=_l("The passwords differ."))],
    )


class ChangePasswordForm(FlaskForm):
    """Change the password while signed in."""

    current_password = PasswordField(_l("Current password"), validators=[DataRequired()])
    new_password = PasswordField(_l("New password"), validators=[DataRequired()])
    confirm = PasswordField(
        _l("Repeat new password"),
        validators=[DataRequired(), EqualTo("new_password", message=_l("The passwords differ."))],
    )


def segment_choices() -> list[SelectChoice]:
    """Segment options, with an empty first choice."""
    return as_choices([("", _l("Not specified")), *SEGMENTS.items()])


class ProfileForm(FlaskForm):
    """Edit the public profile and preferences."""

    display_name = StringField(_l("Display name"), validators=[DataRequired(), Length(max=80)])
    bio = TextAreaField(_l("About you"), validators=[Optional(), Length(max=2000)])
    organisation = StringField(_l("Organisation"), validators=[Optional(), Length(max=120)])
    segment = SelectField(_l("Customer segment"), validators=[Optional()])
    locale = SelectField(_l("Preferred language"), validators=[Optional()])

    def __init__(self, *args, languages: dict[str, str], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.segment.choices = segment_choices()
        self.locale.choices = as_choices(
            [("", _l("Use my browser's language")), *languages.items()]
        )


class RoleForm(FlaskForm):
    """Change one user's site role (admins)."""

    role = SelectField(
        _l("Role"),
        choices=as_choices((role.value, label) for role, label in ROLE_LABELS.items()),
    )


class LanguageForm(FlaskForm):
    """The language switcher in the footer."""

    locale = SelectField(_l("Language"))
    next = StringField()

    def __init__(self, *args, languages: dict[str, str], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.locale.choices = as_choices(languages.items())


class UsersArgs(Args):
    """The admin list of users: ``?q=…&role=expert&page=2``."""

    q = Text(100, cut=True)
    role = Choice([r.value for r in Role])
    page = Page()
