"""The demo's experts: declared and verified tags in both languages, an expert community."""

from __future__ import annotations

from sqlalchemy import select

from community.experts.models import Expertise
from community.extensions import db
from community.spaces.models import Space
from tests.fixtures.app import page_text


def test_demo_has_verified_experts_and_an_expert_community(app, client):
    result = app.test_cli_runner().invoke(args=["demo", "load"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        rows = db.session.scalars(select(Expertise)).all()
        verified = [e for e in rows if e.is_verified]
        assert len(verified) >= 8 and len(rows) > len(verified)
        assert any(e.verified_in_space_id is None for e in verified)
        assert any(e.verified_in_space_id is not None for e in verified)
        assert all(e.verified_by_id != e.user_id for e in verified)
        communities = db.session.scalars(select(Space.slug).where(Space.expert_community)).all()
        assert communities == ["rendering-partners"]
    directory = page_text(client.get("/experts"))
    assert "Erik Lindqvist" in directory and "#家居设计" in directory
    assert "Casey Morgan" not in directory  # declared only
    threads = [client.get(f"/t/{n}").get_data(as_text=True) for n in range(1, 6)]
    assert any('data-testid="expert-badge"' in html for html in threads)
