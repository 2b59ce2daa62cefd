"""Configuration from the environment."""

from __future__ import annotations

import pytest
from flask import request

from community import create_app
from community.config import DevelopmentConfig, ProductionConfig, config_from_env


def test_config_is_chosen_by_cocreate_env(monkeypatch):
    monkeypatch.setenv("COCREATE_ENV", "production")
    assert config_from_env() is ProductionConfig
    monkeypatch.setenv("COCREATE_ENV", "staging")
    with pytest.raises(RuntimeError, match="staging"):
        config_from_env()


@pytest.mark.parametrize(
    "url, expected",
    [
        ("postgres://u:p@db/c", "postgresql+psycopg://u:p@db/c"),
        ("postgresql://u:p@db/c", "postgresql+psycopg://u:p@db/c"),
        ("sqlite:////tmp/other.db", "sqlite:////tmp/other.db"),
    ],
)
def test_database_url_selects_the_database(monkeypatch, tmp_path, url, expected):
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("COCREATE_INSTANCE", str(tmp_path))
    app = create_app(DevelopmentConfig)
    assert app.config["SQLALCHEMY_DATABASE_URI"] == expected


def test_default_database_is_sqlite_in_the_instance_folder(monkeypatch, tmp_path):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.setenv("COCREATE_INSTANCE", str(tmp_path / "inst"))
    app = create_app(DevelopmentConfig)
    assert app.config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path / 'inst' / 'cocreate.db'}"
    assert (tmp_path / "inst").is_dir()


def test_mail_server_switches_to_smtp(monkeypatch, tmp_path):
    monkeypatch.setenv("COCREATE_INSTANCE", str(tmp_path))
    monkeypatch.setenv("MAIL_SERVER", "smtp.example.com")
    monkeypatch.setenv("MAIL_PORT", "2525")
    app = create_app(DevelopmentConfig)
    assert app.config["MAIL_BACKEND"] == "smtp" and app.config["MAIL_PORT"] == 2525


def test_trusted_proxy_headers(monkeypatch, tmp_path):
    monkeypatch.setenv("COCREATE_INSTANCE", str(tmp_path))
    monkeypatch.setenv("TRUSTED_PROXIES", "1")
    app = create_app(DevelopmentConfig)

    @app.route("/whoami")
    def whoami():
        return f"{request.remote_addr} {request.scheme}"

    response = app.test_client().get(
        "/whoami", headers={"X-Forwarded-For": "203.0.113.9", "X-Forwarded-Proto": "https"}
    )
    assert response.get_data(as_text=True) == "203.0.113.9 https"
