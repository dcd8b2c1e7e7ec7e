"""Sign in (password, then the one-time code when enrolled), sign out, and reset a forgotten password."""

from __future__ import annotations

import time

from flask import Blueprint, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import get_locale
from flask_login import current_user, login_user, logout_user
from flask_wtf.csrf import CSRFError
from marshmallow import ValidationError

from hearth import db, policy
from hearth.errors import DomainError, Invalid, Locked
from hearth.extensions import limiter
from hearth.i18n import _l
from hearth.schemas.account import CodeSchema, EmailSchema, ResetPasswordSchema
from hearth.schemas.auth import LoginSchema
from hearth.services import auth, password_reset, sessions
from portal.helpers import form_errors, safe_next
from portal.principal import Principal, session_policy

bp = Blueprint("auth", __name__)

PENDING = "pending_sign_in"  # Flask-session key: who passed the password step, when, and where to go next
PENDING_SECONDS = 300
TOO_MANY = _l("Too many attempts from your network. Wait a minute, then try again.")
ENDED = {
    "idle": _l("You were signed out after a period of inactivity. Please sign in again."),
    "expired": _l("For your security, sessions last a limited time. Please sign in again."),
}


def login_policy() -> auth.LoginPolicy:
    return auth.LoginPolicy.from_config(current_app.config)


def reset_settings() -> password_reset.ResetSettings:
    cfg = current_app.config
    return password_reset.ResetSettings(cfg["SECRET_KEY"], cfg["PASSWORD_RESET_MINUTES"], cfg["BASE_URL"])


def _rate_limited():
    return str(TOO_MANY)


def _signed_in(result: auth.WebSignIn, next_url: str | None):
    session.pop(PENDING, None)
    login_user(Principal(result.sid, result.row))
    return redirect(safe_next(next_url, landing(result.row.user)))


def landing(user) -> str:
    """Where a sign-in leads without a `next`: providers and staff to their workspace, everyone else home."""
    if "workspace.index" in current_app.view_functions and policy.staff_practice_ids(user):
        return url_for("workspace.index")
    return url_for("home.index")


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit("20/minute", methods=["POST"], error_message=_rate_limited)
def login():
    if current_user.is_authenticated:
        return redirect(url_for("home.index"))
    errors: dict = {}
    status = 200
    values = {"email": request.form.get("email", "")}
    if request.method == "POST":
        try:
            data = LoginSchema().load({"email": values["email"], "password": request.form.get("password", "")})
            result = auth.begin_web_sign_in(data["email"], data["password"], policy=login_policy(),
                                            session_policy=session_policy())
            if not result.needs_code:
                return _signed_in(result, request.args.get("next"))
            session[PENDING] = {"u": result.user.id, "t": int(time.time()), "n": request.args.get("next")}
            return redirect(url_for("auth.login_code"))
        except ValidationError as exc:
            errors, status = form_errors(exc), 422
        except DomainError as exc:
            flash(str(exc.message), "error")
            status = 429 if isinstance(exc, Locked) else 200
    return render_template("auth/login.html", errors=errors, values=values), status


@bp.route("/login/code", methods=["GET", "POST"])
@limiter.limit("20/minute", methods=["POST"], error_message=_rate_limited)
def login_code():
    pending = session.get(PENDING)
    if not pending or time.time() - pending.get("t", 0) > PENDING_SECONDS:
        session.pop(PENDING, None)
        flash(str(_l("Your sign-in took too long. Please enter your email and password again.")), "info")
        return redirect(url_for("auth.login"))
    errors: dict = {}
    if request.method == "POST":
        try:
            data = CodeSchema().load({"code": request.form.get("code", "")})
            result = auth.finish_web_sign_in(pending["u"], data["code"], policy=login_policy(),
                                             session_policy=session_policy())
            return _signed_in(result, pending.get("n"))
        except ValidationError as exc:
            errors = form_errors(exc)
        except Locked as exc:
            session.pop(PENDING, None)
            flash(str(exc.message), "error")
            return render_template("auth/login.html", errors={}, values={"email": ""}), 429
        except DomainError as exc:
            errors = form_errors(exc)
    return render_template("auth/login_code.html", errors=errors), (422 if errors else 200)


@bp.post("/logout")
def logout():
    if current_user.is_authenticated:
        sessions.revoke(current_user.session_row)
        logout_user()
    flash(str(_l("You have signed out.")), "info")
    return redirect(url_for("auth.login"))


@bp.route("/forgot-password", methods=["GET", "POST"])
@limiter.limit("5/minute;30/hour", methods=["POST"], error_message=_rate_limited)
def forgot_password():
    errors: dict = {}
    values = {"email": request.form.get("email", "")}
    if request.method == "POST":
        try:
            data = EmailSchema().load({"email": values["email"]})
            password_reset.request_reset(data["email"], reset_settings(), locale=str(get_locale()))
            # The same answer whether or not the email has an account.
            flash(str(_l("If an account uses that email address, we have sent it a link to choose a new password. "
                         "The link works for %(minutes)d minutes.", minutes=reset_settings().minutes)), "info")
            return redirect(url_for("auth.login"))
        except ValidationError as exc:
            errors = form_errors(exc)
    return render_template("auth/forgot_password.html", errors=errors, values=values), (422 if errors else 200)


@bp.route("/reset-password/<token>", methods=["GET", "POST"])
@limiter.limit("10/minute", methods=["POST"], error_message=_rate_limited)
def reset_password(token: str):
    errors: dict = {}
    try:
        password_reset.check_token(token, reset_settings())
        if request.method == "POST":
            data = ResetPasswordSchema().load({"password": request.form.get("password", ""),
                                               "password_confirm": request.form.get("password_confirm", "")})
            password_reset.reset_password(token, data["password"], reset_settings())
            if current_user.is_authenticated:
                logout_user()
            flash(str(_l("Your password has been changed and you were signed out everywhere. Sign in with "
                         "your new password.")), "success")
            return redirect(url_for("auth.login"))
    except ValidationError as exc:
        errors = form_errors(exc)
    except Invalid as exc:
        if not exc.fields:
            return render_template("auth/reset_password.html", link_error=str(exc.message), errors={}), 400
        errors = form_errors(exc)
    return render_template("auth/reset_password.html", link_error=None, errors=errors), (422 if errors else 200)


@bp.before_app_request
def _explain_ended_session():
    """When a portal session has ended (idle, too old, signed out elsewhere), say why on the sign-in page."""
    if request.path.startswith("/api/") or request.endpoint in (None, "static") or request.blueprint == "pwa":
        return None
    sid = session.get("_user_id")
    if not sid or current_user.is_authenticated:
        return None
    reason = auth.session_end_reason(sid, session_policy())
    for key in ("_user_id", "_fresh", "_id"):
        session.pop(key, None)
    flash(str(ENDED.get(reason, _l("Your session has ended. Please sign in again."))), "info")
    if request.blueprint == "auth":
        return None
    target = request.full_path.rstrip("?") if request.method == "GET" else None
    return redirect(url_for("auth.login", next=target))


@bp.app_errorhandler(CSRFError)
def _csrf_error(error: CSRFError):
    """A form sent without its security token (expired page, another site): a plain page, not a 500."""
    db.session.rollback()
    return render_template(
        "errors/error.html",
        title=_l("This form could not be sent"),
        message=_l("For your security, forms expire. Go back, reload the page and try again."),
    ), 400
