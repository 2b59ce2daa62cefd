"""Outgoing e-mail: SMTP when configured, the log in development, an outbox under test.

Mail is queued with :meth:`Mailer.send` and leaves only after the current transaction
commits; an SMTP failure is retried a few times in a background thread and logged, and never
fails the request that caused it.
"""

from __future__ import annotations

import logging
import smtplib
import threading
import time
from dataclasses import dataclass
from email import policy
from email.message import EmailMessage

from flask import Flask, current_app

log = logging.getLogger(__name__)


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


class Mailer:
    """The mail extension. ``outbox`` holds what was sent when the backend is ``memory``."""

    RETRIES = 3

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
        session.on_commit(self.deliver_now, message)

    def deliver_now(self, message: Message, *, wait: bool = False) -> None:
        """Hand ``message`` to the backend immediately; ``wait`` sends it by SMTP in this
        thread (a command that exits next must not leave it to a background thread)."""
        state = current_app.extensions["mailer"]
        if state["backend"] == "memory":
            state["outbox"].append(message)
        elif state["backend"] == "log":
            log.info("E-mail to %s: %s\n%s", message.to, message.subject, message.text)
        else:
            app = current_app._get_current_object()  # type: ignore[attr-defined]
            if wait:
                self._deliver_smtp(app, message)
                return
            threading.Thread(target=self._deliver_smtp, args=(app, message), daemon=True).start()

    def _deliver_smtp(self, app: Flask, message: Message) -> None:
        cfg = app.config
        email = message.as_email(cfg["MAIL_DEFAULT_SENDER"])
        for attempt in range(1, self.RETRIES + 1):
            try:
                with smtplib.SMTP(cfg["MAIL_SERVER"], cfg["MAIL_PORT"], timeout=30) as smtp:
                    if cfg["MAIL_USE_TLS"]:
                        smtp.starttls()
                    if cfg["MAIL_USERNAME"]:
                        smtp.login(cfg["MAIL_USERNAME"], cfg["MAIL_PASSWORD"] or "")
                    smtp.send_message(email)
                return
            except (OSError, smtplib.SMTPException):
                log.warning("SMTP delivery to %s failed (attempt %d)", message.to, attempt)
                time.sleep(2**attempt)
        log.error("Giving up on e-mail to %s: %s", message.to, message.subject)
