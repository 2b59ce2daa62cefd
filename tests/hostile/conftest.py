"""What the walks share: the demo app to walk, its people by role and the values its database
holds, for filling in addresses and payloads."""

from __future__ import annotations

import shutil
from collections import defaultdict

import pytest
from sqlalchemy import select, text

from community.accounts.models import User
from community.accounts.sessions import start_session
from community.extensions import db
from community.permissions import Role
from tests.fixtures.accounts import make_user
from tests.fixtures.app import make_app

ROLES = (None, *Role)


@pytest.fixture
def walk_app(tmp_path, demo_snapshot):
    """A copy of the demo, with someone in every role (the demo has no analyst), without rate
    limits (a 429 would hide what is behind it)."""
    shutil.copytree(demo_snapshot, tmp_path, dirs_exist_ok=True)
    app = make_app(tmp_path, RATELIMIT_ENABLED=False, API_LIMIT="1000000 per minute")
    for role, user_id in people(app).items():
        if user_id is None:
            make_user(app, f"walk-{role.value}", role=role)
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def people(app) -> dict:
    """The first active user of each role, by id."""
    with app.app_context():
        return {
            role: db.session.scalar(
                select(User.id).where(User.role == role, User.active).order_by(User.id)
            )
            for role in ROLES
            if role is not None
        }


def sign_in(app, client, user_id: int | None) -> int | None:
    """Sign ``user_id`` (if any, and still active) in on ``client`` with a session of its own,
    as signing in does, without the password hashing that makes signing in slow; returns the
    session's id (None when nobody was signed in)."""
    if user_id is None:
        return None
    with app.app_context():
        user = db.session.get(User, user_id)
        identity = session_id = None
        if user.is_active:
            row = start_session(user)
            identity, session_id = f"{user.id}:{row.secret}", row.id
            db.session.commit()
        db.session.remove()
    if identity:
        with client.session_transaction() as session:
            session["_user_id"] = identity
            session["_fresh"] = True
    return session_id


def known_values(app) -> dict[str, list]:
    """Real values by name, for path arguments and payload keys: a column with that name
    (``slug``, ``username``, ``idea_id``), or the ids of the table it names (``idea_id`` →
    ``ideas``, ``session_id`` → ``brainstorm_sessions``); a few spread over each."""
    found: dict[str, set] = defaultdict(set)
    with app.app_context():
        for table in db.metadata.sorted_tables:
            for column in table.columns:
                names = [column.name]
                if column.name == "id":
                    stem = table.name.removesuffix("s")
                    names = [f"{stem}_id", f"{stem.rpartition('_')[2]}_id"]
                rows = db.session.execute(
                    text(f'SELECT DISTINCT "{column.name}" FROM "{table.name}" ORDER BY 1')  # noqa: S608
                ).scalars()
                values = [v for v in rows if isinstance(v, int | str) and v != ""]
                step = max(len(values) // 6, 1)
                for name in names:
                    found[name].update(values[::step][:8])
        db.session.remove()
    return {name: sorted(values, key=str) for name, values in found.items()}
