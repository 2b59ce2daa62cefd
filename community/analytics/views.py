"""The idea explorer for R&D: filter, sort, export, and (moderators) change ideas in bulk.

URLs (blueprint ``analytics``):

    GET /analytics/ideas                                                     ideas
        The idea explorer: filter and sort the ideas one may see
    GET /analytics/ideas.csv                                                 export_csv
        The selection as CSV (UTF-8 with a byte-order mark, so spreadsheets read Chinese)
    GET /analytics/ideas.json                                                export_json
        The selection as JSON
    POST /analytics/ideas/bulk                                               bulk
        Change the status or tags of the ticked ideas at once
    GET /analytics/                                                          dashboard
        Insights: goes to its first view, the funnel
    GET /analytics/<any(funnel, demand, knowledge, participation):view>      report
        One view of the Insights dashboard
    GET /analytics/<any(funnel, demand, knowledge, participation):view>.csv  report_csv
        The view's tables as one CSV
"""

from __future__ import annotations

import json

import marshmallow as ma
from flask import Blueprint, Response, abort, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required
from sqlalchemy import select

from community.accounts.models import SEGMENTS
from community.analytics import explorer, reports
from community.analytics.args import (
    DashboardArgs,
    ExplorerArgs,
    UnknownFilter,
    to_filters,
    to_scope,
)
from community.analytics.forms import BulkForm
from community.database import utcnow
from community.errors import OperationError
from community.extensions import db
from community.ideas import curation
from community.ideas.models import STATUS_LABELS, Idea
from community.permissions import guardian
from community.products.queries import all_products
from community.spaces.permissions import prime_memberships
from community.spaces.queries import readable_spaces
from community.web.actions import attempt, refuse_form
from community.web.args import load
from community.web.exports import attachment, csv_text
from community.web.security import safe_next

bp = Blueprint("analytics", __name__, url_prefix="/analytics")

EXPORT_COLUMNS = (
    "id",
    "title",
    "space",
    "status",
    "votes",
    "segment_votes",
    "tags",
    "product",
    "release",
    "author",
    "from_brainstorm",
    "created_at",
    "updated_at",
    "url",
)


def _require_analyst() -> None:
    guardian.require(current_user, "analytics.view")


def _can_view_space(space) -> bool:
    return guardian.can(current_user, "space.view", space)


def _load(schema: ma.Schema, convert):
    """Request arguments through ``schema`` and ``convert``: the result (None when the
    arguments are wrong), the arguments and what was wrong with them. Wrong filters are
    refused, never guessed at or left out, so the numbers shown are always the ones asked for."""
    args, problems = load(schema)
    if args is None:
        given = {k: v for k, v in request.args.items() if k in schema.fields}
        return None, {**schema.dump(schema.load({})), **given}, problems
    try:
        return convert(args, can_view_space=_can_view_space), args, []
    except UnknownFilter as unknown:
        return (
            None,
            args,
            [_("There is no such %(what)s, or you can't see it.", what=unknown.args[0])],
        )


def _explorer_filters() -> tuple[explorer.IdeaFilters | None, dict, list[str]]:
    return _load(ExplorerArgs(), to_filters)


def _link_args(args: dict, **changes) -> dict:
    """Query arguments for a link that keeps the current filters, with ``changes``."""
    kept = {k: v for k, v in request.args.items() if v and k != "page"}
    kept.update({k: v for k, v in changes.items() if v is not None})
    return kept


@bp.route("/ideas")
@login_required
def ideas():
    _require_analyst()
    filters, args, problems = _explorer_filters()
    if problems:
        return _explorer_page(args, problems), 400
    return _explorer_page(
        args, [], filters, explorer.explore(current_user, filters, page=args["page"])
    )


def _explorer_page(args: dict, problems: list[str], filters=None, result=None) -> str:
    """The explorer: the filter form, and the ideas unless the filters were wrong."""
    items = result.items if result else []
    prime_memberships(current_user, list({idea.space_id: idea.space for idea in items}.values()))
    changeable = {i.id for i in items if guardian.can(current_user, "idea.set_status", i)}

    def sort_link(column: str) -> str:
        if args["sort"] == column:
            order = "asc" if args["order"] == "desc" else "desc"
        else:
            order = "asc" if column in {"title", "oldest"} else "desc"
        return url_for("analytics.ideas", **_link_args(args, sort=column, order=order))

    return render_template(
        "analytics/ideas.html",
        result=result,
        args=args,
        filters=filters,
        problems=problems,
        spaces=db.session.scalars(readable_spaces(current_user).order_by("name")).all(),
        products=all_products(),
        segments=SEGMENTS,
        status_labels=STATUS_LABELS,
        sort_link=sort_link,
        page_link=lambda n: url_for("analytics.ideas", **_link_args(args, page=n)),
        export_link=lambda fmt: url_for(f"analytics.export_{fmt}", **_link_args(args)),
        changeable=changeable,
        bulk_form=BulkForm(next=request.full_path) if changeable else None,
    )


def _export_rows() -> tuple[list[dict], explorer.IdeaFilters]:
    filters, _args, problems = _explorer_filters()
    if problems:
        abort(400, "; ".join(problems))
    ideas = explorer.export_rows(current_user, filters)
    segment_votes = explorer.segment_votes(ideas, filters.segment)
    rows = [
        {
            "id": idea.id,
            "title": idea.title,
            "space": idea.space.slug,
            "status": idea.status,
            "votes": idea.vote_count,
            "segment_votes": segment_votes.get(idea.id, 0) if filters.segment else None,
            "tags": idea.tag_names,
            "product": idea.product.slug if idea.product else None,
            "release": idea.release.version if idea.release else None,
            "author": idea.author.username if idea.author else None,
            "from_brainstorm": idea.brainstorm_session_id is not None,
            "created_at": idea.created_at.isoformat(),
            "updated_at": idea.updated_at.isoformat(),
            "url": url_for("ideas.idea", idea_id=idea.id, _external=True),
        }
        for idea in ideas
    ]
    return rows, filters


def _attachment(body: str, mimetype: str, extension: str, stem: str = "ideas") -> Response:
    return attachment(body, mimetype, f"{stem}-{utcnow():%Y%m%d-%H%M}.{extension}")


@bp.route("/ideas.csv")
@login_required
def export_csv():
    """The selection as CSV (UTF-8 with a byte-order mark, so spreadsheets read Chinese)."""
    _require_analyst()
    rows, _filters = _export_rows()
    cells = [
        [", ".join(row["tags"]) if column == "tags" else row[column] for column in EXPORT_COLUMNS]
        for row in rows
    ]
    return _attachment(csv_text([EXPORT_COLUMNS, *cells]), "text/csv", "csv")


@bp.route("/ideas.json")
@login_required
def export_json():
    _require_analyst()
    rows, _filters = _export_rows()
    return _attachment(
        json.dumps({"ideas": rows}, ensure_ascii=False, indent=1), "application/json", "json"
    )


@bp.route("/ideas/bulk", methods=["POST"])
@login_required
def bulk():
    """Change the status or tags of the ticked ideas at once: all of them, or none."""
    _require_analyst()
    form = BulkForm()
    target = safe_next(form.next.data, url_for("analytics.ideas"))
    if not form.validate_on_submit():
        errors = [e for field in form for e in field.errors]
        return refuse_form(target, errors[0] if errors else None)
    ids = form.ideas.data or []
    found = db.session.scalars(select(Idea).where(Idea.id.in_(ids))).all() if ids else []
    visible = [i for i in found if guardian.can(current_user, "idea.view", i)]

    def change() -> int:
        if len(visible) != len(set(ids)):
            raise OperationError(_("Some of the selected ideas are gone. Nothing was changed."))
        if form.action.data == "status":
            changes = curation.bulk_change_status(
                visible, form.status.data or "", response=form.response.data or "", by=current_user
            )
            return len(changes)
        return curation.bulk_retag(
            visible, add=form.add.data or "", remove=form.remove.data or "", by=current_user
        )

    return attempt(
        target,
        change,
        lambda count: ngettext("%(num)d idea changed.", "%(num)d ideas changed.", count),
    )


# The dashboard.


@bp.route("/")
@login_required
def dashboard():
    _require_analyst()
    return redirect(url_for("analytics.report", view="funnel", **request.args))


@bp.route("/<any(funnel, demand, knowledge, participation):view>")
@login_required
def report(view: str):
    """One view of the dashboard: its filters, key figures, charts and tables."""
    _require_analyst()
    scope, args, problems = _load(DashboardArgs(), to_scope)
    return render_template(
        "analytics/dashboard.html",
        view=view,
        titles=reports.view_titles(),
        report=reports.build(view, current_user, scope) if scope else None,
        args=args,
        problems=problems,
        spaces=db.session.scalars(readable_spaces(current_user).order_by("name")).all(),
        products=all_products(),
        segments=SEGMENTS,
        export_link=url_for("analytics.report_csv", view=view, **_link_args(args)),
    ), (400 if problems else 200)


@bp.route("/<any(funnel, demand, knowledge, participation):view>.csv")
@login_required
def report_csv(view: str):
    """The view's tables as one CSV: a ``table`` column names the table of each row."""
    _require_analyst()
    scope, _args, problems = _load(DashboardArgs(), to_scope)
    if problems:
        abort(400, "; ".join(problems))
    rows: list[list] = []
    for table in reports.build(view, current_user, scope).tables:
        rows += [["table", *table.headings], *([table.key, *row] for row in table.rows), []]
    return _attachment(csv_text(rows), "text/csv", "csv", stem=view)
