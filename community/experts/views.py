"""Expertise pages: declaring one's tags, verifying and revoking them, the directory, and the
questions routed to an expert ("Questions for you": claim, pass on).

URLs (blueprint ``experts``):

    GET POST /settings/expertise                   edit_expertise
        Declare the topics one knows; moderators and admins verify them
    POST /expertise/<int:expertise_id>/verify      verify
        Verify a declared tag, in a space (its moderators) or site-wide (admins)
    POST /expertise/<int:expertise_id>/revoke      revoke
        Take a verification back (admins; moderators of the space it was verified in)
    GET /experts                                   directory
        Verified experts, filtered by tag, space and language, with their help in numbers
    GET /experts/questions                         questions
        Questions routed to the current user
    POST /experts/questions/<int:thread_id>/claim  claim
        Claim a question routed to you, so the other experts know you are on it
    POST /experts/questions/<int:thread_id>/pass   pass_on
        Pass a question routed to you on to another verified expert
"""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from community.accounts.queries import user_by_username
from community.experts import operations, queries, routing, routing_queries
from community.experts.forms import ClaimForm, DirectoryArgs, ExpertiseForm, PassOnForm, VerifyForm
from community.experts.models import REASON_LABELS, Expertise
from community.extensions import db
from community.forums.models import Thread
from community.permissions import guardian
from community.spaces.models import Space
from community.spaces.permissions import prime_memberships
from community.spaces.queries import readable_spaces
from community.web.actions import attempt, refuse_form, saving
from community.web.args import page_number, parse
from community.web.security import safe_next

bp = Blueprint("experts", __name__)


@bp.route("/settings/expertise", methods=["GET", "POST"])
@login_required
def edit_expertise():
    """Declare the topics one knows; moderators and admins verify them."""
    user = current_user._get_current_object()
    declared = queries.expertise_with_verifiers(user)
    form = ExpertiseForm()
    if request.method == "GET":
        form.tags.data = ", ".join(e.tag for e in declared)
    if form.validate_on_submit():
        with saving(form) as saved:
            operations.set_expertise(user, form.tags.data or "", by=user)
        if saved:
            flash(_("Expertise saved."), "success")
            return redirect(url_for("experts.edit_expertise"))
    return render_template("experts/edit.html", form=form, declared=declared)


def _load_expertise(expertise_id: int) -> Expertise:
    expertise = db.get_or_404(Expertise, expertise_id)
    guardian.require(current_user, "profile.view", expertise.user, hide=True)
    return expertise


def _form_space(form: VerifyForm) -> Space | None:
    """The space named by the form, if the current user may see it; 404 otherwise."""
    if not form.space.data:
        return None
    space = db.get_or_404(Space, form.space.data)
    guardian.require(current_user, "space.view", space, hide=True)
    return space


def _back(form: VerifyForm, expertise: Expertise) -> str:
    default = url_for("accounts.profile", username=expertise.user.username, _anchor="expertise")
    return safe_next(form.next.data, default)


@bp.route("/expertise/<int:expertise_id>/verify", methods=["POST"])
@login_required
def verify(expertise_id: int):
    """Verify a declared tag, in a space (its moderators) or site-wide (admins)."""
    expertise = _load_expertise(expertise_id)
    form = VerifyForm()
    back = _back(form, expertise)
    if not form.validate_on_submit():
        return refuse_form(back)
    space = _form_space(form)
    name = expertise.user.display_name
    return attempt(
        back,
        lambda: operations.verify_expertise(expertise, by=current_user, space=space),
        _("#%(tag)s is verified for %(name)s.", tag=expertise.tag, name=name),
    )


@bp.route("/expertise/<int:expertise_id>/revoke", methods=["POST"])
@login_required
def revoke(expertise_id: int):
    """Take a verification back (admins; moderators of the space it was verified in)."""
    expertise = _load_expertise(expertise_id)
    form = VerifyForm()
    back = _back(form, expertise)
    if not form.validate_on_submit():
        return refuse_form(back)
    name = expertise.user.display_name
    return attempt(
        back,
        lambda: operations.revoke_verification(expertise, by=current_user),
        _("#%(tag)s is no longer verified for %(name)s.", tag=expertise.tag, name=name),
    )


def _directory_space(slug: str) -> Space | None:
    """The space to filter by, if the visitor may read it; a hidden one is a 404."""
    if not slug:
        return None
    return db.first_or_404(readable_spaces(current_user).where(Space.slug == slug))


@bp.route("/experts")
def directory():
    """Verified experts, filtered by tag, space and language, with their help in numbers."""
    args = parse(DirectoryArgs())
    tag, language = args["tag"].strip(), args["language"]
    space = _directory_space(args["space"].strip())
    page = queries.directory_page(
        current_user, tag=tag, space=space, language=language, page=args["page"]
    )
    ids = [user.id for user in page.items]
    return render_template(
        "experts/directory.html",
        page=page,
        tag=tag,
        space=space,
        language=language,
        languages=current_app.config["LANGUAGES"],
        tags=queries.expertise_tags(),
        spaces=queries.spaces_with_experts(current_user),
        verified=queries.verified_tags_for(ids),
        counts=queries.answer_counts(current_user, ids),
        served=queries.served_spaces(current_user, ids),
    )


# Globals, so that imported macros (the expert badge in ``user_link``) see them too.
bp.add_app_template_global(queries.expertise_of, "expertise_of")
bp.add_app_template_global(queries.verified_tags, "verified_tags")
bp.add_app_template_global(queries.badge_once, "badge_once")


@bp.app_template_global()
def expert_profile(user) -> dict:
    """What the profile's expertise section shows, as the current visitor may see it."""
    declared = queries.expertise_with_verifiers(user)
    has_verified = any(e.is_verified for e in declared)
    return {
        "declared": declared,
        "verified_in": queries.verifications_by_space(current_user, declared),
        "stats": queries.expert_stats(current_user, user) if has_verified else None,
        "served": queries.served_spaces(current_user, [user.id])[user.id] if has_verified else [],
        "may_verify_in": [
            s
            for s in queries.moderated_spaces_of(current_user, user)
            if getattr(current_user, "id", None) != user.id
        ],
    }


@bp.route("/experts/questions")
@login_required
def questions():
    """Questions for you: the questions routed to the current user, open ones first."""
    page = routing_queries.questions_for(current_user, page=page_number())
    # Each row offers "Answer" or "Join to answer": the memberships in one query.
    prime_memberships(current_user, list({r.thread.space for r in page.items}))
    return render_template(
        "experts/questions.html",
        page=page,
        counts=routing_queries.routing_counts(current_user),
        is_open=lambda r: routing_queries.is_open_for(r, current_user),
        reason_labels=REASON_LABELS,
    )


def _routed_thread(thread_id: int) -> Thread:
    """A question routed to the current user that they may still read: 404 if they may not
    read it, 403 if it was not routed to them."""
    thread = db.get_or_404(Thread, thread_id)
    guardian.require(current_user, "thread.view", thread, hide=True)
    if routing.routing_of(thread, current_user) is None:
        abort(403)
    return thread


def _back_to(form, thread: Thread) -> str:
    return safe_next(form.next.data, url_for("forums.thread", thread_id=thread.id))


@bp.route("/experts/questions/<int:thread_id>/claim", methods=["POST"])
@login_required
def claim(thread_id: int):
    """Claim a question routed to you, so the other experts know you are on it."""
    thread = _routed_thread(thread_id)
    form = ClaimForm()
    back = _back_to(form, thread)
    if not form.validate_on_submit():
        return refuse_form(back)
    return attempt(
        back,
        lambda: routing.claim_question(thread, by=current_user),
        _("You claimed this question. The asker is waiting for your answer."),
    )


@bp.route("/experts/questions/<int:thread_id>/pass", methods=["POST"])
@login_required
def pass_on(thread_id: int):
    """Pass a question routed to you on to another verified expert."""
    thread = _routed_thread(thread_id)
    form = PassOnForm()
    back = _back_to(form, thread)
    if not form.validate_on_submit():
        return refuse_form(back, (form.username.errors or [None])[0])
    target = user_by_username(form.username.data.lstrip("@"))
    return attempt(
        back,
        lambda: routing.pass_on(thread, target, by=current_user),
        lambda _done: _("Passed on to %(name)s.", name=target.display_name),
    )


@bp.app_template_global()
def routed_question_counts(routed: int | None) -> routing_queries.RoutingCounts:
    """For the menu: how many questions were routed to the current user, and wait for them;
    ``routed`` is the menu's count of that name (None: never routed a question)."""
    return routing_queries.routing_counts(current_user, routed=routed is not None)


@bp.app_template_global()
def routing_status(thread: Thread) -> dict | None:
    """What a question's page shows of its routing, with the viewer's own part in it."""
    summary = routing_queries.routing_summary(thread, current_user)
    if summary is None:
        return None
    mine = summary.mine
    return {
        "summary": summary,
        "may_claim": mine is not None
        and mine.passed_on_at is None
        and not summary.routed.is_claimed
        and not thread.is_solved
        and not thread.locked,
        "may_pass_on": mine is not None
        and mine.passed_on_at is None
        and not thread.is_solved
        and not thread.locked,
    }
