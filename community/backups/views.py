"""The admin page of backups: the list, "Back up now", downloads and deletion. Restoring
stops the site, so it is a command (``flask restore``), which the page names.

URLs (blueprint ``backups``):

    GET /admin/backups                      admin_backups
        The backups, newest first, and how to restore one
    POST /admin/backups                     create
        Back the site up now
    GET /admin/backups/<name>               download
        Download one backup's archive
    POST /admin/backups/<name>/delete       delete
        Delete one backup
"""

from __future__ import annotations

from flask import Blueprint, abort, current_app, render_template, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user

from community.backups import archive, operations
from community.permissions import permission_required
from community.web.actions import attempt

bp = Blueprint("backups", __name__)


def _listed(name: str) -> archive.Backup:
    """The backup of that name in the listing, or 404: nothing else is ever served."""
    backup = archive.find_backup(archive.backup_dir(), name)
    if backup is None:
        abort(404)
    return backup


@bp.route("/admin/backups")
@permission_required("backups.manage")
def admin_backups():
    """The backups, newest first, and how to restore one."""
    return render_template(
        "admin/backups.html",
        backups=archive.list_backups(archive.backup_dir()),
        keep=current_app.config["BACKUP_KEEP"],
        daily_hour=current_app.config["BACKUP_HOUR"]
        if current_app.config["BACKUP_DAILY"]
        else None,
    )


@bp.route("/admin/backups", methods=["POST"])
@permission_required("backups.manage")
def create():
    """Back the site up now."""
    return attempt(
        url_for("backups.admin_backups"),
        lambda: operations.create_backup(by=current_user),
        lambda backup: _("Backup %(name)s made.", name=backup.name),
    )


@bp.route("/admin/backups/<name>")
@permission_required("backups.manage")
def download(name: str):
    """Download one backup's archive."""
    backup = _listed(name)
    return send_file(
        backup.path,
        mimetype="application/gzip",
        as_attachment=True,
        download_name=backup.name,
        max_age=0,
    )


@bp.route("/admin/backups/<name>/delete", methods=["POST"])
@permission_required("backups.manage")
def delete(name: str):
    """Delete one backup."""
    backup = _listed(name)
    return attempt(
        url_for("backups.admin_backups"),
        lambda: operations.delete_backup(backup, by=current_user),
        _("Backup %(name)s deleted.", name=backup.name),
    )
