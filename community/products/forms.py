"""Product, release and idea-link forms: they validate input and never save."""

from __future__ import annotations

from datetime import date

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from community.accounts.models import SEGMENTS
from community.products.models import DESCRIPTION_MAX, NAME_MAX, NOTES_MAX, SLUG_MAX
from community.web.args import Args, Choice, Text
from community.web.forms import row_id


class ProductForm(FlaskForm):
    """Create or edit a product and choose the spaces that own it."""

    name = StringField(
        _l("Name"),
        validators=[DataRequired(message=_l("Give the product a name.")), Length(max=NAME_MAX)],
    )
    slug = StringField(_l("Address"), validators=[Optional(), Length(max=SLUG_MAX)])
    description = TextAreaField(
        _l("Description"), validators=[Optional(), Length(max=DESCRIPTION_MAX)]
    )
    spaces = SelectMultipleField(_l("Owning spaces"), coerce=row_id, validate_choice=False)


class ReleaseForm(FlaskForm):
    """Create or edit a release. The date is checked here for its shape; the operation checks
    the version, the range of dates and duplicates."""

    version = StringField(
        _l("Version"),
        validators=[DataRequired(message=_l("Give the release a version, such as 1.2 or 2.0.1."))],
    )
    released_on = StringField(
        _l("Release date"), validators=[DataRequired(message=_l("Give the release date."))]
    )
    notes = TextAreaField(_l("Release notes"), validators=[Optional(), Length(max=NOTES_MAX)])

    def validate_released_on(self, field) -> None:
        try:
            date.fromisoformat(field.data.strip())
        except ValueError:
            raise ValidationError(
                _l("Enter the date as year-month-day, such as 2026-11-27.")
            ) from None

    def release_date(self) -> date:
        """The release date (after validation)."""
        return date.fromisoformat(self.released_on.data.strip())


class IdeaProductForm(FlaskForm):
    """Set the product an idea is for; the value is a product id, or empty for none."""

    product = SelectField(_l("Product"), validate_choice=False)


class IdeaReleaseForm(FlaskForm):
    """Link a shipped idea to a release of its product; empty unlinks it."""

    release = SelectField(_l("Delivered in release"), validate_choice=False)


class RoadmapArgs(Args):
    """A roadmap's filters: ``?tag=…&segment=enterprise``."""

    tag = Text(30)
    segment = Choice(SEGMENTS)
