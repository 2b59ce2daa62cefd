"""The admin page for site settings.

URLs (blueprint ``settings``):

    GET POST /admin/settings  site_settings
        Show and change the site settings
"""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import SelectField

from community.permissions import permission_required
from community.settings.operations import DEFINITIONS, get_setting, set_setting
from community.web.actions import saving
from community.web.forms import as_choices

bp = Blueprint("settings", __name__)


class SiteSettingsForm(FlaskForm):
    """One select per site setting."""

    space_creation_role = SelectField(DEFINITIONS["space_creation_role"][2])

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for key, (_default, allowed, _label) in DEFINITIONS.items():
            getattr(self, key).choices = as_choices(allowed.items())


@bp.route("/admin/settings", methods=["GET", "POST"])
@permission_required("site.configure")
def site_settings():
    """Show and change the site settings."""
    form = SiteSettingsForm(data={key: get_setting(key) for key in DEFINITIONS})
    if form.validate_on_submit():
        with saving(form) as saved:
            for key in DEFINITIONS:
                set_setting(key, getattr(form, key).data, by=current_user)
        if saved:
            flash(_("Settings saved."), "success")
            return redirect(url_for("settings.site_settings"))
    return render_template("admin/settings.html", form=form)
