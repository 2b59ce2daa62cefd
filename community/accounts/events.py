"""The ``/me`` Socket.IO namespace: each signed-in browser tab's private channel."""

from __future__ import annotations

from community.accounts.sessions import live_session_ids
from community.web.live import SecureNamespace, session_room

NAMESPACE = "/me"


def user_rooms(user_id: int) -> list[str]:
    """Where to push something to one user: the rooms of their live sessions (one query), so
    a tab whose session has ended receives nothing more, whichever process holds it."""
    return [session_room(session_id) for session_id in live_session_ids(user_id)]


class MeNamespace(SecureNamespace):
    """Personal updates; each connection is in its session's room (``SecureNamespace``)."""
