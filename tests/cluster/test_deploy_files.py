"""The production files in deploy/ are valid as shipped (only their paths differ here)."""

from __future__ import annotations

import runpy
import shutil
import subprocess
from pathlib import Path

from deploy import cluster as launcher
from tests.cluster.conftest import require_binaries

ROOT = Path(launcher.__file__).resolve().parent.parent


def test_the_nginx_site_passes_nginx_t(tmp_path):
    require_binaries()
    tls = tmp_path / "tls"
    tls.mkdir()
    subprocess.run(  # noqa: S603 (our own arguments)
        [shutil.which("openssl"), "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
         "-subj", "/CN=community.example.com", "-keyout", str(tls / "privkey.pem"),
         "-out", str(tls / "fullchain.pem")],
        check=True, capture_output=True,
    )  # fmt: skip
    site = (ROOT / "deploy" / "nginx" / "cocreate.conf").read_text()
    site = site.replace("/srv/cocreate", str(ROOT)).replace(
        "/etc/letsencrypt/live/community.example.com", str(tls)
    )
    (tmp_path / "site.conf").write_text(site)
    (tmp_path / "nginx.conf").write_text(
        f"pid {tmp_path / 'nginx.pid'};\nerror_log {tmp_path / 'error.log'};\n"
        "events {}\n"
        f"http {{\n    include /etc/nginx/mime.types;\n    include {tmp_path / 'site.conf'};\n}}\n"
    )

    checked = subprocess.run(  # noqa: S603 (our own arguments)
        [launcher.nginx_binary(), "-t", "-c", str(tmp_path / "nginx.conf")],
        capture_output=True,
        text=True,
    )

    assert checked.returncode == 0, checked.stderr
    assert "syntax is ok" in checked.stderr


def test_the_gunicorn_settings_are_gunicorn_settings(monkeypatch):
    """One gthread worker, on loopback unless told otherwise, gunicorn's own reading of
    forwarded headers off (TRUSTED_PROXIES decides); every name is one gunicorn knows."""
    from gunicorn.config import Config

    for name in ("GUNICORN_BIND", "GUNICORN_THREADS", "GUNICORN_ACCESS_LOG"):
        monkeypatch.delenv(name, raising=False)
    settings = runpy.run_path(str(ROOT / "deploy" / "gunicorn.conf.py"))
    names = {k for k, v in settings.items() if not k.startswith("_") and k != "os"}

    assert names <= set(Config().settings), names - set(Config().settings)
    assert settings["worker_class"] == "gthread" and settings["workers"] == 1
    assert settings["bind"] == ["127.0.0.1:8000"]
    assert settings["forwarded_allow_ips"] == ""
