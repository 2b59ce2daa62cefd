"""The ``flask users`` and ``flask demo`` commands."""

from __future__ import annotations

from sqlalchemy import func, select

from community import create_app
from community.accounts.models import User
from community.config import ProductionConfig, TestingConfig
from community.extensions import db
from tests.fixtures.app import DEMO_OUTPUT


def test_create_admin(app):
    runner = app.test_cli_runner()
    result = runner.invoke(
        args=["users", "create-admin", "--username", "boss", "--email", "boss@example.com"],
        input="a long admin passphrase\na long admin passphrase\n",
    )
    assert result.exit_code == 0, result.output
    with app.app_context():
        user = db.session.scalar(select(User).where(User.username == "boss"))
        assert user.role == "admin"


def test_create_admin_refuses_weak_or_taken(app, create_user):
    create_user("taken")
    runner = app.test_cli_runner()
    weak = runner.invoke(
        args=["users", "create-admin", "--username", "boss", "--email", "b@example.com"],
        input="short\nshort\n",
    )
    assert weak.exit_code != 0 and "at least 10" in weak.output
    taken = runner.invoke(
        args=["users", "create-admin", "--username", "TAKEN", "--email", "t@example.com"],
        input="a long admin passphrase\na long admin passphrase\n",
    )
    assert taken.exit_code != 0 and "taken" in taken.output


def test_demo_load_is_idempotent_and_prints_logins(demo_app, demo_snapshot):
    """The load the demo snapshot was made with printed the logins; loading again adds
    nothing."""
    assert "admin, moderator, expert, customer" in (demo_snapshot / DEMO_OUTPUT).read_text()
    with demo_app.app_context():
        count = db.session.scalar(select(func.count(User.id)))
        roles = dict(db.session.execute(select(User.username, User.role)).all())
    assert count >= 8
    assert roles["admin"] == "admin" and roles["moderator"] == "moderator"
    assert roles["expert"] == "expert" and roles["customer"] == "member"
    second = demo_app.test_cli_runner().invoke(args=["demo", "load"])
    assert "already loaded" in second.output
    with demo_app.app_context():
        assert db.session.scalar(select(func.count(User.id))) == count


def test_demo_logins_work(demo_app):
    client = demo_app.test_client()
    for username in ("admin", "moderator", "expert", "customer"):
        response = client.submit("/login", {"login": username, "password": "cocreate-demo"})
        assert response.status_code == 302, username
        client.submit("/logout")


def _production_app(tmp_path, monkeypatch):
    monkeypatch.setenv("SECRET_KEY", "x" * 32)
    app = create_app(
        ProductionConfig,
        SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'p.db'}",
        SEARCH_INDEX_DIR=str(tmp_path / "search"),
        PASSWORD_HASHING=TestingConfig.PASSWORD_HASHING,  # production's costs 0.1 s a hash
    )
    with app.app_context():
        db.create_all()
    return app


def test_demo_data_is_loaded_in_production_only_when_asked_for(tmp_path, monkeypatch):
    app = _production_app(tmp_path, monkeypatch)
    result = app.test_cli_runner().invoke(args=["demo", "load"])
    assert result.exit_code != 0 and "--allow-production" in result.output
    with app.app_context():
        assert db.session.scalar(select(func.count(User.id))) == 0

    result = app.test_cli_runner().invoke(args=["demo", "load", "--allow-production"])
    assert result.exit_code == 0, result.output
    assert "Loaded demo data" in result.output and "Demo logins" in result.output
    with app.app_context():
        assert db.session.scalar(select(func.count(User.id))) > 0
    again = app.test_cli_runner().invoke(args=["demo", "load", "--allow-production"])
    assert again.exit_code == 0 and "already loaded" in again.output


def test_demo_has_spaces_threads_and_answers(demo_app):
    from community.forums.models import Post, Thread
    from community.spaces.models import Membership, Space

    app = demo_app

    def count(column, *where) -> int:
        return db.session.scalar(select(func.count(column)).where(*where))

    with app.app_context():
        assert count(Space.id) >= 5
        assert count(Space.id, Space.visibility == "private") >= 1
        assert count(Thread.id) >= 15
        assert count(Thread.id, Thread.accepted_post_id.is_not(None)) >= 1
        assert count(Thread.id, Thread.pinned.is_(True)) >= 1
        assert count(Thread.id, Thread.locked.is_(True)) >= 1
        assert count(Membership.id, Membership.state == "pending") >= 1
        assert count(Post.id, Post.body_html.contains('class="mention"')) >= 1
