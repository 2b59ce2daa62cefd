"""Mail backends: outbox, log, and SMTP with retries that never fail the request."""

from __future__ import annotations

import logging
import smtplib

import pytest
from sqlalchemy import func, select

from community.extensions import db, mailer
from community.jobs.models import FailedJob
from community.mail import RETRY_AFTER, Mailer, Message
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
        mailer.send_now(MESSAGE)
    assert "a@example.com" in caplog.text and "Body text" in caplog.text


class FlakySMTP:
    """An SMTP connection that refuses the first ``failures`` attempts (class-wide)."""

    failures = 1
    attempts: list[str] = []
    sent: list[str] = []

    def __init__(self, host, port, timeout):
        type(self).attempts.append(host)
        if len(type(self).attempts) <= type(self).failures:
            raise OSError("connection refused")

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def send_message(self, email):
        type(self).sent.append(email["To"])


@pytest.fixture
def flaky_smtp(monkeypatch):
    monkeypatch.setattr(FlakySMTP, "attempts", [])
    monkeypatch.setattr(FlakySMTP, "sent", [])
    monkeypatch.setattr(smtplib, "SMTP", FlakySMTP)
    return FlakySMTP


def test_smtp_backend_retries_then_delivers(tmp_path, flaky_smtp):
    app = make_app(tmp_path, MAIL_BACKEND="smtp", MAIL_SERVER="smtp.test", MAIL_USE_TLS=False)
    with app.app_context():
        mailer.send(MESSAGE)
        db.session.commit()  # the job runs at once under test (JOBS_EAGER), retries too
        assert db.session.scalar(select(func.count(FailedJob.id))) == 0
    assert flaky_smtp.attempts == ["smtp.test", "smtp.test"]
    assert flaky_smtp.sent == ["a@example.com"]


def test_smtp_that_keeps_failing_lands_in_the_failed_jobs(tmp_path, flaky_smtp, monkeypatch):
    monkeypatch.setattr(FlakySMTP, "failures", 99)
    app = make_app(tmp_path, MAIL_BACKEND="smtp", MAIL_SERVER="smtp.test", MAIL_USE_TLS=False)
    with app.app_context():
        mailer.send(MESSAGE)
        db.session.commit()  # the request's commit succeeds whatever the mail does
        failed = db.session.scalars(select(FailedJob)).one()
    assert len(flaky_smtp.attempts) == 1 + len(RETRY_AFTER) and flaky_smtp.sent == []
    assert failed.name == "mail.deliver" and failed.attempts == 1 + len(RETRY_AFTER)
    assert "connection refused" in failed.error
    assert Message.from_dict(failed.arguments["message"]) == MESSAGE


def test_unknown_backend_is_refused(tmp_path):
    app = make_app(tmp_path)
    app.config["MAIL_BACKEND"] = "pigeon"
    with pytest.raises(RuntimeError, match="pigeon"):
        Mailer().init_app(app)
