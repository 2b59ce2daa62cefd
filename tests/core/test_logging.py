"""Logging (``community/logs.py``): every record names its request or socket event, the
response echoes the request id, one configuration with ``LOG_LEVEL`` and ``LOG_FORMAT``, and
failures out of sight of a request go to ``community.background`` at ERROR."""

from __future__ import annotations

import json
import logging
import re
import sys

import pytest

from community import create_app, logs, signals
from community.config import DevelopmentConfig
from community.extensions import db, socketio
from community.search.indexer import IndexQueue
from tests.core.test_sockets import ProbeNamespace

GENERATED = re.compile(r"[0-9a-f]{32}")


@pytest.fixture
def logging_view(app):
    """A page that logs one warning."""

    def view() -> str:
        logging.getLogger("community.probe").warning("looked at")
        return "ok"

    app.add_url_rule("/probe-log", "probe_log", view)
    return "/probe-log"


def _probe_records(caplog) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name == "community.probe"]


def test_a_safe_request_id_is_kept_echoed_and_on_every_line(client, logging_view, caplog):
    given = "edge-7f3a.01:2"
    with caplog.at_level(logging.WARNING):
        response = client.get(f"{logging_view}?x=1", headers={"X-Request-ID": given})
    assert response.headers["X-Request-ID"] == given
    (record,) = _probe_records(caplog)
    assert (record.request_id, record.method, record.path) == (given, "GET", logging_view)


@pytest.mark.parametrize(
    "given",
    [
        "two words",
        "x" * 129,
        "<script>alert(1)</script>",
        "-starts-with-a-dash",
        "a\u00e9",
        "",
    ],
)
def test_an_unsafe_request_id_is_replaced(client, logging_view, caplog, given):
    with caplog.at_level(logging.WARNING):
        response = client.get(logging_view, headers={"X-Request-ID": given})
    echoed = response.headers["X-Request-ID"]
    assert GENERATED.fullmatch(echoed)
    assert _probe_records(caplog)[0].request_id == echoed


def test_each_request_gets_its_own_id_also_on_errors(client, logging_view):
    first = client.get(logging_view).headers["X-Request-ID"]
    second = client.get(logging_view).headers["X-Request-ID"]
    missing = client.get("/no/such/page")
    assert missing.status_code == 404
    ids = {first, second, missing.headers["X-Request-ID"]}
    assert len(ids) == 3 and all(GENERATED.fullmatch(i) for i in ids)


def test_lines_outside_a_request_say_so(caplog):
    with caplog.at_level(logging.WARNING):
        logging.getLogger("community.probe").warning("no request")
    (record,) = _probe_records(caplog)
    assert (record.request_id, record.method, record.path) == ("-", "-", "-")


def test_a_socket_event_has_an_id_of_its_own(app, client, create_user, login, caplog):
    socketio.on_namespace(ProbeNamespace("/probe"))
    login(client, create_user())
    sio = socketio.test_client(app, namespace="/probe", flask_test_client=client)
    with caplog.at_level(logging.ERROR):
        sio.emit("broken", {}, namespace="/probe", callback=True)
    (record,) = [r for r in caplog.records if "socket event" in r.getMessage()]
    assert GENERATED.fullmatch(record.request_id)
    assert (record.method, record.path) == ("EVENT", "/probe broken")


def test_a_failing_after_commit_task_logs_an_error_in_the_background_logger(app_ctx, caplog):
    def deliver() -> None:
        raise ConnectionError("push server down")

    signals.on_commit(deliver)
    with caplog.at_level(logging.ERROR):
        db.session.commit()  # the commit itself succeeds
    (record,) = [r for r in caplog.records if "after-commit" in r.getMessage()]
    assert record.name == "community.background" and record.levelno == logging.ERROR
    assert record.exc_info and record.exc_info[0] is ConnectionError


def test_a_failing_search_index_write_logs_an_error_in_the_background_logger(caplog):
    class BrokenBackend:
        def apply(self, upserts, removals) -> None:
            raise OSError("disk full")

    queue = IndexQueue(BrokenBackend(), synchronous=True)
    with caplog.at_level(logging.ERROR):
        queue.put(removals=["idea:1"])
    (record,) = [r for r in caplog.records if "search index" in r.getMessage()]
    assert record.name == "community.background" and record.levelno == logging.ERROR
    assert queue.failures == 1


def test_json_lines_carry_the_request_and_the_traceback(app, logging_view):
    formatter = logs.formatter("json")
    with app.test_request_context(logging_view, headers={"X-Request-ID": "abc"}):
        logs.begin("GET", logging_view, "abc")
        try:
            raise ValueError("boom")
        except ValueError:
            record = logging.getLogger("community.probe").makeRecord(
                "community.probe", logging.ERROR, __file__, 1, "failed %s", ("x",), None
            )
            record.exc_info = sys.exc_info()
    line = json.loads(formatter.format(record))
    assert line["message"] == "failed x" and line["level"] == "ERROR"
    assert (line["request_id"], line["method"], line["path"]) == ("abc", "GET", logging_view)
    assert "ValueError: boom" in line["exception"]
    text = logs.formatter("text").format(record)
    assert "ERROR community.probe [abc GET /probe-log] failed x" in text


@pytest.fixture
def root_logging():
    """Put the root logger back as it was after a test that configures logging for real."""
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    yield root
    root.handlers[:] = handlers
    root.setLevel(level)


def test_outside_tests_one_handler_logs_at_the_configured_level(tmp_path, root_logging):
    settings = {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'x.db'}"}
    create_app(DevelopmentConfig, **settings, LOG_LEVEL="warning", LOG_FORMAT="json")
    create_app(DevelopmentConfig, **settings, LOG_LEVEL="DEBUG", LOG_FORMAT="json")
    ours = [h for h in root_logging.handlers if isinstance(h, logs._Handler)]
    assert len(ours) == 1 and isinstance(ours[0].formatter, logs.JsonFormatter)
    assert root_logging.level == logging.DEBUG


@pytest.mark.parametrize("setting", [{"LOG_LEVEL": "LOUD"}, {"LOG_FORMAT": "xml"}])
def test_unknown_log_settings_stop_the_start(tmp_path, setting):
    with pytest.raises(RuntimeError, match=next(iter(setting))):
        create_app(
            DevelopmentConfig, SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'x.db'}", **setting
        )
