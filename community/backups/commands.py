"""``flask backup`` and ``flask restore``."""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import with_appcontext

from community.backups import archive
from community.backups.archive import BackupError
from community.backups.operations import make_backup
from community.backups.restore import restore_backup
from community.progress import running


@click.command("backup")
@with_appcontext
def backup() -> None:
    """Back the site up: the database (and a manifest) in one archive in BACKUP_DIR; the
    oldest beyond BACKUP_KEEP are deleted."""
    try:
        with running("Backing up") as progress:
            made = make_backup()
            progress.finish(
                f"Wrote {made.path} ({made.size} bytes; {made.kind}, schema {made.revision},"
                f" {made.rows} rows)."
            )
    except BackupError as error:
        raise click.ClickException(error.message) from None


def _archive_path(name: str) -> Path:
    path = Path(name)
    if path.is_file():
        return path
    listed = archive.find_backup(archive.backup_dir(), name)
    if listed is None:
        raise click.BadParameter(f"{name} is neither a file nor a backup in BACKUP_DIR.")
    return listed.path


@click.command("restore")
@click.argument("file")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@with_appcontext
def restore(file: str, yes: bool) -> None:
    """Replace the site's database by the backup FILE (a path, or a name in BACKUP_DIR),
    migrate it to this version's schema and rebuild the search index. Stop the site first."""
    path = _archive_path(file)

    def confirm(manifest: dict) -> bool:
        if yes:
            return True
        rows = sum(manifest["counts"].values())
        return click.confirm(
            f"Replace this site's database with the backup made {manifest['created_at']}"
            f" ({rows} rows, schema {manifest['schema_revision']})? Everything written since"
            " is lost",
            default=False,
        )

    try:
        with running("Restoring") as progress:
            restored = restore_backup(path, confirm, progress)
            if restored is None:
                progress.finish("Nothing was restored.")
                return
            migrated = (
                f" Migrated from schema {restored.migrated_from}." if restored.migrated_from else ""
            )
            progress.finish(
                f"Restored the backup made {restored.manifest['created_at']}"
                f" ({sum(restored.manifest['counts'].values())} rows).{migrated}"
                f" Indexed {restored.indexed} documents."
            )
    except BackupError as error:
        raise click.ClickException(error.message) from None
