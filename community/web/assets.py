"""Versioned static files: every ``url_for('static', filename=…)`` carries ``?v=`` and the
first characters of the file's SHA-256, and a request whose ``v`` is the file's current hash
is answered as cacheable for a year (``immutable``), so browsers never ask again — and an
upgrade, which changes the hash and so the URL, never serves stale JavaScript or CSS.

A file's hash is computed once per process and content (kept with its size and modification
time, checked with one ``stat``, so a file edited in development gets a new URL at once).
A request without ``v``, or with an old one, gets the current file with the default caching.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from flask import Flask, Response, request
from werkzeug.security import safe_join

#: How many hex digits of the SHA-256 name a version (2**48: no collision between versions).
HASH_LENGTH = 12
IMMUTABLE = "public, max-age=31536000, immutable"

_hashes: dict[str, tuple[int, int, str]] = {}


def static_hash(folder: str, filename: str) -> str | None:
    """The version of ``filename`` under the static ``folder``: its SHA-256's first
    :data:`HASH_LENGTH` hex digits; None for a file that is not there."""
    path = safe_join(folder, filename)
    if path is None:
        return None
    try:
        stat = os.stat(path)
    except (OSError, ValueError):  # missing, or a name no file can have
        return None
    kept = _hashes.get(path)
    if kept is not None and kept[:2] == (stat.st_size, stat.st_mtime_ns):
        return kept[2]
    try:
        digest = hashlib.sha256(Path(path).read_bytes()).hexdigest()[:HASH_LENGTH]
    except OSError:  # a directory, or gone since the stat
        return None
    _hashes[path] = (stat.st_size, stat.st_mtime_ns, digest)
    return digest


def register_static_versions(app: Flask) -> None:
    """Version every static URL the app builds, and let browsers keep a versioned file."""

    @app.url_defaults
    def add_version(endpoint: str, values: dict) -> None:
        if endpoint == "static" and "v" not in values and "filename" in values:
            version = static_hash(app.static_folder, values["filename"])
            if version is not None:
                values["v"] = version

    @app.after_request
    def cache_versioned(response: Response) -> Response:
        if request.endpoint != "static" or response.status_code not in (200, 304):
            return response
        version = request.args.get("v")
        filename = (request.view_args or {}).get("filename", "")
        if version and version == static_hash(app.static_folder, filename):
            response.headers["Cache-Control"] = IMMUTABLE
        return response
