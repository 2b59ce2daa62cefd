"""Reading and changing site settings."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from community import signals
from community.errors import OperationError
from community.extensions import db
from community.permissions import ROLE_LABELS, Role, guardian
from community.settings.models import SiteSetting

#: key → (default, allowed values with labels, label)
DEFINITIONS = {
    "space_creation_role": (
        Role.MODERATOR.value,
        {role.value: label for role, label in ROLE_LABELS.items()},
        _l("Who may create spaces (this role and above)"),
    ),
}


def get_setting(key: str) -> str:
    """The current value of ``key`` (its default when never set)."""
    default = DEFINITIONS[key][0]
    row = db.session.get(SiteSetting, key)
    return row.value if row is not None else default


def set_setting(key: str, value: str, *, by) -> None:
    """Change a site setting (admins only; the value must be one of the allowed ones)."""
    if not guardian.can(by, "site.configure"):
        raise OperationError(_("Only admins change site settings."))
    if key not in DEFINITIONS or value not in DEFINITIONS[key][1]:
        raise OperationError(_("Choose a value from the list."), field=key)
    before = get_setting(key)
    row = db.session.get(SiteSetting, key)
    if row is None:
        db.session.add(SiteSetting(key=key, value=value))
    else:
        row.value = value
    db.session.flush()
    if before != value:
        signals.site_setting_changed.send(key, before=before, after=value, by=by)
