"""The resources of ``/api/v1``. Each calls the same queries, permission checks and operations
as the pages, so a token sees and may do exactly what its owner sees and may do in the browser.

URLs (blueprint ``api``). Under ``/api/v1``; flask-smorest serves ``/api/v1/openapi.json``
itself.

    GET /api/v1/me                             me
        The caller
    GET /api/v1/spaces                         spaces
        Spaces the caller may read, most active first
    GET /api/v1/spaces/<slug>                  space
        One space
    GET /api/v1/spaces/<slug>/threads          threads
        A space's questions and discussions, pinned first
    GET /api/v1/threads/<int:thread_id>        thread
        A thread with its opening post
    GET /api/v1/threads/<int:thread_id>/posts  posts
        A thread's replies, oldest first
    GET /api/v1/ideas                          ideas
        Ideas the caller may see: the idea explorer's filters and sorts
    GET /api/v1/ideas/<int:idea_id>            idea
        One idea
    PUT /api/v1/ideas/<int:idea_id>/vote       vote
        Vote for an idea (again: no change)
    DELETE /api/v1/ideas/<int:idea_id>/vote    unvote
        Take one's vote back (none: no change)
    POST /api/v1/ideas/<int:idea_id>/status    set_status
        Move an idea to another status, with a public response (staff)
    GET /api/v1/products                       products
        Every product
    GET /api/v1/products/<slug>                product
        One product
    GET /api/v1/products/<slug>/releases       releases
        A product's releases, newest first
    GET /api/v1/releases/<int:release_id>      release
        One release
    GET /api/v1/articles                       articles
        Knowledge base articles the caller may read, newest first
    GET /api/v1/articles/<int:article_id>      article
        One article
    GET /api/v1/search                         search
        Search what the caller may read
"""

from __future__ import annotations

from flask import abort, g
from flask_login import current_user

from community.analytics.args import UnknownFilter, to_filters
from community.analytics.explorer import explore
from community.api import schemas
from community.api.core import ApiErrorSchema, bp, envelope, one, paged, require_user
from community.errors import OperationError
from community.extensions import db
from community.forums import queries as forum_queries
from community.forums.models import Thread
from community.ideas import curation
from community.ideas import operations as idea_operations
from community.ideas import queries as idea_queries
from community.ideas.models import Idea
from community.knowledge import queries as knowledge_queries
from community.knowledge.models import Article
from community.permissions import guardian
from community.products import queries as product_queries
from community.products.models import Release
from community.products.views import load_product
from community.ratelimit import person_limit
from community.search.backend import clean_query_text
from community.search.service import search_service
from community.search.views import KIND_LABELS as SEARCH_KINDS
from community.spaces import queries as space_queries
from community.spaces.views import load_space

ERRORS = {
    401: "Not signed in",
    403: "Not allowed",
    404: "Not found or not readable",
    429: "Too many requests: the caller's budget for this is used up",
}


def _errors(*codes: int):
    """Document the error responses a route may give."""

    def decorate(view):
        for code in codes:
            view = bp.alt_response(code, schema=ApiErrorSchema, description=ERRORS.get(code, ""))(
                view
            )
        return view

    return decorate


def _visible(model, key, *, action: str):
    """The row if the caller may see it; 404 otherwise (never 403: existence is private).
    Content hidden by moderation is there for its author and the moderators only: the API has
    no placeholder to show instead."""
    obj = db.get_or_404(model, key)
    guardian.require(current_user, action, obj, hide=True)
    if getattr(obj, "hidden_at", None) is not None:
        guardian.require(current_user, "moderation.see_hidden", obj, hide=True)
    return obj


def _paged(result, args: dict) -> dict:
    """A page of a query's ``Pagination`` (or the explorer's result) for loaded ``args``."""
    return paged(
        result.items, total=result.total, page=args["page"], per_page=args["per_page"], args=args
    )


def _refused(error: OperationError):
    db.session.rollback()
    abort(422, error.message)


# Who am I.


@bp.route("/me")
@bp.doc(tags=["me"], summary="The caller")
@bp.response(200, envelope(schemas.MeSchema))
@_errors(401)
def me():
    user = require_user()
    token = g.get("api_token")
    user.token_scope = token.scope if token else None
    return one(user)


# Spaces, threads and posts.


@bp.route("/spaces")
@bp.doc(tags=["spaces"], summary="Spaces the caller may read, most active first")
@bp.arguments(schemas.SpaceListArgs, location="query")
@bp.response(200, envelope(schemas.SpaceSchema, many=True))
def spaces(args: dict):
    result = space_queries.directory_page(
        current_user,
        q=args["q"],
        tag=args["tag"],
        mine=args["mine"],
        page=args["page"],
        per_page=args["per_page"],
    )
    return _paged(result, args)


@bp.route("/spaces/<slug>")
@bp.doc(tags=["spaces"], summary="One space")
@bp.response(200, envelope(schemas.SpaceSchema))
@_errors(404)
def space(slug: str):
    return one(load_space(slug))


@bp.route("/spaces/<slug>/threads")
@bp.doc(tags=["threads"], summary="A space's questions and discussions, pinned first")
@bp.arguments(schemas.ThreadListArgs, location="query")
@bp.response(200, envelope(schemas.ThreadSchema, many=True))
@_errors(404)
def threads(args: dict, slug: str):
    space = load_space(slug)
    result = forum_queries.threads_page(
        space,
        kind=args["kind"],
        status=args["status"],
        tag=args["tag"],
        sort=args["sort"],
        page=args["page"],
        per_page=args["per_page"],
        viewer=current_user,
    )
    return _paged(result, args)


@bp.route("/threads/<int:thread_id>")
@bp.doc(tags=["threads"], summary="A thread with its opening post")
@bp.response(200, envelope(schemas.ThreadDetailSchema))
@_errors(404)
def thread(thread_id: int):
    found = _visible(Thread, thread_id, action="thread.view")
    if found.is_deleted:
        abort(404)
    found.opening_post = forum_queries.opening_post(found)
    return one(found)


@bp.route("/threads/<int:thread_id>/posts")
@bp.doc(tags=["threads"], summary="A thread's replies, oldest first")
@bp.arguments(schemas.ListArgs, location="query")
@bp.response(200, envelope(schemas.PostSchema, many=True))
@_errors(404)
def posts(args: dict, thread_id: int):
    found = _visible(Thread, thread_id, action="thread.view")
    if found.is_deleted:
        abort(404)
    result = forum_queries.replies_page(
        found, page=args["page"], per_page=args["per_page"], viewer=current_user
    )
    items = [
        post
        for post in result.items
        if post.deleted_at is None
        and (post.hidden_at is None or guardian.can(current_user, "moderation.see_hidden", post))
    ]
    return paged(items, total=result.total, page=args["page"], per_page=args["per_page"], args=args)


# Ideas.


def _idea(idea_id: int) -> Idea:
    return _visible(Idea, idea_id, action="idea.view")


def _idea_detail(idea: Idea) -> dict:
    idea.voted = idea.id in idea_queries.voted_by(current_user, [idea.id])
    return one(idea)


@bp.route("/ideas")
@bp.doc(
    tags=["ideas"],
    summary="Ideas the caller may see: the idea explorer's filters and sorts",
    description="`q` searches titles, descriptions and tags (the newest 2,000 matches); "
    "`segment` keeps ideas with a vote from that customer segment; dates are inclusive.",
)
@bp.arguments(schemas.IdeaListArgs, location="query")
@bp.response(200, envelope(schemas.IdeaSchema, many=True))
@_errors(404)
def ideas(args: dict):
    try:
        filters = to_filters(
            args, can_view_space=lambda s: guardian.can(current_user, "space.view", s)
        )
    except UnknownFilter:
        abort(404)
    result = explore(current_user, filters, page=args["page"], per_page=args["per_page"])
    return _paged(result, args)


@bp.route("/ideas/<int:idea_id>")
@bp.doc(tags=["ideas"], summary="One idea")
@bp.response(200, envelope(schemas.IdeaDetailSchema))
@_errors(404)
def idea(idea_id: int):
    return _idea_detail(_idea(idea_id))


def _voted(idea_id: int, operation) -> dict:
    """Run ``operation(idea, user)`` (vote or take it back) for the caller and report."""
    user = require_user()
    idea = _idea(idea_id)
    try:
        operation(idea, user)
    except OperationError as error:
        _refused(error)
    db.session.commit()
    return _vote_result(idea)


def _vote_result(idea: Idea) -> dict:
    db.session.refresh(idea)
    return one(
        {
            "idea_id": idea.id,
            "voted": idea.id in idea_queries.voted_by(current_user, [idea.id]),
            "vote_count": idea.vote_count,
            "votes_left": idea_queries.votes_left(current_user, idea.space),
        }
    )


@bp.route("/ideas/<int:idea_id>/vote", methods=["PUT"])
@bp.doc(tags=["ideas"], summary="Vote for an idea (again: no change)")
@bp.response(200, envelope(schemas.VoteResultSchema))
@_errors(401, 403, 404, 422, 429)
@person_limit("VOTE_LIMIT")
def vote(idea_id: int):
    return _voted(idea_id, idea_operations.cast_vote)


@bp.route("/ideas/<int:idea_id>/vote", methods=["DELETE"])
@bp.doc(tags=["ideas"], summary="Take one's vote back (none: no change)")
@bp.response(200, envelope(schemas.VoteResultSchema))
@_errors(401, 403, 404, 422, 429)
@person_limit("VOTE_LIMIT")
def unvote(idea_id: int):
    return _voted(idea_id, idea_operations.retract_vote)


@bp.route("/ideas/<int:idea_id>/status", methods=["POST"])
@bp.doc(tags=["ideas"], summary="Move an idea to another status, with a public response (staff)")
@bp.arguments(schemas.StatusChangeArgs, as_kwargs=True)
@bp.response(200, envelope(schemas.IdeaDetailSchema))
@_errors(401, 403, 404, 422)
def set_status(idea_id: int, status: str, response: str):
    user = require_user()
    idea = _idea(idea_id)
    if not guardian.can(user, "idea.set_status", idea):
        abort(403)
    try:
        curation.change_status(idea, status, response=response, by=user)
    except OperationError as error:
        _refused(error)
    db.session.commit()
    return _idea_detail(idea)


# Products and releases.


@bp.route("/products")
@bp.doc(tags=["products"], summary="Every product")
@bp.response(200, envelope(schemas.ProductSchema, many=True))
def products():
    items = product_queries.all_products()
    return paged(items, total=len(items), page=1, per_page=max(len(items), 1))


@bp.route("/products/<slug>")
@bp.doc(tags=["products"], summary="One product")
@bp.response(200, envelope(schemas.ProductSchema))
@_errors(404)
def product(slug: str):
    return one(load_product(slug))


@bp.route("/products/<slug>/releases")
@bp.doc(tags=["products"], summary="A product's releases, newest first")
@bp.response(200, envelope(schemas.ReleaseSchema, many=True))
@_errors(404)
def releases(slug: str):
    items = product_queries.releases_of(load_product(slug))
    return paged(items, total=len(items), page=1, per_page=max(len(items), 1))


@bp.route("/releases/<int:release_id>")
@bp.doc(tags=["products"], summary="One release")
@bp.response(200, envelope(schemas.ReleaseSchema))
@_errors(404)
def release(release_id: int):
    return one(db.get_or_404(Release, release_id))


# Knowledge base and search.


@bp.route("/articles")
@bp.doc(tags=["articles"], summary="Knowledge base articles the caller may read, newest first")
@bp.arguments(schemas.ArticleListArgs, location="query")
@bp.response(200, envelope(schemas.ArticleSchema, many=True))
@_errors(404)
def articles(args: dict):
    space_id = load_space(args["space"]).id if args["space"] else None
    result = knowledge_queries.articles_page(
        current_user,
        q=args["q"],
        tag=args["tag"],
        space_id=space_id,
        status=args["status"],
        page=args["page"],
        per_page=args["per_page"],
    )
    return _paged(result, args)


@bp.route("/articles/<int:article_id>")
@bp.doc(tags=["articles"], summary="One article")
@bp.response(200, envelope(schemas.ArticleDetailSchema))
@_errors(404)
def article(article_id: int):
    return one(_visible(Article, article_id, action="article.view"))


@bp.route("/search")
@bp.doc(
    tags=["search"],
    summary="Search threads, replies, ideas, articles and people the caller may read",
)
@bp.arguments(schemas.SearchArgs, location="query")
@bp.response(200, envelope(schemas.SearchHitSchema, many=True))
def search(args: dict):
    found = search_service().search(
        current_user,
        text=clean_query_text(args["q"]),
        kinds=(args["kind"],) if args["kind"] in SEARCH_KINDS else (),
        sort=args["sort"],
        page=args["page"],
        per_page=args["per_page"],
    )
    return paged(
        found.hits, total=found.total, page=args["page"], per_page=args["per_page"], args=args
    )
