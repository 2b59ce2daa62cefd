"""Mail backends: outbox, log, and SMTP with retries that never fail the request."""

from __future__ import annotations

import logging
import smtplib
import threading

import pytest

from community.extensions import db, mailer
from community.mail import Mailer, Message
from tests.fixtures.app import make_app

MESSAGE = Message(to="a@example.com", subject="Hello", text="Body text")


def test_mail_waits_for_the_commit(app_ctx):
    mailer.send(MESSAGE)
    assert mailer.outbox == []
    db.session.commit()
    assert mailer.outbox == [MESSAGE]


def test_mail_is_dropped_on_rollback(app_ctx):
    mailer.send(MESSAGE)
    db.session.rollback()
    db.session.commit()
    assert mailer.outbox == []


def test_log_backend_writes_the_message(tmp_path, caplog):
    app = make_app(tmp_path, MAIL_BACKEND="log")
    with app.app_context(), caplog.at_level(logging.INFO, logger="community.mail"):
        mailer.deliver_now(MESSAGE)
    assert "a@example.com" in caplog.text and "Body text" in caplog.text


def test_smtp_backend_retries_then_delivers(tmp_path, monkeypatch):
    app = make_app(tmp_path, MAIL_BACKEND="smtp", MAIL_SERVER="smtp.test", MAIL_USE_TLS=False)
    sent, attempts, done = [], [], threading.Event()

    class FlakySMTP:
        def __init__(self, host, port, timeout):
            attempts.append(host)
            if len(attempts) == 1:
                raise OSError("connection refused")

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            return False

        def send_message(self, email):
            sent.append(email["To"])
            done.set()

    monkeypatch.setattr(smtplib, "SMTP", FlakySMTP)
    monkeypatch.setattr("community.mail.time.sleep", lambda seconds: None)
    with app.app_context():
        mailer.deliver_now(MESSAGE)
    assert done.wait(5)
    assert attempts == ["smtp.test", "smtp.test"] and sent == ["a@example.com"]


def test_unknown_backend_is_refused(tmp_path):
    app = make_app(tmp_path)
    app.config["MAIL_BACKEND"] = "pigeon"
    with pytest.raises(RuntimeError, match="pigeon"):
        Mailer().init_app(app)
