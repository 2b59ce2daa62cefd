"""The admins' page of failed jobs: reachable from the admin navigation, shows the error, and
retries or deletes one (audited); nobody else can, and hostile requests change nothing."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from community.extensions import db
from community.jobs.models import FailedJob
from community.moderation.models import AuditEvent
from community.permissions import Role
from community.settings.models import SiteSetting


def _ids(app) -> list[int]:
    with app.app_context():
        return list(db.session.scalars(select(FailedJob.id).order_by(FailedJob.id)))


def _audit(app) -> list[tuple[str, int | None, dict | None]]:
    with app.app_context():
        rows = db.session.execute(select(AuditEvent.action, AuditEvent.actor_id, AuditEvent.before))
        return [tuple(row) for row in rows]


def _write(key: str) -> None:
    db.session.add(SiteSetting(key=key, value="ran"))


def test_admins_reach_the_page_from_the_admin_tabs_and_see_the_error(
    app, client, admin, login, failed_job
):
    failed_job(error="Traceback (most recent call last):\n  File 'x'\nOSError: <smtp> refused")
    login(client, admin)
    users = client.get("/admin/users").get_data(as_text=True)
    assert 'href="/admin/jobs"' in users
    page = client.get("/admin/jobs").get_data(as_text=True)
    assert "analytics.rebuild" in page and "4 attempts" in page
    assert "OSError: &lt;smtp&gt; refused" in page  # escaped
    assert "Jobs run inside the web process." in page and "0 jobs waiting." in page
    assert client.get("/admin/jobs?page=2").status_code == 200
    assert client.get("/admin/jobs?page=abc").status_code == 400


def test_retry_runs_the_job_again_and_leaves_the_list(
    app, client, admin, login, failed_job, declare
):
    declare("tests.write", _write)
    failed = failed_job("tests.write", {"key": "retried"})
    login(client, admin)
    response = client.submit(f"/admin/jobs/{failed.id}/retry")
    assert response.status_code == 302 and response.location.endswith("/admin/jobs")
    assert "The job was started again." in client.get("/admin/jobs").get_data(as_text=True)
    assert _ids(app) == []
    with app.app_context():
        assert db.session.get(SiteSetting, "retried").value == "ran"
    assert _audit(app)[-1][:2] == ("job_retry", admin.id)
    assert _audit(app)[-1][2]["name"] == "tests.write"


def test_delete_takes_it_off_without_running_it(app, client, admin, login, failed_job, declare):
    declare("tests.write", _write)
    failed = failed_job("tests.write", {"key": "deleted"})
    login(client, admin)
    assert client.submit(f"/admin/jobs/{failed.id}/delete").status_code == 302
    assert _ids(app) == []
    with app.app_context():
        assert db.session.get(SiteSetting, "deleted") is None
    assert _audit(app)[-1][:2] == ("job_delete", admin.id)


def test_a_job_that_no_longer_exists_can_be_deleted_not_retried(
    app, client, admin, login, failed_job
):
    failed = failed_job("tests.gone")
    login(client, admin)
    page = client.get("/admin/jobs").get_data(as_text=True)
    assert f"/admin/jobs/{failed.id}/retry" not in page
    client.submit(f"/admin/jobs/{failed.id}/retry")
    assert _ids(app) == [failed.id] and _audit(app) == []
    assert "This job no longer exists" in client.get("/admin/jobs").get_data(as_text=True)


@pytest.mark.parametrize("action", ["retry", "delete"])
def test_others_cannot_retry_or_delete(
    app, client, admin, login, failed_job, create_user, declare, action
):
    declare("tests.write", _write)
    failed = failed_job("tests.write", {"key": "hostile"})
    url = f"/admin/jobs/{failed.id}/{action}"
    # Signed out: sent to sign in, nothing changes (and without a token: 400).
    assert client.post(url).status_code == 400
    assert client.submit(url).status_code == 302
    assert client.get("/admin/jobs").status_code == 302
    # A member, and a moderator: 403 on the page and on the posts.
    for role in (Role.MEMBER, Role.MODERATOR):
        login(client, create_user(f"not-admin-{role.value}", role=role))
        assert client.get("/admin/jobs").status_code == 403
        assert client.submit(url).status_code == 403
        client.submit("/logout")
    # An admin with a missing, foreign or forged CSRF token: 400.
    login(client, admin)
    assert client.post(url).status_code == 400
    assert client.post(url, data={"csrf_token": "forged"}).status_code == 400
    other = app.test_client()
    assert client.post(url, data={"csrf_token": other.csrf_token()}).status_code == 400
    # Ids that do not exist, too large for the column, negative, or not numbers: 404.
    for bad in ("999999", "2147483647", "99999999999999999999", "-1", "0", "abc", "1.5"):
        assert client.submit(f"/admin/jobs/{bad}/{action}").status_code == 404, bad
    assert client.get(f"/admin/jobs/{failed.id}/{action}").status_code == 405
    assert _ids(app) == [failed.id] and _audit(app) == []
    with app.app_context():
        assert db.session.get(SiteSetting, "hostile") is None
