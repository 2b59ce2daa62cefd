"""Space pages: the directory, creating and editing spaces, members, joining and invites.

URLs (blueprint ``spaces``). ``/s/<slug>/…`` is shared: each feature serves its own tab of a
space ("Where a URL is served" in docs/architecture.md).

    GET /spaces                                        directory
        All spaces the visitor may see, filtered as they type by name, description or tag
    GET POST /spaces/new                               create
        Create a space (who may is a site setting)
    GET POST /s/<slug>/settings                        settings
        A space's settings
    POST /s/<slug>/settings/ideas                      idea_settings
        Set or lift the space's vote budget (moderators and owners)
    GET /s/<slug>/about                                about
        What a space is about, who runs it, and how to join
    GET /s/<slug>/members                              members
        Members with their roles; moderators also see requests, bans and invites
    POST /s/<slug>/join                                join
        Join a public space in one click
    POST /s/<slug>/request                             request_to_join
        Ask to join a restricted space
    POST /s/<slug>/leave                               leave
        Leave a space (or withdraw a pending request)
    POST /s/<slug>/members/<int:membership_id>/decide  decide
        Approve or decline a join request
    POST /s/<slug>/members/<int:membership_id>/role    change_role
        Change a member's role in the space
    POST /s/<slug>/members/<int:user_id>/ban           ban
        Ban someone from the space, with a reason and an optional end date
    POST /s/<slug>/members/<int:membership_id>/unban   unban
        Lift a ban
    POST /s/<slug>/invites                             create_invite
        Make an invite link; it is shown once
    POST /s/<slug>/invites/<int:invite_id>/revoke      revoke_invite
        Stop an invite link from working
    GET POST /invite/<token>                           invite
        Where an invite link leads
"""

from __future__ import annotations

from datetime import UTC, datetime, time

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from community.accounts.models import User
from community.errors import OperationError
from community.extensions import db
from community.permissions import guardian
from community.spaces import operations, queries
from community.spaces.forms import (
    BanForm,
    DirectoryArgs,
    InviteForm,
    JoinRequestForm,
    MemberRoleForm,
    MembersArgs,
    SpaceForm,
    VoteBudgetForm,
)
from community.spaces.models import (
    Membership,
    MembershipState,
    Space,
    SpaceInvite,
    SpaceRole,
    Visibility,
)
from community.spaces.permissions import membership_of, one_with_membership, prime_memberships
from community.web import drafts
from community.web.actions import attempt, finish, refuse_form, saving
from community.web.args import parse
from community.web.pagecache import anonymous_page

bp = Blueprint("spaces", __name__)


def load_space(slug: str) -> Space:
    """The space at ``slug`` if the current user may see it; 404 otherwise (also when private)."""
    space = one_with_membership(
        select(Space).where(Space.slug == slug), current_user._get_current_object(), Space.id
    )
    if space is None:
        abort(404)
    guardian.require(current_user, "space.view", space, hide=True)
    return space


def _membership_in(space: Space, membership_id: int) -> Membership:
    return db.first_or_404(
        select(Membership).where(Membership.id == membership_id, Membership.space_id == space.id)
    )


def public_space(slug: str) -> bool:
    """Whether the space at ``slug`` is public: only public spaces' pages are kept for
    anonymous visitors (``community.web.pagecache``)."""
    space = queries.space_by_slug(slug)
    return space is not None and space.visibility == Visibility.PUBLIC


@bp.route("/spaces")
@anonymous_page()
def directory():
    """All spaces the visitor may see, filtered as they type by name, description or tag."""
    args = parse(DirectoryArgs())
    q, tag, mine = args["q"].strip(), args["tag"].strip(), args["mine"]
    page = queries.directory_page(current_user, q=q, tag=tag, mine=mine, page=args["page"])
    prime_memberships(current_user, page.items)
    context = {"page": page, "q": q, "tag": tag, "mine": mine}
    if args["partial"]:
        return render_template("spaces/_directory_results.html", **context)
    return render_template(
        "spaces/directory.html", tags=queries.popular_tags(current_user), **context
    )


@bp.route("/spaces/new", methods=["GET", "POST"])
@login_required
def create():
    """Create a space (who may is a site setting)."""
    guardian.require(current_user, "space.create")
    form = SpaceForm()
    if form.validate_on_submit():
        with saving(form) as saved:
            space = operations.create_space(**form.values(), by=current_user)
        if saved:
            flash(_("Your space is ready."), "success")
            drafts.posted("space-new")
            return redirect(url_for("forums.space", slug=space.slug))
    return render_template("spaces/edit.html", form=form, ideas_form=None, space=None)


@bp.route("/s/<slug>/settings", methods=["GET", "POST"])
@login_required
def settings(slug: str):
    """A space's settings: owners edit the space; moderators too see its ideas settings."""
    space = load_space(slug)
    guardian.require(current_user, "space.moderate", space)
    if not guardian.can(current_user, "space.manage", space):
        if request.method == "POST":
            abort(403)
        return _settings_page(space, None)
    # A post fills the form from what was sent only (a field left out is empty, never the
    # space's own value, which for ``tags`` is a list of rows rather than text).
    form = SpaceForm(obj=space if request.method == "GET" else None)
    if request.method == "GET":
        form.tags.data = ", ".join(space.tag_names)
    if form.validate_on_submit():
        with saving(form) as saved:
            operations.update_space(space, **form.values(), by=current_user)
        if saved:
            flash(_("Space saved."), "success")
            drafts.posted("space-edit", space.id)
            return redirect(url_for("forums.space", slug=space.slug))
    return _settings_page(space, form)


@bp.route("/s/<slug>/settings/ideas", methods=["POST"])
@login_required
def idea_settings(slug: str):
    """Set or lift the space's vote budget (moderators and owners)."""
    space = load_space(slug)
    guardian.require(current_user, "space.moderate", space)
    ideas_form = VoteBudgetForm()
    if ideas_form.validate_on_submit():
        with saving(ideas_form) as saved:
            operations.set_vote_budget(space, ideas_form.budget(), by=current_user)
        if saved:
            flash(_("Idea settings saved."), "success")
            return redirect(url_for("spaces.settings", slug=space.slug))
    managing = guardian.can(current_user, "space.manage", space)
    form = None
    if managing:
        form = SpaceForm(obj=space, formdata=None)
        form.tags.data = ", ".join(space.tag_names)
    return _settings_page(space, form, ideas_form)


def _settings_page(space: Space, form: SpaceForm | None, ideas_form: VoteBudgetForm | None = None):
    if ideas_form is None:
        budget = space.vote_budget
        ideas_form = VoteBudgetForm(
            formdata=None, vote_budget="" if budget is None else str(budget)
        )
    return render_template("spaces/edit.html", form=form, ideas_form=ideas_form, space=space)


@bp.route("/s/<slug>/about")
def about(slug: str):
    """What a space is about, who runs it, and how to join."""
    space = load_space(slug)
    return render_template(
        "spaces/about.html",
        space=space,
        staff=queries.staff_of(space),
        request_form=JoinRequestForm(),
    )


@bp.route("/s/<slug>/members")
def members(slug: str):
    """Members with their roles; moderators also see requests, bans and invites."""
    space = load_space(slug)
    moderating = guardian.can(current_user, "space.moderate", space)
    args = parse(MembersArgs())
    state = args["state"] if moderating else "active"  # requests and bans: moderators only
    page = queries.members_page(space, state=MembershipState(state), page=args["page"])
    invites = []
    if moderating:
        invites = list(
            db.session.scalars(
                db.select(SpaceInvite)
                .where(SpaceInvite.space_id == space.id, SpaceInvite.revoked_at.is_(None))
                .order_by(SpaceInvite.created_at.desc())
                .limit(20)
            )
        )
    return render_template(
        "spaces/members.html",
        space=space,
        page=page,
        state=state,
        moderating=moderating,
        pending=queries.pending_count(space) if moderating else 0,
        invites=invites,
        role_form=MemberRoleForm(),
        ban_form=BanForm(),
        invite_form=InviteForm(),
        new_invite=request.args.get("invite"),
    )


@bp.route("/s/<slug>/join", methods=["POST"])
@login_required
def join(slug: str):
    """Join a public space in one click."""
    space = load_space(slug)
    target = url_for("forums.space", slug=space.slug)
    return attempt(
        target,
        lambda: operations.join_space(space, current_user),
        _("Welcome to %(space)s!", space=space.name),
    )


@bp.route("/s/<slug>/request", methods=["POST"])
@login_required
def request_to_join(slug: str):
    """Ask to join a restricted space."""
    space = load_space(slug)
    form = JoinRequestForm()
    target = url_for("spaces.about", slug=space.slug)
    if not form.validate_on_submit():
        flash(_("Keep the note under 500 characters."), "danger")
        return redirect(target)
    return attempt(
        target,
        lambda: operations.request_to_join(space, current_user, form.note.data or ""),
        _("Request sent. The moderators will decide soon."),
    )


@bp.route("/s/<slug>/leave", methods=["POST"])
@login_required
def leave(slug: str):
    """Leave a space (or withdraw a pending request)."""
    space = load_space(slug)
    try:
        operations.leave_space(space, current_user)
    except OperationError as error:
        return finish(url_for("spaces.about", slug=space.slug), error)
    db.session.commit()
    flash(_("You left %(space)s.", space=space.name), "info")
    return redirect(
        url_for("spaces.directory") if space.is_private else url_for("forums.space", slug=slug)
    )


@bp.route("/s/<slug>/members/<int:membership_id>/decide", methods=["POST"])
@login_required
def decide(slug: str, membership_id: int):
    """Approve or decline a join request."""
    space = load_space(slug)
    membership = _membership_in(space, membership_id)
    approve = request.form.get("decision") == "approve"
    target = url_for("spaces.members", slug=slug, state="pending")
    return attempt(
        target,
        lambda: operations.decide_request(membership, approve=approve, by=current_user),
        _("Request approved.") if approve else _("Request declined."),
    )


@bp.route("/s/<slug>/members/<int:membership_id>/role", methods=["POST"])
@login_required
def change_role(slug: str, membership_id: int):
    """Change a member's role in the space."""
    space = load_space(slug)
    membership = _membership_in(space, membership_id)
    form = MemberRoleForm()
    target = url_for("spaces.members", slug=slug)
    if not form.validate_on_submit():
        flash(_("Choose a role from the list."), "danger")
        return redirect(target)
    return attempt(
        target,
        lambda: operations.set_member_role(membership, SpaceRole(form.role.data), by=current_user),
        _("Role changed."),
    )


@bp.route("/s/<slug>/members/<int:user_id>/ban", methods=["POST"])
@login_required
def ban(slug: str, user_id: int):
    """Ban someone from the space, with a reason and an optional end date."""
    space = load_space(slug)
    user = db.get_or_404(User, user_id)
    form = BanForm()
    target = url_for("spaces.members", slug=slug)
    if not form.validate_on_submit():
        flash(_("Give a reason for the ban (and a valid date, if any)."), "danger")
        return redirect(target)
    until = None
    if form.until.data:
        until = datetime.combine(form.until.data, time.max, tzinfo=UTC)
        if until <= datetime.now(UTC):
            flash(_("The end of a ban must be in the future."), "danger")
            return redirect(target)
    return attempt(
        target,
        lambda: operations.ban_member(
            space, user, by=current_user, reason=form.reason.data, until=until
        ),
        _("%(name)s is banned from this space.", name=user.display_name),
    )


@bp.route("/s/<slug>/members/<int:membership_id>/unban", methods=["POST"])
@login_required
def unban(slug: str, membership_id: int):
    """Lift a ban."""
    space = load_space(slug)
    membership = _membership_in(space, membership_id)
    target = url_for("spaces.members", slug=slug, state="banned")
    return attempt(
        target, lambda: operations.unban_member(membership, by=current_user), _("Ban lifted.")
    )


@bp.route("/s/<slug>/invites", methods=["POST"])
@login_required
def create_invite(slug: str):
    """Make an invite link; it is shown once."""
    space = load_space(slug)
    form = InviteForm()
    target = url_for("spaces.members", slug=slug)
    if not form.validate_on_submit():
        return refuse_form(target, _("An invite lasts between 1 and 90 days."))
    try:
        _invite, token = operations.create_invite(
            space,
            by=current_user,
            days=form.days.data,
            requires_approval=form.requires_approval.data,
        )
    except OperationError as error:
        return finish(target, error)
    return finish(
        url_for("spaces.members", slug=slug, invite=token),
        message=_("Invite link created. Copy it now: it is shown only once."),
    )


@bp.route("/s/<slug>/invites/<int:invite_id>/revoke", methods=["POST"])
@login_required
def revoke_invite(slug: str, invite_id: int):
    """Stop an invite link from working."""
    space = load_space(slug)
    invite = db.first_or_404(
        select(SpaceInvite).where(SpaceInvite.id == invite_id, SpaceInvite.space_id == space.id)
    )
    return attempt(
        url_for("spaces.members", slug=slug),
        lambda: operations.revoke_invite(invite, by=current_user),
        _("Invite link revoked."),
    )


@bp.route("/invite/<token>", methods=["GET", "POST"])
@login_required
def invite(token: str):
    """Where an invite link leads: shows the space and joins on confirmation."""
    found = operations.find_invite(token)
    if found is None:
        return render_template("spaces/invite_invalid.html"), 404
    space = found.space
    membership = membership_of(current_user, space)
    if request.method == "POST":
        try:
            joined = operations.accept_invite(token, current_user)
        except OperationError as error:
            db.session.rollback()
            flash(error.message, "danger")
            return redirect(url_for("spaces.invite", token=token))
        db.session.commit()
        if joined.state == MembershipState.PENDING:
            flash(_("Request sent. The moderators will decide soon."), "info")
            return redirect(url_for("spaces.directory", mine=1))
        flash(_("Welcome to %(space)s!", space=space.name), "success")
        return redirect(url_for("forums.space", slug=space.slug))
    return render_template("spaces/invite.html", space=space, invite=found, membership=membership)
