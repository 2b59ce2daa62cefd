"""Idea pages: lists, proposing, the idea page with votes, timeline and co-design thread,
merging duplicates and deleting.

URLs (blueprint ``ideas``). ``/s/<slug>/…`` is shared: each feature serves its own tab of a
space ("Where a URL is served" in docs/architecture.md).

    GET /ideas                          all_ideas
        Ideas from every space the visitor may read
    GET /s/<slug>/ideas                 space_ideas
        A space's ideas
    GET POST /s/<slug>/ideas/new        new_idea
        Propose an idea; similar ideas are suggested while the title is typed
    GET /ideas/<int:idea_id>            idea
        An idea
    GET /ideas/<int:idea_id>/supporters  supporters
        The idea's count, supporters and the visitor's follow control, as JSON for its page
    GET POST /ideas/<int:idea_id>/edit  edit
        Edit an idea (the author until it has others' votes or a status; moderators)
    POST /ideas/<int:idea_id>/vote      vote
        Vote (``vote=1``) or take the vote back (``vote=0``); JSON for scripts, else redirect
    POST /ideas/<int:idea_id>/status    set_status
        Move an idea to another status with a public response
    POST /ideas/<int:idea_id>/merge     merge
        Merge this idea into another one (its number typed or picked), with a public response
    POST /ideas/<int:idea_id>/unmerge   unmerge
        Undo a merge
    POST /ideas/<int:idea_id>/delete    delete
        Delete an idea with its votes and discussion
"""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from community.errors import OperationError
from community.extensions import db
from community.forums import queries as forum_queries
from community.forums.forms import ReplyForm
from community.ideas import curation, operations, queries
from community.ideas.forms import IdeaForm, IdeaListArgs, MergeForm, StatusForm, UnmergeForm
from community.ideas.models import STATUS_LABELS, Idea, IdeaStatus
from community.ideas.permissions import votable_ideas
from community.permissions import guardian
from community.ratelimit import person_limit
from community.spaces.permissions import membership_of, one_with_membership
from community.spaces.views import load_space, public_space
from community.web import drafts
from community.web.actions import attempt, refuse_form, saving
from community.web.args import page_number, parse
from community.web.pagecache import anonymous_page
from community.web.security import safe_referrer

bp = Blueprint("ideas", __name__)


def load_idea(idea_id: int) -> Idea:
    """The idea (its author loaded with it) if the current user may see its space; 404
    otherwise."""
    idea = one_with_membership(
        select(Idea)
        .options(joinedload(Idea.author), joinedload(Idea.space))
        .where(Idea.id == idea_id),
        current_user._get_current_object(),
        Idea.space_id,
    )
    if idea is None:
        abort(404)
    guardian.require(current_user, "idea.view", idea, hide=True)
    return idea


def votes_left_text(left: int) -> str:
    return ngettext("%(num)d vote left", "%(num)d votes left", left)


def vote_texts() -> dict[str, str]:
    """What every vote button says, translated once for all the buttons on a page."""
    return {
        "voted": _("Remove my vote"),
        "unvoted": _("Vote for this idea"),
        # The word beside the count, for one and for more: ideas.js picks it as counts change.
        "vote_one": ngettext("vote", "votes", 1),
        "vote_other": ngettext("vote", "votes", 2),
    }


def _render_list(space=None):
    args = parse(IdeaListArgs())
    args["tag"] = args["tag"].strip()
    page = queries.ideas_page(current_user, space=space, **args)
    return render_template(
        "ideas/list.html",
        space=space,
        page=page,
        args=args,
        voted=queries.voted_by(current_user, [i.id for i in page.items]),
        votable=votable_ideas(current_user, page.items),
        votes_left=queries.votes_left(current_user, space) if space else None,
        membership=membership_of(current_user, space) if space else None,
        status_labels={status: str(label) for status, label in STATUS_LABELS.items()},
        vote_texts=vote_texts(),
    )


@bp.route("/ideas")
def all_ideas():
    """Ideas from every space the visitor may read."""
    return _render_list()


@bp.route("/s/<slug>/ideas")
@anonymous_page(keep_if=public_space)
def space_ideas(slug: str):
    """A space's ideas."""
    return _render_list(load_space(slug))


@bp.route("/s/<slug>/ideas/new", methods=["GET", "POST"])
@login_required
@person_limit("POST_LIMIT")
def new_idea(slug: str):
    """Propose an idea; similar ideas are suggested while the title is typed."""
    space = load_space(slug)
    if not guardian.can(current_user, "idea.submit", space):
        flash(_("Join this space to post ideas."), "info")
        return redirect(url_for("spaces.about", slug=space.slug))
    form = IdeaForm()
    if form.validate_on_submit():
        with saving(form) as saved:
            idea = operations.submit_idea(
                space,
                author=current_user,
                title=form.title.data,
                body=form.body.data,
                tags=form.tags.data or "",
            )
        if saved:
            if idea.held:
                flash(
                    _(
                        "Your idea is waiting for a moderator's approval; only you and the "
                        "moderators can see it."
                    ),
                    "info",
                )
            else:
                flash(_("Your idea is posted. Share it so others can vote!"), "success")
            drafts.posted("idea-new", space.id)
            return redirect(url_for("ideas.idea", idea_id=idea.id))
    return render_template("ideas/new.html", space=space, form=form)


@bp.route("/ideas/<int:idea_id>")
def idea(idea_id: int):
    """An idea: votes, status and timeline, supporters, and its co-design discussion."""
    idea = load_idea(idea_id)
    if idea.is_hidden and not guardian.can(current_user, "moderation.see_hidden", idea):
        message = _("Community members flagged this idea. Moderators will review it soon.")
        return render_template("forums/hidden.html", space=idea.space, message=message)
    return _render_idea(idea)


@bp.route("/ideas/<int:idea_id>/supporters")
def supporters(idea_id: int):
    """The idea's count, supporters and the visitor's follow control, as JSON for its page
    (ideas.js asks after a vote, the visitor's or one pushed live)."""
    idea = load_idea(idea_id)
    if idea.is_hidden and not guardian.can(current_user, "moderation.see_hidden", idea):
        abort(404)
    return jsonify(
        votes=idea.vote_count,
        supporters=render_template("ideas/_supporters.html", supporters=queries.supporters(idea)),
        follow=render_template("ideas/_follow.html", idea=idea),
    )


def _visible(ideas):
    return [i for i in ideas if i is not None and guardian.can(current_user, "idea.view", i)]


def _render_idea(idea: Idea, merge_form: MergeForm | None = None, status: int = 200):
    thread = idea.thread
    replies = (
        forum_queries.replies_page(thread, page_number(), viewer=current_user) if thread else None
    )
    page = render_template(
        "ideas/idea.html",
        idea=idea,
        space=idea.space,
        thread=thread,
        replies=replies,
        helpful=forum_queries.marked_helpful(current_user, replies.items if replies else []),
        has_voted=bool(queries.voted_by(current_user, [idea.id])),
        votes_left=queries.votes_left(current_user, idea.space),
        timeline=queries.timeline(idea),
        supporters=queries.supporters(idea),
        merged_into=next(iter(_visible([idea.merged_into])), None),
        merged_here=_visible(queries.merged_here(idea)),
        status_form=StatusForm(),
        merge_form=merge_form or MergeForm(formdata=None),
        unmerge_form=UnmergeForm(formdata=None),
        reply_form=ReplyForm(),
        status_labels=STATUS_LABELS,
        membership=membership_of(current_user, idea.space),
        vote_texts=vote_texts(),
    )
    return page, status


@bp.route("/ideas/<int:idea_id>/edit", methods=["GET", "POST"])
@login_required
def edit(idea_id: int):
    """Edit an idea (the author until it has others' votes or a status; moderators)."""
    idea = load_idea(idea_id)
    guardian.require(current_user, "idea.edit", idea)
    form = IdeaForm(
        data={"title": idea.title, "body": idea.body_source, "tags": ", ".join(idea.tag_names)}
        if request.method == "GET"
        else None
    )
    if form.validate_on_submit():
        with saving(form) as saved:
            operations.edit_idea(
                idea,
                by=current_user,
                title=form.title.data,
                body=form.body.data,
                tags=form.tags.data or "",
                reason=form.reason.data or "",
            )
        if saved:
            flash(_("Saved."), "success")
            drafts.posted("idea-edit", idea.id)
            return redirect(url_for("ideas.idea", idea_id=idea.id))
    return render_template("ideas/edit.html", idea=idea, form=form)


@bp.route("/ideas/<int:idea_id>/vote", methods=["POST"])
@login_required
@person_limit("VOTE_LIMIT")
def vote(idea_id: int):
    """Vote (``vote=1``) or take the vote back (``vote=0``); JSON for scripts, else redirect."""
    idea = load_idea(idea_id)
    wanted = request.form.get("vote", "1") == "1"
    try:
        if wanted:
            operations.cast_vote(idea, current_user)
        else:
            operations.retract_vote(idea, current_user)
    except OperationError as error:
        db.session.rollback()
        if request.accept_mimetypes.best == "application/json":
            return jsonify(ok=False, error=error.message), 400
        flash(error.message, "danger")
        return redirect(url_for("ideas.idea", idea_id=idea.id))
    db.session.commit()
    db.session.refresh(idea)
    if request.accept_mimetypes.best == "application/json":
        left = queries.votes_left(current_user, idea.space)
        return jsonify(
            ok=True,
            voted=wanted,
            votes=idea.vote_count,
            votes_left=left,
            votes_left_text=votes_left_text(left) if left is not None else None,
        )
    return redirect(safe_referrer(url_for("ideas.idea", idea_id=idea.id)))


@bp.route("/ideas/<int:idea_id>/status", methods=["POST"])
@login_required
def set_status(idea_id: int):
    """Move an idea to another status with a public response."""
    idea = load_idea(idea_id)
    form = StatusForm()
    target = url_for("ideas.idea", idea_id=idea.id, _anchor="timeline")
    if not form.validate_on_submit():
        errors = form.status.errors + form.response.errors
        return refuse_form(target, errors[0] if errors else _("Choose a status from the list."))

    def changed(_done) -> str:
        drafts.posted("idea-status", idea.id)
        return _("Status changed to %(status)s.", status=STATUS_LABELS[IdeaStatus(idea.status)])

    return attempt(
        target,
        lambda: curation.change_status(
            idea, form.status.data, response=form.response.data, by=current_user
        ),
        changed,
    )


@bp.route("/ideas/<int:idea_id>/merge", methods=["POST"])
@login_required
def merge(idea_id: int):
    """Merge this idea into another one (its number typed or picked), with a public response."""
    idea = load_idea(idea_id)
    guardian.require(current_user, "idea.merge", idea)
    form = MergeForm()
    if form.validate_on_submit():
        try:
            curation.merge_idea(
                idea, form.target_id(), response=form.merge_response.data, by=current_user
            )
        except OperationError as error:
            db.session.rollback()
            if error.field is None:  # not about the form (e.g. merged meanwhile): say so on top
                flash(error.message, "danger")
                return redirect(url_for("ideas.idea", idea_id=idea.id, _anchor="timeline"))
            error.attach_to(form)
        else:
            db.session.commit()
            flash(
                _(
                    "Merged into #%(number)d %(title)s.",
                    number=idea.merged_into.id,
                    title=idea.merged_into.title,
                ),
                "success",
            )
            return redirect(url_for("ideas.idea", idea_id=idea.id, _anchor="timeline"))
    return _render_idea(idea, merge_form=form, status=400)


@bp.route("/ideas/<int:idea_id>/unmerge", methods=["POST"])
@login_required
def unmerge(idea_id: int):
    """Undo a merge: the idea is open again with its status from before."""
    idea = load_idea(idea_id)
    guardian.require(current_user, "idea.merge", idea)
    form = UnmergeForm()
    target = url_for("ideas.idea", idea_id=idea.id, _anchor="timeline")
    if not form.validate_on_submit():
        errors = form.unmerge_response.errors or [
            _("Your form expired or was sent from elsewhere. Reload the page and try again.")
        ]
        return refuse_form(target, errors[0])
    return attempt(
        target,
        lambda: curation.unmerge_idea(
            idea, response=form.unmerge_response.data or "", by=current_user
        ),
        lambda _done: _(
            "Unmerged: the idea is %(status)s again.", status=STATUS_LABELS[idea.idea_status]
        ),
    )


@bp.route("/ideas/<int:idea_id>/delete", methods=["POST"])
@login_required
def delete(idea_id: int):
    """Delete an idea with its votes and discussion."""
    idea = load_idea(idea_id)
    slug = idea.space.slug
    return attempt(
        url_for("ideas.space_ideas", slug=slug),
        lambda: operations.delete_idea(idea, by=current_user),
        _("The idea was deleted."),
        refused_to=url_for("ideas.idea", idea_id=idea_id),
    )
