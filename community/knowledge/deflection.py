"""The knowledge base while a question is typed: published articles and solved threads that
may already answer it, and "This answered my question". Routes on the knowledge blueprint
(``views.py``).

URLs (blueprint ``knowledge``). ``/s/<slug>/…`` is shared: each feature serves its own tab of a
space ("Where a URL is served" in docs/architecture.md). Reading is in ``views.py``.

    GET /s/<slug>/ask/suggestions  suggestions
        The suggestions for a question title being typed (an HTML fragment)
    POST /s/<slug>/ask/answered    answered
        "This answered my question": record it, go to the answer
"""

from __future__ import annotations

from flask import render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from community.extensions import db
from community.forums.models import Thread
from community.knowledge import operations
from community.knowledge.forms import DeflectForm
from community.knowledge.models import Article
from community.knowledge.views import article_url, bp
from community.permissions import guardian
from community.search.backend import clean_query_text
from community.search.service import search_service
from community.spaces.models import Space
from community.spaces.views import load_space
from community.web.actions import attempt, refuse_form

SUGGESTIONS = 5


def deflection_suggestions(user, space: Space, text: str) -> list[dict]:
    """Published articles and solved threads matching ``text`` that ``user`` may read, best
    first: the space's own and site-wide articles, and solved questions of any readable space."""
    hits = search_service().suggest(user, text, kinds=("article", "thread"), limit=SUGGESTIONS * 3)
    chosen = []
    for hit in hits:
        if hit.kind == "thread" and hit.status != "solved":
            continue
        if hit.kind == "article" and hit.status != "published":
            continue
        chosen.append(hit)
    chosen = chosen[:SUGGESTIONS]
    # The index may lag the database: check every hit against the rows and the rules again.
    ids = {
        kind: [int(h.id.split(":")[1]) for h in chosen if h.kind == kind]
        for kind in ("article", "thread")
    }
    articles = (
        {a.id: a for a in db.session.scalars(select(Article).where(Article.id.in_(ids["article"])))}
        if ids["article"]
        else {}
    )
    threads = (
        {t.id: t for t in db.session.scalars(select(Thread).where(Thread.id.in_(ids["thread"])))}
        if ids["thread"]
        else {}
    )
    results = []
    for hit in chosen:
        number = int(hit.id.split(":")[1])
        if hit.kind == "article":
            row = articles.get(number)
            ok = row is not None and row.is_published and guardian.can(user, "article.view", row)
        else:
            row = threads.get(number)
            ok = row is not None and row.is_solved and guardian.can(user, "thread.view", row)
        if ok:
            results.append(
                {
                    "ref": hit.id,
                    "kind": hit.kind,
                    "title": row.title,
                    "url": hit.url,
                    "space": hit.space_name,
                }
            )
    return results


@bp.route("/s/<slug>/ask/suggestions")
@login_required
def suggestions(slug: str):
    """The suggestions for a question title being typed (an HTML fragment)."""
    space = load_space(slug)
    q = clean_query_text(request.args.get("q", ""))
    items = deflection_suggestions(current_user, space, q) if len(q) >= 3 else []
    response = render_template(
        "knowledge/_suggestions.html", space=space, items=items, q=q, form=DeflectForm()
    )
    return response, 200, {"Cache-Control": "private, no-store"}


@bp.route("/s/<slug>/ask/answered", methods=["POST"])
@login_required
def answered(slug: str):
    """ "This answered my question": record it, do not post the question, go to the answer."""
    space = load_space(slug)
    back = url_for("forums.new_thread", slug=space.slug, kind="question")
    form = DeflectForm()
    if not form.validate_on_submit():
        return refuse_form(back)
    refs = operations.parse_refs(form.target.data, limit=1)
    article = thread = None
    if refs:
        kind, number = refs[0]
        if kind == "article":
            article = db.session.get(Article, number)
        else:
            thread = db.session.get(Thread, number)
    if article is None and thread is None:
        return refuse_form(back)
    return attempt(
        article_url(article) if article else url_for("forums.thread", thread_id=thread.id),
        lambda: operations.record_answered(
            space, by=current_user, title=form.title.data or "", article=article, thread=thread
        ),
        _("Glad that helped! Your question was not posted."),
        refused_to=back,
    )
