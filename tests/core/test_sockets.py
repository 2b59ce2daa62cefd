"""Socket.IO: authentication at connect, per-event authorisation, live sign-out."""

from __future__ import annotations

import pytest

from community.errors import OperationError
from community.extensions import socketio
from community.permissions import Role
from community.web.args import Id, Whole
from community.web.live import SecureNamespace, authorize, payload
from tests.fixtures.accounts import PASSWORD

NEW = "another long passphrase"


class ProbeNamespace(SecureNamespace):
    """A namespace built on the shared pattern, for testing the pattern itself."""

    @payload(x=Whole(0, 9))
    @authorize("users.manage")
    def on_admin_only(self, data):
        return {"ok": True, "echo": data}

    @payload(user=Id())
    @authorize("profile.edit", load=lambda data: data.get("user"))
    def on_edit(self, user, data):
        return {"ok": True}

    @payload()
    def on_refused(self, data):
        raise OperationError("not like that")

    @payload()
    def on_broken(self, data):
        raise RuntimeError("internal detail")


@pytest.fixture
def probe(app):
    socketio.on_namespace(ProbeNamespace("/probe"))
    return "/probe"


def connect(app, client, namespace="/me"):
    return socketio.test_client(app, namespace=namespace, flask_test_client=client)


def test_anonymous_connection_is_refused(app, client):
    sio = connect(app, client)
    assert not sio.is_connected("/me")


def test_signed_in_user_connects(app, client, create_user, login):
    login(client, create_user())
    sio = connect(app, client)
    assert sio.is_connected("/me")
    sio.disconnect("/me")


def test_events_are_authorised_by_the_guardian(app, client, create_user, login, probe):
    login(client, create_user())
    sio = connect(app, client, probe)
    assert sio.emit("admin_only", {"x": 1}, namespace=probe, callback=True) == {
        "ok": False,
        "error": "That isn't there, or you may not do that.",
    }
    assert sio.emit("edit", {}, namespace=probe, callback=True)["ok"] is False
    refused = sio.emit("refused", {}, namespace=probe, callback=True)
    assert refused == {"ok": False, "error": "not like that"}
    broken = sio.emit("broken", {}, namespace=probe, callback=True)
    assert broken["ok"] is False and "internal detail" not in broken["error"]


def test_admin_passes_the_same_check(app, client, create_user, login, probe):
    login(client, create_user(role=Role.ADMIN))
    sio = connect(app, client, probe)
    assert sio.emit("admin_only", {"x": 1}, namespace=probe, callback=True) == {
        "ok": True,
        "echo": {"x": 1},
    }


def received_before_closing(io, namespace: str) -> list[tuple[str, list]]:
    """What a test client received, also once the server has closed its connection."""
    return [(r["name"], r["args"]) for r in io.queue if r["namespace"] == namespace]


def test_password_change_signs_out_other_live_tabs(app, create_user, login, probe):
    user = create_user(role=Role.ADMIN)
    here, elsewhere = app.test_client(), app.test_client()
    login(here, user)
    login(elsewhere, user)
    other_tab = connect(app, elsewhere)
    other_probe = connect(app, elsewhere, probe)
    other_tab.get_received("/me")

    here.submit(
        "/settings/password", {"current_password": PASSWORD, "new_password": NEW, "confirm": NEW}
    )
    # Told why, then closed: the live tab and every other connection of that session.
    assert received_before_closing(other_tab, "/me") == [("signed_out", [{"reason": "change"}])]
    assert not other_tab.is_connected("/me")
    assert not other_probe.is_connected(probe)

    # A tab of the new session is not told to sign out.
    new_tab = connect(app, here)
    assert new_tab.is_connected("/me")
    assert new_tab.get_received("/me") == []


def test_signing_out_closes_the_live_connections_of_this_browser_only(
    app, create_user, login, probe
):
    user = create_user(role=Role.ADMIN)
    laptop, phone = app.test_client(), app.test_client()
    login(laptop, user)
    login(phone, user)
    laptop_tab, laptop_probe = connect(app, laptop), connect(app, laptop, probe)
    phone_tab = connect(app, phone)

    laptop.submit("/logout")
    assert received_before_closing(laptop_tab, "/me") == [
        ("signed_out", [{"reason": "signed_out"}])
    ]
    assert not laptop_tab.is_connected("/me") and not laptop_probe.is_connected(probe)
    assert phone_tab.is_connected("/me") and phone_tab.get_received("/me") == []


def test_a_connection_left_open_after_sign_out_can_do_nothing(
    app, create_user, login, probe, monkeypatch
):
    """The disconnect may not arrive (another server process holds the connection): every
    event checks the session on the server, as pages do, and finds it ended."""
    import community.web.live

    monkeypatch.setattr(community.web.live, "close_sessions", lambda session_ids: None)
    user = create_user(role=Role.ADMIN)
    client = app.test_client()
    login(client, user)
    stale = connect(app, client, probe)
    assert stale.emit("admin_only", {}, namespace=probe, callback=True)["ok"] is True

    client.submit("/logout")
    assert stale.is_connected(probe)
    ack = stale.emit("admin_only", {}, namespace=probe, callback=True)
    assert ack["ok"] is False and "session has ended" in ack["error"]
    assert not stale.is_connected(probe)
