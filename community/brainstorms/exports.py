"""A session's results as Markdown and CSV downloads: ranked clusters and notes with their
dots, and authors only when the session was not anonymous."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import ngettext

from community.brainstorms import queries
from community.brainstorms.models import BrainstormSession
from community.web.exports import csv_text, markdown_text


def _name(user) -> str:
    return (user.display_name or user.username) if user else ""


def export_rows(session: BrainstormSession) -> list[dict]:
    """The ranked results (clusters and the notes in no cluster) with, per item, its notes'
    authors (empty when anonymous)."""
    notes = {n.id: n for n in queries.visible_notes(session, None)}
    authors_of_cluster: dict[int, list[str]] = {}
    for note in notes.values():
        if note.cluster_id is not None and note.author is not None:
            names = authors_of_cluster.setdefault(note.cluster_id, [])
            if _name(note.author) not in names:
                names.append(_name(note.author))
    rows = []
    for item in queries.ranked_results(session):
        if item["kind"] == "note":
            note = notes[item["id"]]
            authors = [_name(note.author)] if note.author else []
        else:
            authors = authors_of_cluster.get(item["id"], [])
        rows.append({**item, "authors": [] if session.anonymous else authors})
    return rows


def results_csv(session: BrainstormSession) -> str:
    """One row per cluster and per note in no cluster, in rank order, each cluster followed
    by its notes (no rank or dots of their own: they count towards the cluster's)."""
    header = [_("Rank"), _("Kind"), _("Text"), _("Cluster"), _("Dots"), _("Idea")]
    if not session.anonymous:
        header.append(_("Authors"))
    rows = [header]
    kinds = {"cluster": _("Cluster"), "note": _("Note")}
    for row in export_rows(session):
        cells = [
            row["rank"],
            kinds[row["kind"]],
            row["text"],
            "",
            row["dots"],
            row["idea"] or "",
        ]
        if not session.anonymous:
            cells.append("; ".join(row["authors"]))
        rows.append(cells)
        for text in row.get("notes") or []:
            rows.append(["", kinds["note"], text, row["text"], "", ""] + [""] * (len(header) - 6))
    return csv_text(rows)


def results_markdown(session: BrainstormSession) -> str:
    """A ranked list: each cluster with its notes, then the dots (and authors when named)."""
    lines = [f"# {markdown_text(session.prompt)}", ""]
    lines.append(_("Brainstorming session in %(space)s", space=markdown_text(session.space.name)))
    if session.anonymous:
        lines.append("")
        lines.append(_("Anonymous session: authors are not shown."))
    lines += ["", f"## {_('Results')}", ""]
    rows = export_rows(session)
    for row in rows:
        kind = _("Cluster") if row["kind"] == "cluster" else _("Note")
        dots = ngettext("%(num)d dot", "%(num)d dots", row["dots"])
        line = f"{row['rank']}. **{markdown_text(row['text'])}** ({kind}, {dots})"
        if row["authors"]:
            line += " — " + ", ".join(markdown_text(name) for name in row["authors"])
        if row["idea"]:
            line += " — " + _("idea #%(number)d", number=row["idea"])
        lines.append(line)
        for text in row.get("notes") or []:
            lines.append(f"   - {markdown_text(text)}")
    if not rows:
        lines.append(_("Nothing was voted on."))
    return "\n".join(lines) + "\n"
