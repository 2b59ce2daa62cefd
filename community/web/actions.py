"""How a page's form post that runs an operation ends. A button or small form runs one operation
through ``attempt``: commit and say so, or roll back and say why the operation refused; then go
back to the page. A form page runs it inside ``saving(form)``: commit, or roll back and show the
refusal on the form, which the page renders again."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TypeVar

from flask import flash, redirect
from flask_babel import gettext as _
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response

from community.errors import OperationError
from community.extensions import db

Result = TypeVar("Result")


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


def attempt(
    target: str,
    action: Callable[[], Result],
    message: str | Callable[[Result], str] | None = None,
    *,
    refused_to: str | None = None,
) -> Response:
    """Run ``action`` (a call of one operation, with no arguments) and ``finish``: on success
    commit, flash ``message`` and redirect to ``target``; if the operation refuses, roll back,
    flash why and redirect to ``refused_to`` (``target`` unless given).

    ``message`` may be a function of what ``action`` returned, for a message that names what
    the operation made or reached (it runs before the commit, like the action)."""
    try:
        result = action()
    except OperationError as error:
        return finish(refused_to or target, error)
    return finish(target, message=message(result) if callable(message) else message)


class Saved:
    """What a ``saving`` block came to: true once its changes are committed."""

    def __init__(self) -> None:
        self.committed = False

    def __bool__(self) -> bool:
        return self.committed


@contextmanager
def saving(form: FlaskForm) -> Iterator[Saved]:
    """Run the operation in the ``with`` block for a form page: if it refuses, roll back and
    show the refusal on ``form`` (under its field, or at the form's top) so that the page
    renders the form again; otherwise commit. The yielded ``Saved`` says which::

        with saving(form) as saved:
            idea = operations.submit_idea(...)
        if saved:
            flash(...)
            return redirect(...)
        return render_template(..., form=form)

    Any other exception passes through untouched."""
    saved = Saved()
    try:
        yield saved
    except OperationError as error:
        db.session.rollback()
        error.attach_to(form)
    else:
        db.session.commit()
        saved.committed = True


def refuse_form(target: str, message: str | None = None) -> Response:
    """A one-button form that did not validate (a stale page, a missing token): nothing
    changes; say so and go back."""
    flash(message or _("That request was not understood. Reload the page and try again."), "danger")
    return redirect(target)
