"""Moderation pages: flagging, the space and site queues, one case with its actions, a
person's moderation page, the audit log, and one's own warnings.

URLs (blueprint ``moderation``). ``/s/<slug>/…`` is shared: each feature serves its own tab of a
space ("Where a URL is served" in docs/architecture.md).

    GET POST /flag/<target_type>/<int:target_id>          flag
        Flag a thread, reply, idea, brainstorm note or profile for the moderators
    GET /s/<slug>/moderation                              space_queue
        A space's moderation queue (its moderators and owners)
    POST /s/<slug>/moderation/settings                    space_settings
        Save a space's moderation settings (its moderators)
    GET /moderation                                       site_queue
        Every space's moderation queue, plus flagged profiles (site moderators and admins)
    GET /moderation/cases/<int:case_id>                   case
        One flagged or held item
    GET /moderation/review/<target_type>/<int:target_id>  review
        The case of an item, from the item's page (its moderators)
    POST /moderation/cases/<int:case_id>/<action>         act
        Approve, hide, delete or lock a queued item, with a reason
    POST /moderation/cases/<int:case_id>/warn             warn_author
        Warn the author of a queued item
    POST /moderation/cases/<int:case_id>/ban              ban_author
        Ban the author of a queued item from its space for some days
    GET /moderation/people/<username>                     person
        One person, for site moderators
    POST /moderation/people/<username>/warn               warn_person
        Warn someone site-wide
    POST /moderation/people/<username>/suspend            suspend
        Suspend an account site-wide for some days (admins)
    POST /moderation/people/<username>/unsuspend          unsuspend
        Lift a suspension (admins)
    GET /moderation/audit                                 audit
        The audit log (admins), filtered and paginated
    GET /warnings                                         my_warnings
        The warnings moderators gave me
    POST /warnings/<int:warning_id>/acknowledge           acknowledge
        I have read this warning
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from sqlalchemy import select

from community.accounts.models import User
from community.accounts.queries import user_by_username
from community.brainstorms.models import Note
from community.errors import OperationError
from community.extensions import db
from community.forums.models import Post, Thread
from community.ideas.models import Idea
from community.moderation import items, operations, queries
from community.moderation.forms import (
    ApproveForm,
    AuditArgs,
    FlagForm,
    PeriodForm,
    ReasonForm,
    SpaceSettingsForm,
)
from community.moderation.models import (
    FLAG_REASON_LABELS,
    TARGET_LABELS,
    ModerationCase,
    ModerationWarning,
)
from community.moderation.permissions import readable
from community.permissions import guardian, permission_required
from community.ratelimit import person_limit
from community.spaces.permissions import membership_of
from community.spaces.views import load_space
from community.web.actions import attempt, finish, refuse_form, saving
from community.web.args import page_number, parse

bp = Blueprint("moderation", __name__)


def target_url(target_type: str, target_id: int, username: str | None = None) -> str:
    """Where an item of a case is read."""
    if target_type == "thread":
        return url_for("forums.thread", thread_id=target_id)
    if target_type == "post":
        return url_for("forums.post", post_id=target_id)
    if target_type == "idea":
        return url_for("ideas.idea", idea_id=target_id)
    if target_type == "note":
        return url_for("brainstorms.note", note_id=target_id)
    return url_for("accounts.profile", username=username) if username else "#"


def _readable_target(target_type: str, target_id: int):
    """The item to flag if the reader may see it; 404 otherwise."""
    target = items.load_target(target_type, target_id)
    if target is None or not readable(current_user, target):
        abort(404)
    return target


def _back_to(target) -> str:
    if isinstance(target, Thread):
        return url_for("forums.thread", thread_id=target.id)
    if isinstance(target, Post):
        return url_for("forums.post", post_id=target.id)
    if isinstance(target, Idea):
        return url_for("ideas.idea", idea_id=target.id)
    if isinstance(target, Note):
        return url_for("brainstorms.session", session_id=target.session_id)
    return url_for("accounts.profile", username=target.username)


@bp.route("/flag/<target_type>/<int:target_id>", methods=["GET", "POST"])
@login_required
@person_limit("FLAG_LIMIT")
def flag(target_type: str, target_id: int):
    """Flag a thread, reply, idea, brainstorm note or profile for the moderators."""
    if target_type not in TARGET_LABELS:
        abort(404)
    target = _readable_target(target_type, target_id)
    guardian.require(current_user, "moderation.flag", target)
    form = FlagForm()
    if form.validate_on_submit():
        with saving(form) as saved:
            operations.flag_content(
                target, by=current_user, reason=form.reason.data, note=form.note.data or ""
            )
        if saved:
            flash(_("Thanks. The moderators will take a look."), "success")
            return redirect(_back_to(target))
    return render_template(
        "moderation/flag.html",
        form=form,
        target=target,
        target_type=target_type,
        back=_back_to(target),
        target_label=TARGET_LABELS[target_type],
    )


def _queue(space=None):
    page = queries.queue_page(current_user, space=space, page=page_number())
    return render_template(
        "moderation/queue.html",
        space=space,
        page=page,
        membership=membership_of(current_user, space) if space else None,
        reason_labels=FLAG_REASON_LABELS,
        target_labels=TARGET_LABELS,
        target_url=target_url,
    )


@bp.route("/s/<slug>/moderation")
@login_required
def space_queue(slug: str):
    """A space's moderation queue (its moderators and owners)."""
    space = load_space(slug)
    guardian.require(current_user, "moderation.queue", space)
    return _queue(space)


@bp.route("/s/<slug>/moderation/settings", methods=["POST"])
@login_required
def space_settings(slug: str):
    """Save a space's moderation settings (its moderators)."""
    space = load_space(slug)
    guardian.require(current_user, "moderation.queue", space)
    back = url_for("spaces.settings", slug=space.slug, _anchor="moderation-settings")
    form = SpaceSettingsForm()
    if not form.validate_on_submit():
        return refuse_form(back)
    return attempt(
        back,
        lambda: operations.set_hold_new_posts(space, form.hold_new_posts.data, by=current_user),
        _("Moderation settings saved."),
    )


@bp.route("/moderation")
@permission_required("moderation.site")
def site_queue():
    """Every space's moderation queue, plus flagged profiles (site moderators and admins)."""
    return _queue()


def _load_case(case_id: int) -> ModerationCase:
    case = db.get_or_404(ModerationCase, case_id)
    guardian.require(current_user, "moderation.act", case, hide=True)
    return case


@bp.route("/moderation/cases/<int:case_id>")
@login_required
def case(case_id: int):
    """One flagged or held item: its words as they are now and what changed since the case
    opened, why it is here, and what to do."""
    case = _load_case(case_id)
    target = items.load_target(case.target_type, case.target_id)
    words = items.item_words(target) if target is not None else None
    return render_template(
        "moderation/case.html",
        case=case,
        target=target,
        words=words,
        changes=queries.changes_since_opened(case, words),
        seen=items.words_digest(target) if target is not None else "",
        target_link=target_url(
            case.target_type, case.target_id, case.author.username if case.author else None
        ),
        history=queries.case_history(case),
        reason_form=ReasonForm(),
        period_form=PeriodForm(),
        reason_labels=FLAG_REASON_LABELS,
        target_labels=TARGET_LABELS,
        space=case.space,
    )


@bp.route("/moderation/review/<target_type>/<int:target_id>")
@login_required
def review(target_type: str, target_id: int):
    """The case of an item, from the item's page (its moderators)."""
    target = items.load_target(target_type, target_id) if target_type in TARGET_LABELS else None
    found = operations.case_for(target) if target is not None else None
    if found is None:
        abort(404)
    guardian.require(current_user, "moderation.act", found, hide=True)
    return redirect(url_for("moderation.case", case_id=found.id))


CASE_ACTIONS = {
    "approve": (operations.approve, _l("Approved: the flags are dismissed.")),
    "hide": (operations.hide, _l("Hidden from readers.")),
    "delete": (operations.delete, _l("Deleted.")),
    "lock": (operations.lock, _l("Thread locked.")),
}


@bp.route("/moderation/cases/<int:case_id>/<action>", methods=["POST"])
@login_required
def act(case_id: int, action: str):
    """Approve, hide, delete or lock a queued item, with a reason (approving: the words the
    moderator read, which must still be the item's)."""
    if action not in CASE_ACTIONS:
        abort(404)
    case = _load_case(case_id)
    here = url_for("moderation.case", case_id=case.id)
    form = ApproveForm() if action == "approve" else ReasonForm()
    if not form.validate_on_submit():
        return refuse_form(here, _first_error(form))
    operation, message = CASE_ACTIONS[action]
    if action == "approve" and case.held:
        message = _l("Approved and published.")
    extra = {"seen": form.seen.data} if action == "approve" else {}
    queue = (
        url_for("moderation.space_queue", slug=case.space.slug)
        if case.space is not None
        else url_for("moderation.site_queue")
    )
    return attempt(
        here if action == "lock" else queue,
        lambda: operation(case, by=current_user, reason=form.reason.data, **extra),
        str(message),
        refused_to=here,
    )


def _first_error(form) -> str:
    for errors in form.errors.values():
        if errors:
            return errors[0]
    return _("That request was not understood. Reload the page and try again.")


@bp.route("/moderation/cases/<int:case_id>/warn", methods=["POST"])
@login_required
def warn_author(case_id: int):
    """Warn the author of a queued item."""
    case = _load_case(case_id)
    here = url_for("moderation.case", case_id=case.id)
    form = ReasonForm()
    if not form.validate_on_submit():
        return refuse_form(here, _first_error(form))
    if case.author is None:
        return finish(here, OperationError(_("This item has no author to warn.")))
    return attempt(
        here,
        lambda: operations.warn(
            case.author, by=current_user, reason=form.reason.data, space=case.space
        ),
        _("Warning sent to %(name)s.", name=case.author.display_name),
    )


@bp.route("/moderation/cases/<int:case_id>/ban", methods=["POST"])
@login_required
def ban_author(case_id: int):
    """Ban the author of a queued item from its space for some days."""
    case = _load_case(case_id)
    here = url_for("moderation.case", case_id=case.id)
    form = PeriodForm()
    if not form.validate_on_submit():
        return refuse_form(here, _first_error(form))
    if case.author is None or case.space is None:
        return finish(here, OperationError(_("There is no one to ban from a space here.")))
    return attempt(
        here,
        lambda: operations.ban(
            case.author, case.space, by=current_user, reason=form.reason.data, days=form.days.data
        ),
        _("%(name)s is banned from the space.", name=case.author.display_name),
    )


def _load_person(username: str) -> User:
    user = user_by_username(username)
    if user is None:
        abort(404)
    return user


@bp.route("/moderation/people/<username>")
@permission_required("moderation.site")
def person(username: str):
    """One person, for site moderators: their warnings and standing; warn or suspend."""
    user = _load_person(username)
    return render_template(
        "moderation/person.html",
        person=user,
        warnings=queries.warnings_of(user),
        reason_form=ReasonForm(),
        period_form=PeriodForm(),
    )


def _act_on_person(user: User, form: ReasonForm, operation, message: str):
    """Warn, suspend or unsuspend ``user`` from their moderation page: ``operation`` gets the
    form's reason (and days, from a ``PeriodForm``); ``message`` says it was done."""
    here = url_for("moderation.person", username=user.username)
    if not form.validate_on_submit():
        return refuse_form(here, _first_error(form))
    extra = {"days": form.days.data} if isinstance(form, PeriodForm) else {}
    return attempt(
        here,
        lambda: operation(user, by=current_user, reason=form.reason.data, **extra),
        message,
    )


@bp.route("/moderation/people/<username>/warn", methods=["POST"])
@permission_required("moderation.site")
def warn_person(username: str):
    """Warn someone site-wide."""
    user = _load_person(username)
    return _act_on_person(
        user, ReasonForm(), operations.warn, _("Warning sent to %(name)s.", name=user.display_name)
    )


@bp.route("/moderation/people/<username>/suspend", methods=["POST"])
@login_required
def suspend(username: str):
    """Suspend an account site-wide for some days (admins)."""
    user = _load_person(username)
    guardian.require(current_user, "moderation.suspend", user)
    return _act_on_person(
        user, PeriodForm(), operations.suspend, _("%(name)s is suspended.", name=user.display_name)
    )


@bp.route("/moderation/people/<username>/unsuspend", methods=["POST"])
@login_required
def unsuspend(username: str):
    """Lift a suspension (admins)."""
    user = _load_person(username)
    guardian.require(current_user, "moderation.suspend", user)
    return _act_on_person(user, ReasonForm(), operations.unsuspend, _("The suspension is lifted."))


@bp.route("/moderation/audit")
@permission_required("moderation.audit")
def audit():
    """The audit log (admins), filtered and paginated."""
    filters = parse(AuditArgs())
    page = queries.audit_page(
        **{
            key: value.strip() if isinstance(value, str) else value
            for key, value in filters.items()
        }
    )
    return render_template(
        "moderation/audit.html",
        page=page,
        filters={key: value or "" for key, value in filters.items()},
        actions=queries.audit_actions(),
        target_url=target_url,
    )


@bp.route("/warnings")
@login_required
def my_warnings():
    """The warnings moderators gave me."""
    return render_template("moderation/warnings.html", warnings=queries.warnings_of(current_user))


@bp.route("/warnings/<int:warning_id>/acknowledge", methods=["POST"])
@login_required
def acknowledge(warning_id: int):
    """I have read this warning."""
    warning = db.first_or_404(
        select(ModerationWarning).where(
            ModerationWarning.id == warning_id, ModerationWarning.user_id == current_user.id
        )
    )
    if not FlaskForm().validate_on_submit():  # only the CSRF token to check
        return refuse_form(url_for("moderation.my_warnings"))
    return attempt(
        url_for("moderation.my_warnings"),
        lambda: operations.acknowledge_warning(warning, by=current_user),
        _("Thanks for reading it."),
    )
