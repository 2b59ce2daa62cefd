"""Two instances share live updates (the Socket.IO message queue on Redis) and rate limits
(Redis): what one does reaches people connected to the other."""

from __future__ import annotations

import pytest
import socketio

A, B = "web-a", "web-b"


def test_a_vote_through_instance_a_reaches_a_socket_on_instance_b(
    cluster, visitors, sockets, world, idea
):
    watcher, voter = visitors(), visitors()
    watcher.sign_in(world.other)
    voter.sign_in(world.member)
    live = sockets(watcher.socket(cluster.instance_url(B), "/ideas"))
    assert live.call("watch", {"ideas": [idea.id]}) == {
        "ok": True,
        "watching": [idea.id],
        "votes": {str(idea.id): 0},
    }

    vote = voter.post(
        cluster.instance_url(A),
        f"/ideas/{idea.id}/vote",
        {"vote": "1"},
        headers={"Accept": "application/json"},
    )

    assert vote.status_code == 200 and vote.json()["votes"] == 1
    assert live.wait_for(lambda event, data: event == "votes") == (
        "votes",
        {"idea": idea.id, "votes": 1},
    )


def test_a_note_from_a_client_on_a_reaches_a_client_on_b(
    cluster, visitors, sockets, world, brainstorm
):
    writer, reader = visitors(), visitors()
    writer.sign_in(world.member)
    reader.sign_in(world.other)
    on_a = sockets(writer.socket(cluster.instance_url(A), "/brainstorm"))
    on_b = sockets(reader.socket(cluster.instance_url(B), "/brainstorm"))
    for live in (on_a, on_b):
        assert live.call("join", {"session": brainstorm})["ok"]

    added = on_a.call("add_note", {"session": brainstorm, "text": "Shared through Redis"})

    assert added["ok"], added
    _event, update = on_b.wait_for(
        lambda event, data: event == "update" and "Shared through Redis" in str(data)
    )
    assert update["session"] == brainstorm


def test_signing_out_on_a_ends_the_socket_held_by_b(cluster, visitors, sockets, world, brainstorm):
    person = visitors()
    person.sign_in(world.member)
    me = sockets(person.socket(cluster.instance_url(B), "/me"))
    board = sockets(person.socket(cluster.instance_url(B), "/brainstorm"))
    assert board.call("join", {"session": brainstorm})["ok"]

    signed_out = person.post(cluster.instance_url(A), "/logout", {})

    assert signed_out.status_code == 302
    assert me.wait_for(lambda event, data: event == "signed_out")[1] == {"reason": "signed_out"}
    board.wait_for(lambda event, data: event == "disconnect")
    # Connecting again with the ended session is refused, on either instance.
    for name in (A, B):
        with pytest.raises(socketio.exceptions.ConnectionError):
            person.socket(cluster.instance_url(name), "/brainstorm")


def test_a_space_turning_private_on_a_stops_counts_to_an_outsider_on_b(
    cluster, visitors, sockets, world, idea
):
    outsider, owner, voter = visitors(), visitors(), visitors()
    outsider.sign_in(world.outsider)
    owner.sign_in(world.owner)
    voter.sign_in(world.member)
    live = sockets(outsider.socket(cluster.instance_url(B), "/ideas"))
    assert live.call("watch", {"ideas": [idea.id]})["watching"] == [idea.id]

    settings = owner.post(
        cluster.instance_url(A),
        f"/s/{world.space.slug}/settings",
        {
            "name": world.space.name,
            "slug": world.space.slug,
            "description": "",
            "tags": "",
            "visibility": "private",
            "content_language": "en",
        },
    )
    assert settings.status_code == 302, settings.text[:3000]

    live.wait_for(lambda event, data: event == "recheck" and data == {"space": world.space.id})
    assert live.call("watch", {"ideas": [idea.id]})["watching"] == []
    vote = voter.post(
        cluster.instance_url(A),
        f"/ideas/{idea.id}/vote",
        {"vote": "1"},
        headers={"Accept": "application/json"},
    )
    assert vote.status_code == 200 and vote.json()["votes"] == 1
    # A member watching through B hears of it; the outsider, connected before, does not.
    member_live = sockets(voter.socket(cluster.instance_url(B), "/ideas"))
    assert member_live.call("watch", {"ideas": [idea.id]})["watching"] == [idea.id]
    second = visitors()
    second.sign_in(world.other)
    again = second.post(
        cluster.instance_url(A),
        f"/ideas/{idea.id}/vote",
        {"vote": "1"},
        headers={"Accept": "application/json"},
    )
    assert again.json()["votes"] == 2
    member_live.wait_for(lambda event, data: event == "votes" and data["votes"] == 2)
    assert not live.received(lambda event, data: event == "votes")


def test_rate_limits_are_counted_once_for_both_instances(cluster, visitors, world):
    """Five sign-in attempts a minute per account (production's budget), spent on A and B
    together: the sixth is refused on either."""
    attacker = visitors()
    attacker.get(cluster.url, "/")  # a session (and CSRF token) as a browser has one
    forged = {"X-Forwarded-For": "203.0.113.9"}  # as nginx would send it: one address

    def attempt(name: str):
        return attacker.post(
            cluster.instance_url(name),
            "/login",
            {"login": world.other.username, "password": "wrong password"},
            headers=forged,
        )

    answers = [attempt(name).status_code for name in (A, B, A, B, A)]
    assert 429 not in answers, answers
    assert attempt(B).status_code == 429
    assert attempt(A).status_code == 429


def test_a_ban_on_a_stops_counts_to_the_banned_member_on_b(
    cluster, visitors, sockets, data_app, world
):
    """In a private space, a member banned through A stops hearing the space's counts on
    the socket B holds; the other members go on hearing them."""
    from tests.cluster.conftest import add_members
    from tests.fixtures.ideas import make_idea
    from tests.fixtures.spaces import make_space

    space = make_space(data_app, world.owner, f"Private {world.space.slug}", visibility="private")
    add_members(data_app, space, [world.member, world.other])
    idea = make_idea(data_app, space, world.owner)
    banned, owner, other = visitors(), visitors(), visitors()
    banned.sign_in(world.member)
    owner.sign_in(world.owner)
    other.sign_in(world.other)
    banned_live = sockets(banned.socket(cluster.instance_url(B), "/ideas"))
    other_live = sockets(other.socket(cluster.instance_url(B), "/ideas"))
    for live in (banned_live, other_live):
        assert live.call("watch", {"ideas": [idea.id]})["watching"] == [idea.id]

    ban = owner.post(
        cluster.instance_url(A),
        f"/s/{space.slug}/members/{world.member.id}/ban",
        {"reason": "Testing bans across instances"},
    )
    assert ban.status_code == 302

    banned_live.wait_for(lambda event, data: event == "recheck" and data == {"space": space.id})
    assert banned_live.call("watch", {"ideas": [idea.id]})["watching"] == []
    # Members watch again too (told to recheck), and hear the next count.
    other_live.wait_for(lambda event, data: event == "recheck")
    assert other_live.call("watch", {"ideas": [idea.id]})["watching"] == [idea.id]
    vote = other.post(
        cluster.instance_url(A),
        f"/ideas/{idea.id}/vote",
        {"vote": "1"},
        headers={"Accept": "application/json"},
    )
    assert vote.status_code == 200
    other_live.wait_for(lambda event, data: event == "votes" and data["idea"] == idea.id)
    assert not banned_live.received(lambda event, data: event == "votes")
