"""The admin page of backups: admins list, make, download and delete backups (made and
deleted ones are audited); nobody else reaches any of it, and a download serves only an
archive of the listing, whatever the name asks for."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from sqlalchemy import select

from community.backups import archive
from community.backups.operations import make_backup
from community.extensions import db
from community.moderation.models import AuditEvent
from community.permissions import Role
from tests.backups.conftest import stamp
from tests.fixtures.app import page_text

PAGE = "/admin/backups"


@pytest.fixture
def admin_client(app, create_user, login):
    stamp(app)
    client = app.test_client()
    login(client, create_user("boss", role=Role.ADMIN))
    return client


def archive_dir(app):
    with app.app_context():
        return archive.backup_dir()


def listed(app) -> list[str]:
    with app.app_context():
        return [backup.name for backup in archive.list_backups(archive.backup_dir())]


def audit(app) -> list[tuple[str, dict | None, dict | None]]:
    with app.app_context():
        rows = db.session.execute(
            select(AuditEvent.action, AuditEvent.before, AuditEvent.after).order_by(AuditEvent.id)
        )
        return [tuple(row) for row in rows]


def test_an_admin_backs_up_downloads_and_deletes(app, admin_client):
    page = admin_client.get(PAGE)
    assert page.status_code == 200
    assert "No backups yet." in page_text(page)
    assert 'href="/admin/backups"' in admin_client.get("/admin/users").get_data(as_text=True)

    response = admin_client.submit(PAGE)
    assert response.status_code == 302
    [name] = listed(app)
    text = page_text(admin_client.get(response.location))
    assert f"Backup {name} made." in text
    assert "SQLite" in text
    assert f"flask --app wsgi restore {name}" in text
    assert "BACKUP_DIR" in text and str(archive_dir(app)) not in text
    with app.app_context():
        size = (archive.backup_dir() / name).stat().st_size
    assert audit(app) == [("backup_create", None, {"backup": name, "size": size})]

    with app.app_context():
        on_disk = (archive.backup_dir() / name).read_bytes()
    with admin_client.get(f"{PAGE}/{name}") as download:
        assert download.status_code == 200
        assert download.mimetype == "application/gzip"
        assert download.headers["Content-Disposition"] == f"attachment; filename={name}"
        assert hashlib.sha256(download.get_data()).digest() == hashlib.sha256(on_disk).digest()

    response = admin_client.submit(f"{PAGE}/{name}/delete")
    assert response.status_code == 302
    assert f"Backup {name} deleted." in page_text(admin_client.get(response.location))
    assert listed(app) == []
    assert audit(app)[-1] == ("backup_delete", {"backup": name, "size": size}, None)


def test_the_page_shows_each_backup_and_the_schedule(app, admin_client):
    app.config.update(BACKUP_DAILY=True, BACKUP_HOUR=4)
    with app.app_context():
        backup = make_backup()
        (archive.backup_dir() / "cocreate-20200101T000000Z.tar.gz").write_bytes(b"broken")
    text = page_text(admin_client.get(PAGE))
    assert "A backup is made every day at 04:00 UTC." in text
    assert "The newest 7 backups are kept." in text
    assert backup.name in text and backup.revision in text and "SQLite" in text
    assert "Unreadable: not a complete backup archive." in text
    app.config["BACKUP_DAILY"] = False
    assert "No daily backup is scheduled" in page_text(admin_client.get(PAGE))


def test_a_failed_backup_says_why_and_records_nothing(app, create_user, login):
    client = app.test_client()  # the database is not stamped: no revision to record
    login(client, create_user("boss", role=Role.ADMIN))
    response = client.submit(PAGE, follow_redirects=True)
    assert "The backup failed: The database has no single schema revision" in page_text(response)
    assert listed(app) == [] and audit(app) == []


@pytest.mark.parametrize(
    "name",
    [
        "..%2F..%2Fetc%2Fpasswd",
        "../../etc/passwd",
        "%2Fetc%2Fpasswd",
        "..",
        ".",
        "test.db",
        "cocreate-20991231T235959Z.tar.gz",
        ".work-0123456789ab.tar.gz",
        "cocreate-20260101T000000Z.tar.gz%00",
        "COCREATE-20260101T000000Z.TAR.GZ",
        "cocreate-20260101T000000Z.tar.gz.",
    ],
)
def test_a_download_serves_nothing_but_a_listed_archive(app, admin_client, name):
    with app.app_context():
        make_backup()
        folder = archive.backup_dir()
    (folder / ".work-0123456789ab.tar.gz").write_bytes(b"half an archive")
    for url in (f"{PAGE}/{name}", f"{PAGE}/{name}/delete"):
        response = admin_client.get(url) if "delete" not in url else admin_client.submit(url)
        assert response.status_code in (400, 404), url
    assert len(listed(app)) == 1
    assert (folder / ".work-0123456789ab.tar.gz").exists()


def test_links_and_impossible_names_in_the_folder_are_never_served(app, admin_client, tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("not for download")
    with app.app_context():
        folder = archive.backup_dir()
    folder.mkdir(parents=True)
    link = folder / "cocreate-20260101T000000Z.tar.gz"
    link.symlink_to(secret)
    (folder / "cocreate-20261399T999999Z.tar.gz").write_bytes(b"no such time")
    assert "No backups yet." in page_text(admin_client.get(PAGE))
    for name in (link.name, "cocreate-20261399T999999Z.tar.gz"):
        assert admin_client.get(f"{PAGE}/{name}").status_code == 404
        assert admin_client.submit(f"{PAGE}/{name}/delete").status_code == 404
    assert link.is_symlink() and secret.exists()


@pytest.mark.parametrize("role", [None, Role.MEMBER, Role.MODERATOR])
def test_only_admins_reach_backups(app, create_user, login, role):
    stamp(app)
    with app.app_context():
        name = make_backup().name
    client = app.test_client()
    if role is not None:
        login(client, create_user("someone", role=role))
    expected = 403 if role is not None else 302
    assert client.get(PAGE).status_code == expected
    assert client.get(f"{PAGE}/{name}").status_code == expected
    assert client.submit(PAGE).status_code == expected
    assert client.submit(f"{PAGE}/{name}/delete").status_code == expected
    assert listed(app) == [name] and audit(app) == []
    if role is not None:
        assert 'href="/admin/backups"' not in client.get("/").get_data(as_text=True)


def test_posts_without_the_form_token_change_nothing(app, admin_client):
    with app.app_context():
        name = make_backup().name
    assert admin_client.post(PAGE).status_code == 400
    assert admin_client.post(f"{PAGE}/{name}/delete").status_code == 400
    assert admin_client.post(PAGE, data={"csrf_token": "forged"}).status_code == 400
    assert listed(app) == [name] and audit(app) == []


def test_a_backup_made_elsewhere_is_listed_and_served(app, admin_client, tmp_path):
    """The listing is the folder: a backup the daily job or `flask backup` made shows up."""
    result = app.test_cli_runner().invoke(args=["backup"])
    assert result.exit_code == 0, result.output
    [name] = listed(app)
    assert name in page_text(admin_client.get(PAGE))
    with admin_client.get(f"{PAGE}/{name}") as download:
        assert download.status_code == 200
    assert Path(result.output.split()[1]).name == name
