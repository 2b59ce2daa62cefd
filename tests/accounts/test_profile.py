"""Profiles: public pages, editing, and the preferred language."""

from __future__ import annotations

from tests.fixtures.app import page_text

PROFILE = {
    "display_name": "Quinn Q.",
    "bio": "I build <b>imaging</b> workflows.",
    "organisation": "Northwind Medical",
    "segment": "enterprise",
    "locale": "",
}


def test_profile_is_public_and_escapes_user_text(client, create_user, login):
    user = create_user("quinn")
    login(client, user)
    assert client.submit("/settings/profile", PROFILE).status_code == 302
    client.submit("/logout")
    page = client.get("/u/QUINN")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Quinn Q." in html and "Northwind Medical" in html and "Enterprise" in html
    assert "&lt;b&gt;imaging&lt;/b&gt;" in html
    assert "Edit profile" not in page_text(page)


def test_missing_and_suspended_profiles_are_not_found(client, create_user, login):
    create_user("gone", active=False)
    assert client.get("/u/nobody-here").status_code == 404
    assert client.get("/u/gone").status_code == 404


def test_admin_sees_suspended_profile(client, create_user, login):
    from community.permissions import Role

    create_user("gone", active=False)
    login(client, create_user(role=Role.ADMIN))
    page = client.get("/u/gone")
    assert page.status_code == 200 and "Suspended" in page_text(page)


def test_edit_profile_refusals_change_nothing(client, create_user, login, reload_user):
    user = create_user("rosa", display_name="Rosa")
    login(client, user)
    for changes, message in [
        ({"segment": "billionaires"}, "Not a valid choice."),
        ({"locale": "fr"}, "Not a valid choice."),
        ({"display_name": ""}, "This field is required."),
        ({"bio": "x" * 2001}, "2000"),
        ({"organisation": "o" * 121}, "120"),
    ]:
        response = client.submit("/settings/profile", {**PROFILE, **changes})
        assert response.status_code == 200
        assert message in page_text(response)
    fresh = reload_user(user)
    assert (fresh.display_name, fresh.bio, fresh.segment) == ("Rosa", "", "")
    assert client.post("/settings/profile", data=PROFILE).status_code == 400


def test_preferred_language_switches_the_interface(client, create_user, login):
    login(client, create_user("sam"))
    client.submit("/settings/profile", {**PROFILE, "locale": "zh_Hans"})
    page = client.get("/settings/profile")
    assert 'lang="zh-Hans"' in page.get_data(as_text=True)
    assert "个人资料" in page_text(page)


def test_edit_profile_requires_sign_in(client):
    response = client.get("/settings/profile")
    assert response.status_code == 302 and "/login" in response.location
