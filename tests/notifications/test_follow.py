"""Following through the pages: the control, its bad paths, the following list, the settings."""

from __future__ import annotations

from community.extensions import db
from community.notifications.models import NotificationSettings
from tests.fixtures.app import page_text


def test_follow_control_sets_changes_and_stops(
    client, login, create_space, create_user, add_member, create_thread, follow_level_of
):
    space = create_space()
    alice = create_user("alice")
    add_member(space, alice)
    thread = create_thread(space, alice)
    reader = create_user("reader")
    login(client, reader)
    page = client.get(f"/t/{thread.id}")
    assert 'data-testid="follow-control"' in page.get_data(as_text=True)
    data = {"target_type": "thread", "target_id": thread.id, "next": f"/t/{thread.id}"}
    response = client.submit("/follow", {**data, "level": "watching"})
    assert response.location.endswith(f"/t/{thread.id}")
    assert follow_level_of(reader, "thread", thread.id) == "watching"
    client.submit("/follow", {**data, "level": "muted"})
    assert follow_level_of(reader, "thread", thread.id) == "muted"
    client.submit("/follow", {**data, "level": ""})
    assert follow_level_of(reader, "thread", thread.id) is None


def test_follow_bad_paths_change_nothing(
    client, login, create_space, create_user, add_member, create_thread, follow_level_of
):
    private = create_space(visibility="private")
    insider = create_user("insider")
    add_member(private, insider)
    secret = create_thread(private, insider)
    outsider = create_user("outsider")
    login(client, outsider)
    data = {"target_type": "thread", "target_id": secret.id, "level": "watching"}
    assert client.post("/follow", data=data).status_code == 400  # no CSRF token
    assert client.submit("/follow", data).status_code == 404  # may not read it
    assert client.submit("/follow", {**data, "target_id": 999999}).status_code == 404
    response = client.submit("/follow", {**data, "level": "loud"})
    assert response.status_code == 302
    assert client.submit("/follow", {**data, "target_type": "user"}).status_code == 302
    assert follow_level_of(outsider, "thread", secret.id) is None


def test_follow_needs_sign_in(client, create_space):
    space = create_space()
    response = client.post("/follow", data={"target_type": "space", "target_id": space.id})
    assert response.status_code in (302, 400)


def test_following_list_names_only_what_is_still_readable(
    app, client, login, create_space, create_user, add_member, create_thread, follow
):
    from community.spaces.models import Membership

    open_space, private = create_space(), create_space(visibility="private")
    alice = create_user("alice")
    add_member(open_space, alice)
    add_member(private, alice)
    visible = create_thread(open_space, alice, title="Open door")
    hidden = create_thread(private, alice, title="Hidden door")
    follow(alice, "space", open_space.id, "watching")
    login(client, alice)
    assert "Hidden door" in page_text(client.get("/settings/following"))
    with app.app_context():
        db.session.query(Membership).filter_by(user_id=alice.id, space_id=private.id).delete()
        db.session.commit()
    text = page_text(client.get("/settings/following"))
    assert "Open door" in text and "Hidden door" not in text
    assert "No longer available to you" in text
    # She may still stop following what she can no longer read.
    response = client.submit(
        "/follow", {"target_type": "thread", "target_id": hidden.id, "level": ""}
    )
    assert response.status_code == 302
    assert visible.id


def test_following_list_runs_bounded_queries(
    client,
    login,
    create_space,
    create_user,
    add_member,
    create_thread,
    create_idea,
    create_brainstorm,
    follow,
    count_queries,
):
    from community.spaces.models import SpaceRole

    alice = create_user("alice")

    def make(n: int) -> None:
        for _ in range(n):
            space = create_space()
            add_member(space, alice, role=SpaceRole.EXPERT)
            follow(alice, "space", space.id, "normal")
            create_thread(space, alice)
            create_idea(space, alice)
            follow(alice, "session", create_brainstorm(space, alice), "watching")

    login(client, alice)
    make(1)
    with count_queries() as few:
        client.get("/settings/following")
    make(6)
    with count_queries() as many:
        client.get("/settings/following")
    assert len(few) == len(many)


def test_settings_save_and_refuse_bad_input(app, client, login, create_user):
    alice = create_user("alice")
    login(client, alice)
    assert "Mentions of me" in page_text(client.get("/settings/notifications"))
    assert client.post("/settings/notifications", data={"mail_reply": "never"}).status_code == 400
    response = client.submit("/settings/notifications", {"mail_reply": "sometimes"})
    assert "Not a valid choice" in page_text(response)
    with app.app_context():
        assert db.session.get(NotificationSettings, alice.id) is None
    client.submit("/settings/notifications", {"follow_created": "y", "mail_reply": "never"})
    with app.app_context():
        settings = db.session.get(NotificationSettings, alice.id)
        assert settings.follow_created and not settings.follow_voted


def test_the_follow_control_translates_only_its_own_kinds_hints(
    app, client, cast, create_thread, login, translation_lookups
):
    """A thread's follow control looks up the thread's three hints, not those of spaces, ideas
    and sessions too (each page with the control paid nine lookups for nothing)."""
    thread = create_thread(cast.space, cast.asker)
    login(client, cast.member)
    looked_up = translation_lookups
    looked_up.clear()  # the page's lookups only
    page = client.get(f"/t/{thread.id}", headers={"Accept-Language": "zh-CN"})
    assert "每条回复" in page_text(page)  # "Every reply", the thread's own
    assert "Every reply" in looked_up
    assert not {"Every phase", "Nothing about this idea", "Nothing from this space"} & set(
        looked_up
    )
