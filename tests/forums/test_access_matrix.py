"""Every space and forum route, for every kind of visitor, in a private and a public space."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from community.extensions import db
from community.forums.models import HelpfulMark, Post, Thread
from community.permissions import Role
from community.spaces.models import MembershipState, SpaceRole

VISITORS = ["anonymous", "outsider", "pending", "banned", "member", "moderator"]

# (method, url template, {visitor: expected status}) for a PRIVATE space.
HIDDEN = {"outsider": 404, "pending": 404, "banned": 404}
PRIVATE_ROUTES = [
    ("GET", "/s/{slug}", {"anonymous": 404, **HIDDEN, "member": 200, "moderator": 200}),
    ("GET", "/s/{slug}/members", {"anonymous": 404, **HIDDEN, "member": 200, "moderator": 200}),
    ("GET", "/s/{slug}/about", {"anonymous": 404, **HIDDEN, "member": 200, "moderator": 200}),
    ("GET", "/t/{thread}", {"anonymous": 404, **HIDDEN, "member": 200, "moderator": 200}),
    ("GET", "/posts/{reply}", {"anonymous": 404, **HIDDEN, "member": 302, "moderator": 302}),
    ("GET", "/s/{slug}/new", {"anonymous": 302, **HIDDEN, "member": 200, "moderator": 200}),
    ("GET", "/posts/{reply}/edit", {"anonymous": 302, **HIDDEN, "member": 403, "moderator": 200}),
    (
        "GET",
        "/posts/{reply}/history",
        {"anonymous": 302, **HIDDEN, "member": 403, "moderator": 200},
    ),
    ("GET", "/t/{thread}/move", {"anonymous": 302, **HIDDEN, "member": 403, "moderator": 200}),
    # Space moderators see the settings page for its ideas settings; only owners edit the space.
    ("GET", "/s/{slug}/settings", {"anonymous": 302, **HIDDEN, "member": 403, "moderator": 200}),
    ("POST", "/s/{slug}/settings", {"anonymous": 302, **HIDDEN, "member": 403, "moderator": 403}),
    (
        "POST",
        "/s/{slug}/settings/ideas",
        {"anonymous": 302, **HIDDEN, "member": 403, "moderator": 302},
    ),
    ("POST", "/t/{thread}/reply", {"anonymous": 302, **HIDDEN, "member": 302, "moderator": 302}),
    (
        "POST",
        "/posts/{reply}/helpful",
        {"anonymous": 302, **HIDDEN, "member": 302, "moderator": 302},
    ),
    (
        "POST",
        "/posts/{reply}/accept",
        {"anonymous": 302, **HIDDEN, "member": 302, "moderator": 302},
    ),
    ("POST", "/t/{thread}/moderate", {"anonymous": 302, **HIDDEN, "member": 302, "moderator": 302}),
    ("POST", "/s/{slug}/join", {"anonymous": 302, **HIDDEN, "member": 302, "moderator": 302}),
]


@pytest.fixture
def world(create_space, create_user, add_member, create_thread, create_reply, space_owner):
    space = create_space("Board", visibility="private")
    people = {"outsider": create_user("outsider")}
    for name, state in (("pending", MembershipState.PENDING), ("banned", MembershipState.BANNED)):
        people[name] = create_user(name)
        add_member(space, people[name], state=state)
    people["member"] = create_user("member")
    add_member(space, people["member"])
    people["moderator"] = create_user("spacemod")
    add_member(space, people["moderator"], role=SpaceRole.MODERATOR)
    thread = create_thread(space, space_owner, title="Roadmap")
    reply = create_reply(thread, space_owner, "Secret plans")
    return space, people, thread, reply


def writes(app) -> tuple[int, int, int]:
    with app.app_context():
        return (
            db.session.scalar(select(func.count(Post.id))),
            db.session.scalar(select(func.count(HelpfulMark.id))),
            db.session.scalar(select(func.count(Thread.id)).where(Thread.locked.is_(True))),
        )


@pytest.mark.parametrize("visitor", VISITORS)
def test_private_space_routes(app, client, login, world, visitor):
    space, people, thread, reply = world
    if visitor != "anonymous":
        login(client, people[visitor])
    before = writes(app)
    for method, template, expected in PRIVATE_ROUTES:
        url = template.format(slug=space.slug, thread=thread.id, reply=reply.id)
        data = {"body": "hello there", "action": "lock"}
        response = client.submit(url, data) if method == "POST" else client.get(url)
        assert response.status_code == expected[visitor], (visitor, method, url)
        if response.status_code == 404:
            text = response.get_data(as_text=True)
            assert "Roadmap" not in text and "Secret plans" not in text and "Board" not in text
    after = writes(app)
    if visitor in ("anonymous", "outsider", "pending", "banned"):
        assert after == before, visitor  # nothing they sent changed anything
    if visitor == "member":
        assert after[0] == before[0] + 1 and after[2] == before[2]  # replied; could not lock
    if visitor == "moderator":
        assert after[2] == before[2] + 1  # locked the thread


@pytest.mark.parametrize("visitor", ["anonymous", "outsider", "banned", "member"])
def test_public_space_reads_are_open_writes_are_not(
    app, client, login, create_space, create_user, add_member, create_thread, space_owner, visitor
):
    space = create_space("Open")
    thread = create_thread(space, space_owner, title="Public question")
    person = None
    if visitor != "anonymous":
        person = create_user(visitor)
        if visitor == "banned":
            add_member(space, person, state=MembershipState.BANNED)
        if visitor == "member":
            add_member(space, person)
        login(client, person)
    assert client.get(f"/s/{space.slug}").status_code == 200
    assert client.get(f"/t/{thread.id}").status_code == 200
    before = writes(app)
    client.submit(f"/t/{thread.id}/reply", {"body": "a reply"})
    client.submit(f"/s/{space.slug}/new", {"kind": "question", "title": "T", "body": "B"})
    after = writes(app)
    expected = 2 if visitor == "member" else 0
    assert after[0] - before[0] == expected


def test_site_admin_reaches_everything(client, create_user, login, world):
    space, _people, thread, reply = world
    login(client, create_user(role=Role.ADMIN))
    for url in (
        f"/s/{space.slug}",
        f"/t/{thread.id}",
        f"/posts/{reply.id}/history",
        f"/s/{space.slug}/settings",
    ):
        assert client.get(url).status_code == 200, url
