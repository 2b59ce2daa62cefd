"""The search page and the as-you-type suggestion endpoint.

URLs (blueprint ``search``):

    GET /search          search
        Search everything the visitor may read, with facets and "did you mean"
    GET /search/suggest  suggest
        Title matches as JSON for as-you-type boxes
"""

from __future__ import annotations

from flask import Blueprint, jsonify, render_template
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select

from community.extensions import db
from community.search.backend import MAX_QUERY_CHARS, clean_query_text
from community.search.service import search_service
from community.spaces.models import Space
from community.web.args import Args, Choice, Id, Page, Text, parse

bp = Blueprint("search", __name__)

KIND_LABELS = {
    "thread": _l("Threads"),
    "post": _l("Replies"),
    "idea": _l("Ideas"),
    "person": _l("People"),
    "article": _l("Articles"),
}
STATUS_LABELS = {
    "solved": _l("Solved"),
    "unsolved": _l("Unsolved"),
    "accepted": _l("Accepted answers"),
    "discussion": _l("Discussions"),
    "codesign": _l("Co-design"),
}


class SearchArgs(Args):
    """The search page: ``?q=…&kind=idea&space=<id>&status=solved&tag=…&sort=date&page=2``."""

    q = Text(MAX_QUERY_CHARS, cut=True)
    kind = Choice(KIND_LABELS)
    space = Id(load_default=None)
    status = Choice(STATUS_LABELS)
    tag = Text(30)
    sort = Choice(["relevance", "date"], load_default="relevance")
    page = Page()


class SuggestArgs(Args):
    """``?q=…&kind=idea&space=<id>``: ``space``, the space the person is writing in, whose
    matches come first."""

    q = Text(MAX_QUERY_CHARS, cut=True)
    kind = Choice(KIND_LABELS)
    space = Id(load_default=None)


@bp.route("/search")
def search():
    """Search everything the visitor may read, with facets and "did you mean"."""
    args = parse(SearchArgs())
    q, kind = clean_query_text(args["q"]), args["kind"]
    filters = {
        "kinds": (kind,) if kind else (),
        "space_id": str(args["space"] or ""),
        "status": args["status"],
        "tag": clean_query_text(args["tag"]),
        "sort": args["sort"],
        "page": args["page"],
    }
    results = search_service().search(current_user, text=q, **filters) if q else None
    space_names = {}
    if results and results.facets.get("space_id"):
        ids = [int(i) for i in results.facets["space_id"] if i.isdigit()]
        space_names = dict(
            db.session.execute(select(Space.id, Space.name).where(Space.id.in_(ids))).all()
        )
    return render_template(
        "search/search.html",
        q=q,
        kind=kind,
        filters=filters,
        results=results,
        space_names={str(k): v for k, v in space_names.items()},
        kind_labels=KIND_LABELS,
        status_labels=STATUS_LABELS,
        max_chars=MAX_QUERY_CHARS,
    )


@bp.route("/search/suggest")
def suggest():
    """Title matches as JSON for as-you-type boxes: ``?q=…&kind=thread``, with ``&space=<id>``
    that space's first (each result says its space, for the box to name other spaces)."""
    args = parse(SuggestArgs())
    q, kind = clean_query_text(args["q"]), args["kind"]
    hits = (
        search_service().suggest(
            current_user, q, kinds=(kind,) if kind else (), space_id=args["space"]
        )
        if q
        else []
    )
    response = jsonify(
        query=q,
        results=[
            {
                "title": hit.title,
                "url": hit.url,
                "kind": hit.kind,
                "space": hit.space_name,
                "space_id": int(hit.space_id) if hit.space_id.isdigit() else None,
                "status": hit.status,
            }
            for hit in hits
        ],
    )
    response.headers["Cache-Control"] = "private, no-store"
    return response
