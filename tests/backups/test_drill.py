"""The restore drill: a site filled through the operations is backed up, restored into a
fresh database, and the counts, the recount and integrity commands and a sign-in say nothing
was lost — on SQLite and on PostgreSQL."""

from __future__ import annotations

import contextlib
import json
import tarfile

import pytest
from sqlalchemy import func, select

from community.accounts.models import User
from community.backups import archive
from community.brainstorms import dots, notes, presence
from community.brainstorms.models import BrainstormSession, Note, Phase
from community.extensions import db
from community.forums import operations as forums
from community.forums.models import Post
from community.ideas.models import Idea, IdeaVote
from community.search.service import search_service
from community.spaces.models import SpaceRole
from tests.backups.conftest import bare_app, stamp
from tests.fixtures.accounts import PASSWORD
from tests.fixtures.app import act
from tests.fixtures.postgres import app_on, fresh_postgres_database


@pytest.fixture(params=["sqlite", "postgresql"])
def app(request, tmp_path):
    (tmp_path / "source").mkdir()
    with app_on(request.param, tmp_path / "source", "cocreate_backup_source") as app:
        stamp(app)
        yield app


@pytest.fixture
def fresh(request, tmp_path, app):
    """An app of the same kind on a brand-new, empty database."""
    with contextlib.ExitStack() as stack:
        if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
            url = f"sqlite:///{tmp_path / 'fresh.db'}"
        else:
            url = stack.enter_context(fresh_postgres_database("cocreate_backup_fresh"))
        (tmp_path / "target").mkdir()
        target = bare_app(tmp_path / "target", url)
        yield target
        with target.app_context():
            db.session.remove()
            db.engine.dispose()


@pytest.fixture
def site(
    app,
    create_user,
    create_space,
    add_member,
    create_thread,
    create_reply,
    create_idea,
    vote_for,
    create_brainstorm,
    to_phase,
):
    """A small community: people, a public and a private space, questions answered and
    accepted, ideas with votes, a brainstorm with notes and dots."""
    people = [create_user(f"person{n}") for n in range(4)]
    public, private = create_space("Imaging"), create_space("Lab", visibility="private")
    for space in (public, private):
        for person in people:
            add_member(
                space, person, role=SpaceRole.MODERATOR if person is people[0] else SpaceRole.MEMBER
            )
    for n, asker in enumerate(people):
        thread = create_thread(public, asker, title=f"Calibration question {n}")
        answer = create_reply(thread, people[(n + 1) % 4])
        create_reply(thread, asker, body="Thanks, trying it.")
        act(app, forums.accept_answer, answer, by=asker)
        act(app, forums.mark_helpful, Post(id=answer.id), people[(n + 2) % 4])
    create_thread(private, people[1], kind="discussion", title="Private plans")
    for n in range(3):
        idea = create_idea(public if n < 2 else private, people[n], title=f"Faster reports {n}")
        for voter in people[: n + 2]:
            vote_for(idea, voter)
    session_id = create_brainstorm(public, people[0])
    to_phase(session_id, Phase.IDEATE)
    note_ids = []
    with app.test_request_context():
        session = db.session.get(BrainstormSession, session_id)
        for person in people:
            presence.take_part(session, db.session.get(User, person.id))
            note_ids.append(
                notes.add_note(session, author=db.session.get(User, person.id), text="Dark mode").id
            )
        db.session.commit()
    to_phase(session_id, Phase.VOTE)
    with app.test_request_context():
        session = db.session.get(BrainstormSession, session_id)
        for person, note_id in zip(people, note_ids, strict=True):
            dots.add_dot(
                session,
                by=db.session.get(User, person.id),
                note=db.session.get(Note, note_id),
            )
        db.session.commit()
    return people


def totals(app) -> dict[str, int]:
    with app.app_context():
        return {
            "users": db.session.scalar(select(func.count()).select_from(User)),
            "posts": db.session.scalar(select(func.count()).select_from(Post)),
            "ideas": db.session.scalar(select(func.count()).select_from(Idea)),
            "votes": db.session.scalar(select(func.count()).select_from(IdeaVote)),
            "vote_count": db.session.scalar(select(func.sum(Idea.vote_count))),
        }


def run(app, *args: str):
    result = app.test_cli_runner().invoke(args=list(args))
    assert result.exit_code == 0, result.output
    return result.output


def test_a_backup_restored_into_a_fresh_database_loses_nothing(app, site, fresh):
    kind = "sqlite" if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite") else "postgresql"
    before = totals(app)
    assert before["votes"] == 2 + 3 + 4 and before["vote_count"] == before["votes"]

    run(app, "backup")
    with app.app_context():
        [made] = archive.list_backups(archive.backup_dir())
    assert made.kind == kind
    with tarfile.open(made.path) as tar:
        assert tar.getnames() == ["manifest.json", archive.KINDS[kind]]
        manifest = json.load(tar.extractfile("manifest.json"))
    assert manifest["counts"]["users"] == before["users"]
    assert manifest["counts"][IdeaVote.__tablename__] == before["votes"]

    output = run(fresh, "restore", "--yes", str(made.path))
    assert "Restored the backup" in output

    assert totals(fresh) == before
    assert "Fixed 0 vote counts." in run(fresh, "ideas", "recount")
    assert "Fixed the reply and answer counts of 0 threads." in run(fresh, "forums", "recount")
    assert "Fixed 0 reputation entries and totals." in run(fresh, "reputation", "recount")
    assert "The index matches the database." in run(fresh, "search", "check")
    with fresh.app_context():
        hits = search_service().search(None, text="Calibration")
        assert hits.total == 4

    client = fresh.test_client()
    response = client.submit("/login", {"login": site[1].username, "password": PASSWORD})
    assert response.status_code == 302
    assert site[1].display_name in client.get("/").get_data(as_text=True)
