"""Moderation finds people by the same normalised username key as accounts (NFKC and case
folding, which usernames are unique on): ``Straße``, ``STRASSE`` and ``strasse`` are one."""

from __future__ import annotations

from tests.fixtures.app import page_text


def test_moderation_finds_people_by_their_normalised_username(
    app, client, login, admin, cast, create_user, space_mod
):
    create_user("Straße", email="strasse@example.com", display_name="Anna Straße")
    login(client, admin)
    for spelling in ("Straße", "STRASSE", "strasse", "ｓｔｒａｓｓｅ"):
        page = client.get(f"/moderation/people/{spelling}")
        assert page.status_code == 200, spelling
        assert "Anna Straße" in page_text(page)
    response = client.submit("/moderation/people/STRASSE/warn", {"reason": "Mind the tone"})
    assert response.status_code == 302
    moderator = app.test_client()
    login(moderator, space_mod)
    moderator.submit(f"/s/{cast.space.slug}/moderation/settings", {"hold_new_posts": "y"})
    log = page_text(client.get("/moderation/audit?target=Straße"))
    assert "Mind the tone" in log
    log = page_text(client.get("/moderation/audit?actor=ADA"))
    assert "Mind the tone" in log
    everything = page_text(client.get("/moderation/audit"))
    assert "Mind the tone" in everything and "Mona Mod" in everything  # her settings entry
    for unknown in ("target=nobody-like-that", "actor=nobody-like-that"):
        assert "Nothing recorded matches." in page_text(client.get(f"/moderation/audit?{unknown}"))
