"""What accounts do when their own signals fire: security notices and ending old sessions."""

from __future__ import annotations

from flask import current_app, render_template
from flask_babel import force_locale
from flask_babel import gettext as _

from community import signals
from community.accounts.events import NAMESPACE, session_room
from community.extensions import mailer, socketio
from community.mail import Message


@signals.password_changed.connect
def end_other_sessions(user, *, reason: str, old_session_token: str, **_kwargs) -> None:
    """Tell live tabs of the old sessions that they were signed out (after commit)."""
    signals.on_commit(
        socketio.emit,
        "signed_out",
        {"reason": reason},
        to=session_room(user.id, old_session_token),
        namespace=NAMESPACE,
    )


@signals.password_changed.connect
@signals.after_commit
def notify_password_changed(user, *, reason: str, **_kwargs) -> None:
    """E-mail the owner that their password changed, in their language."""
    with force_locale(user.locale or current_app.config["BABEL_DEFAULT_LOCALE"]):
        mailer.deliver_now(
            Message(
                to=user.email,
                subject=_("Your Cocreate password was changed"),
                text=render_template("accounts/email/password_changed.txt", user=user),
            )
        )
