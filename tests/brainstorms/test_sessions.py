"""Sessions: who may run them, the phases, notes and their rules, and the pages."""

from __future__ import annotations

import pytest

from community.accounts.models import User
from community.brainstorms import notes, operations
from community.brainstorms.models import BrainstormSession, Note, Phase
from community.errors import OperationError
from community.extensions import db
from community.spaces.models import Space
from tests.fixtures.app import page_text


def _get(model, id_):
    return db.session.get(model, id_)


def test_only_space_staff_run_sessions(app_ctx, cast):
    space = _get(Space, cast.space.id)
    for person in (cast.owner, cast.expert):
        session = operations.create_session(space, by=_get(User, person.id), prompt="  Why  now? ")
        assert session.prompt == "Why now?"
        assert session.current_phase == Phase.LOBBY
        assert (session.dots_per_participant, session.dots_per_item) == (5, 3)
    for person in (cast.member, cast.outsider):
        with pytest.raises(OperationError, match="experts, moderators and owners"):
            operations.create_session(space, by=_get(User, person.id), prompt="Why?")


@pytest.mark.parametrize(
    ("settings", "field"),
    [
        ({"prompt": ""}, "prompt"),
        ({"prompt": "x" * 301}, "prompt"),
        ({"dots_per_participant": 0}, "dots"),
        ({"dots_per_participant": 2, "dots_per_item": 3}, "dots_per_item"),
        ({"ideate_minutes": 0}, "ideate_minutes"),
        ({"vote_minutes": 500}, "vote_minutes"),
    ],
)
def test_bad_settings_are_refused(app_ctx, cast, settings, field):
    with pytest.raises(OperationError) as refused:
        operations.create_session(
            _get(Space, cast.space.id), by=_get(User, cast.owner.id), **{"prompt": "Ok", **settings}
        )
    assert refused.value.field == field


def test_the_facilitator_moves_through_every_phase(app_ctx, cast, create_brainstorm):
    session = _get(BrainstormSession, create_brainstorm(cast.space, cast.expert, ideate_minutes=7))
    owner, expert = _get(User, cast.owner.id), _get(User, cast.expert.id)
    with pytest.raises(OperationError, match="Only the facilitator"):
        operations.advance_phase(session, by=owner)
    assert operations.advance_phase(session, by=expert) == Phase.IDEATE
    minutes = (session.phase_ends_at - session.started_at).total_seconds() / 60
    assert minutes == pytest.approx(7, abs=0.01)
    before = session.phase_ends_at
    operations.extend_phase(session, by=expert, minutes=2)
    assert (session.phase_ends_at - before).total_seconds() == pytest.approx(120, abs=1)
    with pytest.raises(OperationError, match="already moved on"):
        operations.advance_phase(session, by=expert, expected="lobby")
    for phase in (Phase.GROUP, Phase.VOTE, Phase.RESULTS):
        assert operations.advance_phase(session, by=expert) == phase
    assert session.phase_ends_at is None
    with pytest.raises(OperationError, match="Only a timed phase"):
        operations.extend_phase(session, by=expert, minutes=2)
    assert operations.advance_phase(session, by=expert) == Phase.CLOSED
    assert session.closed_at is not None
    with pytest.raises(OperationError, match="has ended"):
        operations.advance_phase(session, by=expert)


def test_notes_only_while_ideating_and_only_ones_own(app_ctx, cast, create_brainstorm, to_phase):
    session_id = create_brainstorm(cast.space, cast.owner)
    session = _get(BrainstormSession, session_id)
    member, asker = _get(User, cast.member.id), _get(User, cast.asker.id)
    with pytest.raises(OperationError, match="only be written while ideating"):
        notes.add_note(session, author=member, text="Too early")
    operations.advance_phase(session, by=_get(User, cast.owner.id))
    note = notes.add_note(session, author=member, text="  Shorter forms  ")
    assert note.text == "Shorter forms"
    for text, message in (("", "Write something"), ("x" * 501, "at most 500"), (5, "must be text")):
        with pytest.raises(OperationError, match=message):
            notes.add_note(session, author=member, text=text)
    assert notes.add_note(session, author=member, text="x" * 500).text == "x" * 500
    with pytest.raises(OperationError, match="own notes"):
        notes.edit_note(note, by=asker, text="Mine now")
    with pytest.raises(OperationError, match="Join this space"):
        notes.add_note(session, author=_get(User, cast.outsider.id), text="Hi")
    notes.edit_note(note, by=member, text="Much shorter forms")
    notes.delete_note(note, by=member)
    assert note.deleted_at is not None and _get(Note, note.id) is not None
    with pytest.raises(OperationError, match="own notes"):
        notes.edit_note(note, by=member, text="Back again")
    operations.advance_phase(session, by=_get(User, cast.owner.id))
    with pytest.raises(OperationError, match="only be written while ideating"):
        notes.add_note(session, author=member, text="Too late")


def test_space_tab_list_and_create_form(client, cast, login):
    login(client, cast.expert)
    space_page = client.get(f"/s/{cast.space.slug}")
    assert f"/s/{cast.space.slug}/sessions" in space_page.get_data(as_text=True)
    listing = client.get(f"/s/{cast.space.slug}/sessions")
    assert "Nothing scheduled yet." in page_text(listing)
    # CSRF is enforced; validation errors are shown; a valid form creates the session.
    assert (
        client.post(f"/s/{cast.space.slug}/sessions/new", data={"prompt": "x"}).status_code == 400
    )
    bad = client.submit(f"/s/{cast.space.slug}/sessions/new", {"prompt": "", "dots_per_item": "3"})
    assert "Give the session a prompt." in page_text(bad)
    form = {
        "prompt": "How could onboarding be faster?",
        "hidden_ideation": "y",
        "dots_per_participant": "5",
        "dots_per_item": "3",
        "ideate_minutes": "10",
        "group_minutes": "5",
        "vote_minutes": "5",
    }
    for wrong in ("shown", "", "x" * 100_000):
        refused = client.submit(f"/s/{cast.space.slug}/sessions/new", {**form, "dot_totals": wrong})
        assert refused.status_code == 200 and "Not a valid choice" in page_text(refused)
    for wrong in ("live\x00",):  # refused before the form is read
        refused = client.submit(f"/s/{cast.space.slug}/sessions/new", {**form, "dot_totals": wrong})
        assert refused.status_code == 400
    with client.application.app_context():
        assert db.session.scalar(db.select(db.func.count(BrainstormSession.id))) == 0
    created = client.submit(f"/s/{cast.space.slug}/sessions/new", {**form, "dot_totals": "live"})
    assert created.status_code == 302
    with client.application.app_context():
        assert db.session.scalar(db.select(BrainstormSession.dot_totals)) == "live"
    board = client.get(created.location)
    assert "How could onboarding be faster?" in page_text(board)
    assert 'id="board"' in board.get_data(as_text=True)
    assert "js/brainstorm.js" in board.get_data(as_text=True)
    listing = page_text(client.get(f"/s/{cast.space.slug}/sessions"))
    assert "How could onboarding be faster?" in listing and "Lobby" in listing


def test_members_cannot_create_and_outsiders_only_read(client, cast, login, create_brainstorm):
    session_id = create_brainstorm(cast.space, cast.owner)
    login(client, cast.member)
    assert client.get(f"/s/{cast.space.slug}/sessions/new").status_code == 403
    assert "New session" not in page_text(client.get(f"/s/{cast.space.slug}/sessions"))
    other = client.application.test_client()
    login(other, cast.outsider)
    page = other.get(f"/sessions/{session_id}")
    assert page.status_code == 200
    assert "Join this space to take part." in page_text(page)
    assert "js/brainstorm.js" not in page.get_data(as_text=True)


def test_private_space_sessions_are_hidden(client, create_space, create_user, login, space_owner):
    space = create_space("Board", visibility="private")
    with client.application.test_request_context():
        session = operations.create_session(
            _get(Space, space.id), by=_get(User, space_owner.id), prompt="Secret plans"
        )
        db.session.commit()
        session_id = session.id
    login(client, create_user())
    assert client.get(f"/sessions/{session_id}").status_code == 404
    assert client.get(f"/s/{space.slug}/sessions").status_code == 404
