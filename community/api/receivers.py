"""What the API does when other features' signals fire: a changed password revokes tokens."""

from __future__ import annotations

from flask_babel import lazy_ngettext

from community import signals
from community.api import operations


@signals.password_changed.connect
def revoke_tokens_with_the_password(user, **_kwargs):
    """A changed or reset password revokes every API token of the account: whoever had the
    password may have made one. Returns the sentence the owner is shown (None if none)."""
    revoked = operations.revoke_all_tokens(user)
    if not revoked:
        return None
    return lazy_ngettext(
        "Your API token was revoked too: create a new one in Settings → API tokens.",
        "Your %(num)d API tokens were revoked too: create new ones in Settings → API tokens.",
        revoked,
    )
