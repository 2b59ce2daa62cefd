"""Undo on the live board: a note taken off, a merge, a dissolved cluster and an early end of
a phase come back exactly, as a patch everyone applies; only their maker undoes them, within
the window (the facilitator splits any merge back while grouping lasts); who may merge and
dissolve follows the session's grouping setting; hostile and stale undos change nothing."""

from __future__ import annotations

from datetime import timedelta

import pytest

from community.brainstorms.models import (
    UNDO_WINDOW,
    BrainstormSession,
    Cluster,
    Note,
    Participant,
    Phase,
    Undo,
)
from community.database import utcnow
from community.extensions import db


@pytest.fixture
def on_board(app, cast, people, board, create_brainstorm, to_phase):
    """``on_board(phase, **settings)``: a session moved to ``phase`` after the member wrote
    three notes while ideating; joined boards of the expert (facilitator), member and asker."""

    def start(phase: Phase = Phase.GROUP, **settings):
        session_id = create_brainstorm(cast.space, cast.expert, **settings)
        to_phase(session_id, Phase.IDEATE)
        boards = {name: board(people[name]) for name in ("expert", "member", "asker")}
        for ws in boards.values():
            ws.send("join", {"session": session_id})
        notes = [
            boards["member"].send("add_note", {"session": session_id, "text": t})["note"]["id"]
            for t in ("Import in one click", "A guided tour", "Sample workspace")
        ]
        to_phase(session_id, phase)
        for ws in boards.values():
            ws.received()
        return session_id, boards, notes

    return start


def _clusters(app, session_id):
    with app.app_context():
        rows = db.session.scalars(
            db.select(Cluster).where(Cluster.session_id == session_id).order_by(Cluster.position)
        )
        return [(c.name, c.position) for c in rows]


def _placement(app, session_id):
    """Each note's cluster, by the cluster's name."""
    with app.app_context():
        rows = db.session.scalars(db.select(Note).where(Note.session_id == session_id))
        names = {c.id: c.name for c in db.session.scalars(db.select(Cluster))}
        return {n.id: names.get(n.cluster_id) for n in rows}


def _revision(app, session_id):
    with app.app_context():
        return db.session.get(BrainstormSession, session_id).revision


def _age_undos(app, session_id, by=UNDO_WINDOW + timedelta(seconds=1)):
    with app.app_context():
        for undo in db.session.scalars(db.select(Undo).where(Undo.session_id == session_id)):
            undo.created_at = utcnow() - by
        db.session.commit()


def _grouped(boards, session_id, notes):
    """Two clusters: "Setup" with the first note, "Help" with the second and third."""
    member = boards["member"]
    a = member.send("create_cluster", {"session": session_id, "name": "Setup"})["cluster"]["id"]
    b = member.send("create_cluster", {"session": session_id, "name": "Help"})["cluster"]["id"]
    for note, cluster in zip(notes, (a, b, b), strict=True):
        member.send("move_note", {"session": session_id, "note": note, "cluster": cluster})
    for ws in boards.values():
        ws.received()
    return a, b


def test_a_deleted_note_comes_back_to_everyone_as_a_patch(app, on_board):
    session_id, boards, notes = on_board(Phase.IDEATE, hidden_ideation=False)
    member, watcher = boards["member"], boards["asker"]
    deleted = member.send("delete_note", {"session": session_id, "note": notes[1]})
    assert deleted["ok"] and isinstance(deleted["undo"], int)
    assert ("note_deleted", {"id": notes[1]}) in watcher.received()
    before = _revision(app, session_id)
    assert member.send("undo", {"session": session_id, "undo": deleted["undo"]}) == {"ok": True}
    updates = [m for name, m in watcher.messages() if name == "update"]
    assert [u["revision"] for u in updates] == [before + 1]
    restored = [c[1] for c in updates[0]["changes"] if c[0] == "note"]
    assert [(n["id"], n["text"], n["cluster"]) for n in restored] == [
        (notes[1], "A guided tour", None)
    ]
    with app.app_context():
        assert db.session.get(Note, notes[1]).deleted_at is None
    # Undone once: a second undo of the same change is refused and changes nothing.
    again = member.send("undo", {"session": session_id, "undo": deleted["undo"]})
    assert again["ok"] is False and "no longer" in again["error"]
    assert watcher.received() == []
    assert _revision(app, session_id) == before + 1


def test_the_restored_note_keeps_its_cluster_and_text(app, on_board, to_phase):
    """Taken off while ideating again after an early end was undone: it comes back as it was."""
    session_id, boards, notes = on_board(Phase.IDEATE, hidden_ideation=True)
    member, watcher = boards["member"], boards["asker"]
    deleted = member.send("delete_note", {"session": session_id, "note": notes[0]})
    watcher.received()
    assert member.send("undo", {"session": session_id, "undo": deleted["undo"]})["ok"]
    # Hidden ideation: others learn only the count again, the author gets the note.
    changes = watcher.received()
    assert ("note_count", {"count": 3}) in changes
    assert not any(kind in ("note", "notes") for kind, _ in changes)
    state = member.send("join", {"session": session_id})["state"]
    assert [n["text"] for n in state["notes"]] == [
        "Import in one click",
        "A guided tour",
        "Sample workspace",
    ]


def test_someone_elses_stale_or_late_undo_is_refused_and_changes_nothing(
    app, cast, people, board, on_board, create_brainstorm, to_phase
):
    session_id, boards, notes = on_board(Phase.IDEATE, hidden_ideation=False)
    member, asker, expert = boards["member"], boards["asker"], boards["expert"]
    deleted = member.send("delete_note", {"session": session_id, "note": notes[0]})["undo"]
    other = create_brainstorm(cast.space, cast.expert, hidden_ideation=False)
    to_phase(other, Phase.IDEATE)
    elsewhere = board(people["asker"])
    elsewhere.send("join", {"session": other})
    note = elsewhere.send("add_note", {"session": other, "text": "Elsewhere"})["note"]["id"]
    foreign = elsewhere.send("delete_note", {"session": other, "note": note})["undo"]
    for ws in boards.values():
        ws.received()
    before = _revision(app, session_id)
    s = session_id
    refusals = [
        (asker, {"session": s, "undo": deleted}, "Only the person who made"),
        (expert, {"session": s, "undo": deleted}, "Only the person who made"),
        (member, {"session": s, "undo": foreign}, "no longer"),
        (member, {"session": s, "undo": 2**31 - 1}, "no longer"),
        (member, {"session": s, "undo": 2**40}, "not understood"),
        (member, {"session": s, "undo": -1}, "not understood"),
        (member, {"session": s, "undo": "1"}, "not understood"),
        (member, {"session": s, "undo": True}, "not understood"),
        (member, {"session": s, "undo": 1.5}, "not understood"),
        (member, {"session": s, "undo": None}, "not understood"),
        (member, {"session": s}, "not understood"),
        (member, {"session": other, "undo": foreign}, "Join the session first"),
    ]
    for ws, data, message in refusals:
        reply = ws.send("undo", data)
        assert reply["ok"] is False and message in reply["error"], (data, reply)
    outsider = board(people["outsider"])
    assert outsider.send("undo", {"session": s, "undo": deleted})["ok"] is False
    # After the window, the maker's own undo is refused too.
    _age_undos(app, session_id)
    late = member.send("undo", {"session": s, "undo": deleted})
    assert late["ok"] is False and "no longer" in late["error"]
    assert all(ws.received() == [] for ws in boards.values())
    assert _revision(app, session_id) == before
    with app.app_context():
        assert db.session.get(Note, notes[0]).deleted_at is not None
        assert db.session.get(Note, note).deleted_at is not None


def test_an_undo_ends_with_the_phase(app, on_board, to_phase):
    session_id, boards, notes = on_board(Phase.IDEATE, hidden_ideation=False)
    member = boards["member"]
    deleted = member.send("delete_note", {"session": session_id, "note": notes[0]})["undo"]
    to_phase(session_id, Phase.GROUP)
    reply = member.send("undo", {"session": session_id, "undo": deleted})
    assert reply["ok"] is False and "no longer" in reply["error"]
    with app.app_context():
        assert db.session.get(Note, notes[0]).deleted_at is not None
        assert db.session.scalars(db.select(Undo).where(Undo.kind != "advance")).all() == []


def test_a_merge_splits_back_exactly_for_everyone(app, on_board):
    session_id, boards, notes = on_board()
    member, watcher = boards["member"], boards["asker"]
    a, b = _grouped(boards, session_id, notes)
    before_clusters, before_notes = _clusters(app, session_id), _placement(app, session_id)
    merged = member.send("merge_clusters", {"session": session_id, "source": b, "target": a})
    assert _clusters(app, session_id) == [("Setup", 1)]
    watcher.received()
    assert member.send("undo", {"session": session_id, "undo": merged["undo"]}) == {"ok": True}
    assert _clusters(app, session_id) == before_clusters
    assert _placement(app, session_id) == before_notes
    changes = dict(watcher.received())
    back = changes["cluster"]
    assert (back["name"], back["position"]) == ("Help", 2)
    assert changes["placement"] == {"notes": {str(notes[1]): back["id"], str(notes[2]): back["id"]}}
    assert changes["merges"] == {"merges": []}
    # The split-back cluster is on everyone's board, and catching up shows the same.
    state = watcher.send("join", {"session": session_id})["state"]
    assert [(c["name"], c["position"]) for c in state["clusters"]] == before_clusters
    assert state["merges"] == []


def test_the_facilitator_splits_back_a_participants_merge_while_grouping(app, on_board):
    session_id, boards, notes = on_board()
    member, asker, expert = boards["member"], boards["asker"], boards["expert"]
    a, b = _grouped(boards, session_id, notes)
    merged = member.send("merge_clusters", {"session": session_id, "source": b, "target": a})
    state = expert.send("join", {"session": session_id})["state"]
    assert state["merges"] == [{"id": merged["undo"], "cluster": a, "by": "Greta"}]
    # Someone else who took no part in the merge may not split it back.
    refused = asker.send("undo", {"session": session_id, "undo": merged["undo"]})
    assert refused["ok"] is False and "Only the person who made" in refused["error"]
    # Long after the member's own window, the facilitator still may.
    _age_undos(app, session_id, timedelta(minutes=10))
    late = member.send("undo", {"session": session_id, "undo": merged["undo"]})
    assert late["ok"] is False and "no longer" in late["error"]
    assert expert.send("undo", {"session": session_id, "undo": merged["undo"]}) == {"ok": True}
    assert _clusters(app, session_id) == [("Setup", 1), ("Help", 2)]
    twice = expert.send("undo", {"session": session_id, "undo": merged["undo"]})
    assert twice["ok"] is False and "no longer" in twice["error"]


def test_a_merge_into_a_cluster_later_merged_away_can_no_longer_be_split(app, on_board):
    session_id, boards, notes = on_board()
    member, expert = boards["member"], boards["expert"]
    a, b = _grouped(boards, session_id, notes)
    c = member.send("create_cluster", {"session": session_id, "name": "Later"})["cluster"]["id"]
    first = member.send("merge_clusters", {"session": session_id, "source": b, "target": a})
    second = member.send("merge_clusters", {"session": session_id, "source": a, "target": c})
    reply = expert.send("undo", {"session": session_id, "undo": first["undo"]})
    assert reply["ok"] is False and "no longer" in reply["error"]
    assert expert.send("undo", {"session": session_id, "undo": second["undo"]})["ok"]
    assert _placement(app, session_id) == dict.fromkeys(notes, "Setup")


def test_a_dissolved_cluster_comes_back_with_its_notes(app, on_board):
    session_id, boards, notes = on_board()
    member, watcher, expert = boards["member"], boards["asker"], boards["expert"]
    a, b = _grouped(boards, session_id, notes)
    before = _placement(app, session_id)
    dissolved = member.send("dissolve_cluster", {"session": session_id, "cluster": b})
    assert dissolved["ok"]
    assert _clusters(app, session_id) == [("Setup", 1)]
    assert dict(watcher.received()) == {
        "placement": {"notes": {str(notes[1]): None, str(notes[2]): None}},
        "cluster_deleted": {"id": b},
        "merges": {"merges": []},
    }
    # One of its notes was put elsewhere meanwhile: it stays there.
    member.send("move_note", {"session": session_id, "note": notes[2], "cluster": a})
    refused = expert.send("undo", {"session": session_id, "undo": dissolved["undo"]})
    assert refused["ok"] is False and "Only the person who made" in refused["error"]
    assert member.send("undo", {"session": session_id, "undo": dissolved["undo"]})["ok"]
    assert _clusters(app, session_id) == [("Setup", 1), ("Help", 2)]
    assert _placement(app, session_id) == {**before, notes[2]: "Setup"}


def test_only_those_who_may_group_merge_dissolve_or_undo(app, on_board):
    session_id, boards, notes = on_board(who_may_group="facilitator")
    member, expert = boards["member"], boards["expert"]
    state = member.send("join", {"session": session_id})["state"]
    assert state["may_group"] is False
    assert expert.send("join", {"session": session_id})["state"]["may_group"] is True
    a = expert.send("create_cluster", {"session": session_id, "name": "Setup"})["cluster"]["id"]
    b = expert.send("create_cluster", {"session": session_id, "name": "Help"})["cluster"]["id"]
    for event, data in (
        ("merge_clusters", {"source": b, "target": a}),
        ("dissolve_cluster", {"cluster": b}),
    ):
        reply = member.send(event, {"session": session_id, **data})
        assert reply["ok"] is False and "only the facilitator" in reply["error"], event
    merged = expert.send("merge_clusters", {"session": session_id, "source": b, "target": a})
    reply = member.send("undo", {"session": session_id, "undo": merged["undo"]})
    assert reply["ok"] is False
    assert _clusters(app, session_id) == [("Setup", 1)]
    dissolved = expert.send("dissolve_cluster", {"session": session_id, "cluster": a})
    reply = member.send("undo", {"session": session_id, "undo": dissolved["undo"]})
    assert reply["ok"] is False
    assert _clusters(app, session_id) == []
    assert expert.send("undo", {"session": session_id, "undo": dissolved["undo"]})["ok"]
    assert _clusters(app, session_id) == [("Setup", 1)]


def test_hostile_dissolves_change_nothing(app, cast, people, board, on_board, create_brainstorm):
    session_id, boards, notes = on_board()
    member = boards["member"]
    a, _b = _grouped(boards, session_id, notes)
    other = create_brainstorm(cast.space, cast.expert)
    s = session_id
    for data, message in (
        ({"session": s, "cluster": 99999}, "isn't on this board"),
        ({"session": s, "cluster": "1"}, "isn't on this board"),
        ({"session": s, "cluster": 2**40}, "isn't on this board"),
        ({"session": s}, "isn't on this board"),
        ({"session": other, "cluster": a}, "Join the session first"),
    ):
        reply = member.send("dissolve_cluster", data)
        assert reply["ok"] is False and message in reply["error"], data
    assert boards["asker"].received() == []
    assert len(_clusters(app, session_id)) == 2


def test_an_early_end_is_taken_back_with_the_time_that_was_left(app, cast, on_board):
    session_id, boards, notes = on_board(Phase.IDEATE, hidden_ideation=True)
    expert, member, watcher = boards["expert"], boards["member"], boards["asker"]
    member.send("done", {"session": session_id})
    with app.app_context():
        session = db.session.get(BrainstormSession, session_id)
        session.phase_ends_at = utcnow() + timedelta(minutes=4)
        db.session.commit()
    for ws in boards.values():
        ws.received()
    advanced = expert.send("advance", {"session": session_id, "from": "ideate"})
    assert advanced["phase"] == "group" and isinstance(advanced["undo"], int)
    assert len(dict(watcher.received())["notes"]["notes"]) == 3  # shown to everyone
    refused = member.send("undo", {"session": session_id, "undo": advanced["undo"]})
    assert refused["ok"] is False and "Only the person who made" in refused["error"]
    assert expert.send("undo", {"session": session_id, "undo": advanced["undo"]}) == {"ok": True}
    changes = dict(watcher.received())
    assert changes["phase"]["phase"] == "ideate" and changes["phase"]["notes_hidden"] is True
    assert changes["note_count"] == {"count": 3}
    with app.app_context():
        session = db.session.get(BrainstormSession, session_id)
        left = (session.phase_ends_at - utcnow()).total_seconds()
        assert 230 < left <= 240
        done = dict(
            db.session.execute(
                db.select(Participant.user_id, Participant.done).where(
                    Participant.session_id == session_id
                )
            ).all()
        )
    assert done[cast.member.id] is True and done[cast.asker.id] is False
    # Back in hidden ideation, a participant sees only their own notes again.
    assert watcher.send("join", {"session": session_id})["state"]["notes"] == []


def test_an_early_end_is_not_taken_back_once_the_new_phase_has_work(app, on_board):
    session_id, boards, notes = on_board(Phase.IDEATE, hidden_ideation=False)
    expert, member = boards["expert"], boards["member"]
    advanced = expert.send("advance", {"session": session_id, "from": "ideate"})
    member.send("create_cluster", {"session": session_id, "name": "Setup"})
    reply = expert.send("undo", {"session": session_id, "undo": advanced["undo"]})
    assert reply["ok"] is False and "going back would lose" in reply["error"]
    with app.app_context():
        assert db.session.get(BrainstormSession, session_id).phase == "group"
    # Once the window is over, or the phase moved on again, it is gone too.
    voting = expert.send("advance", {"session": session_id, "from": "group"})
    stale = expert.send("undo", {"session": session_id, "undo": advanced["undo"]})
    assert stale["ok"] is False and "no longer" in stale["error"]
    _age_undos(app, session_id)
    late = expert.send("undo", {"session": session_id, "undo": voting["undo"]})
    assert late["ok"] is False and "no longer" in late["error"]


def test_a_phase_ended_after_its_time_is_up_or_untimed_offers_no_undo(app, on_board):
    session_id, boards, notes = on_board(Phase.IDEATE, hidden_ideation=False)
    expert = boards["expert"]
    with app.app_context():
        session = db.session.get(BrainstormSession, session_id)
        session.phase_ends_at = utcnow() - timedelta(seconds=5)
        db.session.commit()
    assert "undo" not in expert.send("advance", {"session": session_id, "from": "ideate"})
    paused = expert.send("pause", {"session": session_id})
    assert paused["ok"]
    assert "undo" in expert.send("advance", {"session": session_id, "from": "group"})


def test_a_board_that_missed_an_undo_catches_up_with_its_patch(app, on_board):
    session_id, boards, notes = on_board()
    member, watcher = boards["member"], boards["asker"]
    a, b = _grouped(boards, session_id, notes)
    merged = member.send("merge_clusters", {"session": session_id, "source": b, "target": a})
    seen = _revision(app, session_id)
    assert member.send("undo", {"session": session_id, "undo": merged["undo"]})["ok"]
    reply = watcher.send("join", {"session": session_id, "since": seen})
    assert [p["revision"] for p in reply["patches"]] == [seen + 1]
    changes = dict(reply["patches"][0]["changes"])
    assert changes["cluster"]["name"] == "Help" and changes["merges"] == {"merges": []}
    assert set(changes["placement"]["notes"]) == {str(notes[1]), str(notes[2])}
