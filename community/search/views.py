"""The search page and the as-you-type suggestion endpoint."""

from __future__ import annotations

from flask import Blueprint, jsonify, render_template, request
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select

from community.extensions import db
from community.search.backend import MAX_QUERY_CHARS, clean_query_text
from community.search.service import search_service
from community.spaces.models import Space

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


def _arg(name: str, limit: int = 60) -> str:
    return clean_query_text(request.args.get(name, ""))[:limit]


@bp.route("/search")
def search():
    """Search everything the visitor may read, with facets and "did you mean"."""
    q = clean_query_text(request.args.get("q", ""))
    kind = _arg("kind")
    filters = {
        "kinds": (kind,) if kind in KIND_LABELS else (),
        "space_id": _arg("space") if _arg("space").isdigit() else "",
        "status": _arg("status") if _arg("status") in STATUS_LABELS else "",
        "tag": _arg("tag", 30),
        "sort": "date" if request.args.get("sort") == "date" else "relevance",
        "page": max(request.args.get("page", 1, type=int), 1),
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
    """Title matches as JSON for as-you-type boxes: ``?q=…&kind=thread``."""
    q = clean_query_text(request.args.get("q", ""))
    kind = _arg("kind")
    kinds = (kind,) if kind in KIND_LABELS else ()
    hits = search_service().suggest(current_user, q, kinds=kinds) if q else []
    response = jsonify(
        query=q,
        results=[
            {
                "title": hit.title,
                "url": hit.url,
                "kind": hit.kind,
                "space": hit.space_name,
                "status": hit.status,
            }
            for hit in hits
        ],
    )
    response.headers["Cache-Control"] = "private, no-store"
    return response
