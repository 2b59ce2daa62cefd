"""Form helpers shared by every feature."""

from __future__ import annotations

from collections.abc import Iterable

from flask_babel import lazy_gettext as _l
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional

from community.reasons import REASON_MAX


def as_choices(pairs: Iterable[tuple[str, object]]) -> list[SelectChoice]:
    """SelectField choices from ``(value, label)`` pairs (labels may be lazy strings)."""
    return [SelectChoice(value, label) for value, label in pairs]


_REASON_LENGTH = Length(
    max=REASON_MAX, message=_l("Keep the reason under %(count)d characters.", count=REASON_MAX)
)
#: A moderator's reason for an act (see ``community.reasons``): required …
REASON = [
    DataRequired(message=_l("Give a reason: it is recorded in the audit log.")),
    _REASON_LENGTH,
]
#: … or required by the operation only when the content is someone else's.
OPTIONAL_REASON = [Optional(), _REASON_LENGTH]
