"""Account pages: sign up, sign in and out, passwords, profiles and the admin user list."""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user
from flask_login.config import COOKIE_NAME as REMEMBER_COOKIE
from sqlalchemy import select

from community.accounts import operations, queries
from community.accounts.forms import (
    ChangePasswordForm,
    ForgotPasswordForm,
    LoginForm,
    ProfileForm,
    RegisterForm,
    ResetPasswordForm,
    RoleForm,
    UsersArgs,
)
from community.accounts.models import User
from community.args import parse
from community.errors import OperationError
from community.extensions import db, limiter
from community.i18n import SESSION_KEY as LOCALE_KEY
from community.permissions import ROLE_LABELS, Role, guardian, permission_required
from community.security import safe_next

bp = Blueprint("accounts", __name__)


def _login_account_key() -> str:
    return "login-account:" + operations.normalise_key(request.form.get("login", ""))


def _start_session(user: User, remember: bool) -> None:
    """Sign ``user`` in on a fresh session: nothing from before survives but the language."""
    locale = session.get(LOCALE_KEY)
    session.clear()
    if locale:
        session[LOCALE_KEY] = locale
    login_user(user, remember=remember)


def _next_url() -> str:
    return safe_next(request.args.get("next"), url_for("home.index"))


@bp.route("/register", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["REGISTER_LIMIT_PER_IP"], methods=["POST"])
def register():
    """Create an account and sign in."""
    if current_user.is_authenticated:
        return redirect(url_for("home.index"))
    form = RegisterForm()
    if form.validate_on_submit():
        try:
            user = operations.register_user(
                username=form.username.data,
                email=form.email.data,
                display_name=form.display_name.data,
                password=form.password.data,
                locale=session.get(LOCALE_KEY),
            )
        except OperationError as error:
            db.session.rollback()
            error.attach_to(form)
        else:
            db.session.commit()
            _start_session(user, remember=False)
            flash(_("Welcome to Cocreate, %(name)s!", name=user.display_name), "success")
            return redirect(url_for("accounts.edit_profile"))
    return render_template("accounts/register.html", form=form)


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["LOGIN_LIMIT_PER_IP"], methods=["POST"])
@limiter.limit(
    lambda: current_app.config["LOGIN_LIMIT_PER_ACCOUNT"],
    methods=["POST"],
    key_func=_login_account_key,
)
def login():
    """Sign in by username or e-mail."""
    if current_user.is_authenticated:
        return redirect(_next_url())
    form = LoginForm()
    if form.validate_on_submit():
        try:
            user = operations.authenticate(form.login.data, form.password.data)
        except OperationError as error:  # suspended: say so rather than "no match"
            form.form_errors.append(error.message)
            return render_template("accounts/login.html", form=form)
        if user is not None:
            db.session.commit()
            _start_session(user, remember=form.remember.data)
            flash(_("Signed in. Welcome back, %(name)s.", name=user.display_name), "success")
            return redirect(_next_url())
        form.form_errors.append(_("That username or e-mail and password don't match."))
    return render_template("accounts/login.html", form=form)


@bp.route("/logout", methods=["POST"])
def logout():
    """Sign out (POST only, so no other site can sign you out with a link)."""
    locale = session.get(LOCALE_KEY)
    logout_user()
    session.clear()
    if locale:
        session[LOCALE_KEY] = locale
    flash(_("You are signed out."), "info")
    return redirect(url_for("home.index"))


@bp.route("/password/forgot", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["RESET_LIMIT_PER_IP"], methods=["POST"])
def forgot_password():
    """Ask for a password-reset link by e-mail."""
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        operations.request_password_reset(form.email.data)
        db.session.commit()
        flash(
            _("If an account uses that address, we've e-mailed it a link to reset the password."),
            "info",
        )
        return redirect(url_for("accounts.login"))
    return render_template("accounts/forgot_password.html", form=form)


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
def reset_password(token: str):
    """Choose a new password with an e-mailed single-use link."""
    if operations.find_reset_token(token) is None:
        return render_template("accounts/reset_invalid.html"), 400
    form = ResetPasswordForm()
    if form.validate_on_submit():
        try:
            operations.reset_password(token, form.password.data)
        except OperationError as error:
            db.session.rollback()
            error.attach_to(form)
        else:
            db.session.commit()
            logout_user()
            flash(_("Your password is changed. Sign in with the new one."), "success")
            return redirect(url_for("accounts.login"))
    return render_template("accounts/reset_password.html", form=form)


@bp.route("/settings/password", methods=["GET", "POST"])
@login_required
def change_password():
    """Change the password; every other session of the account is signed out."""
    form = ChangePasswordForm()
    if form.validate_on_submit():
        try:
            operations.change_password(
                current_user, form.current_password.data, form.new_password.data
            )
        except OperationError as error:
            db.session.rollback()
            error.attach_to(form)
        else:
            db.session.commit()
            cookie = current_app.config.get("REMEMBER_COOKIE_NAME", REMEMBER_COOKIE)
            remember = cookie in request.cookies
            _start_session(current_user._get_current_object(), remember=remember)
            flash(_("Password changed. Your other sessions are signed out."), "success")
            return redirect(url_for("accounts.profile", username=current_user.username))
    return render_template("accounts/change_password.html", form=form)


@bp.route("/settings/profile", methods=["GET", "POST"])
@login_required
def edit_profile():
    """Edit display name, bio, organisation, segment and language."""
    user = current_user._get_current_object()
    form = ProfileForm(obj=user, languages=current_app.config["LANGUAGES"])
    if request.method == "GET":
        form.locale.data = user.locale or ""
    if form.validate_on_submit():
        try:
            operations.update_profile(
                user,
                display_name=form.display_name.data,
                bio=form.bio.data or "",
                organisation=form.organisation.data or "",
                segment=form.segment.data or "",
                locale=form.locale.data or None,
            )
        except OperationError as error:
            db.session.rollback()
            error.attach_to(form)
        else:
            db.session.commit()
            if user.locale:
                session[LOCALE_KEY] = user.locale
            flash(_("Profile saved."), "success")
            return redirect(url_for("accounts.profile", username=user.username))
    return render_template("accounts/edit_profile.html", form=form)


@bp.route("/u/<username>")
def profile(username: str):
    """A member's public profile."""
    user = db.session.scalar(
        select(User).where(User.username_key == operations.normalise_key(username))
    )
    if user is None:
        abort(404)
    guardian.require(current_user, "profile.view", user, hide=True)
    return render_template("accounts/profile.html", user=user)


@bp.route("/admin/users")
@permission_required("users.manage")
def admin_users():
    """The admin list of users, searchable and filterable by role."""
    args = parse(UsersArgs())
    q, role = args["q"].strip(), args["role"]
    page = queries.users_page(q=q, role=role, page=args["page"])
    return render_template("admin/users.html", page=page, q=q, role=role, roles=list(Role))


@bp.route("/admin/users/<int:user_id>/role", methods=["POST"])
@permission_required("users.manage")
def admin_change_role(user_id: int):
    """Change one user's site role."""
    user = db.get_or_404(User, user_id)
    form = RoleForm()
    if form.validate_on_submit():
        try:
            operations.change_role(user, Role(form.role.data), by=current_user)
        except OperationError as error:
            db.session.rollback()
            flash(error.message, "danger")
        else:
            db.session.commit()
            flash(
                _(
                    "%(name)s is now: %(role)s.",
                    name=user.display_name,
                    role=ROLE_LABELS[Role(form.role.data)],
                ),
                "success",
            )
    else:
        flash(_("Choose a role from the list."), "danger")
    return redirect(safe_next(request.form.get("next"), url_for("accounts.admin_users")))
