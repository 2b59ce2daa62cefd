"""Search across instances: what one instance indexes, the other finds."""

from __future__ import annotations

import re
import secrets
import time

from tests.cluster.conftest import WAIT

A, B = "web-a", "web-b"


def _found(visitor, base: str, word: str, thread: str) -> bool:
    """Whether searching ``word`` lists the thread at ``thread`` (not just the query)."""
    return f'href="{thread}' in visitor.get(base, f"/search?q={word}").text


def _eventually(check) -> bool:
    """Whether ``check()`` holds within WAIT seconds."""
    deadline = time.monotonic() + WAIT
    while not check():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.2)
    return True


def test_a_post_written_through_a_is_found_through_b(cluster, visitors, world):
    writer, reader = visitors(), visitors()
    writer.sign_in(world.member)
    reader.sign_in(world.other)
    word = f"zebracluster{secrets.token_hex(4)}"

    posted = writer.post(
        cluster.instance_url(A),
        f"/s/{world.space.slug}/new",
        {"kind": "question", "title": f"Where is {word}?", "body": "Written through A."},
    )
    assert posted.status_code == 302, posted.text[:2000]
    thread = re.match(r"(?:https?://[^/]+)?(/t/\d+)", posted.headers["Location"]).group(1)
    assert _eventually(lambda: _found(reader, cluster.instance_url(A), word, thread))

    # Search runs in PostgreSQL, the instances' one store: found through B at once.
    assert _found(reader, cluster.instance_url(B), word, thread)
