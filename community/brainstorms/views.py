"""Session pages: a space's sessions, scheduling one, and the live board.

URLs (blueprint ``brainstorms``). ``/s/<slug>/…`` is shared: each feature serves its own tab of
a space ("Where a URL is served" in docs/architecture.md).

    GET /s/<slug>/sessions                        space_sessions
        A space's brainstorming sessions
    GET POST /s/<slug>/sessions/new               new_session
        Schedule a session (space experts, moderators and owners)
    GET /sessions/<int:session_id>                session
        The live board (for members) or, for other readers, what the session was about
    GET POST /sessions/<int:session_id>/settings  settings
        Change the session's settings (its facilitator), as far as its phase allows
    GET /sessions/notes/<int:note_id>             note
        Where a note is read (moderation queues and notifications link here)
    GET POST /sessions/<int:session_id>/promote   promote
        Turn a note or cluster of the results into an idea (facilitator and moderators)
    GET /sessions/<int:session_id>/results.md     results_markdown
        The ranked results as a Markdown file
    GET /sessions/<int:session_id>/results.csv    results_csv
        The ranked results as a CSV file (safe to open in a spreadsheet)
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from community.brainstorms import exports, operations, promotion, queries
from community.brainstorms.forms import (
    PromoteArgs,
    PromoteForm,
    SessionForm,
    SessionSettingsForm,
)
from community.brainstorms.models import (
    CLUSTER_NAME_MAX,
    NOTE_MAX,
    PHASE_LABELS,
    PHASES,
    BrainstormSession,
    Cluster,
    Note,
    Phase,
)
from community.extensions import db
from community.forums.models import TITLE_MAX
from community.moderation.forms import FlagForm
from community.permissions import guardian
from community.spaces.permissions import membership_of
from community.spaces.views import load_space
from community.web import drafts
from community.web.actions import saving
from community.web.args import parse
from community.web.exports import attachment
from community.web.i18n import content_language

bp = Blueprint("brainstorms", __name__)


def load_session(session_id: int) -> BrainstormSession:
    """The session if the current user may see its space; 404 otherwise."""
    session = db.get_or_404(BrainstormSession, session_id)
    guardian.require(current_user, "brainstorm.view", session, hide=True)
    return session


@bp.route("/s/<slug>/sessions")
def space_sessions(slug: str):
    """A space's brainstorming sessions: upcoming, live and past."""
    space = load_space(slug)
    return render_template(
        "brainstorms/list.html",
        space=space,
        groups=queries.sessions_by_state(space),
        membership=membership_of(current_user, space),
        phase_labels=PHASE_LABELS,
    )


@bp.route("/s/<slug>/sessions/new", methods=["GET", "POST"])
@login_required
def new_session(slug: str):
    """Schedule a session (space experts, moderators and owners)."""
    space = load_space(slug)
    guardian.require(current_user, "brainstorm.create", space)
    form = SessionForm()
    if form.validate_on_submit():
        with saving(form) as saved:
            session = operations.create_session(
                space,
                by=current_user,
                prompt=form.prompt.data,
                anonymous=form.anonymous.data,
                hidden_ideation=form.hidden_ideation.data,
                dots_per_participant=form.dots_per_participant.data,
                dots_per_item=form.dots_per_item.data,
                ideate_minutes=form.ideate_minutes.data,
                group_minutes=form.group_minutes.data,
                vote_minutes=form.vote_minutes.data,
                who_may_group=form.who_may_group.data,
                dot_totals=form.dot_totals.data,
                timer_mode=form.timer_mode.data,
                scheduled_for=form.scheduled_utc,
            )
        if saved:
            flash(
                _("Your session is ready. Share the link and start when people arrive."), "success"
            )
            return redirect(url_for("brainstorms.session", session_id=session.id))
    return render_template("brainstorms/new.html", space=space, form=form)


@bp.route("/sessions/<int:session_id>")
def session(session_id: int):
    """The live board (for members) or, for other readers, what the session was about."""
    session = load_session(session_id)
    showing_results = session.current_phase in (Phase.RESULTS, Phase.CLOSED)
    return render_template(
        "brainstorms/session.html",
        session=session,
        space=session.space,
        membership=membership_of(current_user, session.space),
        phases=PHASES,
        phase_labels=PHASE_LABELS,
        may_join=guardian.can(current_user, "brainstorm.join", session),
        note_max=NOTE_MAX,
        cluster_name_max=CLUSTER_NAME_MAX,
        results=queries.ranked_results(session) if showing_results else None,
        showing_results=showing_results,
        may_promote=guardian.can(current_user, "brainstorm.promote", session),
        may_export=guardian.can(current_user, "brainstorm.export", session),
        flag_form=FlagForm(),
    )


@bp.route("/sessions/<int:session_id>/settings", methods=["GET", "POST"])
@login_required
def settings(session_id: int):
    """Change the session's settings (its facilitator): what its phase still allows
    (``operations.LOCKED_FROM``); a locked field is shown disabled and, when posted anyway
    with another value, refused. A refused post answers 422 with the form."""
    session = load_session(session_id)
    guardian.require(current_user, "brainstorm.facilitate", session)
    locked = operations.locked_settings(session)
    form = SessionSettingsForm(obj=session)
    if form.validate_on_submit():
        changes = {
            name: form.scheduled_utc if name == "scheduled_for" else form[name].data
            for name in operations.LOCKED_FROM
            if name not in locked or name in request.form  # disabled fields are not posted
        }
        with saving(form) as saved:
            changed = operations.update_settings(session, by=current_user, **changes)
        if saved:
            flash(_("Settings saved.") if changed else _("Nothing changed."), "success")
            return redirect(url_for("brainstorms.session", session_id=session.id))
    return render_template(
        "brainstorms/settings.html", session=session, space=session.space, form=form, locked=locked
    ), (422 if request.method == "POST" else 200)


@bp.route("/sessions/notes/<int:note_id>")
def note(note_id: int):
    """Where a note is read (moderation queues and notifications link here): its board."""
    note = db.get_or_404(Note, note_id)
    return redirect(url_for("brainstorms.session", session_id=load_session(note.session_id).id))


@bp.app_context_processor
def idea_origin_helper() -> dict:
    """``brainstorm_origin(idea)`` for the idea page: the session an idea came from."""
    return {"brainstorm_origin": queries.idea_origin}


def _promoted_item(session: BrainstormSession) -> tuple[Note | None, Cluster | None]:
    """The note or cluster named by ``?note=`` or ``?cluster=``, in this session; 404 else."""
    args = parse(PromoteArgs())
    note = db.session.get(Note, args["note"]) if args["note"] else None
    cluster = db.session.get(Cluster, args["cluster"]) if args["cluster"] and not note else None
    item = note or cluster
    if item is None or item.session_id != session.id:
        abort(404)
    return note, cluster


def _prefill(session: BrainstormSession, note: Note | None, cluster: Cluster | None) -> dict:
    """Title from the cluster's name or the note's text; the notes as the description, which
    the idea's readers read: introduced in the space's language, not the facilitator's."""
    notes = queries.item_notes(note, cluster)
    title = cluster.name if cluster is not None else " ".join(note.text.split())
    with content_language(session.space):
        intro = _("From the brainstorming session “%(prompt)s”:", prompt=session.prompt)
    lines = [intro, ""]
    lines += ["- " + " ".join(n.text.split()) for n in notes]
    return {"title": title[:TITLE_MAX], "body": "\n".join(lines)}


@bp.route("/sessions/<int:session_id>/promote", methods=["GET", "POST"])
@login_required
def promote(session_id: int):
    """Turn a note or cluster of the results into an idea (facilitator and moderators)."""
    session = load_session(session_id)
    guardian.require(current_user, "brainstorm.promote", session)
    note, cluster = _promoted_item(session)
    existing = promotion.promoted_idea(note, cluster)
    if existing is not None:
        flash(_("This was already promoted to idea #%(number)d.", number=existing), "info")
        return redirect(url_for("ideas.idea", idea_id=existing))
    form = PromoteForm(data=None if request.method == "POST" else _prefill(session, note, cluster))
    if form.validate_on_submit():
        with saving(form) as saved:
            idea = promotion.promote_to_idea(
                session,
                by=current_user,
                title=form.title.data,
                body=form.body.data,
                tags=form.tags.data or "",
                note=note,
                cluster=cluster,
            )
        if saved:
            flash(_("The idea is posted, with a link back to this session."), "success")
            drafts.posted("promote", *(("cluster", cluster.id) if cluster else ("note", note.id)))
            return redirect(url_for("ideas.idea", idea_id=idea.id))
    return render_template(
        "brainstorms/promote.html",
        session=session,
        space=session.space,
        form=form,
        notes=queries.item_notes(note, cluster),
        note=note,
        cluster=cluster,
    )


def _exportable(session_id: int) -> BrainstormSession:
    session = load_session(session_id)
    guardian.require(current_user, "brainstorm.export", session)
    if session.current_phase not in (Phase.RESULTS, Phase.CLOSED):
        abort(404)
    return session


@bp.route("/sessions/<int:session_id>/results.md")
@login_required
def results_markdown(session_id: int):
    """The ranked results as a Markdown file."""
    session = _exportable(session_id)
    with content_language(session.space):
        body = exports.results_markdown(session)
    return attachment(body, "text/markdown", f"session-{session.id}-results.md")


@bp.route("/sessions/<int:session_id>/results.csv")
@login_required
def results_csv(session_id: int):
    """The ranked results as a CSV file (safe to open in a spreadsheet)."""
    session = _exportable(session_id)
    with content_language(session.space):
        body = exports.results_csv(session)
    return attachment(body, "text/csv", f"session-{session.id}-results.csv")
