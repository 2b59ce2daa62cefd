"""Drafts of long text kept in the browser (``static/js/drafts.js``): the key a form's draft is
kept under, and the one-shot markers that tell the next page to forget drafts.

A form rendered with ``draft_key(place, *ids)`` (``_macros/forms.html``'s ``draft_form``) keeps
what is typed in it in the browser's ``localStorage`` under that key. The key starts with the
signed-in user's id, so one person's draft is never shown to the next person who signs in on
the same computer, and anonymous visitors get none. The draft stays until the post succeeds:
the view then calls ``posted(place, *ids)``, which flashes the key in the category
``DRAFT_FORGET``; the page the view redirects to hands it to the script (``forget_markers``)
and the script removes it. A post that fails re-renders or redirects without the marker, so
the draft is kept. Signing out flashes ``ALL`` and every draft of this site is removed.
"""

from __future__ import annotations

from flask import flash, get_flashed_messages
from flask_login import current_user

# The flash category of the markers; ``_partials/flashes.html`` does not show it.
DRAFT_FORGET = "draft-forget"
# The marker that forgets every draft kept by this site in this browser (signing out).
ALL = "*"


def draft_key(place: str, *ids: object) -> str | None:
    """The key of the signed-in user's draft of the form at ``place`` (``"reply"``,
    ``"idea-edit"`` …) for the objects ``ids``; None for anonymous visitors (no drafts)."""
    if not current_user.is_authenticated:
        return None
    return ":".join([f"u{current_user.id}", place, *(str(i) for i in ids)])


def posted(place: str, *ids: object) -> None:
    """The form at ``place`` was posted: the next page forgets its draft."""
    key = draft_key(place, *ids)
    if key is not None:
        flash(key, DRAFT_FORGET)


def forget_all() -> None:
    """Signed out: the next page forgets every draft of this site in this browser."""
    flash(ALL, DRAFT_FORGET)


def forget_markers() -> list[str]:
    """The keys (or ``ALL``) this page tells the browser to forget; each is said once."""
    return list(get_flashed_messages(category_filter=[DRAFT_FORGET]))
