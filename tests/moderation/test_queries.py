"""The queue and the audit log run the same number of queries for 3 items as for 30."""

from __future__ import annotations

from community.accounts.models import User
from community.extensions import db
from community.moderation import operations


def _flag_threads(app, cast, count: int, flagger, create_thread) -> None:
    for _n in range(count):
        thread = create_thread(cast.space, cast.asker)
        with app.test_request_context():
            from community.forums.models import Thread

            operations.flag_content(
                db.session.get(Thread, thread.id),
                by=db.session.get(User, flagger.id),
                reason="spam",
            )
            db.session.commit()


def test_queue_and_audit_log_queries_are_bounded(
    app, login, cast, admin, create_thread, count_queries
):
    client = app.test_client()
    login(client, admin)
    counts = []
    for size in (3, 27):
        _flag_threads(app, cast, size, admin, create_thread)  # admins' flags hide: audited
        runs = []
        for url in ("/moderation", f"/s/{cast.space.slug}/moderation", "/moderation/audit"):
            with count_queries() as queries:
                assert client.get(url).status_code == 200
            runs.append(len(queries))
        counts.append(runs)
    assert counts[0] == counts[1], counts
