"""The daily backup: the job engine calls ``run_scheduled`` every few minutes, and a backup
is made only at the first call after ``BACKUP_HOUR`` o'clock (UTC) with none made since —
once a day, whatever the calls' timing — and never while ``BACKUP_DAILY`` is off."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from community.backups import archive
from community.backups.schedule import run_scheduled
from tests.backups.conftest import stamp


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


@pytest.fixture
def daily(app):
    stamp(app)
    app.config.update(BACKUP_DAILY=True, BACKUP_HOUR=3)
    with app.app_context():
        yield archive.backup_dir()


def plant(folder, when: str) -> None:
    """An archive as if made at ``when`` (only its name counts here)."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"cocreate-{at(when):%Y%m%dT%H%M%SZ}.tar.gz").write_bytes(b"")


def test_a_site_without_a_backup_gets_one_at_once(daily):
    assert run_scheduled(at("2026-12-07 14:10")) is not None
    assert len(archive.list_backups(daily)) == 1


def test_the_backup_is_made_at_the_first_call_after_the_hour(daily):
    plant(daily, "2026-12-06 03:05")
    assert run_scheduled(at("2026-12-07 02:59")) is None  # yesterday's still counts
    made = run_scheduled(at("2026-12-07 04:20"))  # the 03:00 call never came: made now
    assert made is not None
    assert run_scheduled(made.made_at) is None  # the calls after it that day make none
    assert len(archive.list_backups(daily)) == 2


def test_a_backup_an_admin_made_after_the_hour_is_the_days_backup(daily):
    plant(daily, "2026-12-07 03:30")
    assert run_scheduled(at("2026-12-07 23:59")) is None
    assert run_scheduled(at("2026-12-08 03:00")) is not None


def test_nothing_is_made_while_daily_backups_are_off(app, daily):
    app.config["BACKUP_DAILY"] = False
    assert run_scheduled(at("2026-12-07 04:00")) is None
    assert archive.list_backups(daily) == []
