"""Notification pages: the centre, opening and marking read, following, the settings, and
the one-click unsubscribe page that works without signing in.

URLs (blueprint ``notifications``):

    GET /notifications                              centre
        The notification centre
    GET /notifications/unread                       unread
        The unread count as JSON, for a tab that may have missed live pushes
    POST /notifications/<int:notification_id>/open  open_notification
        Mark a notification read and go to what it is about (the exact post)
    GET /notifications/<int:notification_id>        go
        The link in an e-mail: mark it read and go to what it is about
    POST /notifications/read                        read_all
        Mark every notification read
    POST /follow                                    follow
        Follow a space, thread, idea or session at a level, or stop following it
    GET /settings/following                         following
        What the user follows, with its level to change or to stop
    GET POST /settings/notifications                settings
        Automatic following and how each kind of notification is e-mailed
    GET POST /notifications/unsubscribe/<token>     unsubscribe
        One-click unsubscribe from a kind of e-mail (or the digest), signed in or not
"""

from __future__ import annotations

from flask import Blueprint, abort, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from community.accounts.models import User
from community.extensions import csrf, db
from community.notifications import delivery, operations, queries
from community.notifications.forms import ConfirmForm, FollowForm, settings_form
from community.notifications.kinds import KINDS
from community.notifications.models import (
    DELIVERY_LABELS,
    LEVEL_LABELS,
    TARGET_LABELS,
    Notification,
)
from community.notifications.visibility import resolve
from community.web.actions import attempt, finish, refuse_form
from community.web.args import page_number
from community.web.security import safe_next

bp = Blueprint("notifications", __name__)


def _own_notification(notification_id: int) -> Notification:
    return db.first_or_404(
        select(Notification).where(
            Notification.id == notification_id, Notification.user_id == current_user.id
        )
    )


@bp.app_template_global()
def follow_level(target_type: str, obj) -> str:
    """The signed-in user's level on ``obj`` ("" when not following): one query."""
    if not current_user.is_authenticated:
        return ""
    follow = operations.follow_of(current_user, target_type, obj.id)
    return follow.level if follow else ""


@bp.app_context_processor
def notification_labels() -> dict:
    return {"follow_level_labels": LEVEL_LABELS}


@bp.route("/notifications")
@login_required
def centre():
    """The notification centre: newest first, unread emphasised, paginated."""
    page, shown = queries.centre_page(current_user, page_number())
    return render_template("notifications/centre.html", page=page, shown=shown, form=ConfirmForm())


@bp.route("/notifications/unread")
@login_required
def unread():
    """The unread count the header shows, as JSON: ``notifications.js`` asks again after its
    live channel may have missed pushes (it reconnected, or the server said ``resync``)."""
    return jsonify(count=delivery.unread_count(current_user.id))


@bp.route("/notifications/<int:notification_id>/open", methods=["POST"])
@login_required
def open_notification(notification_id: int):
    """Mark a notification read and go to what it is about (the exact post)."""
    notification = _own_notification(notification_id)
    back = url_for("notifications.centre")
    if not ConfirmForm().validate_on_submit():
        return refuse_form(back)
    operations.mark_read(notification, by=current_user)
    db.session.commit()
    shown = resolve([notification], current_user)[0]
    return redirect(shown.url if shown.readable else back)


@bp.route("/notifications/<int:notification_id>")
@login_required
def go(notification_id: int):
    """The link in an e-mail: go to what the notification is about (if still readable)."""
    shown = resolve([_own_notification(notification_id)], current_user)[0]
    return redirect(shown.url if shown.readable else url_for("notifications.centre"))


@bp.route("/notifications/read", methods=["POST"])
@login_required
def read_all():
    """Mark every notification read."""
    back = url_for("notifications.centre")
    if not ConfirmForm().validate_on_submit():
        return refuse_form(back)
    operations.mark_all_read(current_user)
    return finish(back, message=_("All notifications are marked read."))


@bp.route("/follow", methods=["POST"])
@login_required
def follow():
    """Follow a space, thread, idea or session at a level, or stop following it."""
    form = FollowForm()
    back = safe_next(form.next.data, url_for("notifications.following"))
    if not form.validate_on_submit():
        return refuse_form(back)
    obj = queries.load_followable(form.target_type.data, form.target_id.data)
    existing = operations.follow_of(current_user, form.target_type.data, form.target_id.data)
    # Anyone may unfollow what they follow, even if they can no longer read it.
    if not (form.level.data == "" and existing) and not queries.may_follow(
        current_user, form.target_type.data, obj
    ):
        abort(404)
    message = (
        _("You no longer follow this.")
        if not form.level.data
        else _("Notifications: %(level)s.", level=LEVEL_LABELS[form.level.data])
    )
    return attempt(
        back,
        lambda: operations.set_follow(
            current_user, form.target_type.data, form.target_id.data, form.level.data or None
        ),
        message,
    )


@bp.route("/settings/following")
@login_required
def following():
    """What the user follows, with its level to change or to stop."""
    page, rows = queries.following_page(current_user, page_number())
    return render_template(
        "notifications/following.html", page=page, rows=rows, target_labels=TARGET_LABELS
    )


@bp.route("/settings/notifications", methods=["GET", "POST"])
@login_required
def settings():
    """Automatic following and how each kind of notification is e-mailed."""
    current = operations.settings_of(current_user)
    deliveries = operations.all_deliveries(current_user.id)
    form = settings_form(
        follow_created=current.follow_created,
        follow_voted=current.follow_voted,
        **{f"mail_{k}": v for k, v in deliveries.items()},
    )
    if form.validate_on_submit():
        operations.update_settings(
            current_user,
            follow_created=form.follow_created.data,
            follow_voted=form.follow_voted.data,
            deliveries={k: form[f"mail_{k}"].data for k in KINDS},
        )
        return finish(
            url_for("notifications.settings"), message=_("Your notification settings are saved.")
        )
    return render_template(
        "notifications/settings.html",
        form=form,
        kinds=KINDS,
        delivery_labels=DELIVERY_LABELS,
    )


@bp.route("/notifications/unsubscribe/<token>", methods=["GET", "POST"])
@csrf.exempt  # the signed token is the authority; mail clients POST it without a session
def unsubscribe(token: str):
    """One-click unsubscribe from a kind of e-mail (or the digest), signed in or not."""
    found = delivery.read_unsubscribe_token(token)
    if found is None:
        return render_template("notifications/unsubscribe.html", invalid=True), 400
    user_id, kind = found
    if db.session.get(User, user_id) is None:
        return render_template("notifications/unsubscribe.html", invalid=True), 400
    label = _("the daily digest") if kind == delivery.DIGEST else KINDS[kind].label
    if request.method == "POST":
        operations.unsubscribe(user_id, kind)
        db.session.commit()
        return render_template("notifications/unsubscribe.html", done=True, label=label)
    return render_template("notifications/unsubscribe.html", token=token, label=label)
