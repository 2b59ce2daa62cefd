"""Form helpers shared by every feature."""

from __future__ import annotations

from collections.abc import Iterable

from wtforms.fields.choices import SelectChoice


def as_choices(pairs: Iterable[tuple[str, object]]) -> list[SelectChoice]:
    """SelectField choices from ``(value, label)`` pairs (labels may be lazy strings)."""
    return [SelectChoice(value, label) for value, label in pairs]
