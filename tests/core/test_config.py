"""Configuration from the environment."""

from __future__ import annotations

import re

import pytest
from flask import request

from community import create_app
from community.config import DevelopmentConfig, ProductionConfig, TestingConfig, config_from_env
from community.extensions import socketio


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


@pytest.mark.parametrize(
    "name, raw, key, expected",
    [
        ("POST_LIMIT", "3 per hour", "POST_LIMIT", "3 per hour"),
        ("API_LIMIT", " 50 per minute ", "API_LIMIT", "50 per minute"),
        ("FLAG_HIDE_THRESHOLD", "5", "FLAG_HIDE_THRESHOLD", 5),
        ("NEW_ACCOUNT_LIMITS", "off", "NEW_ACCOUNT_LIMITS", False),
        ("NEW_ACCOUNT_DAYS", "7", "NEW_ACCOUNT_DAYS", 7),
        ("SESSION_MAX_IDLE", "3600", "SESSION_MAX_IDLE", 3600),
        ("SQLITE_SYNCHRONOUS", "normal", "SQLITE_SYNCHRONOUS", "NORMAL"),
        ("PASSWORD_HASHING", '{"time_cost": 2}', "PASSWORD_HASHING", {"time_cost": 2}),
        ("EXPERT_ROUTING_DELAY_HOURS", "1.5", "EXPERT_ROUTING_DELAY_HOURS", 1.5),
        (
            "SOCKETIO_ALLOWED_ORIGINS",
            "https://a.example, https://b.example",
            "SOCKETIO_ALLOWED_ORIGINS",
            ["https://a.example", "https://b.example"],
        ),
        ("MAX_CONTENT_LENGTH", "2048", "MAX_FORM_MEMORY_SIZE", 2048),
        ("HOST", "192.0.2.7", "HOST", "192.0.2.7"),
        ("PORT", "8000", "PORT", 8000),
    ],
)
def test_settings_are_read_from_the_environment(monkeypatch, tmp_path, name, raw, key, expected):
    monkeypatch.setenv("COCREATE_INSTANCE", str(tmp_path))
    monkeypatch.setenv(name, raw)
    app = create_app(DevelopmentConfig)
    assert app.config[key] == expected


@pytest.mark.parametrize(
    "name, raw, reason",
    [
        ("TRUSTED_PROXIES", "abc", "not a whole number"),
        ("TRUSTED_PROXIES", "-1", "at least 0"),
        ("PORT", "70000", "at most 65535"),
        ("FLAG_HIDE_THRESHOLD", "0", "at least 1"),
        ("NEW_ACCOUNT_DAYS", "99999999999999999999", "at most 3650"),
        ("NEW_ACCOUNT_POSTS", "1.5", "not a whole number"),
        ("EXPERT_ROUTING_DELAY_HOURS", "nan", "from 0 to"),
        ("EXPERT_ESCALATION_HOURS", "inf", "from 0 to"),
        ("EXPERT_ROUTING_INTERVAL_MINUTES", "-5", "from 0 to"),
        ("MAIL_USE_TLS", "maybe", "true or false"),
        ("POST_LIMIT", "lots", "rate limit"),
        ("SQLITE_SYNCHRONOUS", "EXTRA", "not one of: FULL, NORMAL, OFF"),
        ("PASSWORD_HASHING", "[3]", "JSON object"),
        ("PASSWORD_HASHING", '{"salt_len": 4}', "JSON object with some of"),
        ("PASSWORD_HASHING", '{"time_cost": true}', "whole number"),
        ("PASSWORD_HASHING", '{"memory_cost": 8, "parallelism": 4}', "8 times parallelism"),
        ("SECRET_KEY", "bad\udcffbyte", "not valid UTF-8"),
        ("COCREATE_ENV", "staging", "not one of: development, production, testing"),
    ],
)
def test_values_a_setting_cannot_take_stop_the_app(monkeypatch, tmp_path, name, raw, reason):
    monkeypatch.setenv("COCREATE_INSTANCE", str(tmp_path))
    monkeypatch.setenv(name, raw)
    with pytest.raises(RuntimeError, match=re.escape(name) + ".*" + re.escape(reason)):
        create_app(config_from_env() if name == "COCREATE_ENV" else DevelopmentConfig)


def test_an_empty_variable_is_unset(monkeypatch, tmp_path):
    monkeypatch.setenv("COCREATE_INSTANCE", str(tmp_path))
    monkeypatch.setenv("TRUSTED_PROXIES", "")
    monkeypatch.setenv("MAIL_SERVER", "")
    app = create_app(DevelopmentConfig)
    assert app.config["TRUSTED_PROXIES"] == 0 and app.config["MAIL_BACKEND"] == "log"


def test_the_callers_overrides_win_over_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("COCREATE_INSTANCE", str(tmp_path))
    monkeypatch.setenv("SECRET_KEY", "from-the-environment")
    monkeypatch.setenv("POST_LIMIT", "1 per hour")
    app = create_app(DevelopmentConfig, SECRET_KEY="from-the-caller")
    assert app.config["SECRET_KEY"] == "from-the-caller"
    assert app.config["POST_LIMIT"] == "1 per hour"


def test_the_test_configuration_never_reads_the_environment(monkeypatch):
    monkeypatch.setenv("POST_LIMIT", "1 per hour")
    monkeypatch.setenv("DATABASE_URL", "postgresql://u:p@db/c")
    monkeypatch.setenv("MAIL_SERVER", "smtp.example.com")
    app = create_app(TestingConfig)
    assert app.config["POST_LIMIT"] == TestingConfig.POST_LIMIT
    assert app.config["SQLALCHEMY_DATABASE_URI"] == "sqlite://"
    assert app.config["MAIL_BACKEND"] == "memory"


def test_serve_listens_where_the_settings_say(monkeypatch, tmp_path):
    monkeypatch.setenv("COCREATE_INSTANCE", str(tmp_path))
    monkeypatch.setenv("HOST", "192.0.2.7")
    app = create_app(
        DevelopmentConfig, PORT=8123, EXPERT_ROUTING_INTERVAL_MINUTES=0, DIGEST_INTERVAL_HOURS=0
    )
    calls = []
    monkeypatch.setattr(socketio, "run", lambda app, **options: calls.append(options))
    result = app.test_cli_runner().invoke(args=["serve"])
    assert result.exit_code == 0, result.output
    assert calls[0]["host"] == "192.0.2.7" and calls[0]["port"] == 8123
    assert "http://192.0.2.7:8123/" in result.output
    result = app.test_cli_runner().invoke(args=["serve", "--port", "9000"])
    assert calls[1]["port"] == 9000
