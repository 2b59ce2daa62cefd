"""Routing follows the forums: a question asked with "Ask an expert" is routed as it is
created, and a reply by someone it was routed to is recorded as their answer. Both change the
database, so they run inside the forum operation's transaction."""

from __future__ import annotations

from community import signals
from community.experts import routing


@signals.thread_created.connect
def route_asked_question(thread, *, ask_expert: bool = False, **_kwargs) -> None:
    if ask_expert and thread.is_question:
        routing.route_question(thread, routing.RoutingReason.ASKED)


@signals.post_created.connect
def record_routed_answer(post, **_kwargs) -> None:
    routing.record_expert_answer(post)
