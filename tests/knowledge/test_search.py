"""Articles in the search index: published ones only, re-indexed on edit, unpublish and
delete, and included by ``flask search rebuild``."""

from __future__ import annotations

from community.accounts.models import User
from community.extensions import db
from community.knowledge import operations
from community.knowledge.models import Article
from community.search.service import search_service


def _ids(app) -> set[str]:
    with app.app_context():
        return search_service().backend.document_ids("article")


def test_index_follows_publish_edit_unpublish_and_delete(app, cast, create_article):
    draft = create_article(cast.space, cast.expert, title="Lens fog", publish=False)
    assert _ids(app) == set()
    with app.test_request_context():
        expert = db.session.get(User, cast.expert.id)
        operations.publish_article(db.session.get(Article, draft.id), by=expert)
        db.session.commit()
    assert _ids(app) == {f"article:{draft.id}"}
    with app.test_request_context():
        expert = db.session.get(User, cast.expert.id)
        row = db.session.get(Article, draft.id)
        operations.edit_article(row, title="Lens fog in winter", body="Warm it up.", by=expert)
        db.session.commit()
        hits = search_service().search(expert, text="winter", kinds=("article",)).hits
        assert [h.title for h in hits] == ["Lens fog in winter"]
        operations.publish_article(row, by=expert, publish=False)
        db.session.commit()
    assert _ids(app) == set()
    with app.test_request_context():
        expert = db.session.get(User, cast.expert.id)
        operations.publish_article(db.session.get(Article, draft.id), by=expert)
        db.session.commit()
        operations.delete_article(db.session.get(Article, draft.id), by=expert)
        db.session.commit()
    assert _ids(app) == set()


def test_rebuild_includes_published_articles(app, cast, create_article):
    published = create_article(cast.space, cast.expert)
    site_wide = create_article(None, cast.owner)
    create_article(cast.space, cast.expert, publish=False)
    with app.app_context():
        search_service().backend.rebuild([])
    assert _ids(app) == set()
    result = app.test_cli_runner().invoke(args=["search", "rebuild"])
    assert result.exit_code == 0, result.output
    assert _ids(app) == {f"article:{published.id}", f"article:{site_wide.id}"}
    check = app.test_cli_runner().invoke(args=["search", "check"])
    assert check.exit_code == 0, check.output
