"""Outgoing e-mail: SMTP when configured, the log in development, an outbox under test.

Mail is queued with :meth:`Mailer.send` and leaves only after the current transaction
commits, as the job ``mail.deliver`` (community/jobs): an SMTP failure is retried with
back-off by the job engine, lands in the failed-jobs list when every attempt failed, and
never fails the request that caused it.
"""

from __future__ import annotations

import logging
import smtplib
from dataclasses import asdict, dataclass
from email import policy
from email.message import EmailMessage

from flask import Flask, current_app

from community.jobs.registry import enqueue, job

log = logging.getLogger(__name__)

#: Seconds before each new attempt to deliver a mail by SMTP.
RETRY_AFTER = (10, 60, 300)


@dataclass(frozen=True)
class Message:
    """One e-mail: plain text, optionally with an HTML alternative."""

    to: str
    subject: str
    text: str
    html: str | None = None
    sender: str | None = None
    #: Extra headers, such as ``List-Unsubscribe``, as (name, value) pairs.
    headers: tuple[tuple[str, str], ...] = ()

    def as_email(self, default_sender: str) -> EmailMessage:
        """Build the MIME message."""
        # Long headers (a List-Unsubscribe URL) must stay one unencoded token, not be folded
        # into encoded words that mail clients cannot follow.
        msg = EmailMessage(policy=policy.default.clone(max_line_length=998))
        msg["From"] = self.sender or default_sender
        msg["To"] = self.to
        msg["Subject"] = self.subject
        for name, value in self.headers:
            msg[name] = value
        msg.set_content(self.text)
        if self.html:
            msg.add_alternative(self.html, subtype="html")
        return msg

    def as_dict(self) -> dict:
        """The message as JSON values (a job's argument)."""
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> Message:
        """The message :meth:`as_dict` gave."""
        headers = tuple((str(name), str(value)) for name, value in data.get("headers", ()))
        return cls(**{**data, "headers": headers})


class Mailer:
    """The mail extension. ``outbox`` holds what was sent when the backend is ``memory``."""

    def init_app(self, app: Flask) -> None:
        """Bind to ``app`` with the backend named by ``MAIL_BACKEND``."""
        backend = app.config["MAIL_BACKEND"]
        if backend not in {"smtp", "log", "memory"}:
            raise RuntimeError(f"MAIL_BACKEND={backend!r} is not smtp, log or memory")
        app.extensions["mailer"] = {"backend": backend, "outbox": []}

    @property
    def outbox(self) -> list[Message]:
        """Messages delivered by the ``memory`` backend (tests read this)."""
        return current_app.extensions["mailer"]["outbox"]

    def send(self, message: Message) -> None:
        """Deliver ``message`` once the current transaction commits."""
        session = current_app.extensions["sqlalchemy"].session()
        session.on_commit(self.send_now, message)

    def send_now(self, message: Message) -> None:
        """Start delivering ``message`` now (for code that runs after its commit)."""
        enqueue("mail.deliver", message=message.as_dict())


def _deliver_smtp(cfg, message: Message) -> None:
    email = message.as_email(cfg["MAIL_DEFAULT_SENDER"])
    with smtplib.SMTP(cfg["MAIL_SERVER"], cfg["MAIL_PORT"], timeout=30) as smtp:
        if cfg["MAIL_USE_TLS"]:
            smtp.starttls()
        if cfg["MAIL_USERNAME"]:
            smtp.login(cfg["MAIL_USERNAME"], cfg["MAIL_PASSWORD"] or "")
        smtp.send_message(email)


@job("mail.deliver", retries=len(RETRY_AFTER), backoff=RETRY_AFTER)
def deliver(message: dict) -> None:
    """The job: hand one message (:meth:`Message.as_dict`) to the backend; raises when SMTP
    fails, and the engine retries it."""
    sent = Message.from_dict(message)
    state = current_app.extensions["mailer"]
    if state["backend"] == "memory":
        state["outbox"].append(sent)
    elif state["backend"] == "log":
        log.info("E-mail to %s: %s\n%s", sent.to, sent.subject, sent.text)
    else:
        _deliver_smtp(current_app.config, sent)
