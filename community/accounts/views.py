"""Account pages: sign up (confirmed by e-mail), sign in and out, passwords, profiles and the
admin user list.

URLs (blueprint ``accounts``):

    GET POST /register                            register
        Sign up
    GET /register/sent                            signup_sent
        Check your e-mail
    POST /register/resend                         resend_signup
        Send the sign-up e-mail again, to the address this browser signed up with
    GET POST /register/confirm/<token>            confirm_signup
        The e-mailed sign-up link: confirm, then sign in
    GET POST /login                               login
        Sign in by username or e-mail
    POST /logout                                  logout
        Sign out (POST only, so no other site can sign you out with a link)
    GET POST /password/forgot                     forgot_password
        Ask for a password-reset link by e-mail
    GET POST /password/reset/<token>              reset_password
        Choose a new password with an e-mailed single-use link
    GET POST /settings/password                   change_password
        Change the password; every other session of the account is signed out
    GET /settings/sessions                        sessions_list
        Where the account is signed in
    POST /settings/sessions/<int:session_id>/end  end_session
        Sign out one other browser or device from the list
    POST /settings/sessions/end-others            end_other_sessions
        Sign out everywhere but in this browser
    GET POST /settings/profile                    edit_profile
        Edit display name, bio, organisation, segment and language
    GET /u/<username>                             profile
        A member's public profile
    GET /admin/users                              admin_users
        The admin list of users, searchable and filterable by role
    POST /admin/users/<int:user_id>/role          admin_change_role
        Change one user's site role
"""

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
from flask_babel import ngettext
from flask_login import current_user, login_required, login_user, logout_user
from flask_login.config import COOKIE_NAME as REMEMBER_COOKIE
from sqlalchemy import select

from community.accounts import operations, queries, sessions
from community.accounts.forms import (
    ChangePasswordForm,
    ConfirmSignupForm,
    ForgotPasswordForm,
    LoginForm,
    ProfileForm,
    RegisterForm,
    ResendSignupForm,
    ResetPasswordForm,
    RoleForm,
    UsersArgs,
)
from community.accounts.models import User, UserSession
from community.accounts.operations import SignupLink
from community.errors import OperationError
from community.extensions import db, limiter
from community.permissions import ROLE_LABELS, Role, guardian, permission_required
from community.web import drafts
from community.web.actions import attempt, finish, refuse_form, saving
from community.web.args import parse
from community.web.i18n import ACCOUNT_KEY as ACCOUNT_LOCALE_KEY
from community.web.i18n import SESSION_KEY as LOCALE_KEY
from community.web.security import safe_next

bp = Blueprint("accounts", __name__)

#: The address this browser signed up with, for "check your e-mail" and sending it again.
SIGNUP_EMAIL_KEY = "signup_email"


def _login_account_key() -> str:
    """Sign-in attempts count against the account, whichever identifier (username or e-mail,
    in any case or width) names it; an identifier that names no account counts on its own."""
    login = request.form.get("login", "")[:300]  # longer names no account
    user = operations.find_user_by_login(login)
    if user is not None:
        return f"login-account:{user.id}"
    return "login-name:" + operations.normalise_key(login)


def _fresh_cookie_session() -> None:
    """Empty the cookie session: nothing from before survives but the language chosen with
    the switcher (a signed-out person's language is not the last account's)."""
    locale = session.get(LOCALE_KEY)
    session.clear()
    if locale:
        session[LOCALE_KEY] = locale


def _sign_in(user: User, remember: bool) -> None:
    """Sign ``user`` in, on the signed-in session just started (and committed) for them; the
    cookie session keeps their language, so pages that cannot read the database (error pages
    during an outage) still speak it."""
    _fresh_cookie_session()
    if user.locale:
        session[ACCOUNT_LOCALE_KEY] = user.locale
    login_user(user, remember=remember)


def _sign_out() -> None:
    """Forget the signed-in user in this browser, the remember cookie too (after the session
    on the server has ended)."""
    _fresh_cookie_session()
    logout_user()  # after clearing: it marks the remember cookie for deletion


def _this_session():
    """The signed-in session of this browser, or None."""
    return current_user.signed_in_session if current_user.is_authenticated else None


def _user_agent() -> str:
    return request.headers.get("User-Agent", "")


def _next_url() -> str:
    return safe_next(request.args.get("next"), url_for("home.index"))


def _sign_up_limit():
    """Sign-ups and resent sign-up e-mails share one budget per address."""
    return limiter.shared_limit(
        lambda: current_app.config["REGISTER_LIMIT_PER_IP"], scope="sign-up", methods=["POST"]
    )


@bp.route("/register", methods=["GET", "POST"])
@_sign_up_limit()
def register():
    """Sign up. Every accepted form gets the same answer ("check your e-mail"): the account is
    created when the link e-mailed to the address is followed."""
    if current_user.is_authenticated:
        return redirect(url_for("home.index"))
    form = RegisterForm()
    if form.validate_on_submit():
        with saving(form) as saved:
            operations.request_signup(
                username=form.username.data,
                email=form.email.data,
                display_name=form.display_name.data,
                password=form.password.data,
                locale=session.get(LOCALE_KEY),
            )
        if saved:
            session[SIGNUP_EMAIL_KEY] = form.email.data.strip()
            return redirect(url_for("accounts.signup_sent"))
    return render_template("accounts/register.html", form=form)


@bp.route("/register/sent")
def signup_sent():
    """Check your e-mail: the answer to every sign-up, with a button to send it again."""
    email = session.get(SIGNUP_EMAIL_KEY)
    if not email:
        return redirect(url_for("accounts.register"))
    return render_template(
        "accounts/signup_sent.html",
        email=email,
        form=ResendSignupForm(),
        hours=current_app.config["SIGNUP_CONFIRM_MAX_AGE"] // 3600,
    )


@bp.route("/register/resend", methods=["POST"])
@_sign_up_limit()
def resend_signup():
    """Send the sign-up e-mail again, to the address this browser signed up with."""
    email = session.get(SIGNUP_EMAIL_KEY)
    if not email or not ResendSignupForm().validate_on_submit():
        return refuse_form(url_for("accounts.register"))
    operations.resend_signup(email)
    return finish(
        url_for("accounts.signup_sent"),
        message=_("We sent the e-mail again. Only the newest link works."),
    )


@bp.route("/register/confirm/<token>", methods=["GET", "POST"])
def confirm_signup(token: str):
    """The e-mailed link: one button creates the account and signs in (a GET changes nothing,
    so a mail scanner that opens the link does not use it up)."""
    signup = operations.find_signup(token)
    state = operations.signup_link_state(signup)
    if state != SignupLink.READY:
        return _signup_link_page(state)
    form = ConfirmSignupForm()
    if form.validate_on_submit():
        try:
            user = operations.confirm_signup(token, username=form.username.data or None)
        except OperationError as error:
            db.session.rollback()
            state = operations.signup_link_state(operations.find_signup(token))
            if error.field != "username" and state != SignupLink.READY:
                return _signup_link_page(state)
            error.attach_to(form)
        else:
            sessions.start_session(user, user_agent=_user_agent())
            db.session.commit()
            _sign_in(user, remember=False)
            flash(_("Welcome to Cocreate, %(name)s!", name=user.display_name), "success")
            return redirect(url_for("accounts.edit_profile"))
    return render_template("accounts/signup_confirm.html", form=form, signup=signup)


def _signup_link_page(state: SignupLink):
    """Why a sign-up link does not create an account, and what to do instead."""
    return render_template(
        "accounts/signup_link.html",
        state=state.value,
        hours=current_app.config["SIGNUP_CONFIRM_MAX_AGE"] // 3600,
    ), 400


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
            sessions.start_session(user, user_agent=_user_agent())
            db.session.commit()
            _sign_in(user, remember=form.remember.data)
            flash(_("Signed in. Welcome back, %(name)s.", name=user.display_name), "success")
            return redirect(_next_url())
        form.form_errors.append(_("That username or e-mail and password don't match."))
    return render_template("accounts/login.html", form=form)


@bp.route("/logout", methods=["POST"])
def logout():
    """Sign out (POST only, so no other site can sign you out with a link): this browser's
    session ends on the server, so no copy of its cookies signs in again, and its open live
    connections close."""
    this = _this_session()
    if this is not None:
        sessions.end_session(this, by=current_user)
        db.session.commit()
    _sign_out()
    flash(_("You are signed out."), "info")
    drafts.forget_all()
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
        this = _this_session()
        with saving(form) as saved:
            user, ended = operations.reset_password(token, form.password.data)
            if this is not None and this.user_id != user.id:
                sessions.end_session(this, by=current_user)  # signed in as someone else
        if saved:
            _sign_out()
            flash(_("Your password is changed. Sign in with the new one."), "success")
            for notice in ended:
                flash(str(notice), "info")
            return redirect(url_for("accounts.login"))
    return render_template("accounts/reset_password.html", form=form)


@bp.route("/settings/password", methods=["GET", "POST"])
@login_required
def change_password():
    """Change the password; every other session of the account is signed out."""
    form = ChangePasswordForm()
    if form.validate_on_submit():
        user = current_user._get_current_object()
        with saving(form) as saved:
            ended = operations.change_password(
                user,
                form.current_password.data,
                form.new_password.data,
                user_agent=_user_agent(),
            )
        if saved:
            cookie = current_app.config.get("REMEMBER_COOKIE_NAME", REMEMBER_COOKIE)
            _sign_in(user, remember=cookie in request.cookies)
            flash(_("Password changed. Your other sessions are signed out."), "success")
            for notice in ended:
                flash(str(notice), "info")
            return redirect(url_for("accounts.profile", username=user.username))
    return render_template("accounts/change_password.html", form=form)


@bp.route("/settings/sessions")
@login_required
def sessions_list():
    """Where the account is signed in: each browser or device (this one first), when it was
    last used."""
    this = current_user.signed_in_session
    rows = sorted(sessions.sessions_of(current_user), key=lambda row: row.id != this.id)
    return render_template(
        "accounts/sessions.html", sessions=rows, this=this, device_label=sessions.device_label
    )


@bp.route("/settings/sessions/<int:session_id>/end", methods=["POST"])
@login_required
def end_session(session_id: int):
    """Sign out one other browser or device from the list."""
    row = db.first_or_404(
        select(UserSession).where(
            UserSession.id == session_id,
            UserSession.user_id == current_user.id,
            UserSession.id != current_user.signed_in_session.id,
        )
    )
    if not sessions.is_live(row):
        abort(404)
    device = sessions.device_label(row)
    sessions.end_session(row, by=current_user, reason="revoked")
    return finish(
        url_for("accounts.sessions_list"), message=_("Signed out of %(device)s.", device=device)
    )


@bp.route("/settings/sessions/end-others", methods=["POST"])
@login_required
def end_other_sessions():
    """Sign out everywhere but in this browser."""
    ended = sessions.end_other_sessions(current_user)
    return finish(
        url_for("accounts.sessions_list"),
        message=ngettext(
            "Signed out of %(num)d other session.", "Signed out of %(num)d other sessions.", ended
        ),
    )


@bp.route("/settings/profile", methods=["GET", "POST"])
@login_required
def edit_profile():
    """Edit display name, bio, organisation, segment and language."""
    user = current_user._get_current_object()
    form = ProfileForm(obj=user, languages=current_app.config["LANGUAGES"])
    if request.method == "GET":
        form.locale.data = user.locale or ""
    if form.validate_on_submit():
        with saving(form) as saved:
            operations.update_profile(
                user,
                display_name=form.display_name.data,
                bio=form.bio.data or "",
                organisation=form.organisation.data or "",
                segment=form.segment.data or "",
                locale=form.locale.data or None,
            )
        if saved:
            session.pop(ACCOUNT_LOCALE_KEY, None)
            if user.locale:
                session[ACCOUNT_LOCALE_KEY] = user.locale
            flash(_("Profile saved."), "success")
            drafts.posted("profile")
            return redirect(url_for("accounts.profile", username=user.username))
    return render_template("accounts/edit_profile.html", form=form)


@bp.route("/u/<username>")
def profile(username: str):
    """A member's public profile."""
    user = queries.user_by_username(username)
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
    target = safe_next(request.form.get("next"), url_for("accounts.admin_users"))
    if not form.validate_on_submit():
        return refuse_form(target, _("Choose a role from the list."))
    role = Role(form.role.data)
    return attempt(
        target,
        lambda: operations.change_role(user, role, by=current_user),
        _("%(name)s is now: %(role)s.", name=user.display_name, role=ROLE_LABELS[role]),
    )
