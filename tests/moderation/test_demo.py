"""The demo's moderation: a spam reply hidden by flags and waiting in the queue."""

from __future__ import annotations

import pytest

from community.demo import DEMO_PASSWORD
from tests.fixtures.app import page_text


@pytest.fixture
def app(demo_app):
    """The demo, loaded once per test process and copied for each test."""
    return demo_app


def test_demo_queue_has_hidden_spam_and_a_warning(app, client):
    client.submit("/login", {"login": "moderator", "password": DEMO_PASSWORD})
    queue = page_text(client.get("/s/imaging-workflows/moderation"))
    # The demo moderator reads Chinese: the reason's label is translated, its count is not.
    assert "× 3" in queue and "Anyone selling used ultrasound carts?" in queue
    reader = client.application.test_client()
    assert "refurbished probes" not in page_text(reader.get("/s/imaging-workflows"))
    spammer = client.application.test_client()
    spammer.submit("/login", {"login": "probe_deals", "password": DEMO_PASSWORD})
    assert "Please don't advertise here" in page_text(spammer.get("/warnings"))
    site = page_text(client.get("/moderation"))
    assert "Probe Deals 4U" in site and "Refurbished probes at 70% off" in site
