"""A moderator's reason for an act on someone else's content or account, as the audit log
records it: required for moderation, at most ``REASON_MAX`` characters."""

from __future__ import annotations

from flask_babel import gettext as _

from community.errors import OperationError

REASON_MAX = 500


def clean_reason(reason: str | None, *, required: bool = True) -> str:
    """The reason, trimmed; refused when missing (if ``required``) or too long."""
    reason = (reason or "").strip()
    if required and not reason:
        raise OperationError(_("Give a reason: it is recorded in the audit log."), field="reason")
    if len(reason) > REASON_MAX:
        raise OperationError(
            _("A reason may have at most %(count)d characters.", count=REASON_MAX),
            field="reason",
        )
    return reason
