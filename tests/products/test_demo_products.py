"""The demo's products: roadmaps with ideas in every column and changelogs crediting customers."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from community.extensions import db
from community.ideas.models import Idea
from tests.fixtures.app import page_text


@pytest.fixture
def app(demo_app):
    """The demo, loaded once per test process and copied for each test."""
    return demo_app


def test_demo_products_fill_every_roadmap_column_and_credit_customers(app, client):
    with app.app_context():
        linked = db.session.scalars(select(Idea).where(Idea.release_id.is_not(None))).all()
        assert len(linked) == 2 and all(i.status == "shipped" for i in linked)
    for slug in ("imaging-suite", "modular-home"):
        roadmap = client.get(f"/products/{slug}/roadmap").get_data(as_text=True)
        for column in ("planned", "in_progress", "shipped"):
            section = roadmap.split(f'data-column="{column}"')[1].split("</section>")[0]
            assert "roadmap-card" in section, (slug, column)
        changelog = page_text(client.get(f"/products/{slug}/changelog"))
        assert "Proposed by" in changelog and "Supported by" in changelog
    assert "Imaging Suite" in page_text(client.get("/products"))
