"""Session pages: a space's sessions, scheduling one, and the live board."""

from __future__ import annotations

from datetime import UTC

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from community.brainstorms import operations, queries
from community.brainstorms.forms import SessionForm
from community.brainstorms.models import (
    CLUSTER_NAME_MAX,
    NOTE_MAX,
    PHASE_LABELS,
    PHASES,
    BrainstormSession,
    Phase,
)
from community.errors import OperationError
from community.extensions import db
from community.permissions import guardian
from community.spaces.permissions import membership_of
from community.spaces.views import load_space

bp = Blueprint("brainstorms", __name__)


def load_session(session_id: int) -> BrainstormSession:
    """The session if the current user may see its space; 404 otherwise."""
    session = db.session.get(BrainstormSession, session_id)
    if session is None:
        abort(404)
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
        scheduled = form.scheduled_for.data
        try:
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
                scheduled_for=scheduled.replace(tzinfo=UTC) if scheduled else None,
            )
        except OperationError as error:
            db.session.rollback()
            error.attach_to(form)
        else:
            db.session.commit()
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
    )
