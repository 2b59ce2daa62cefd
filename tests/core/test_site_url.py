"""One site address for links built outside a request: ``SITE_URL``, checked at start and set
by ``make run`` from where it serves."""

from __future__ import annotations

import re
import shutil
import subprocess
from datetime import timedelta
from pathlib import Path

import pytest

from community import create_app, database
from community.config import DevelopmentConfig
from community.permissions import Role

ROOT = Path(__file__).resolve().parents[2]
MAKE, SH = shutil.which("make"), shutil.which("sh")


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("https://cocreate.example.com", "https://cocreate.example.com"),
        ("https://cocreate.example.com/", "https://cocreate.example.com"),
        ("http://127.0.0.1:5202", "http://127.0.0.1:5202"),
        ("https://example.com/community/", "https://example.com/community"),
        ("http://[::1]:8000", "http://[::1]:8000"),
    ],
)
def test_site_url_is_read_from_the_environment(monkeypatch, tmp_path, raw, expected):
    monkeypatch.setenv("COCREATE_INSTANCE", str(tmp_path))
    monkeypatch.setenv("SITE_URL", raw)
    assert create_app(DevelopmentConfig).config["SITE_URL"] == expected


@pytest.mark.parametrize(
    "raw",
    [
        "cocreate.example.com",
        "localhost:5000",
        "ftp://cocreate.example.com",
        "javascript:alert(1)",
        "https://",
        "https:///path",
        "https://example.com/?next=x",
        "https://example.com/#top",
        "https://user:secret@example.com",
        "http://example.com:99999",
        "http://example.com:port",
        "https://exa mple.com",
        "https://example.com\n.evil",
    ],
)
def test_site_urls_that_are_not_http_addresses_stop_the_app(monkeypatch, tmp_path, raw):
    monkeypatch.setenv("COCREATE_INSTANCE", str(tmp_path))
    monkeypatch.setenv("SITE_URL", raw)
    with pytest.raises(RuntimeError, match=r"^SITE_URL="):
        create_app(DevelopmentConfig)


@pytest.mark.parametrize(
    "variables, expected",
    [
        ([], "http://127.0.0.1:5000"),
        (["PORT=5202"], "http://127.0.0.1:5202"),
        (["HOST=0.0.0.0", "PORT=8080"], "http://localhost:8080"),
        (["HOST=::1"], "http://[::1]:5000"),
        (["SITE_URL=https://cocreate.example.com"], "https://cocreate.example.com"),
    ],
)
def test_make_run_links_mail_to_where_it_serves(variables, expected):
    plan = subprocess.run(  # noqa: S603 - make and its fixed arguments
        [MAKE, "-n", "--no-print-directory", "run", *variables],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        env={"PATH": "/usr/bin:/bin", **dict(v.split("=", 1) for v in variables)},
    ).stdout
    serve = next(line for line in plan.splitlines() if line.rstrip().endswith(" serve"))
    assert "SITE_URL=" in serve, serve
    shell = subprocess.run(  # noqa: S603 - the line make printed, which echoes a variable
        [SH, "-c", serve.replace(".venv/bin/flask --app wsgi serve", "printenv SITE_URL")],
        capture_output=True,
        text=True,
        check=True,
        env={"PATH": "/usr/bin:/bin", **dict(v.split("=", 1) for v in variables)},
    )
    assert shell.stdout.strip() == expected


def test_a_routed_question_mails_links_to_the_site_url(
    app, cast, create_user, create_thread, declare, verify, outbox, monkeypatch
):
    """The routing pass runs outside any request (cron, or `flask serve`'s loop): its mail
    links to SITE_URL, not to localhost:5000."""
    app.config["SITE_URL"] = "https://cocreate.example.com/community"
    admin = create_user("ada", role=Role.ADMIN)
    ct = create_user("ctpro")
    declare(ct, "ct")
    verify(ct, "ct", by=admin)
    create_thread(cast.space, cast.asker, title="Waiting", tags="ct")
    real = database.utcnow
    monkeypatch.setattr(database, "utcnow", lambda: real() + timedelta(hours=25))

    result = app.test_cli_runner().invoke(args=["experts", "route"])
    assert result.exit_code == 0, result.output
    mails = [m for m in outbox if m.to == ct.email]
    assert len(mails) == 1
    links = re.findall(r"https?://\S+", mails[0].text)
    assert links and all(
        link.startswith("https://cocreate.example.com/community/") for link in links
    ), links
    assert "localhost" not in mails[0].text
