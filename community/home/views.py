"""Front page and the language switcher.

URLs (blueprint ``home``):

    GET /           index
        What Cocreate is, and where to go next
    POST /language  set_language
        Switch the interface language; remembered on the account when signed in
"""

from __future__ import annotations

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user

from community.accounts import operations as accounts
from community.accounts.forms import LanguageForm
from community.extensions import db
from community.web.i18n import SESSION_KEY
from community.web.pagecache import anonymous_page
from community.web.security import safe_next

bp = Blueprint("home", __name__)


@bp.route("/")
@anonymous_page()
def index():
    """What Cocreate is, and where to go next."""
    return render_template("home/index.html")


@bp.route("/language", methods=["POST"])
def set_language():
    """Switch the interface language; remembered on the account when signed in."""
    form = LanguageForm(languages=current_app.config["LANGUAGES"])
    back = safe_next(form.next.data, url_for("home.index"))
    if not form.validate_on_submit():
        flash(_("Choose a language from the list."), "danger")
        return redirect(back)
    session[SESSION_KEY] = form.locale.data
    if current_user.is_authenticated:
        accounts.set_locale(current_user, form.locale.data)
        db.session.commit()
    return redirect(back)


@bp.app_context_processor
def language_switcher():
    """Give every page the switcher's form, preset to the current path."""

    def make_form() -> LanguageForm:
        form = LanguageForm(formdata=None, languages=current_app.config["LANGUAGES"])
        path = request.full_path.rstrip("?") if request else "/"
        form.next.data = path
        return form

    return {"language_form": make_form}
