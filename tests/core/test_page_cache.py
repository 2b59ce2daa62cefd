"""Pages kept for anonymous visitors: dropped by every change, never one visitor's to another,
never a signed-in visitor's, never a space that is not public."""

from __future__ import annotations

import logging
import re
import socket

import pytest
from sqlalchemy import update

from community.accounts.models import User
from community.extensions import db
from community.forums import operations as forum_operations
from community.forums.models import Thread
from community.ideas.models import Idea
from community.spaces import operations as space_operations
from community.spaces.models import Space
from tests.fixtures.app import make_app, page_text


@pytest.fixture
def kept(app):
    app.config["PAGE_CACHE_SECONDS"] = 30
    return app


def rename_behind_the_operations(app, thread, title):
    """A change no signal announces: a kept page still shows the old title."""
    with app.app_context():
        db.session.execute(update(Thread).where(Thread.id == thread.id).values(title=title))
        db.session.commit()


def csrf_of(response) -> str:
    return re.search(r'name="csrf-token" content="([^"]+)"', response.get_data(as_text=True))[1]


def test_a_reply_drops_the_kept_page(kept, create_space, create_thread, create_reply, space_owner):
    space = create_space()
    thread = create_thread(space, space_owner, title="Calibration")
    assert "Calibration" in page_text(kept.test_client().get(f"/s/{space.slug}"))
    rename_behind_the_operations(kept, thread, "Renamed quietly")
    assert "Calibration" in page_text(kept.test_client().get(f"/s/{space.slug}"))
    create_reply(thread, space_owner)
    assert "Renamed quietly" in page_text(kept.test_client().get(f"/s/{space.slug}"))


def test_a_vote_drops_the_kept_idea_list(
    kept, create_space, create_idea, create_user, add_member, vote_for, space_owner
):
    space = create_space()
    idea = create_idea(space, space_owner, title="Dark mode")
    voter = create_user()
    add_member(space, voter)
    path = f"/s/{space.slug}/ideas"
    assert "Dark mode" in page_text(kept.test_client().get(path))
    with kept.app_context():
        db.session.execute(update(Idea).where(Idea.id == idea.id).values(title="Light mode"))
        db.session.commit()
    assert "Dark mode" in page_text(kept.test_client().get(path))
    vote_for(idea, voter)
    assert "Light mode" in page_text(kept.test_client().get(path))


def test_a_space_made_private_is_gone_at_once(kept, create_space, space_owner):
    space = create_space()
    assert kept.test_client().get(f"/s/{space.slug}").status_code == 200
    with kept.test_request_context():
        space_operations.update_space(
            db.session.get(Space, space.id),
            name=space.name,
            description=space.description,
            visibility="private",
            tags="",
            slug=space.slug,
            by=db.session.get(User, space_owner.id),
        )
        db.session.commit()
    assert kept.test_client().get(f"/s/{space.slug}").status_code == 404


def test_signed_in_visitors_never_get_a_kept_page(
    kept, create_space, create_thread, space_owner, login
):
    space = create_space()
    thread = create_thread(space, space_owner, title="Calibration")
    kept.test_client().get(f"/s/{space.slug}")
    rename_behind_the_operations(kept, thread, "Renamed quietly")
    member = kept.test_client()
    login(member, space_owner)
    assert "Renamed quietly" in page_text(member.get(f"/s/{space.slug}"))
    assert "Calibration" in page_text(kept.test_client().get(f"/s/{space.slug}"))


@pytest.mark.parametrize("visibility", ["restricted", "private"])
def test_pages_of_spaces_not_public_are_never_kept(
    kept, create_space, create_thread, space_owner, login, visibility
):
    space = create_space(visibility=visibility)
    thread = create_thread(space, space_owner, title="Calibration")
    owner = kept.test_client()
    login(owner, space_owner)
    visitor = kept.test_client()
    for _ in range(2):
        visitor.get(f"/s/{space.slug}")
        visitor.get(f"/s/{space.slug}/ideas")
    rename_behind_the_operations(kept, thread, "Renamed quietly")
    answer = visitor.get(f"/s/{space.slug}")
    assert answer.status_code == (200 if visibility == "restricted" else 404)
    if visibility == "restricted":
        assert "Renamed quietly" in page_text(answer)
    assert "Renamed quietly" in page_text(owner.get(f"/s/{space.slug}"))


def test_two_visitors_never_share_a_token_or_a_session(kept, create_space, space_owner):
    space = create_space()
    first, second = kept.test_client(), kept.test_client()
    a = first.get(f"/s/{space.slug}")
    b = second.get(f"/s/{space.slug}")
    assert csrf_of(a) != csrf_of(b)
    assert "\x00" not in b.get_data(as_text=True)
    assert a.headers.get("Set-Cookie") != b.headers.get("Set-Cookie")
    # The second visitor's token is theirs: their form is accepted, the first's is refused.
    refused = second.post("/language", data={"locale": "zh_Hans", "csrf_token": csrf_of(a)})
    assert refused.status_code == 400
    switched = second.post("/language", data={"locale": "zh_Hans", "csrf_token": csrf_of(b)})
    assert switched.status_code == 302
    assert 'lang="zh-Hans"' in second.get(f"/s/{space.slug}").get_data(as_text=True)
    assert 'lang="en"' in first.get(f"/s/{space.slug}").get_data(as_text=True)


def test_a_flashed_message_is_never_kept(kept, create_space):
    space = create_space()
    visitor = kept.test_client()
    visitor.post(
        "/language", data={"locale": "klingon", "csrf_token": visitor.csrf_token(), "next": "/"}
    )
    assert "Choose a language" in page_text(visitor.get("/"))
    assert "Choose a language" not in page_text(kept.test_client().get("/"))
    assert "Choose a language" not in page_text(visitor.get(f"/s/{space.slug}"))


def test_pages_are_served_while_the_caches_redis_is_down(tmp_path, create_space, caplog):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    app = make_app(tmp_path, PAGE_CACHE_SECONDS=30, CACHE_REDIS_URL=f"redis://127.0.0.1:{port}/0")
    caplog.set_level(logging.WARNING)
    client = app.test_client()
    assert [client.get(path).status_code for path in ("/", "/", "/spaces")] == [200, 200, 200]
    failures = [r for r in caplog.records if "Page cache unreachable" in r.getMessage()]
    assert len(failures) == 1  # then left alone for a while


def test_a_change_in_one_process_drops_the_page_another_kept(
    tmp_path, redis_server, create_space, create_thread, space_owner
):
    settings = {"PAGE_CACHE_SECONDS": 30, "CACHE_REDIS_URL": redis_server.url}
    one = make_app(tmp_path, **settings)
    other = make_app(tmp_path, **settings)
    space = create_space()
    thread = create_thread(space, space_owner, title="Calibration")
    path = f"/s/{space.slug}"
    assert "Calibration" in page_text(one.test_client().get(path))
    rename_behind_the_operations(one, thread, "Renamed quietly")
    assert "Calibration" in page_text(other.test_client().get(path))  # kept in Redis
    with other.test_request_context():
        forum_operations.reply_to_thread(
            db.session.get(Thread, thread.id),
            author=db.session.get(User, space_owner.id),
            body="Hi",
        )
        db.session.commit()
    assert "Renamed quietly" in page_text(one.test_client().get(path))
