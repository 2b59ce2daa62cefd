"""Each dashboard view as tables (title, column headings, rows) and charts built from the same
numbers: the page shows both, and the view's CSV export writes the tables."""

from __future__ import annotations

from dataclasses import dataclass, field

from flask_babel import gettext as _

from community.accounts.models import SEGMENTS
from community.analytics.dashboard.demand import demand
from community.analytics.dashboard.funnel import PIPELINE, funnel
from community.analytics.dashboard.knowledge import knowledge_loop
from community.analytics.dashboard.participation import participation
from community.analytics.dashboard.scope import Scope
from community.ideas.models import STATUS_LABELS, IdeaStatus


@dataclass
class Table:
    key: str
    title: str
    headings: list[str]
    rows: list[list]

    @property
    def numeric(self) -> list[bool]:
        """Which columns hold numbers (shown right-aligned)."""
        first = self.rows[0] if self.rows else []
        return [isinstance(cell, int | float) and not isinstance(cell, bool) for cell in first]


@dataclass
class Chart:
    """What ``static/js/dashboard.js`` draws with Chart.js."""

    key: str
    title: str
    kind: str  # "bar", "line" or "doughnut"
    labels: list[str]
    series: list[dict]  # {"label": …, "data": […]}
    horizontal: bool = False


@dataclass
class Report:
    view: str
    kpis: list[tuple[str, str]] = field(default_factory=list)
    charts: list[Chart] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)


VIEWS = ("funnel", "demand", "knowledge", "participation")


def view_titles() -> dict[str, str]:
    return {
        "funnel": _("Idea funnel"),
        "demand": _("Demand"),
        "knowledge": _("Knowledge loop"),
        "participation": _("Participation"),
    }


def _percent(part: float) -> str:
    return f"{part * 100:.0f}%"


def _status(value: str) -> str:
    return str(STATUS_LABELS[IdeaStatus(value)])


def _segment(value: str) -> str:
    return str(SEGMENTS[value]) if value in SEGMENTS else _("Not stated")


def build(view: str, user, scope: Scope) -> Report:
    return {
        "funnel": _funnel,
        "demand": _demand,
        "knowledge": _knowledge,
        "participation": _participation,
    }[view](user, scope)


def _funnel(user, scope) -> Report:
    data = funnel(user, scope)
    statuses = list(data.by_status)
    report = Report("funnel")
    report.kpis = [
        (_("Ideas proposed"), str(data.total)),
        (
            _("Reached planned"),
            f"{data.reached_planned} · {_percent(data.share(data.reached_planned))}",
        ),
        (_("Shipped"), f"{data.shipped} · {_percent(data.share(data.shipped))}"),
    ]
    report.charts.append(
        Chart(
            "status",
            _("Ideas by status"),
            "bar",
            [_status(s) for s in statuses],
            [{"label": _("Ideas"), "data": [data.by_status[s] for s in statuses]}],
        )
    )
    report.tables += [
        Table(
            "status",
            _("Ideas by status"),
            [_("Status"), _("Ideas")],
            [[_status(s), data.by_status[s]] for s in statuses],
        ),
        Table(
            "time",
            _("Median days in each status"),
            [_("Status"), _("Days")],
            [[_status(s), data.median_days[s]] for s in PIPELINE if s in data.median_days],
        ),
        Table(
            "products",
            _("By product"),
            [_("Product"), _("Ideas"), _("Reached planned"), _("Shipped")],
            [[_("No product") if name is None else name, *n] for name, *n in data.by_product],
        ),
        Table(
            "spaces",
            _("By space"),
            [_("Space"), _("Ideas"), _("Reached planned"), _("Shipped")],
            [list(row) for row in data.by_space],
        ),
    ]
    return report


def _demand(user, scope) -> Report:
    data = demand(user, scope)
    report = Report("demand")
    report.kpis = [
        (_("From brainstorming sessions"), str(data.from_brainstorms)),
        (_("Proposed directly"), str(data.direct)),
    ]
    report.charts.append(
        Chart(
            "top",
            _("Most votes in the period"),
            "bar",
            [t for _i, t, _n in data.top_by_votes],
            [{"label": _("Votes"), "data": [n for _i, _t, n in data.top_by_votes]}],
            horizontal=True,
        )
    )
    weeks = sorted({w for counts in data.tag_weeks.values() for w in counts})
    report.charts.append(
        Chart(
            "tags",
            _("Top tags by week"),
            "line",
            weeks,
            [
                {"label": f"#{tag}", "data": [counts.get(w, 0) for w in weeks]}
                for tag, counts in data.tag_weeks.items()
            ],
        )
    )
    report.tables += [
        Table(
            "top",
            _("Most votes in the period"),
            ["#", _("Idea"), _("Votes")],
            [list(row) for row in data.top_by_votes],
        ),
        Table(
            "trending",
            _("Trending now"),
            ["#", _("Idea"), _("Votes")],
            [list(row) for row in data.top_trending],
        ),
        Table(
            "segments",
            _("Votes by customer segment"),
            [_("Segment"), _("Votes"), _("Voters"), _("Organisations")],
            [[_segment(s), v, p, o] for s, v, p, o in data.by_segment],
        ),
        Table(
            "organisations",
            _("Votes by organisation"),
            [_("Organisation"), _("Voters"), _("Votes")],
            [list(row) for row in data.by_organisation],
        ),
        Table(
            "tags", _("Top tags"), [_("Tag"), _("Ideas")], [[f"#{t}", n] for t, n in data.top_tags]
        ),
    ]
    return report


def _hours(value: float | None) -> str:
    return _("%(hours)s h", hours=value) if value is not None else "—"


def _knowledge(user, scope) -> Report:
    data = knowledge_loop(user, scope)
    report = Report("knowledge")
    report.kpis = [
        (_("Questions asked"), str(data.questions)),
        (_("Answered"), _percent(data.share(data.answered))),
        (_("Solved"), _percent(data.share(data.solved))),
        (_("Median time to first answer"), _hours(data.median_first_answer_hours)),
        (_("Median time to first expert answer"), _hours(data.median_first_expert_answer_hours)),
        (
            _("Answered by the knowledge base"),
            f"{data.deflected} · {_percent(data.deflected_share)}",
        ),
        (_("Asked despite suggestions"), str(data.asked_despite)),
        (_("Articles from answers"), str(data.articles_from_answers)),
        (_("Articles from shipped ideas"), str(data.articles_from_ideas)),
    ]
    report.charts.append(
        Chart(
            "answers",
            _("Questions"),
            "doughnut",
            [_("Solved"), _("Answered, not solved"), _("Unanswered")],
            [
                {
                    "label": _("Questions"),
                    "data": [data.solved, data.answered_unsolved, data.unanswered],
                }
            ],
        )
    )
    report.tables.append(
        Table(
            "questions",
            _("Questions"),
            [_("Measure"), _("Value")],
            [[label, value] for label, value in report.kpis],
        )
    )
    report.tables.append(
        Table(
            "helpful",
            _("Most helpful articles"),
            ["#", _("Article"), _("Helpful"), _("Answers")],
            [list(row) for row in data.most_helpful],
        )
    )
    return report


def _participation(user, scope) -> Report:
    data = participation(user, scope)
    report = Report("participation")
    report.kpis = [
        (_("New contributors"), str(data.new)),
        (_("Returning contributors"), str(data.returning)),
    ]
    report.charts.append(
        Chart(
            "weekly",
            _("Active members per week"),
            "line",
            [w for w, _n in data.weekly_active],
            [{"label": _("Active members"), "data": [n for _w, n in data.weekly_active]}],
        )
    )
    report.tables += [
        Table(
            "weekly",
            _("Active members per week"),
            [_("Week of"), _("Members")],
            [list(row) for row in data.weekly_active],
        ),
        Table(
            "spaces",
            _("Contributors per space"),
            [_("Space"), _("Contributors")],
            [list(row) for row in data.by_space],
        ),
    ]
    return report
