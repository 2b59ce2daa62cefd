"""The ``/me`` Socket.IO namespace: each signed-in browser tab's private channel."""

from __future__ import annotations

from flask_login import current_user
from flask_socketio import join_room

from community.live import SecureNamespace

NAMESPACE = "/me"


def session_room(user_id: int, session_token: str) -> str:
    """The room of every connection opened with one session token of one user."""
    return f"user:{user_id}:{session_token}"


def user_room(user_id: int) -> str:
    """The room of every connection of one user, whatever session it came from."""
    return f"user:{user_id}"


class MeNamespace(SecureNamespace):
    """Joins the user's rooms on connect; later features push personal updates here."""

    def on_connect(self, auth=None) -> None:
        super().on_connect(auth)
        join_room(user_room(current_user.id))
        join_room(session_room(current_user.id, current_user.session_token))
