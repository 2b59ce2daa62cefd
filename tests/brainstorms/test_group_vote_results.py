"""Grouping, dot voting and results on the live board: every event and refusal, exact dot
limits when one person votes from two tabs at once, and no voter identity in anonymous
sessions."""

from __future__ import annotations

import json
import threading

import pytest

from community.brainstorms import queries
from community.brainstorms.models import BrainstormSession, Cluster, Dot, Note, Patch, Phase
from community.extensions import db


@pytest.fixture
def grouping(app, cast, people, board, create_brainstorm, to_phase):
    """A session in the group phase with three notes by the member; joined boards."""

    def start(**settings):
        session_id = create_brainstorm(cast.space, cast.expert, **settings)
        to_phase(session_id, Phase.IDEATE)
        boards = {name: board(people[name]) for name in ("expert", "member", "asker")}
        for ws in boards.values():
            ws.send("join", {"session": session_id})
        notes = [
            boards["member"].send("add_note", {"session": session_id, "text": t})["note"]["id"]
            for t in ("Import in one click", "A guided tour", "Sample workspace")
        ]
        to_phase(session_id, Phase.GROUP)
        for ws in boards.values():
            ws.received()
        return session_id, boards, notes

    return start


def _rows(app, model, session_id):
    with app.app_context():
        return db.session.scalars(db.select(model).where(model.session_id == session_id)).all()


def test_clusters_are_made_named_filled_and_merged_live(app, grouping):
    session_id, boards, notes = grouping()
    member, watcher = boards["member"], boards["asker"]
    first = member.send("create_cluster", {"session": session_id, "name": "  Setup  "})
    assert first["ok"] and first["cluster"]["name"] == "Setup"
    # Only what changed is sent: the new cluster, not the board.
    assert watcher.received() == [("cluster", first["cluster"])]
    a, b = first["cluster"]["id"], None
    b = member.send("create_cluster", {"session": session_id, "name": "Tour"})["cluster"]["id"]
    assert member.send("rename_cluster", {"session": session_id, "cluster": b, "name": "Help"})[
        "cluster"
    ] == {"id": b, "name": "Help", "position": 2}
    assert member.send("move_note", {"session": session_id, "note": notes[0], "cluster": a})["ok"]
    assert member.send("move_note", {"session": session_id, "note": notes[1], "cluster": b})["ok"]
    watcher.received()
    merged = member.send("merge_clusters", {"session": session_id, "source": b, "target": a})
    # One patch: the notes that moved, the cluster merged away, and the merge the facilitator
    # can split back.
    assert watcher.received() == [
        ("placement", {"notes": {str(notes[1]): a}}),
        ("cluster_deleted", {"id": b}),
        ("merges", {"merges": [{"id": merged["undo"], "cluster": a, "by": "Greta"}]}),
    ]
    # Out of a cluster again.
    assert member.send("move_note", {"session": session_id, "note": notes[1], "cluster": None})[
        "ok"
    ]
    state = boards["expert"].send("join", {"session": session_id})["state"]
    assert [c["name"] for c in state["clusters"]] == ["Setup"]
    assert {n["id"]: n["cluster"] for n in state["notes"]} == {
        notes[0]: a,
        notes[1]: None,
        notes[2]: None,
    }
    assert [c.name for c in _rows(app, Cluster, session_id)] == ["Setup"]


def test_bad_grouping_events_store_and_send_nothing(
    app, cast, people, board, grouping, create_brainstorm, to_phase
):
    session_id, boards, notes = grouping()
    member, watcher = boards["member"], boards["asker"]
    cluster = member.send("create_cluster", {"session": session_id, "name": "Setup"})["cluster"]
    other_session = create_brainstorm(cast.space, cast.expert, hidden_ideation=False)
    to_phase(other_session, Phase.GROUP)
    elsewhere = board(people["expert"])
    elsewhere.send("join", {"session": other_session})
    foreign = elsewhere.send("create_cluster", {"session": other_session, "name": "Other"})
    foreign_id = foreign["cluster"]["id"]
    watcher.received()
    s, c = session_id, cluster["id"]
    refusals = [
        ("create_cluster", {"session": s}, "at most 80"),
        ("create_cluster", {"session": s, "name": 7}, "at most 80"),
        ("create_cluster", {"session": s, "name": "   "}, "at most 80"),
        ("create_cluster", {"session": s, "name": "x" * 81}, "at most 80"),
        ("create_cluster", {"session": s, "name": "x" * 100_000}, "at most 80"),
        ("rename_cluster", {"session": s, "cluster": "1", "name": "x"}, "isn't on this board"),
        ("rename_cluster", {"session": s, "cluster": 99999, "name": "x"}, "isn't on this board"),
        ("rename_cluster", {"session": s, "cluster": foreign_id, "name": "x"}, "isn't on"),
        ("rename_cluster", {"session": s, "cluster": c, "name": ""}, "at most 80"),
        ("move_note", {"session": s, "note": notes[0]}, "not understood"),
        ("move_note", {"session": s, "note": 99999, "cluster": c}, "isn't on this board"),
        ("move_note", {"session": s, "note": notes[0], "cluster": foreign_id}, "isn't on"),
        ("move_note", {"session": s, "note": notes[0], "cluster": "x"}, "isn't on"),
        ("merge_clusters", {"session": s, "source": c, "target": c}, "two different"),
        ("merge_clusters", {"session": s, "source": foreign_id, "target": c}, "isn't on"),
        ("merge_clusters", {"session": s, "source": c}, "isn't on"),
        ("create_cluster", {"session": other_session, "name": "x"}, "Join the session first"),
    ]
    for event, data, message in refusals:
        reply = member.send(event, data)
        assert reply["ok"] is False and message in reply["error"], (event, data, reply)
    assert watcher.received() == []
    assert [(x.name) for x in _rows(app, Cluster, session_id)] == ["Setup"]
    assert all(n.cluster_id is None for n in _rows(app, Note, session_id))
    outsider = board(people["outsider"])
    assert outsider.send("create_cluster", {"session": s, "name": "x"})["ok"] is False


def test_grouping_happens_only_in_the_group_phase_and_as_the_setting_says(app, grouping, to_phase):
    session_id, boards, notes = grouping(who_may_group="facilitator")
    member, facilitator = boards["member"], boards["expert"]
    refused = member.send("create_cluster", {"session": session_id, "name": "Mine"})
    assert refused == {
        "ok": False,
        "error": "In this session only the facilitator groups the notes.",
    }
    assert member.send("join", {"session": session_id})["state"]["may_group"] is False
    cluster = facilitator.send("create_cluster", {"session": session_id, "name": "Setup"})
    c = cluster["cluster"]["id"]
    for event, data in (
        ("rename_cluster", {"cluster": c, "name": "x"}),
        ("move_note", {"note": notes[0], "cluster": c}),
    ):
        assert member.send(event, {"session": session_id, **data})["ok"] is False
    to_phase(session_id, Phase.VOTE)
    facilitator.received()
    for event, data in (
        ("create_cluster", {"name": "Late"}),
        ("rename_cluster", {"cluster": c, "name": "x"}),
        ("move_note", {"note": notes[0], "cluster": c}),
    ):
        reply = facilitator.send(event, {"session": session_id, **data})
        assert reply == {"ok": False, "error": "Notes can only be grouped while grouping."}
    assert facilitator.received() == []
    assert [x.name for x in _rows(app, Cluster, session_id)] == ["Setup"]


def _at_once(calls) -> list:
    """Run the calls in threads released together; their results, in call order."""
    calls = list(calls)
    barrier = threading.Barrier(len(calls))
    results = [None] * len(calls)

    def run(n, call):
        barrier.wait()
        results[n] = call()

    threads = [threading.Thread(target=run, args=(n, call)) for n, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def _vote(session_id, ws, **item):
    return ws.send("add_dot", {"session": session_id, **item})


def test_dots_within_the_limits_changeable_until_the_phase_ends(app, grouping, to_phase):
    session_id, boards, notes = grouping(dots_per_participant=3, dots_per_item=2, dot_totals="live")
    member, watcher = boards["member"], boards["asker"]
    c = member.send("create_cluster", {"session": session_id, "name": "Setup"})["cluster"]["id"]
    assert _vote(session_id, member, note=notes[0]) == {
        "ok": False,
        "error": "Dots can only be placed while voting.",
    }
    to_phase(session_id, Phase.VOTE)
    watcher.received()
    first = _vote(session_id, member, cluster=c)
    assert first["my_dots"] == {
        "session": session_id,
        "notes": {},
        "clusters": {str(c): 1},
        "left": 2,
    }
    assert dict(watcher.received())["tally"] == {
        "notes": {},
        "clusters": {str(c): 1},
    }
    assert _vote(session_id, member, cluster=c)["ok"]
    assert _vote(session_id, member, cluster=c) == {
        "ok": False,
        "error": "At most 2 dots per item.",
    }
    assert _vote(session_id, member, note=notes[0])["ok"]
    over = _vote(session_id, member, note=notes[1])
    assert over["ok"] is False and "all 3 of your dots" in over["error"]
    removed = member.send("remove_dot", {"session": session_id, "cluster": c})
    assert removed["my_dots"]["left"] == 1
    assert _vote(session_id, member, note=notes[1])["ok"]
    for event, data, message in [
        ("add_dot", {}, "one note or one cluster"),
        ("add_dot", {"note": notes[0], "cluster": c}, "one note or one cluster"),
        ("add_dot", {"note": 99999}, "isn't on this board"),
        ("add_dot", {"cluster": "x"}, "isn't on this board"),
        ("remove_dot", {"note": notes[2]}, "no dot there"),
    ]:
        reply = watcher.send(event, {"session": session_id, **data})
        assert reply["ok"] is False and message in reply["error"], (event, data, reply)
    assert len(_rows(app, Dot, session_id)) == 3
    to_phase(session_id, Phase.RESULTS)
    assert _vote(session_id, member, note=notes[2])["ok"] is False
    assert member.send("remove_dot", {"session": session_id, "note": notes[0]})["ok"] is False
    assert len(_rows(app, Dot, session_id)) == 3


@pytest.mark.race
def test_two_tabs_voting_at_once_stay_within_the_limits(
    app, cast, login, board, grouping, to_phase
):
    session_id, boards, notes = grouping(dots_per_participant=2, dots_per_item=1)
    to_phase(session_id, Phase.VOTE)
    tabs = []
    for _ in range(len(notes) * 2):
        client = app.test_client()
        client.set_cookie(
            "session", boards["member"].io.flask_test_client.get_cookie("session").value
        )
        tab = board(client)
        tab.send("join", {"session": session_id})
        tabs.append(tab)
    replies = _at_once(
        lambda tab=tab, n=n: _vote(session_id, tab, note=notes[n % len(notes)])
        for n, tab in enumerate(tabs)
    )
    assert sorted(r["ok"] for r in replies) == [False] * (len(tabs) - 2) + [True, True]
    dots = _rows(app, Dot, session_id)
    assert len(dots) == 2 and len({d.note_id for d in dots}) == 2
    # Taking the same dot back from every tab at once takes exactly one.
    replies = _at_once(
        lambda tab=tab: tab.send("remove_dot", {"session": session_id, "note": dots[0].note_id})
        for tab in tabs
    )
    assert sorted(r["ok"] for r in replies) == [False] * (len(tabs) - 1) + [True]
    assert len(_rows(app, Dot, session_id)) == 1


def test_anonymous_dots_send_totals_and_my_dots_only(app, cast, grouping, to_phase):
    session_id, boards, notes = grouping(anonymous=True, dot_totals="live")
    member, watcher, facilitator = boards["member"], boards["asker"], boards["expert"]
    to_phase(session_id, Phase.VOTE)
    for ws in boards.values():
        ws.received()
    sent = [_vote(session_id, member, note=notes[0]), _vote(session_id, watcher, note=notes[0])]
    sent.append(facilitator.send("join", {"session": session_id}))
    to_phase(session_id, Phase.RESULTS)
    sent.append(facilitator.send("join", {"session": session_id}))
    pushed = facilitator.received()
    everything = json.dumps(sent + pushed + watcher.received() + member.received())
    for person in (cast.member, cast.asker):
        assert person.display_name not in everything and person.username not in everything
    assert '"user' not in everything and '"author"' not in everything
    assert dict(pushed)["tally"]["notes"] == {str(notes[0]): 2}
    # Each voter's own dots go only to their tabs.
    assert [name for name, _ in pushed].count("my_dots") == 0
    assert sent[1]["my_dots"]["notes"] == {str(notes[0]): 1}


def test_results_score_each_cluster_once_and_stay_after_close(app, client, grouping, to_phase):
    session_id, boards, notes = grouping()
    member, facilitator = boards["member"], boards["expert"]
    c = member.send("create_cluster", {"session": session_id, "name": "Setup"})["cluster"]["id"]
    member.send("move_note", {"session": session_id, "note": notes[0], "cluster": c})
    member.send("move_note", {"session": session_id, "note": notes[1], "cluster": c})
    to_phase(session_id, Phase.VOTE)
    _vote(session_id, member, note=notes[2])
    _vote(session_id, boards["asker"], cluster=c)
    # A dot on a note inside the cluster counts towards the cluster: one score, no second rank.
    _vote(session_id, member, note=notes[0])
    facilitator.received()
    assert facilitator.send("advance", {"session": session_id, "from": "vote"})["ok"]
    results = dict(facilitator.received())["results"]["results"]
    assert [(r["rank"], r["kind"], r["text"], r["dots"]) for r in results] == [
        (1, "cluster", "Setup", 2),
        (2, "note", "Sample workspace", 1),
    ]
    assert results[0]["notes"] == ["Import in one click", "A guided tour"]
    to_phase(session_id, Phase.CLOSED)
    state = member.send("join", {"session": session_id})["state"]
    assert state["phase"] == "closed" and state["results"] == results
    page = client.get(f"/sessions/{session_id}").get_data(as_text=True)
    assert "Setup" in page and "Sample workspace" in page


def test_equal_scores_share_a_rank(app, grouping, to_phase):
    session_id, boards, notes = grouping(dots_per_participant=5, dots_per_item=3)
    member, asker, facilitator = boards["member"], boards["asker"], boards["expert"]
    c = member.send("create_cluster", {"session": session_id, "name": "Setup"})["cluster"]["id"]
    member.send("move_note", {"session": session_id, "note": notes[0], "cluster": c})
    to_phase(session_id, Phase.VOTE)
    for _ in range(2):
        _vote(session_id, member, note=notes[1])
        _vote(session_id, asker, note=notes[2])
    _vote(session_id, member, cluster=c)
    for _ in range(2):
        _vote(session_id, asker, note=notes[0])
    facilitator.received()
    assert facilitator.send("advance", {"session": session_id, "from": "vote"})["ok"]
    results = dict(facilitator.received())["results"]["results"]
    # 3, 2, 2, then nothing left: ranks 1, 2, 2 (a fourth item would be 4).
    assert [(r["rank"], r["text"], r["dots"]) for r in results] == [
        (1, "Setup", 3),
        (2, "A guided tour", 2),
        (2, "Sample workspace", 2),
    ]
    with app.app_context():
        session = db.session.get(BrainstormSession, session_id)
        db.session.add(Note(session_id=session_id, author_id=session.facilitator_id, text="Late"))
        db.session.flush()
        ranks = [(r["rank"], r["text"]) for r in queries.ranked_results(session)]
        db.session.rollback()
    assert ranks == [(1, "Setup"), (2, "A guided tour"), (2, "Sample workspace"), (4, "Late")]


def test_hidden_totals_reach_only_the_facilitator_until_the_vote_closes(
    app, client, login, cast, people, board, grouping, to_phase
):
    session_id, boards, notes = grouping()  # hidden totals: the default
    member, asker, facilitator = boards["member"], boards["asker"], boards["expert"]
    to_phase(session_id, Phase.VOTE)
    for ws in boards.values():
        ws.messages()
    since = member.send("join", {"session": session_id})["state"]["revision"]
    assert _vote(session_id, member, note=notes[0])["my_dots"]["notes"] == {str(notes[0]): 1}
    assert _vote(session_id, asker, note=notes[0])["ok"]
    # The facilitator sees the running totals, in their own snapshot only.
    own = [p for name, p in facilitator.messages() if name == "own"]
    assert own[-1]["tally"]["notes"] == {str(notes[0]): 2}
    # Participants: no totals in any update, own message, full state or catch-up.
    seen = member.messages() + asker.messages()
    seen.append(("state", member.send("join", {"session": session_id})["state"]))
    seen.append(("catch_up", member.send("join", {"session": session_id, "since": since})))
    fresh = board(people["member"])
    seen.append(("fresh", fresh.send("join", {"session": session_id})["state"]))
    assert seen[-1][1]["tally"] is None and seen[-3][1]["tally"] is None
    assert seen[-2][1]["patches"] and "tally" not in seen[-2][1]["own"]
    everything = json.dumps(seen)
    assert '"tally"' not in everything.replace('"tally": null', "")
    assert '"results": [' not in everything
    with app.app_context():
        kept = db.session.scalars(db.select(Patch).where(Patch.session_id == session_id)).all()
        assert kept and all(kind != "tally" for p in kept for kind, _ in p.changes)
    # Neither the page nor the exports give them away while voting.
    login(client, cast.member)
    assert client.get(f"/sessions/{session_id}/results.csv").status_code == 404
    assert client.get(f"/sessions/{session_id}/results.md").status_code == 404
    page = client.get(f"/sessions/{session_id}").get_data(as_text=True)
    assert "data-results-list></ol>" in page
    # Once the vote closes, everyone gets the results with their scores.
    assert facilitator.send("advance", {"session": session_id, "from": "vote"})["ok"]
    results = dict(member.received())["results"]["results"]
    assert results[0]["dots"] == 2
    assert member.send("join", {"session": session_id})["state"]["tally"]["notes"] == {
        str(notes[0]): 2
    }


def test_live_totals_reach_everyone_while_voting(app, grouping, to_phase):
    session_id, boards, notes = grouping(dot_totals="live")
    to_phase(session_id, Phase.VOTE)
    boards["asker"].received()
    assert _vote(session_id, boards["member"], note=notes[0])["ok"]
    assert dict(boards["asker"].received())["tally"]["notes"] == {str(notes[0]): 1}
    state = boards["asker"].send("join", {"session": session_id})["state"]
    assert state["tally"]["notes"] == {str(notes[0]): 1} and state["dot_totals"] == "live"
