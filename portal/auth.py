"""Sign in and sign out."""

from __future__ import annotations

from datetime import timedelta

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_user, logout_user
from marshmallow import ValidationError

from hearth.errors import DomainError
from hearth.extensions import limiter
from hearth.i18n import _l
from hearth.schemas.auth import LoginSchema
from hearth.services import auth, sessions
from portal.helpers import form_errors, safe_next
from portal.principal import Principal, session_policy

bp = Blueprint("auth", __name__)


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit("20/minute", methods=["POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("home.index"))
    errors: dict = {}
    values = {"email": request.form.get("email", "")}
    if request.method == "POST":
        try:
            data = LoginSchema().load({"email": request.form.get("email", ""),
                                       "password": request.form.get("password", "")})
            cfg = current_app.config
            user = auth.check_password(
                data["email"], data["password"],
                max_failures=cfg["LOGIN_MAX_FAILURES"],
                lockout=timedelta(minutes=cfg["LOGIN_LOCKOUT_MINUTES"]),
            )
            sid, row = sessions.start_web_session(user, session_policy())
            from hearth import db

            db.session.commit()
            login_user(Principal(sid, row))
            return redirect(safe_next(request.args.get("next"), url_for("home.index")))
        except ValidationError as exc:
            errors = form_errors(exc)
        except DomainError as exc:
            flash(str(exc.message), "error")
    return render_template("auth/login.html", errors=errors, values=values), (422 if errors else 200)


@bp.post("/logout")
def logout():
    if current_user.is_authenticated:
        sessions.revoke(current_user.session_row)
        logout_user()
    flash(_l("You have signed out."), "info")
    return redirect(url_for("auth.login"))
