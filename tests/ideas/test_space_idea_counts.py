"""A space keeps how many of its shown ideas are in each status (``space_idea_counts``): a
space's idea list counts from them instead of reading every idea (#22). The kept counts equal
the rows after every operation that submits, hides, shows, moves through statuses, merges,
unmerges or deletes an idea; the list's total equals the rows for each viewer and filter;
``flask ideas recount`` repairs them and the migration starts them from the data; on SQLite
and PostgreSQL."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest
from sqlalchemy import delete, func, select, text, update

from community.accounts.models import User
from community.extensions import db
from community.ideas import curation, queries
from community.ideas import operations as ideas
from community.ideas.models import CLOSED, Idea, IdeaStatus, SpaceIdeaCount
from community.moderation import operations as moderation
from community.spaces.models import Space
from tests.fixtures.postgres import app_on

MIGRATION = "a61f0c3e9d27_space_list_counts.py"
FILTERS = ["", "open", "new", "planned", "merged", "shipped"]


@pytest.fixture(params=["sqlite", "postgresql"])
def app(request, tmp_path):
    """The counts are kept with an upsert spelt per database: check both."""
    with app_on(request.param, tmp_path, "cocreate_idea_counts") as app:
        yield app


def kept(app) -> dict[tuple[int, str], int]:
    with app.app_context():
        rows = db.session.execute(
            select(SpaceIdeaCount.space_id, SpaceIdeaCount.status, SpaceIdeaCount.ideas)
        )
        return {(space_id, status): n for space_id, status, n in rows if n}


def real(app) -> dict[tuple[int, str], int]:
    """The same counts, from the ideas."""
    with app.app_context():
        rows = db.session.execute(
            select(Idea.space_id, Idea.status, func.count(Idea.id))
            .where(Idea.hidden_at.is_(None))
            .group_by(Idea.space_id, Idea.status)
        )
        return {(space_id, status): n for space_id, status, n in rows}


def run(app, operation) -> None:
    """``operation(get)`` in a request, ``get(model, id)`` loading rows; then commit."""
    with app.test_request_context():
        operation(lambda model, row_id: db.session.get(model, row_id))
        db.session.commit()


def test_kept_counts_follow_every_operation(app, cast, create_idea):
    first = create_idea(cast.space, cast.asker, title="Batch export of images")
    second = create_idea(cast.space, cast.member, title="Export images in batches")
    third = create_idea(cast.space, cast.member, title="Dark mode")
    owner_id = cast.owner.id
    assert kept(app) == real(app) == {(cast.space.id, "new"): 3}

    def by(get):
        return get(User, owner_id)

    steps = {
        "flag (hides)": lambda get: moderation.flag_content(
            get(Idea, third.id), by=by(get), reason="spam"
        ),
        "show": lambda get: moderation._set_hidden(get(Idea, third.id), False, by=by(get)),
        "hold": lambda get: moderation._set_hidden(get(Idea, third.id), True, by=None, held=True),
        "status of a hidden idea": lambda get: curation.change_status(
            get(Idea, third.id), "declined", response="Not now", by=by(get)
        ),
        "status": lambda get: curation.change_status(
            get(Idea, first.id), "planned", response="Next quarter", by=by(get)
        ),
        "merge": lambda get: curation.merge_idea(
            get(Idea, second.id), first.id, response="The same", by=by(get)
        ),
        "unmerge": lambda get: curation.unmerge_idea(get(Idea, second.id), by=by(get)),
        "release": lambda get: moderation._set_hidden(get(Idea, third.id), False, by=by(get)),
        "delete": lambda get: ideas.delete_idea(get(Idea, second.id), by=by(get)),
    }
    for step, operation in steps.items():
        run(app, operation)
        assert kept(app) == real(app), step
    assert kept(app) == {(cast.space.id, "planned"): 1, (cast.space.id, "declined"): 1}


def test_the_list_counts_what_each_viewer_is_shown(app, cast, create_idea):
    """Hidden ideas: none for anonymous visitors, their own for members, all for the space's
    moderators; the kept counts plus those, for every status filter."""
    mine = create_idea(cast.space, cast.member, title="Mine, hidden")
    theirs = create_idea(cast.space, cast.asker, title="Theirs, hidden")
    create_idea(cast.space, cast.asker, title="Shown")
    planned = create_idea(cast.space, cast.asker, title="Planned")
    owner_id = cast.owner.id
    run(
        app,
        lambda get: curation.change_status(
            get(Idea, planned.id), "planned", response="Yes", by=get(User, owner_id)
        ),
    )
    for idea in (mine, theirs):
        run(app, lambda get, i=idea: moderation._set_hidden(get(Idea, i.id), True, by=None))
    for viewer in (None, cast.member, cast.asker, cast.owner):
        with app.test_request_context():
            space = db.session.get(Space, cast.space.id)
            person = db.session.get(User, viewer.id) if viewer is not None else None
            for status in FILTERS:
                page = queries.ideas_page(person, space=space, status=status)
                rows = select(func.count(Idea.id)).where(Idea.space_id == space.id)
                if status == "open":
                    rows = rows.where(Idea.status.not_in([s.value for s in CLOSED]))
                elif status:
                    rows = rows.where(Idea.status == status)
                else:
                    rows = rows.where(Idea.status != IdeaStatus.MERGED.value)
                if person is None:
                    rows = rows.where(Idea.hidden_at.is_(None))
                elif person.id != owner_id:  # the owner moderates: shown every hidden one
                    rows = rows.where(Idea.hidden_at.is_(None) | (Idea.author_id == person.id))
                assert page.total == db.session.scalar(rows), (viewer, status)
    with app.test_request_context():
        space = db.session.get(Space, cast.space.id)
        assert queries.ideas_page(None, space=space).total == 2
        assert queries.ideas_page(db.session.get(User, owner_id), space=space).total == 4


def test_recount_repairs_wrong_counts(app, cast, create_idea):
    create_idea(cast.space, cast.asker)
    create_idea(cast.space, cast.member)
    right = kept(app)
    with app.app_context():
        db.session.execute(update(SpaceIdeaCount).values(ideas=9))
        db.session.add(SpaceIdeaCount(space_id=cast.space.id, status="shipped", ideas=3))
        db.session.commit()
    runner = app.test_cli_runner()
    result = runner.invoke(args=["ideas", "recount"])
    assert result.exit_code == 0, result.output
    assert "Fixed 2 idea counts of spaces." in result.output
    assert kept(app) == right == real(app)
    assert "Fixed 0 idea counts of spaces." in runner.invoke(args=["ideas", "recount"]).output


def test_the_migration_starts_the_counts_from_the_ideas(app, cast, create_idea):
    create_idea(cast.space, cast.asker)
    hidden = create_idea(cast.space, cast.member)
    run(app, lambda get: moderation._set_hidden(get(Idea, hidden.id), True, by=None))
    right = kept(app)
    path = Path(__file__).parents[2] / "migrations/versions" / MIGRATION
    spec = importlib.util.spec_from_file_location("list_counts_migration", path)
    migration = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(migration)
    with app.app_context():
        db.session.execute(delete(SpaceIdeaCount))
        db.session.execute(text(migration.IDEA_COUNTS))
        db.session.commit()
    assert kept(app) == right == {(cast.space.id, "new"): 1}
