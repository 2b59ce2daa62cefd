"""The facilitator's room: hard and soft timers (server time is the authority), a moderator
taking over from a facilitator who is gone, and the settings the facilitator may still change."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from community.accounts.models import User
from community.brainstorms import operations
from community.brainstorms.models import BrainstormSession, Note, Phase
from community.database import utcnow
from community.errors import OperationError
from community.extensions import db
from community.spaces.models import SpaceRole

TIME_UP = "Time is up. The facilitator can extend the phase."


def _run_out(app, session_id: int) -> None:
    """The current phase's time ran out (by the server's clock) a moment ago."""
    with app.app_context():
        session = db.session.get(BrainstormSession, session_id)
        session.phase_ends_at = utcnow() - timedelta(seconds=1)
        db.session.commit()


def _texts(app, session_id: int) -> list[str]:
    with app.app_context():
        return sorted(
            db.session.scalars(
                db.select(Note.text).where(Note.session_id == session_id, Note.deleted_at.is_(None))
            )
        )


def test_a_hard_timer_stops_new_and_edited_notes_until_the_facilitator_extends(
    app, cast, people, board, create_brainstorm, to_phase
):
    session_id = create_brainstorm(cast.space, cast.expert, hidden_ideation=False)
    to_phase(session_id, Phase.IDEATE)
    facilitator, member = board(people["expert"]), board(people["member"])
    facilitator.send("join", {"session": session_id})
    state = member.send("join", {"session": session_id})["state"]
    assert state["settings"]["timer_mode"] == "hard"
    note = member.send("add_note", {"session": session_id, "text": "In time"})["note"]
    _run_out(app, session_id)
    member.received()
    assert member.send("add_note", {"session": session_id, "text": "Too late"}) == {
        "ok": False,
        "error": TIME_UP,
    }
    edit = {"session": session_id, "note": note["id"], "text": "Changed late"}
    assert member.send("edit_note", edit)["error"] == TIME_UP
    assert member.received() == []  # refused: nothing was sent, nothing stored
    assert _texts(app, session_id) == ["In time"]
    # Only the facilitator extends, and only by 1 to 30 minutes of the right type.
    for who, minutes in ((member, 2), (facilitator, -5), (facilitator, 0), (facilitator, 10**12)):
        assert who.send("extend", {"session": session_id, "minutes": minutes})["ok"] is False
    for minutes in ("2", True, None, 2.5, [2]):
        assert (
            facilitator.send("extend", {"session": session_id, "minutes": minutes})["ok"] is False
        )
    assert (
        member.send("add_note", {"session": session_id, "text": "Still late"})["error"] == TIME_UP
    )
    # Extending reopens it, from now.
    assert facilitator.send("extend", {"session": session_id, "minutes": 2}) == {"ok": True}
    phase = dict(member.received())["phase"]
    ends = datetime.fromisoformat(phase["ends_at"])
    assert timedelta(seconds=100) < ends - datetime.fromisoformat(phase["now"])
    assert member.send("add_note", {"session": session_id, "text": "After extending"})["ok"]
    assert member.send("edit_note", edit)["ok"]
    assert _texts(app, session_id) == ["After extending", "Changed late"]


def test_a_hard_timer_stops_dots_and_a_soft_one_stops_nothing(
    app, cast, people, board, create_brainstorm, to_phase
):
    hard = create_brainstorm(cast.space, cast.expert, hidden_ideation=False)
    soft = create_brainstorm(cast.space, cast.expert, hidden_ideation=False, timer_mode="soft")
    member = board(people["member"])
    notes = {}
    for session_id in (hard, soft):
        to_phase(session_id, Phase.IDEATE)
        member.send("join", {"session": session_id})
        notes[session_id] = member.send("add_note", {"session": session_id, "text": "Idea"})[
            "note"
        ]["id"]
        to_phase(session_id, Phase.VOTE)
        _run_out(app, session_id)
    assert member.send("add_dot", {"session": hard, "note": notes[hard]}) == {
        "ok": False,
        "error": TIME_UP,
    }
    assert member.send("add_dot", {"session": soft, "note": notes[soft]})["ok"]
    # Soft: ideation goes on after the time too.
    late = create_brainstorm(cast.space, cast.expert, timer_mode="soft")
    to_phase(late, Phase.IDEATE)
    _run_out(app, late)
    member.send("join", {"session": late})
    assert member.send("add_note", {"session": late, "text": "Still welcome"})["ok"]


def test_a_paused_clock_never_runs_out(app_ctx, cast, create_brainstorm, to_phase):
    session_id = create_brainstorm(cast.space, cast.expert)
    to_phase(session_id, Phase.IDEATE)
    session = db.session.get(BrainstormSession, session_id)
    expert = db.session.get(User, cast.expert.id)
    operations.pause_phase(session, by=expert)
    session.paused_seconds = 1
    db.session.commit()
    assert not session.time_is_up and not session.closed_by_clock
    session.phase_ends_at = utcnow() - timedelta(seconds=5)  # not how a pause looks, but:
    assert not session.time_is_up  # a paused clock never expires
    db.session.rollback()


def test_the_timer_mode_is_checked(app_ctx, cast):
    from community.spaces.models import Space

    space = db.session.get(Space, cast.space.id)
    expert = db.session.get(User, cast.expert.id)
    for bad in ("HARD", "", None, 1, "sort"):
        with pytest.raises(OperationError, match="hard or a soft"):
            operations.create_session(space, by=expert, prompt="Why?", timer_mode=bad)


def test_a_moderator_takes_over_from_a_facilitator_who_dropped_out(
    app, cast, people, board, login, create_brainstorm, to_phase
):
    session_id = create_brainstorm(cast.space, cast.expert)
    to_phase(session_id, Phase.IDEATE)
    owner_client = app.test_client()
    login(owner_client, cast.owner)
    facilitator, member, owner = (
        board(people["expert"]),
        board(people["member"]),
        board(owner_client),
    )
    for ws in (facilitator, member, owner):
        ws.send("join", {"session": session_id})
    presence = member.send("join", {"session": session_id})["state"]["presence"]
    assert presence["facilitator_here"] is True
    refused = (
        "Only a moderator of this space can take over, and only while the facilitator is away."
    )
    # Not while the facilitator is here.
    assert owner.send("take_over", {"session": session_id}) == {"ok": False, "error": refused}
    member.received()
    facilitator.send("leave", {"session": session_id})
    # Participants see the facilitator drop out.
    assert dict(member.received())["presence"]["facilitator_here"] is False
    # A member who is not a moderator cannot take over, nor the facilitator's own events work.
    assert member.send("take_over", {"session": session_id}) == {"ok": False, "error": refused}
    assert member.send("advance", {"session": session_id, "from": "ideate"})["ok"] is False
    assert owner.send("take_over", {"session": session_id}) == {"ok": True}
    settings = dict(member.received())["settings"]
    assert settings["facilitator"]["id"] == cast.owner.id
    assert owner.send("advance", {"session": session_id, "from": "ideate"})["ok"]
    # The old facilitator, back, is a participant now.
    facilitator.send("join", {"session": session_id})
    assert facilitator.send("advance", {"session": session_id, "from": "group"})["ok"] is False
    with app.app_context():
        assert db.session.get(BrainstormSession, session_id).facilitator_id == cast.owner.id


def test_outsiders_and_former_moderators_cannot_take_over(
    app, cast, people, board, login, create_user, add_member, create_brainstorm, to_phase
):
    from community.spaces.models import Membership

    session_id = create_brainstorm(cast.space, cast.expert)
    to_phase(session_id, Phase.IDEATE)
    former = create_user("formermod")
    add_member(cast.space, former, role=SpaceRole.MODERATOR)
    former_client = app.test_client()
    login(former_client, former)
    ws = board(former_client)
    assert ws.send("join", {"session": session_id})["ok"]
    with app.app_context():
        membership = db.session.scalar(
            db.select(Membership).where(
                Membership.space_id == cast.space.id, Membership.user_id == former.id
            )
        )
        db.session.delete(membership)
        db.session.commit()
    assert ws.send("take_over", {"session": session_id})["ok"] is False
    outsider = board(people["outsider"])
    assert outsider.send("take_over", {"session": session_id})["ok"] is False
    # Another session's board: joining one session does not open another.
    other = create_brainstorm(cast.space, cast.expert)
    assert ws.send("take_over", {"session": other})["ok"] is False
    for bad in ({"session": "1"}, {"session": -1}, {}, [], "x"):
        assert ws.send("take_over", bad)["ok"] is False
    with app.app_context():
        assert db.session.get(BrainstormSession, session_id).facilitator_id == cast.expert.id


def _settings_form(session: dict, **changes) -> dict:
    """The settings form as the page posts it, with ``changes``."""
    form = {
        "prompt": "How could onboarding be faster?",
        "timer_mode": "hard",
        "hidden_ideation": "y",
        "who_may_group": "everyone",
        "dots_per_participant": "5",
        "dots_per_item": "3",
        "ideate_minutes": "10",
        "group_minutes": "5",
        "vote_minutes": "5",
        "scheduled_for": "",
        "timezone": "",
    }
    form.update(changes)
    return {k: v for k, v in form.items() if v is not None}


def _row(app, session_id: int) -> dict:
    with app.app_context():
        s = db.session.get(BrainstormSession, session_id)
        return {
            c: getattr(s, c)
            for c in (
                "prompt",
                "timer_mode",
                "anonymous",
                "hidden_ideation",
                "who_may_group",
                "dots_per_participant",
                "dots_per_item",
                "ideate_minutes",
                "group_minutes",
                "vote_minutes",
                "scheduled_for",
                "dot_totals",
                "revision",
            )
        }


def test_the_facilitator_changes_settings_in_the_lobby_with_the_time_in_their_zone(
    app, cast, people, create_brainstorm
):
    session_id = create_brainstorm(cast.space, cast.expert)
    url = f"/sessions/{session_id}/settings"
    facilitator = people["expert"]
    page = facilitator.get(url)
    assert page.status_code == 200 and 'name="dot_totals"' not in page.get_data(as_text=True)
    when = (utcnow() + timedelta(days=3)).replace(second=0, microsecond=0)
    shanghai = when.astimezone(ZoneInfo("Asia/Shanghai")).strftime("%Y-%m-%dT%H:%M")
    response = facilitator.submit(
        url,
        _settings_form(
            {},
            prompt="  What slows   onboarding? ",
            timer_mode="soft",
            anonymous="y",
            scheduled_for=shanghai,
            timezone="Asia/Shanghai",
            dots_per_participant="6",
            vote_minutes="7",
        ),
    )
    assert response.status_code == 302
    row = _row(app, session_id)
    assert row["prompt"] == "What slows onboarding?" and row["timer_mode"] == "soft"
    assert row["anonymous"] is True and row["dots_per_participant"] == 6
    assert row["vote_minutes"] == 7 and row["scheduled_for"] == when
    # The same moment entered in Los Angeles is the same UTC time.
    los_angeles = when.astimezone(ZoneInfo("America/Los_Angeles")).strftime("%Y-%m-%dT%H:%M")
    assert los_angeles != shanghai
    before = _row(app, session_id)
    response = facilitator.submit(
        url,
        _settings_form(
            {},
            prompt="What slows onboarding?",
            timer_mode="soft",
            anonymous="y",
            scheduled_for=los_angeles,
            timezone="America/Los_Angeles",
            dots_per_participant="6",
            vote_minutes="7",
        ),
    )
    assert response.status_code == 302 and _row(app, session_id) == before  # nothing changed


def test_local_times_convert_to_utc_and_impossible_ones_are_refused():
    from community.brainstorms.forms import local_to_utc

    assert local_to_utc(datetime(2026, 12, 10, 9, 0), "Asia/Shanghai") == datetime(
        2026, 12, 10, 1, 0, tzinfo=UTC
    )
    # Summer time in Los Angeles is UTC-7, winter time UTC-8.
    assert local_to_utc(datetime(2026, 7, 10, 9, 0), "America/Los_Angeles") == datetime(
        2026, 7, 10, 16, 0, tzinfo=UTC
    )
    assert local_to_utc(datetime(2026, 1, 10, 9, 0), "America/Los_Angeles") == datetime(
        2026, 1, 10, 17, 0, tzinfo=UTC
    )
    assert local_to_utc(datetime(2026, 1, 10, 9, 0), "") == datetime(2026, 1, 10, 9, 0, tzinfo=UTC)
    for moment, zone in (
        (datetime(9999, 12, 31, 23, 59), "America/Los_Angeles"),
        (datetime(1, 1, 1, 0, 0), "Asia/Shanghai"),
        (datetime(2026, 1, 1), "Nowhere/Else"),
        (datetime(2026, 1, 1), "../../etc/passwd"),
        (datetime(2026, 1, 1), "UTC\x00"),
        (datetime(2026, 1, 1), "\ud800"),
    ):
        with pytest.raises(ValueError):
            local_to_utc(moment, zone)


@pytest.mark.parametrize(
    "phase, field, value, message",
    [
        (Phase.IDEATE, "anonymous", "y", "before the session starts"),
        (Phase.IDEATE, "hidden_ideation", "y", "before the session starts"),
        (Phase.IDEATE, "ideate_minutes", "12", "before the session starts"),
        (Phase.IDEATE, "scheduled_for", "2030-01-01T10:00", "before the session starts"),
        (Phase.GROUP, "group_minutes", "9", "before grouping starts"),
        (Phase.VOTE, "dots_per_participant", "7", "before voting starts"),
        (Phase.VOTE, "dots_per_item", "2", "before voting starts"),
        (Phase.VOTE, "who_may_group", "facilitator", "before voting starts"),
        (Phase.VOTE, "vote_minutes", "9", "before voting starts"),
        (Phase.RESULTS, "timer_mode", "soft", "before the vote closes"),
        (Phase.CLOSED, "prompt", "Another prompt", "This session has ended"),
    ],
)
def test_settings_a_phase_has_passed_are_refused(
    app, cast, people, create_brainstorm, to_phase, phase, field, value, message
):
    # (a session that hides nothing, so that posting the checked box is a change)
    session_id = create_brainstorm(
        cast.space, cast.expert, hidden_ideation=field != "hidden_ideation"
    )
    to_phase(session_id, phase)
    before = _row(app, session_id)
    response = people["expert"].submit(
        f"/sessions/{session_id}/settings", _settings_form({}, **{field: value})
    )
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert _row(app, session_id) == before


def test_what_may_still_change_does_once_the_session_runs(
    app, cast, people, create_brainstorm, to_phase
):
    session_id = create_brainstorm(cast.space, cast.expert)
    to_phase(session_id, Phase.GROUP)
    # Fields the phase has locked are shown disabled and not posted: they stay as they are.
    form = _settings_form({}, prompt="Sharper prompt", vote_minutes="8", timer_mode="soft")
    for locked in ("hidden_ideation", "ideate_minutes", "group_minutes", "scheduled_for"):
        form.pop(locked, None)
    response = people["expert"].submit(f"/sessions/{session_id}/settings", form)
    assert response.status_code == 302
    row = _row(app, session_id)
    assert (row["prompt"], row["vote_minutes"], row["timer_mode"]) == ("Sharper prompt", 8, "soft")
    assert row["hidden_ideation"] is True and row["dot_totals"] == "hidden"


@pytest.mark.parametrize(
    "changes",
    [
        {"ideate_minutes": "-5"},
        {"ideate_minutes": "0"},
        {"group_minutes": "99999999999999999999"},
        {"vote_minutes": "ten"},
        {"dots_per_participant": "21"},
        {"dots_per_item": "6"},  # more than each participant has
        {"timer_mode": "lenient"},
        {"who_may_group": "nobody"},
        {"prompt": ""},
        {"prompt": "x" * 301},
        {"scheduled_for": "9999-12-31T23:59", "timezone": "America/Los_Angeles"},
        {"scheduled_for": "0001-01-01T00:00", "timezone": "Asia/Shanghai"},
        {"scheduled_for": "9999-12-31T23:59", "timezone": "UTC"},
        {"scheduled_for": "2020-01-01T00:00"},
        {"scheduled_for": "2030-01-01T00:00", "timezone": "Mars/Olympus"},
        {"scheduled_for": "yesterday"},
    ],
)
def test_hostile_settings_are_refused_and_change_nothing(
    app, cast, people, create_brainstorm, changes
):
    session_id = create_brainstorm(cast.space, cast.expert)
    before = _row(app, session_id)
    response = people["expert"].submit(
        f"/sessions/{session_id}/settings", _settings_form({}, **changes)
    )
    assert response.status_code == 422
    assert _row(app, session_id) == before


def test_only_the_facilitator_changes_settings_and_only_with_a_csrf_token(
    app, cast, people, create_brainstorm
):
    session_id = create_brainstorm(cast.space, cast.expert)
    url = f"/sessions/{session_id}/settings"
    before = _row(app, session_id)
    for name in ("member", "outsider"):
        assert people[name].get(url).status_code in (403, 404)
        assert people[name].submit(url, _settings_form({}, prompt="Mine now")).status_code in (
            403,
            404,
        )
    missing = people["expert"].post(url, data=_settings_form({}, prompt="No token"))
    assert missing.status_code == 400
    assert _row(app, session_id) == before
    assert people["expert"].get("/sessions/999999/settings").status_code == 404


def test_settings_reach_the_open_boards(app, cast, people, board, create_brainstorm):
    session_id = create_brainstorm(cast.space, cast.expert)
    member = board(people["member"])
    member.send("join", {"session": session_id})
    member.received()
    people["expert"].submit(
        f"/sessions/{session_id}/settings",
        _settings_form({}, prompt="Sharper prompt", who_may_group="facilitator"),
    )
    settings = dict(member.received())["settings"]
    assert settings["prompt"] == "Sharper prompt" and settings["who_may_group"] == "facilitator"


def test_update_settings_refuses_wrong_types_and_unknown_fields(app_ctx, cast, create_brainstorm):
    session_id = create_brainstorm(cast.space, cast.expert)
    session = db.session.get(BrainstormSession, session_id)
    expert = db.session.get(User, cast.expert.id)
    for changes in (
        {"dot_totals": "live"},
        {"facilitator_id": 1},
        {"ideate_minutes": "10"},
        {"ideate_minutes": True},
        {"anonymous": "yes"},
        {"scheduled_for": datetime(2030, 1, 1)},  # no zone
        {"scheduled_for": "2030-01-01"},
    ):
        with pytest.raises(OperationError):
            operations.update_settings(session, by=expert, **changes)
        db.session.rollback()
    member = db.session.get(User, cast.member.id)
    with pytest.raises(Exception, match="facilitator"):
        operations.update_settings(session, by=member, prompt="Mine")


def test_a_new_session_is_scheduled_in_the_facilitators_time_zone(app, cast, people):
    url = f"/s/{cast.space.slug}/sessions/new"
    when = (utcnow() + timedelta(days=10)).replace(second=0, microsecond=0)
    local = when.astimezone(ZoneInfo("America/Los_Angeles")).strftime("%Y-%m-%dT%H:%M")
    form = {
        "prompt": "Where do we lose people?",
        "scheduled_for": local,
        "timezone": "America/Los_Angeles",
        "timer_mode": "soft",
        "who_may_group": "everyone",
        "dot_totals": "hidden",
        "dots_per_participant": "5",
        "dots_per_item": "3",
        "ideate_minutes": "10",
        "group_minutes": "5",
        "vote_minutes": "5",
    }
    assert people["expert"].submit(url, form).status_code == 302
    with app.app_context():
        session = db.session.scalar(
            db.select(BrainstormSession).where(BrainstormSession.prompt == form["prompt"])
        )
        assert session.scheduled_for == when and session.timer_mode == "soft"
        count = db.session.scalar(db.select(db.func.count(BrainstormSession.id)))
    for scheduled, zone in (
        ("9999-12-31T23:59", "America/Los_Angeles"),
        ("0001-01-01T00:00", "Asia/Shanghai"),
        (local, "Atlantis/Nowhere"),
    ):
        page = people["expert"].submit(url, {**form, "scheduled_for": scheduled, "timezone": zone})
        assert "Schedule the session within the next year." in page.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(BrainstormSession.id))) == count
