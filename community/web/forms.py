"""Form helpers shared by every feature."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from flask_babel import lazy_gettext as _l
from wtforms import IntegerField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from community.database import ID_MAX
from community.web.reasons import REASON_MAX


def as_choices(pairs: Iterable[tuple[str, object]]) -> list[SelectChoice]:
    """SelectField choices from ``(value, label)`` pairs (labels may be lazy strings)."""
    return [SelectChoice(value, label) for value, label in pairs]


# Numbers in forms stay within what the database's INTEGER columns hold, as route ids and
# query arguments do (``community.web.args``): PostgreSQL refuses anything larger in a query.


def row_id(value: Any) -> int:
    """``coerce`` for choices whose values are row ids: a ValueError (an invalid choice) for
    anything no row can have."""
    number = int(value)
    if not 1 <= number <= ID_MAX:
        raise ValueError(value)
    return number


class IdField(IntegerField):
    """A row id in a form: a whole number from 1 to ``ID_MAX``."""

    def __init__(self, label: Any = None, validators: list | None = None, **kwargs: Any) -> None:
        bounded = NumberRange(1, ID_MAX, message=_l("Choose one from the list."))
        super().__init__(label, [*(validators or []), bounded], **kwargs)


_REASON_LENGTH = Length(
    max=REASON_MAX, message=_l("Keep the reason under %(count)d characters.", count=REASON_MAX)
)
#: A moderator's reason for an act (see ``community.web.reasons``): required …
REASON = [
    DataRequired(message=_l("Give a reason: it is recorded in the audit log.")),
    _REASON_LENGTH,
]
#: … or required by the operation only when the content is someone else's.
OPTIONAL_REASON = [Optional(), _REASON_LENGTH]
