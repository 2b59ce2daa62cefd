"""Restoring a backup (``flask restore``): check the archive through and refuse what cannot
be restored here before anything changes; then replace the database, check it holds the
manifest's rows, migrate it to this code's schema when the backup is older, and rebuild the
search index from it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import flask_migrate
from alembic.script import ScriptDirectory
from alembic.script.revision import RevisionError
from alembic.util import CommandError

from community.backups import archive, databases
from community.backups.archive import BackupError
from community.extensions import db, migrate
from community.progress import NO_PROGRESS, Progress
from community.search import sources
from community.search.service import search_service


@dataclass(frozen=True)
class Restored:
    """What a restore did: the backup's manifest, whether it migrated, documents indexed."""

    manifest: dict
    migrated_from: str | None
    indexed: int


def _migrations() -> ScriptDirectory:
    return ScriptDirectory.from_config(migrate.get_config())


def check_restorable(manifest: dict) -> None:
    """Refuse a backup of the other kind of database, or of a schema newer than this code."""
    kind = databases.kind_of(db.engine)
    if manifest["database"] != kind:
        raise BackupError(
            f"The backup is of a {manifest['database']} database and this site's DATABASE_URL"
            f" names a {kind} one: restore it into a {manifest['database']} database."
        )
    revision = manifest["schema_revision"]
    try:
        script = _migrations().get_revision(revision)
    except (CommandError, RevisionError):
        script = None
    known = script is not None and script.revision == revision  # Alembic also takes prefixes
    if not known:
        raise BackupError(
            f"The backup's schema revision {revision} is not one this code knows: a newer"
            " Cocreate made it. Install that version (or a later one) and restore with it."
        )


def restore_backup(
    path: Path, confirm: Callable[[dict], bool], progress: Progress = NO_PROGRESS
) -> Restored | None:
    """Restore the backup at ``path`` into the configured database once ``confirm(manifest)``
    agrees (None when it does not: nothing changed)."""
    with archive.working_dir(archive.backup_dir()) as work:
        manifest = archive.unpack(path, work)
        check_restorable(manifest)
        file = work / archive.KINDS[manifest["database"]]
        databases.check_dump(manifest, file)
        if not confirm(manifest):
            return None
        progress.expect(4)
        db.session.remove()
        databases.restore(db.engine, file, set(manifest["counts"]))
        progress.advance()
    with db.engine.connect() as connection:
        revision = databases.schema_revision(connection)
        counts = databases.row_counts(connection)
    if revision != manifest["schema_revision"] or counts != manifest["counts"]:
        differ = sorted(
            name
            for name in set(counts) | set(manifest["counts"])
            if counts.get(name) != manifest["counts"].get(name)
        )
        raise BackupError(
            "The restored database does not hold what the manifest says (tables:"
            f" {', '.join(differ) or 'alembic_version'}): restore again or use another backup."
        )
    progress.advance()
    head = _migrations().get_current_head()
    migrated_from = None
    if revision != head:
        flask_migrate.upgrade()
        migrated_from = revision
    progress.advance()
    indexed = search_service().backend.rebuild(sources.all_documents())
    progress.advance()
    return Restored(manifest, migrated_from, indexed)
