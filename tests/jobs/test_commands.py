"""The cron commands still work when jobs run in a thread pool (no Redis, not under test's
eager mode): they wait for the mail they queued before they exit."""

from __future__ import annotations

import pytest

from community.jobs.engine import engine
from tests.fixtures.app import make_app


@pytest.fixture
def app(tmp_path):
    app = make_app(tmp_path, JOBS_EAGER=False)
    yield app
    assert engine(app).drain(30)


def test_the_digest_command_waits_for_its_mail(
    app, create_space, create_user, add_member, create_thread, create_reply, follow, outbox
):
    space = create_space()
    alice, bob = create_user("alice"), create_user("bob")
    add_member(space, alice)
    add_member(space, bob)
    thread = create_thread(space, bob, title="Calibrating the detector")
    follow(alice, "thread", thread.id, "watching")
    create_reply(thread, bob, body="first")
    assert engine(app).drain(30)  # the reply's notifications and pushes
    result = app.test_cli_runner().invoke(args=["notifications", "digest"])
    assert "Sent 1 digest" in result.output
    assert engine(app).backlog() == 0  # the command returned after its mail left
    assert [m.to for m in outbox if "digest" in m.subject] == [alice.email]
