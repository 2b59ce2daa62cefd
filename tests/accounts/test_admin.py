"""The admin user list and role changes."""

from __future__ import annotations

from community.permissions import Role
from tests.fixtures.app import page_text


def test_only_admins_reach_the_user_list(client, create_user, login):
    assert client.get("/admin/users").status_code == 302
    for role in (Role.MEMBER, Role.EXPERT, Role.MODERATOR):
        login(client, create_user(role=role))
        assert client.get("/admin/users").status_code == 403
        client.submit("/logout")
    login(client, create_user(role=Role.ADMIN))
    assert client.get("/admin/users").status_code == 200


def test_admin_changes_a_role(client, create_user, login, reload_user):
    admin = create_user("root", role=Role.ADMIN)
    target = create_user("tina", display_name="Tina")
    login(client, admin)
    response = client.submit(f"/admin/users/{target.id}/role", {"role": "moderator"})
    assert response.status_code == 302
    assert reload_user(target).role == "moderator"


def test_role_change_refusals(client, create_user, login, reload_user):
    admin = create_user("root", role=Role.ADMIN)
    target = create_user("uma")
    login(client, admin)
    bad = client.submit(
        f"/admin/users/{target.id}/role", {"role": "emperor"}, follow_redirects=True
    )
    assert "Choose a role from the list." in page_text(bad)
    assert client.submit("/admin/users/9999/role", {"role": "expert"}).status_code == 404
    assert client.post(f"/admin/users/{target.id}/role", data={"role": "admin"}).status_code == 400
    last = client.submit(f"/admin/users/{admin.id}/role", {"role": "member"}, follow_redirects=True)
    assert "at least one admin" in page_text(last)
    assert reload_user(target).role == "member"
    assert reload_user(admin).role == "admin"


def test_non_admin_cannot_change_roles(client, create_user, login, reload_user):
    mod = create_user(role=Role.MODERATOR)
    login(client, mod)
    response = client.submit(f"/admin/users/{mod.id}/role", {"role": "admin"})
    assert response.status_code == 403
    assert reload_user(mod).role == "moderator"


def test_search_and_filter(client, create_user, login):
    login(client, create_user("root", role=Role.ADMIN))
    create_user("victor", organisation="Fjordhus Interiors")
    create_user("wendy", role=Role.EXPERT)
    found = page_text(client.get("/admin/users?q=fjordhus"))
    assert "@victor" in found and "@wendy" not in found
    experts = page_text(client.get("/admin/users?role=expert"))
    assert "@wendy" in experts and "@victor" not in experts
    assert "No users match." in page_text(client.get("/admin/users?q=%25_"))


def test_user_list_runs_a_bounded_number_of_queries(client, create_user, login, count_queries):
    login(client, create_user("root", role=Role.ADMIN))
    for _ in range(3):
        create_user()
    with count_queries() as few:
        assert client.get("/admin/users").status_code == 200
    for _ in range(30):
        create_user()
    with count_queries() as many:
        page = client.get("/admin/users")
    assert len(many) == len(few)
    assert "Next" in page_text(page)
    assert client.get("/admin/users?page=2").status_code == 200
