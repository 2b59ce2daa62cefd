"""How a form post that runs an operation ends (community/web/actions.py): ``attempt`` for a
button, ``saving`` for a form page. Each commits what the operation wrote, or rolls all of it
back and shows the refusal."""

from __future__ import annotations

import pytest
from flask import get_flashed_messages
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import StringField

from community.accounts.models import User
from community.accounts.operations import register_user
from community.errors import OperationError
from community.extensions import db
from community.web.actions import attempt, saving

PASSWORD = "a long enough passphrase 42"


class SignupForm(FlaskForm):
    username = StringField()


def _register(username: str) -> User:
    return register_user(
        username=username,
        email=f"{username}@example.com",
        display_name=username.title(),
        password=PASSWORD,
    )


def _register_twice() -> None:
    """Writes one account, then is refused (the second one takes its name)."""
    _register("ann")
    _register("ann")


def _written(username: str) -> bool:
    """Whether the account is in the database, not only in this session."""
    db.session.remove()
    return db.session.scalar(select(User).where(User.username == username)) is not None


def _left_behind(username: str) -> bool:
    """Whether the account would be written by whatever commits next in this request: a
    refusal must leave nothing of what the operation began."""
    db.session.commit()
    return _written(username)


@pytest.fixture
def post(app):
    with app.test_request_context("/", method="POST"):
        yield


def test_attempt_commits_flashes_and_redirects(post):
    response = attempt("/done", lambda: _register("ann"), "Welcome.", refused_to="/back")
    assert response.status_code == 302 and response.location == "/done"
    assert get_flashed_messages(with_categories=True) == [("success", "Welcome.")]
    assert _written("ann")


def test_attempt_message_may_name_what_the_operation_returned(post):
    attempt("/done", lambda: _register("ann"), lambda user: f"Hello {user.display_name}.")
    assert get_flashed_messages(with_categories=True) == [("success", "Hello Ann.")]


def test_attempt_without_a_message_says_nothing(post):
    response = attempt("/done", lambda: _register("ann"))
    assert response.location == "/done"
    assert get_flashed_messages() == []
    assert _written("ann")


def test_attempt_refused_rolls_back_and_says_why(post):
    response = attempt("/done", _register_twice, "Welcome.", refused_to="/back")
    assert response.status_code == 302 and response.location == "/back"
    assert get_flashed_messages(with_categories=True) == [("danger", "That username is taken.")]
    assert not _left_behind("ann")


def test_attempt_refused_goes_back_to_the_target_by_default(post):
    def refuse():
        raise OperationError("Not now.")

    assert attempt("/done", refuse, "Welcome.").location == "/done"
    assert get_flashed_messages(with_categories=True) == [("danger", "Not now.")]


def test_saving_commits(post):
    form = SignupForm()
    with saving(form) as saved:
        _register("ann")
    assert saved
    assert not form.errors and not form.form_errors
    assert get_flashed_messages() == []  # the view says what it saved
    assert _written("ann")


def test_saving_refused_rolls_back_and_shows_the_error_under_its_field(post):
    form = SignupForm()
    with saving(form) as saved:
        _register_twice()
    assert not saved
    assert form.username.errors == ["That username is taken."]
    assert not form.form_errors
    assert get_flashed_messages() == []
    assert not _left_behind("ann")


def test_saving_refused_without_a_field_shows_the_error_on_top(post):
    form = SignupForm()
    with saving(form) as saved:
        _register("ann")
        raise OperationError("The form is closed.")
    assert not saved
    assert form.form_errors == ["The form is closed."]
    assert not form.username.errors
    assert not _left_behind("ann")


def test_saving_lets_other_errors_through_uncommitted(post):
    form = SignupForm()
    with pytest.raises(ZeroDivisionError), saving(form):
        _register("ann")
        1 / 0  # noqa: B018
    assert not _written("ann")  # the request's end rolls it back
