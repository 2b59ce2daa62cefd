"""What accounts do when signals fire: ended sessions leave their live connections, and a
suspension ends every session of the account."""

from __future__ import annotations

from community import signals
from community.accounts.events import NAMESPACE
from community.accounts.sessions import end_all_sessions
from community.extensions import socketio
from community.web import live


@signals.sessions_ended.connect
def close_live_connections(user, *, session_ids: list[int], reason: str, **_kwargs) -> None:
    """After the commit, the sessions' open tabs are told they were signed out (in whichever
    process holds them) and the connections this process holds are closed, in every
    namespace. Pushes go only to live sessions' rooms and every event checks the session
    again, so a connection another process keeps open a moment longer learns nothing and
    can do nothing."""
    rooms = [live.session_room(session_id) for session_id in session_ids]
    signals.on_commit(
        socketio.emit, "signed_out", {"reason": reason}, to=rooms, namespace=NAMESPACE
    )
    signals.on_commit(live.close_sessions, list(session_ids))


@signals.user_suspended.connect
def end_sessions_of_the_suspended(user, *, until, **_kwargs) -> None:
    """A suspended account is signed out everywhere (it signs in again once the suspension
    is lifted)."""
    if until is not None:
        end_all_sessions(user, reason="suspended")
