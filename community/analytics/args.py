"""The explorer's filters as request arguments: one marshmallow schema read by the explorer
page, its exports and the API's idea list, so a filter means the same everywhere."""

from __future__ import annotations

from datetime import date, timedelta

import marshmallow as ma
from flask_babel import lazy_gettext as _l

from community.accounts.models import SEGMENTS
from community.analytics.dashboard import Scope
from community.analytics.explorer import SORTS, STATUS_CHOICES, IdeaFilters
from community.products.queries import product_by_slug
from community.spaces.queries import space_by_slug

VOTES_MAX = 10_000_000
# Dates a filter may name: the day after the last one must still be a date (9999-12-31 is not).
DATES = ma.validate.Range(min=date(1990, 1, 1), max=date(2999, 12, 31))


class ExplorerArgs(ma.Schema):
    """Query-string filters for ideas. Unknown spaces and products are a 404 to the caller
    (see :func:`to_filters`); everything else is validated here."""

    class Meta:
        unknown = ma.EXCLUDE

    q = ma.fields.String(load_default="", validate=ma.validate.Length(max=200))
    status = ma.fields.String(load_default="", validate=ma.validate.OneOf(STATUS_CHOICES))
    space = ma.fields.String(load_default="", validate=ma.validate.Length(max=60))
    product = ma.fields.String(load_default="", validate=ma.validate.Length(max=60))
    tag = ma.fields.String(load_default="", validate=ma.validate.Length(max=30))
    segment = ma.fields.String(load_default="", validate=ma.validate.OneOf(["", *SEGMENTS]))
    votes_min = ma.fields.Integer(
        load_default=None, validate=ma.validate.Range(min=0, max=VOTES_MAX)
    )
    votes_max = ma.fields.Integer(
        load_default=None, validate=ma.validate.Range(min=0, max=VOTES_MAX)
    )
    created_from = ma.fields.Date(load_default=None, validate=DATES)
    created_to = ma.fields.Date(load_default=None, validate=DATES)
    sort = ma.fields.String(load_default="votes", validate=ma.validate.OneOf(SORTS))
    order = ma.fields.String(load_default="desc", validate=ma.validate.OneOf(["asc", "desc"]))
    page = ma.fields.Integer(load_default=1, validate=ma.validate.Range(min=1, max=10_000))

    @ma.validates_schema
    def ranges_in_order(self, data, **kwargs) -> None:
        low, high = data.get("votes_min"), data.get("votes_max")
        if low is not None and high is not None and low > high:
            message = str(_l("The lowest vote count is above the highest."))
            raise ma.ValidationError(message, "votes_min")
        start, end = data.get("created_from"), data.get("created_to")
        if start and end and start > end:
            raise ma.ValidationError(str(_l("The first date is after the last.")), "created_from")


class UnknownFilter(LookupError):
    """A space or product named in the filters does not exist or is not readable."""


def _space_and_product(args: dict, can_view_space) -> tuple[int | None, int | None]:
    """The ids of the space and product named by slug in ``args`` (None when not named)."""
    space_id = product_id = None
    if args["space"]:
        space = space_by_slug(args["space"])
        if space is None or not can_view_space(space):
            raise UnknownFilter("space")
        space_id = space.id
    if args["product"]:
        product = product_by_slug(args["product"])
        if product is None:
            raise UnknownFilter("product")
        product_id = product.id
    return space_id, product_id


def to_filters(args: dict, *, can_view_space) -> IdeaFilters:
    """Loaded ``ExplorerArgs`` as explorer filters; raises :class:`UnknownFilter` for a space
    the caller may not read or a product that does not exist."""
    space_id, product_id = _space_and_product(args, can_view_space)
    return IdeaFilters(
        q=args["q"].strip(),
        status=args["status"],
        space_id=space_id,
        product_id=product_id,
        tag=args["tag"].strip().lower(),
        segment=args["segment"],
        votes_min=args["votes_min"],
        votes_max=args["votes_max"],
        created_from=args["created_from"],
        created_to=args["created_to"],
        sort=args["sort"],
        descending=args["order"] == "desc",
    )


class DashboardArgs(ma.Schema):
    """The dashboard's filters: a date range (the last 90 days unless given), a space, a
    product and a customer segment."""

    class Meta:
        unknown = ma.EXCLUDE

    start = ma.fields.Date(load_default=None, validate=DATES)
    end = ma.fields.Date(load_default=None, validate=DATES)
    space = ma.fields.String(load_default="", validate=ma.validate.Length(max=60))
    product = ma.fields.String(load_default="", validate=ma.validate.Length(max=60))
    segment = ma.fields.String(load_default="", validate=ma.validate.OneOf(["", *SEGMENTS]))

    @ma.post_load
    def default_range(self, data, **kwargs) -> dict:
        end = data["end"] or date.today()
        data["end"] = end
        data["start"] = data["start"] or end - timedelta(days=DEFAULT_DAYS - 1)
        if data["start"] > data["end"]:
            raise ma.ValidationError(str(_l("The first date is after the last.")), "start")
        return data


DEFAULT_DAYS = 90


def to_scope(args: dict, *, can_view_space) -> Scope:
    """Loaded ``DashboardArgs`` as a dashboard scope (:class:`UnknownFilter` as above)."""
    space_id, product_id = _space_and_product(args, can_view_space)
    return Scope(
        start=args["start"],
        end=args["end"],
        space_id=space_id,
        product_id=product_id,
        segment=args["segment"],
    )
