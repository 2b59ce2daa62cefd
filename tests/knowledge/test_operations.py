"""Knowledge base operations called directly: writing, revisions and diffs, suggested edits,
"did this help?", articles from answers and shipped ideas, deflections and their counts."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from community.accounts.models import User
from community.database import utcnow
from community.errors import OperationError
from community.extensions import db
from community.forums.models import Thread
from community.ideas.models import Idea
from community.knowledge import operations, queries
from community.knowledge.models import (
    Article,
    ArticleFeedback,
    ArticleRevision,
    Deflection,
    RevisionState,
)
from community.spaces.models import Space
from community.text.diff import diff_html


def _get(model, obj):
    return db.session.get(model, obj.id)


def test_create_edit_publish_keeps_every_save_as_a_revision(app, cast):
    with app.test_request_context():
        space, expert = _get(Space, cast.space), _get(User, cast.expert)
        article = operations.create_article(
            space,
            title="  Calibrating   the detector ",
            body="Step *one*.",
            tags="imaging, ct",
            by=expert,
        )
        assert article.status == "draft" and article.title == "Calibrating the detector"
        assert article.body_html == "<p>Step <em>one</em>.</p>\n"
        assert article.tag_names == ["ct", "imaging"]
        operations.edit_article(
            article,
            title=article.title,
            body="Step *one*.\n\nStep two.",
            tags="imaging, ct",
            summary="Add step two",
            by=expert,
        )
        with pytest.raises(OperationError, match="Nothing changed"):
            operations.edit_article(
                article,
                title=article.title,
                body=article.body_source,
                tags="ct, imaging",
                by=expert,
            )
        operations.publish_article(article, by=expert)
        assert article.is_published and article.published_at is not None
        with pytest.raises(OperationError, match="already published"):
            operations.publish_article(article, by=expert)
        db.session.commit()
        revisions = queries.history(article).items
        assert [r.summary for r in revisions] == ["Add step two", "First version"]
        assert all(r.author_id == expert.id for r in revisions)
        assert queries.revision_before(revisions[0]).id == revisions[1].id
        assert queries.revision_before(revisions[1]) is None


def test_diff_marks_words_added_and_removed_and_escapes_html():
    html = str(
        diff_html("Press the <b>red</b> button.\nThen wait.", "Press the green button.\nThen wait.")
    )
    assert "<del>&lt;b&gt;red&lt;/b&gt;</del>" in html and "<ins>green</ins>" in html
    assert "Then wait." in html and "<b>" not in html


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"title": "   "}, "Give the article a title"),
        ({"title": "x" * 201}, "at most 200"),
        ({"body": ""}, "Write the article first"),
        ({"body": "x" * 50_001}, "at most 50000"),
        ({"tags": "a, b, c, d, e, f"}, "at most 5 tags"),
        ({"tags": "no/slashes"}, "Tags use letters"),
        ({"summary": "s" * 201}, "edit summary"),
    ],
)
def test_bad_input_is_refused_and_changes_nothing(app, cast, fields, message):
    with app.test_request_context():
        args = {"title": "A title", "body": "A body", "tags": "", "summary": "", **fields}
        with pytest.raises(OperationError, match=message):
            operations.create_article(_get(Space, cast.space), by=_get(User, cast.expert), **args)
        db.session.rollback()
        assert db.session.scalar(select(func.count(Article.id))) == 0


def test_members_may_not_write_or_publish(app, cast, create_article):
    article = create_article(cast.space, cast.expert, publish=False)
    with app.test_request_context():
        member = _get(User, cast.member)
        with pytest.raises(OperationError):
            operations.create_article(_get(Space, cast.space), title="T", body="B", by=member)
        with pytest.raises(OperationError):
            operations.publish_article(_get(Article, article), by=member)
        with pytest.raises(OperationError):
            operations.create_article(None, title="Site", body="B", by=_get(User, cast.expert))
        # Site moderators (the owner is one) write site-wide articles.
        assert operations.create_article(None, title="Site", body="B", by=_get(User, cast.owner))


def test_verified_experts_who_are_members_write(app, cast, create_user, add_member):
    from community.experts.models import Expertise

    verified = create_user("vera")
    add_member(cast.space, verified)
    with app.test_request_context():
        db.session.add(Expertise(user_id=verified.id, tag="ct", verified_at=utcnow()))
        db.session.commit()
    with app.test_request_context():
        assert operations.create_article(
            _get(Space, cast.space), title="T", body="B", by=_get(User, verified)
        )


def test_suggested_edit_accepted_becomes_current_and_credits_the_member(app, cast, create_article):
    article = create_article(cast.space, cast.expert, body="Old text.")
    with app.test_request_context():
        member = _get(User, cast.member)
        row = _get(Article, article)
        with pytest.raises(OperationError, match="what your edit changes"):
            operations.suggest_edit(row, title=row.title, body="New text.", by=member)
        suggestion = operations.suggest_edit(
            row, title=row.title, body="New text.", summary="Fix wording", by=member
        )
        assert row.body_source == "Old text."  # nothing changes until an editor accepts
        with pytest.raises(OperationError):
            operations.accept_suggestion(suggestion, by=member)
        operations.accept_suggestion(suggestion, by=_get(User, cast.expert))
        db.session.commit()
        assert row.body_source == "New text." and suggestion.state == RevisionState.ACCEPTED
        assert [u.id for u in queries.contributors(row)] == [cast.expert.id, cast.member.id]
        assert queries.history(row).items[0].author_id == cast.member.id
        with pytest.raises(OperationError, match="already handled"):
            operations.decline_suggestion(suggestion, by=_get(User, cast.expert))


def test_declined_suggestion_changes_nothing(app, cast, create_article):
    article = create_article(cast.space, cast.expert, body="Old text.")
    with app.test_request_context():
        row = _get(Article, article)
        suggestion = operations.suggest_edit(
            row, title=row.title, body="Wrong text.", summary="Oops", by=_get(User, cast.member)
        )
        operations.decline_suggestion(suggestion, by=_get(User, cast.owner))
        db.session.commit()
        assert row.body_source == "Old text." and suggestion.state == "declined"
        assert queries.pending_suggestions(row) == []
        assert [u.id for u in queries.contributors(row)] == [cast.expert.id]


def test_members_may_not_suggest_to_drafts_nor_outsiders_at_all(app, cast, create_article):
    draft = create_article(cast.space, cast.expert, publish=False)
    published = create_article(cast.space, cast.expert)
    with app.test_request_context():
        with pytest.raises(OperationError):
            operations.suggest_edit(
                _get(Article, draft), title="T", body="B", summary="s", by=_get(User, cast.member)
            )
        with pytest.raises(OperationError):
            operations.suggest_edit(
                _get(Article, published),
                title="T",
                body="B",
                summary="s",
                by=_get(User, cast.outsider),
            )


def test_helpful_is_one_answer_per_reader_and_counts_by_aggregate(app, cast, create_article):
    article = create_article(cast.space, cast.expert)
    with app.test_request_context():
        row = _get(Article, article)
        operations.rate_article(row, by=_get(User, cast.member), helpful=True)
        operations.rate_article(row, by=_get(User, cast.asker), helpful=True)
        operations.rate_article(row, by=_get(User, cast.asker), helpful=False)  # changed mind
        db.session.commit()
        assert db.session.scalar(select(func.count(ArticleFeedback.id))) == 2
        mine = queries.feedback_for(row, _get(User, cast.asker))
        assert (mine.helpful, mine.total, mine.mine) == (1, 2, False)
        assert queries.feedback_for(row, _get(User, cast.outsider)).mine is None


def test_no_feedback_on_drafts(app, cast, create_article):
    draft = create_article(cast.space, cast.expert, publish=False)
    with app.test_request_context(), pytest.raises(OperationError):
        operations.rate_article(_get(Article, draft), by=_get(User, cast.expert), helpful=True)


def test_article_from_accepted_answer_is_a_linked_draft_made_once(app, cast, solved_question):
    thread = solved_question(cast.space, cast.asker, cast.expert, title="Detector drifts")
    with app.test_request_context():
        row = _get(Thread, thread)
        with pytest.raises(OperationError):
            operations.article_from_answer(row, by=_get(User, cast.member))
        article = operations.article_from_answer(row, by=_get(User, cast.expert))
        db.session.commit()
        assert article.status == "draft" and article.title == "Detector drifts"
        assert article.body_source == "Recalibrate with the phantom in the box."
        assert article.source_thread_id == thread.id
        assert article.source_post_id == thread.accepted_post_id
        again = operations.article_from_answer(row, by=_get(User, cast.owner))
        assert again.id == article.id


def test_idea_released_drafts_one_whats_new_article(
    app, cast, create_idea, create_product, create_release, set_status, link_idea
):
    product = create_product([cast.space], name="Scanner")
    release = create_release(product, "2.0")
    idea = create_idea(cast.space, cast.asker, title="Dark mode", tags="ui")
    link_idea(idea, cast.owner, product)
    set_status(idea, "shipped", cast.owner)
    link_idea(idea, cast.owner, product, release)
    with app.test_request_context():
        articles = list(db.session.scalars(select(Article)))
        assert len(articles) == 1
        article = articles[0]
        assert article.title == "What's new: Dark mode" and article.status == "draft"
        assert (article.space_id, article.product_id) == (cast.space.id, product.id)
        assert (article.source_idea_id, article.source_release_id) == (idea.id, release.id)
        assert "Shipped in Scanner 2.0." in article.body_source
        # Unlinked and linked again (to another release): still the one draft.
        other = create_release(product, "2.1")
        from community.products import operations as product_operations

        product_operations.link_release(_get(Idea, idea), None, by=_get(User, cast.owner))
        db.session.commit()
    link_idea(idea, cast.owner, product, other)
    with app.test_request_context():
        assert db.session.scalar(select(func.count(Article.id))) == 1


def test_idea_released_draft_rolls_back_with_the_link(
    app, cast, create_idea, create_product, create_release, set_status, link_idea
):
    product = create_product([cast.space])
    release = create_release(product, "1.0")
    idea = create_idea(cast.space, cast.asker, title="Rolled back")
    link_idea(idea, cast.owner, product)
    set_status(idea, "shipped", cast.owner)
    from community.products import operations as product_operations
    from community.products.models import Release

    with app.test_request_context():
        product_operations.link_release(
            _get(Idea, idea), db.session.get(Release, release.id), by=_get(User, cast.owner)
        )
        assert db.session.scalar(select(func.count(Article.id))) == 1
        db.session.rollback()
        assert db.session.scalar(select(func.count(Article.id))) == 0


def test_answered_deflection_is_recorded_and_counted(app, cast, create_article, solved_question):
    article = create_article(cast.space, cast.expert, title="Calibrate the detector")
    thread = solved_question(cast.space, cast.asker, cast.expert)
    with app.test_request_context():
        space, member = _get(Space, cast.space), _get(User, cast.member)
        operations.record_answered(
            space, by=member, title="calibrate?", article=_get(Article, article)
        )
        operations.record_answered(space, by=member, title="same", thread=_get(Thread, thread))
        with pytest.raises(OperationError):  # outsiders do not ask here
            operations.record_answered(
                space, by=_get(User, cast.outsider), title="x", article=_get(Article, article)
            )
        db.session.rollback()
        operations.record_answered(
            space, by=member, title="calibrate?", article=_get(Article, article)
        )
        db.session.commit()
        now = utcnow()
        counts = queries.deflection_counts(now - timedelta(hours=1), now + timedelta(hours=1))
        assert counts == {cast.space.id: {"answered": 1, "asked": 0}}
        assert queries.deflection_counts(now + timedelta(hours=1), now + timedelta(hours=2)) == {}


def test_asked_despite_suggestions_keeps_only_real_refs(app, cast, create_article, create_thread):
    article = create_article(cast.space, cast.expert)
    thread = create_thread(cast.space, cast.asker, title="Posted anyway")
    with app.test_request_context():
        row = _get(Thread, thread)
        assert operations.record_asked(row, "bogus,article:999999") is None
        deflection = operations.record_asked(
            row, f"article:{article.id},thread:x,article:{article.id}"
        )
        assert deflection.kind == "asked" and deflection.shown == f"article:{article.id}"


def test_posting_a_question_with_shown_suggestions_records_asked(app, cast, create_article):
    from community.forums import operations as forum_operations

    article = create_article(cast.space, cast.expert)
    with app.test_request_context():
        forum_operations.start_thread(
            _get(Space, cast.space),
            author=_get(User, cast.member),
            kind="question",
            title="Still stuck",
            body="Tried it.",
            suggestions_shown=f"article:{article.id}",
        )
        forum_operations.start_thread(
            _get(Space, cast.space),
            author=_get(User, cast.member),
            kind="question",
            title="Nothing shown",
            body="Hm.",
        )
        db.session.commit()
        rows = list(db.session.scalars(select(Deflection)))
        assert [(d.kind, d.title) for d in rows] == [("asked", "Still stuck")]


def test_delete_removes_history_and_feedback(app, cast, create_article):
    article = create_article(cast.space, cast.expert)
    with app.test_request_context():
        operations.rate_article(_get(Article, article), by=_get(User, cast.member), helpful=True)
        with pytest.raises(OperationError):
            operations.delete_article(_get(Article, article), by=_get(User, cast.member))
        operations.delete_article(_get(Article, article), by=_get(User, cast.expert))
        db.session.commit()
        assert db.session.scalar(select(func.count(ArticleRevision.id))) == 0
        assert db.session.scalar(select(func.count(ArticleFeedback.id))) == 0


@pytest.mark.race
def test_concurrent_answers_keep_one_row_per_reader_and_exact_counts(
    app, cast, create_article, create_user, add_member
):
    """Readers answering at once, each in their own session (thread): one row each, and the
    aggregate counts every answer."""
    import threading

    article = create_article(cast.space, cast.expert)
    readers = [create_user(f"rater{n}") for n in range(6)]
    for reader in readers:
        add_member(cast.space, reader)
    errors = []

    def answer(user_id: int, helpful: bool) -> None:
        try:
            with app.test_request_context():
                operations.rate_article(
                    db.session.get(Article, article.id),
                    by=db.session.get(User, user_id),
                    helpful=helpful,
                )
                db.session.commit()
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)

    threads = [
        threading.Thread(target=answer, args=(r.id, n % 2 == 0)) for n, r in enumerate(readers)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    with app.test_request_context():
        counts = queries.feedback_for(db.session.get(Article, article.id), None)
        assert (counts.helpful, counts.total) == (3, 6)


def test_whats_new_is_drafted_in_the_space_language(
    app, cast, create_idea, create_product, create_release
):
    """A moderator reading Chinese ships an idea of an English space: the draft is English;
    and the other way round."""
    from community.products.models import Release

    product = create_product([cast.space], name="Scanner")
    release = create_release(product, "2.0")
    english = create_idea(cast.space, cast.asker, title="Dark mode")
    with app.test_request_context(headers={"Accept-Language": "zh-CN"}):
        article = operations.draft_whats_new(
            _get(Idea, english), release=_get(Release, release), by=_get(User, cast.owner)
        )
        assert article.title == "What's new: Dark mode"
        assert article.body_source.startswith("Shipped in Scanner 2.0.")
        db.session.commit()
    chinese = create_idea(cast.space, cast.asker, title="深色模式")
    with app.test_request_context(headers={"Accept-Language": "en"}):
        _get(Space, cast.space).content_language = "zh_Hans"
        article = operations.draft_whats_new(
            _get(Idea, chinese), release=_get(Release, release), by=_get(User, cast.owner)
        )
        assert not article.title.startswith("What's new") and "深色模式" in article.title
        assert not article.body_source.startswith("Shipped in")
