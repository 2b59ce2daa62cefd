"""What the knowledge base does when other features act: a shipped idea linked to its release
gets a draft "What's new" article (in the same transaction), and a question posted after
suggestions were shown is recorded as asked despite them."""

from __future__ import annotations

from community import signals
from community.knowledge import operations


@signals.idea_released.connect
def draft_article_for_release(idea, *, release, by, **_kwargs) -> None:
    operations.draft_whats_new(idea, release=release, by=by)


@signals.thread_created.connect
def record_asked_despite_suggestions(thread, *, suggestions_shown: str = "", **_kwargs) -> None:
    if suggestions_shown and thread.is_question:
        operations.record_asked(thread, suggestions_shown)
