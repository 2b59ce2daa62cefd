"""The explorer's filters as request arguments: one marshmallow schema read by the explorer
page, its exports and the API's idea list, so a filter means the same everywhere."""

from __future__ import annotations

from datetime import date, timedelta

import marshmallow as ma
from flask_babel import lazy_gettext as _l

from community.accounts.models import SEGMENTS
from community.analytics.dashboard.scope import Scope
from community.analytics.explorer import SORTS, STATUS_CHOICES, IdeaFilters
from community.products.queries import product_by_slug
from community.spaces.queries import space_by_slug
from community.web.args import RANGE_REVERSED, Args, Choice, Day, Page, Text, Whole, check_range

VOTES_MAX = 10_000_000


class ExplorerArgs(Args):
    """Query-string filters for ideas. Unknown spaces and products are a 404 to the caller
    (see :func:`to_filters`); everything else is validated here."""

    q = Text(200, metadata={"label": _l("Words")})
    status = Choice(STATUS_CHOICES, metadata={"label": _l("Status")})
    space = Text(60, metadata={"label": _l("Space")})
    product = Text(60, metadata={"label": _l("Product")})
    tag = Text(30, metadata={"label": _l("Tag")})
    segment = Choice(SEGMENTS, metadata={"label": _l("Demand from segment")})
    votes_min = Whole(0, VOTES_MAX, load_default=None, metadata={"label": _l("Votes ≥")})
    votes_max = Whole(0, VOTES_MAX, load_default=None, metadata={"label": _l("Votes ≤")})
    created_from = Day(metadata={"label": _l("Proposed from")})
    created_to = Day(metadata={"label": _l("Proposed until")})
    sort = Choice(SORTS, load_default="votes")
    order = Choice(["asc", "desc"], load_default="desc")
    page = Page()

    @ma.validates_schema(skip_on_field_errors=False)
    def ranges_in_order(self, data, **kwargs) -> None:
        check_range(
            data, "votes_min", "votes_max", _l("The lowest vote count is above the highest.")
        )
        check_range(data, "created_from", "created_to", RANGE_REVERSED)


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


class DashboardArgs(Args):
    """The dashboard's filters: a date range (the last 90 days unless given), a space, a
    product and a customer segment."""

    start = Day(metadata={"label": _l("From")})
    end = Day(metadata={"label": _l("Until")})
    space = Text(60, metadata={"label": _l("Space")})
    product = Text(60, metadata={"label": _l("Product")})
    segment = Choice(SEGMENTS, metadata={"label": _l("Segment")})

    @ma.validates_schema(skip_on_field_errors=False)
    def range_in_order(self, data, **kwargs) -> None:
        """A start after the end (today, unless given) is refused, not moved."""
        given = {"start": data.get("start"), "end": data.get("end") or date.today()}
        check_range(given, "start", "end", RANGE_REVERSED)

    @ma.post_load
    def default_range(self, data, **kwargs) -> dict:
        data["end"] = data["end"] or date.today()
        data["start"] = data["start"] or data["end"] - timedelta(days=DEFAULT_DAYS - 1)
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
