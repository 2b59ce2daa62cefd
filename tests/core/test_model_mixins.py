"""``SoftDeleted`` and ``Hideable``: every model with the columns answers through the one
mixin, and answers from the column as the models' own properties did."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from community.accounts.models import User
from community.brainstorms.models import Note
from community.database import Hideable, SoftDeleted
from community.extensions import db
from community.forums.models import Post, Thread
from community.ideas.models import Idea

WHEN = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)


def _mapped_classes(app) -> list[type]:
    with app.app_context():
        return [mapper.class_ for mapper in db.Model.registry.mappers]


@pytest.mark.parametrize(
    ("column", "mixin"), [("deleted_at", SoftDeleted), ("hidden_at", Hideable)]
)
def test_every_model_with_the_column_uses_the_mixin(app, column, mixin):
    with_column = {
        cls
        for cls in _mapped_classes(app)
        if column in cls.__table__.columns  # type: ignore[attr-defined]
    }
    assert with_column, column
    assert {cls for cls in with_column if not issubclass(cls, mixin)} == set()
    # The property is the mixin's, not a copy on the model.
    prop = "is_deleted" if mixin is SoftDeleted else "is_hidden"
    assert [cls for cls in with_column if prop in vars(cls)] == []


def test_the_models_that_use_them():
    assert {cls for cls in (User, Note, Thread, Post, Idea) if issubclass(cls, SoftDeleted)} == {
        Note,
        Thread,
        Post,
    }
    assert all(issubclass(cls, Hideable) for cls in (User, Note, Thread, Post, Idea))


@pytest.mark.parametrize("model", [Note, Thread, Post])
def test_is_deleted_follows_deleted_at(app, model):
    row = model()
    assert row.deleted_at is None and row.is_deleted is False
    row.deleted_at = WHEN
    assert row.is_deleted is True


@pytest.mark.parametrize("model", [User, Note, Thread, Post, Idea])
def test_is_hidden_follows_hidden_at(app, model):
    row = model()
    assert row.hidden_at is None and row.is_hidden is False
    row.hidden_at = WHEN
    assert row.is_hidden is True


def test_live_means_neither_deleted_nor_hidden(app):
    thread, post, note = Thread(), Post(), Note()
    assert thread.is_live and post.is_live and note.on_board
    thread.hidden_at = post.deleted_at = note.hidden_at = WHEN
    assert not (thread.is_live or post.is_live or note.on_board)
