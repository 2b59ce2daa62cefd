"""The API's frame: who is calling (a personal token or the signed-in session), what they may
do with it, the response envelope, and errors as JSON.

Token requests (``Authorization: Bearer cc_…``) skip CSRF: a token is not sent by browsers on
their own. Requests made with the session cookie must carry the CSRF token to change
anything, as forms do. A read-only token may only read.
"""

from __future__ import annotations

from datetime import timedelta
from math import ceil

import marshmallow as ma
from flask import abort, current_app, g, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_smorest import Api
from flask_smorest import Blueprint as ApiBlueprint
from sqlalchemy import update

from community.api.models import ApiToken
from community.api.queries import token_for
from community.database import utcnow
from community.extensions import csrf, limiter
from community.web.inputs import accept_json
from community.web.touch import touch_later

SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}
#: How stale ``last_used_at`` may get before a request writes it again.
USE_RESOLUTION = timedelta(minutes=5)


class ApiErrorSchema(ma.Schema):
    class ErrorDetail(ma.Schema):
        code = ma.fields.Integer(required=True)
        title = ma.fields.String(required=True)
        message = ma.fields.String(required=True)
        fields = ma.fields.Dict(metadata={"description": "Messages per invalid parameter"})

    error = ma.fields.Nested(ErrorDetail, required=True)


class CocreateApi(Api):
    """flask-smorest, minus its app-wide JSON error handler: the site's own handler
    (``community/errors.py``) already answers in JSON under ``/api/`` and in HTML elsewhere."""

    #: What every documented error looks like (``community/errors.py`` writes it).
    ERROR_SCHEMA = ApiErrorSchema

    def _register_error_handlers(self) -> None:
        pass


api = CocreateApi(
    spec_kwargs={
        "info": {
            "description": (
                "Read and act on Cocreate with the same permissions as the site. "
                "Authenticate with a personal token from Settings → API tokens: "
                "`Authorization: Bearer <token>`."
            )
        }
    }
)
bp = ApiBlueprint("api", __name__, url_prefix="/api/v1", description="Cocreate JSON API")
csrf.exempt(bp)
accept_json(bp)


def _bearer_token() -> ApiToken | None:
    """The live token the request carries, looked up once per request; None without one."""
    if "api_bearer" not in g:
        scheme, _sep, secret = request.headers.get("Authorization", "").partition(" ")
        g.api_bearer = token_for(secret.strip()) if scheme.lower() == "bearer" else None
    return g.api_bearer


def _rate_key() -> str:
    """One budget per person, whichever of their tokens (or their session) they call with;
    everything else, wrong and revoked tokens included, counts against the address. Limits are
    checked before the request is signed in, so the token is looked up here."""
    token = _bearer_token()
    if token is not None and token.user.is_active:
        return f"api-user:{token.user_id}"
    if not request.headers.get("Authorization") and current_user.is_authenticated:
        return f"api-user:{current_user.id}"
    return f"api-addr:{request.remote_addr}"


@bp.before_request
def authenticate() -> None:
    """Sign the request in with its bearer token, or check CSRF for cookie writes."""
    if request.headers.get("Authorization", ""):
        token = _bearer_token()
        if token is None or not token.user.is_active:
            abort(401, _("The API token is missing, wrong or revoked."))
        g._login_user = token.user  # Flask-Login's current user for this request only
        g.api_token = token
        if request.method not in SAFE_METHODS and not token.writes:
            abort(403, _("This token may only read. Create a read-write token to make changes."))
        _touch(token)
    elif request.method not in SAFE_METHODS:
        csrf.protect()  # a cookie may have been sent by another site's page


# One budget for the whole API (not one per endpoint).
limiter.shared_limit(lambda: current_app.config["API_LIMIT"], scope="api", key_func=_rate_key)(bp)


def _touch(token: ApiToken) -> None:
    """Note that the token is in use, at most every ``USE_RESOLUTION``, after the request and
    in a transaction of its own (``community/web/touch.py``): nothing commits on a GET."""
    now = utcnow()
    if token.last_used_at is None or now - token.last_used_at > USE_RESOLUTION:
        touch_later(update(ApiToken).where(ApiToken.id == token.id).values(last_used_at=now))


def require_user():
    """The caller, or a 401 for anonymous calls to a resource that needs someone."""
    if not current_user.is_authenticated:
        abort(401, _("Sign in or send an API token."))
    return current_user


# The envelope: {"data": …} for one item; {"data": […], "pagination": {…}} for a list.


class PaginationSchema(ma.Schema):
    page = ma.fields.Integer(required=True)
    per_page = ma.fields.Integer(required=True)
    total = ma.fields.Integer(required=True)
    pages = ma.fields.Integer(required=True)
    next = ma.fields.String(allow_none=True, metadata={"description": "URL of the next page"})
    prev = ma.fields.String(allow_none=True, metadata={"description": "URL of the previous page"})


_envelopes: dict[tuple[str, bool], type[ma.Schema]] = {}


def envelope(item: type[ma.Schema], *, many: bool = False) -> type[ma.Schema]:
    """The response schema wrapping ``item`` (one, or a page of them); one class per item
    schema, so the OpenAPI document names each once."""
    name = item.__name__.removesuffix("Schema") + ("Page" if many else "Envelope")
    if (name, many) not in _envelopes:
        fields: dict = {"data": ma.fields.Nested(item, many=many, required=True)}
        if many:
            fields["pagination"] = ma.fields.Nested(PaginationSchema, required=True)
        _envelopes[(name, many)] = ma.Schema.from_dict(fields, name=name)
    return _envelopes[(name, many)]


def one(obj) -> dict:
    return {"data": obj}


def paged(items, *, total: int, page: int, per_page: int, args: dict | None = None) -> dict:
    """A list page with links to its neighbours: the same endpoint and loaded arguments
    ``args`` (those given, so a link reads like the request it answers)."""
    pages = max(ceil(total / per_page), 1) if total else 0
    kept = {k: v for k, v in (args or {}).items() if v not in ("", None)}

    def link(number: int) -> str:
        values = {**request.view_args, **kept, "page": number, "per_page": per_page}
        return url_for(request.endpoint, _external=True, **values)

    return {
        "data": items,
        "pagination": {
            "page": page,
            "per_page": per_page,
            "total": total,
            "pages": pages,
            "next": link(page + 1) if page < pages else None,
            "prev": link(page - 1) if 1 < page <= pages + 1 else None,
        },
    }
