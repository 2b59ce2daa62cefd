"""Routing follows the forums: a question asked with "Ask an expert" is routed as it is
created, and a reply by someone it was routed to is recorded as their answer. Both change the
database, so they run inside the forum operation's transaction."""

from __future__ import annotations

from community import signals
from community.experts import routing
from community.extensions import db


@signals.thread_created.connect
def route_asked_question(thread, *, ask_expert: bool = False, **_kwargs) -> None:
    """Decided just before the commit, once moderation has had its say: a question held for
    approval goes to nobody yet (once approved, the unanswered sweep routes it)."""
    if ask_expert and thread.is_question:
        db.session().before_commit(_route_asked, thread)


def _route_asked(thread) -> None:
    if not thread.is_hidden:
        routing.route_question(thread, routing.RoutingReason.ASKED)


@signals.post_created.connect
def record_routed_answer(post, **_kwargs) -> None:
    routing.record_expert_answer(post)
