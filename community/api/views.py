"""Pages around the API: personal tokens in the settings, and the browsable documentation.

URLs (blueprint ``api_pages``):

    GET POST /settings/api-tokens                    tokens
        One's personal API tokens
    POST /settings/api-tokens/<int:token_id>/revoke  revoke
        Revoke one of one's tokens
    GET /api/v1/docs                                 docs
        The OpenAPI document, browsable (Swagger UI, vendored)
"""

from __future__ import annotations

from flask import Blueprint, flash, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from community.api import operations, queries
from community.api.forms import TokenForm
from community.api.models import ApiToken
from community.extensions import db
from community.web.actions import attempt, saving

bp = Blueprint("api_pages", __name__)


@bp.route("/settings/api-tokens", methods=["GET", "POST"])
@login_required
def tokens():
    """One's personal API tokens: create one (its secret shown once) or revoke one."""
    form = TokenForm()
    secret = None
    if form.validate_on_submit():
        with saving(form) as saved:
            token, secret = operations.create_token(
                current_user, name=form.name.data, scope=form.scope.data
            )
        if saved:
            flash(_("Token “%(name)s” created.", name=token.name), "success")
            form = TokenForm(formdata=None)
    return render_template(
        "api/tokens.html",
        form=form,
        secret=secret,
        tokens=queries.tokens_of(current_user),
    )


@bp.route("/settings/api-tokens/<int:token_id>/revoke", methods=["POST"])
@login_required
def revoke(token_id: int):
    token = db.first_or_404(
        select(ApiToken).where(
            ApiToken.id == token_id,
            ApiToken.user_id == current_user.id,
            ApiToken.revoked_at.is_(None),
        )
    )
    target = url_for("api_pages.tokens")
    return attempt(
        target,
        lambda: operations.revoke_token(token, by=current_user),
        _("Token “%(name)s” revoked.", name=token.name),
    )


@bp.route("/api/v1/docs")
def docs():
    """The OpenAPI document, browsable (Swagger UI, vendored)."""
    return render_template("api/docs.html")
