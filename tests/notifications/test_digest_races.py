"""Two digest runs at once (two cron hosts, or cron beside a manual run) send each digest once:
each run claims the waiting items with a conditional UPDATE before it sends anything."""

from __future__ import annotations

import traceback

import pytest

from community.accounts.models import User
from community.extensions import db, mailer
from community.forums import operations as forums
from community.forums.models import Thread
from community.notifications import operations as notifications
from community.notifications.delivery import send_digests
from community.permissions import Role
from community.spaces.models import Membership, Space
from tests.fixtures.accounts import make_user
from tests.fixtures.spaces import make_space
from tests.ideas.test_concurrency import _app, database_url, run_together  # noqa: F401

pytestmark = pytest.mark.race

RUNS = 3  # digest runs at once
FOLLOWERS = 12


def _digest_in_process(url, search_dir, barrier, results) -> None:
    """One process: wait for the others, run the digest, report whom it mailed."""
    try:
        app = _app(url, search_dir)
        with app.app_context():
            barrier.wait()
            send_digests()
            mailed = [message.to for message in mailer.outbox]
            db.session.remove()
            db.engine.dispose()
        results.put(("ok", mailed))
    except Exception:
        results.put(("error", traceback.format_exc()))
        barrier.abort()


def _followers_with_waiting_digests(url: str, search_dir: str) -> list[str]:
    """A thread followed by FOLLOWERS people, with replies waiting for their digests."""
    app = _app(url, search_dir)
    owner = make_user(app, "owner", role=Role.MODERATOR)
    space = make_space(app, owner)
    author = make_user(app, "author")
    followers = [make_user(app, f"follower{n}") for n in range(FOLLOWERS)]
    with app.test_request_context():
        for user in (author, *followers):
            db.session.add(Membership(space_id=space.id, user_id=user.id, role="member"))
        thread = forums.start_thread(
            db.session.get(Space, space.id),
            author=db.session.get(User, author.id),
            kind="question",
            title="Calibrating the detector",
            body="How?",
            tags="",
        )
        db.session.flush()
        for user in followers:
            notifications.set_follow(db.session.get(User, user.id), "thread", thread.id, "watching")
        db.session.commit()
        for n in range(2):
            forums.reply_to_thread(
                db.session.get(Thread, thread.id),
                author=db.session.get(User, author.id),
                body=f"Reply {n}",
            )
            db.session.commit()
        db.session.remove()
        db.engine.dispose()
    return sorted(user.email for user in followers)


def test_simultaneous_digest_runs_send_each_digest_once(database_url, tmp_path):  # noqa: F811
    search_dir = str(tmp_path / "search")
    expected = _followers_with_waiting_digests(database_url, search_dir)
    mailed = run_together(
        __name__, _digest_in_process, [(database_url, search_dir) for _ in range(RUNS)]
    )
    assert sorted(to for run in mailed for to in run) == expected
