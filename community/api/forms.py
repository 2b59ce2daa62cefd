"""The API token form: it validates input and never saves."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import RadioField, StringField
from wtforms.validators import DataRequired, Length

from community.api.models import NAME_MAX, SCOPE_LABELS, Scope
from community.web.forms import as_choices


class TokenForm(FlaskForm):
    name = StringField(
        _l("Token name"),
        validators=[
            DataRequired(_l("Name the token, e.g. after the script that uses it.")),
            Length(max=NAME_MAX),
        ],
    )
    scope = RadioField(
        _l("What it may do"),
        choices=as_choices((scope.value, label) for scope, label in SCOPE_LABELS.items()),
        default=Scope.READ.value,
    )
