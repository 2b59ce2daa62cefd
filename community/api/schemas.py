"""What the API returns and accepts (marshmallow schemas, also the OpenAPI document's)."""

from __future__ import annotations

import marshmallow as ma
from flask import url_for

from community.analytics.args import ExplorerArgs
from community.api.models import Scope
from community.ideas.models import IdeaStatus
from community.web.args import Args, Choice, Flag, Page, PerPage, Text, Whole

Str = ma.fields.String
Int = ma.fields.Integer


def _link(endpoint: str, **values):
    return ma.fields.Function(
        lambda obj: url_for(endpoint, _external=True, **{k: v(obj) for k, v in values.items()}),
        metadata={"description": "The page in the browser"},
    )


class UserSchema(ma.Schema):
    id = Int(required=True)
    username = Str(required=True)
    display_name = Str(required=True)


class MeSchema(UserSchema):
    role = Str(required=True)
    organisation = Str()
    segment = Str()
    reputation = Int()
    token_scope = Str(allow_none=True, metadata={"enum": [s.value for s in Scope]})


class SpaceSchema(ma.Schema):
    id = Int(required=True)
    slug = Str(required=True)
    name = Str(required=True)
    description = Str()
    visibility = Str(required=True)
    tags = ma.fields.List(Str(), attribute="tag_names")
    member_count = Int()
    thread_count = Int()
    expert_community = ma.fields.Boolean()
    created_at = ma.fields.DateTime()
    url = _link("forums.space", slug=lambda s: s.slug)


class PostSchema(ma.Schema):
    id = Int(required=True)
    author = ma.fields.Nested(UserSchema, allow_none=True)
    body = Str(attribute="body_source", metadata={"description": "Markdown"})
    body_html = Str(metadata={"description": "Sanitised HTML"})
    helpful_count = Int()
    created_at = ma.fields.DateTime()
    edited_at = ma.fields.DateTime(allow_none=True)


class ThreadSchema(ma.Schema):
    id = Int(required=True)
    space = Str(attribute="space.slug", required=True)
    kind = Str(required=True)
    title = Str(required=True)
    author = ma.fields.Nested(UserSchema, allow_none=True)
    tags = ma.fields.List(Str(), attribute="tag_names")
    pinned = ma.fields.Boolean()
    locked = ma.fields.Boolean()
    solved = ma.fields.Boolean(attribute="is_solved")
    accepted_post_id = Int(allow_none=True)
    reply_count = Int(metadata={"description": "Live replies, the author's own included"})
    answer_count = Int(
        metadata={"description": "Live replies by others than the author: a question's answers"}
    )
    created_at = ma.fields.DateTime()
    last_activity_at = ma.fields.DateTime()
    url = _link("forums.thread", thread_id=lambda t: t.id)


class ThreadDetailSchema(ThreadSchema):
    opening_post = ma.fields.Nested(PostSchema, allow_none=True)


class IdeaSchema(ma.Schema):
    id = Int(required=True)
    space = Str(attribute="space.slug", required=True)
    title = Str(required=True)
    status = Str(required=True, metadata={"enum": [s.value for s in IdeaStatus]})
    vote_count = Int(required=True)
    author = ma.fields.Nested(UserSchema, allow_none=True)
    created_at = ma.fields.DateTime()
    url = _link("ideas.idea", idea_id=lambda i: i.id)


class IdeaDetailSchema(IdeaSchema):
    body = Str(attribute="body_source", metadata={"description": "Markdown"})
    body_html = Str(metadata={"description": "Sanitised HTML"})
    tags = ma.fields.List(Str(), attribute="tag_names")
    product = Str(attribute="product.slug", allow_none=True)
    release = Str(attribute="release.version", allow_none=True)
    merged_into_id = Int(allow_none=True)
    thread_id = Int(allow_none=True)
    updated_at = ma.fields.DateTime()
    status_changed_at = ma.fields.DateTime(allow_none=True)
    voted = ma.fields.Boolean(metadata={"description": "Whether the caller voted for it"})


class ReleaseSchema(ma.Schema):
    id = Int(required=True)
    product = Str(attribute="product.slug", required=True)
    version = Str(required=True)
    released_on = ma.fields.Date(required=True)
    notes = Str(attribute="notes_source", metadata={"description": "Markdown"})
    notes_html = Str(metadata={"description": "Sanitised HTML"})


class ProductSchema(ma.Schema):
    id = Int(required=True)
    slug = Str(required=True)
    name = Str(required=True)
    description = Str()
    url = _link("products.roadmap", slug=lambda p: p.slug)


class VoteResultSchema(ma.Schema):
    idea_id = Int(required=True)
    voted = ma.fields.Boolean(required=True)
    vote_count = Int(required=True)
    votes_left = Int(allow_none=True, metadata={"description": "None: no budget in the space"})


# Arguments: the shared fields of ``community.web.args``, so a page number or a date is bounded
# here exactly as on the pages.


class ListArgs(Args):
    page = Page()
    per_page = PerPage()


class SpaceListArgs(ListArgs):
    q = Text(100)
    tag = Text(30)
    mine = Flag()


class ThreadListArgs(ListArgs):
    kind = Choice(["question", "discussion"])
    status = Choice(["solved", "unsolved", "unanswered"])
    tag = Text(30)
    sort = Choice(["activity", "newest", "helpful"], load_default="activity")


class IdeaListArgs(ExplorerArgs, ListArgs):
    pass


class StatusChangeArgs(ma.Schema):
    status = Choice([s.value for s in IdeaStatus], required=True)
    response = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=5_000))


class ArticleSchema(ma.Schema):
    id = Int(required=True)
    title = Str(required=True)
    status = Str(required=True, metadata={"enum": ["draft", "published"]})
    space = Str(
        attribute="space.slug", allow_none=True, metadata={"description": "None: site-wide"}
    )
    tags = ma.fields.List(Str(), attribute="tag_names")
    created_at = ma.fields.DateTime()
    updated_at = ma.fields.DateTime()
    published_at = ma.fields.DateTime(allow_none=True)
    url = _link("knowledge.article", article_id=lambda a: a.id)


class ArticleDetailSchema(ArticleSchema):
    body = Str(attribute="body_source", metadata={"description": "Markdown"})
    body_html = Str(metadata={"description": "Sanitised HTML"})
    source_thread_id = Int(allow_none=True)
    source_idea_id = Int(allow_none=True)
    source_release_id = Int(allow_none=True)


class ArticleListArgs(ListArgs):
    q = Text(100)
    tag = Text(30)
    space = Text(60)
    status = Choice(["draft", "published"])


class SearchHitSchema(ma.Schema):
    id = Str(required=True, metadata={"description": "kind:number, e.g. idea:12"})
    kind = Str(required=True)
    title = Str(required=True)
    url = Str(required=True)
    snippet_html = Str(metadata={"description": "Escaped text with <mark> around matches"})
    space = Str(attribute="space_name")
    status = Str()
    tags = ma.fields.List(Str())
    author = Str(attribute="author_name")
    updated = ma.fields.DateTime(allow_none=True)


class SearchArgs(ListArgs):
    q = Text(200, required=True, validate=ma.validate.Length(min=1))
    kind = Text(20)
    sort = Choice(["relevance", "date"], load_default="relevance")
    page = Whole(1, 100, load_default=1)
    per_page = PerPage(10)
