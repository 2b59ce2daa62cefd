"""How a page's form post that runs one operation ends: commit and say so, or roll back and
say why the operation refused; then go back to the page the form was on."""

from __future__ import annotations

from flask import flash, redirect
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from community.errors import OperationError
from community.extensions import db


def finish(
    target: str, error: OperationError | None = None, message: str | None = None
) -> Response:
    """Roll back and flash ``error``'s message, or commit and flash ``message`` (if any);
    then redirect to ``target``."""
    if error is not None:
        db.session.rollback()
        flash(error.message, "danger")
    else:
        db.session.commit()
        if message:
            flash(message, "success")
    return redirect(target)


def refuse_form(target: str, message: str | None = None) -> Response:
    """A one-button form that did not validate (a stale page, a missing token): nothing
    changes; say so and go back."""
    flash(message or _("That request was not understood. Reload the page and try again."), "danger")
    return redirect(target)
