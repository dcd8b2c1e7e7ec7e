"""The account page: profile, password, email, two-factor sign-in, sessions and devices.

Also the app-wide guard that keeps staff who have not set up two-factor sign-in on the set-up page.
"""

from __future__ import annotations

from zoneinfo import available_timezones

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required, logout_user
from marshmallow import ValidationError

from hearth.errors import DomainError, Invalid
from hearth.i18n import LANGUAGE_NAMES, _l
from hearth.schemas.account import (
    EmailChangeSchema,
    PasswordChangeSchema,
    ProfileSchema,
    ReauthSchema,
    TwoFactorConfirmSchema,
)
from hearth.services import account_security, auth, email_change
from hearth.services.account_security import ReauthRequired
from hearth.services.two_factor import is_required as two_factor_required
from portal.auth import login_policy
from portal.helpers import actor, form_errors, safe_next
from portal.principal import session_policy

bp = Blueprint("account", __name__, url_prefix="/account")

# Pages a staff member who still has to set up two-factor sign-in may open.
_ENROLMENT_PAGES = {"account.two_factor", "account.reauth", "auth.logout", "home.language", "account.email_confirm"}


def _row():
    return current_user.session_row


def _form(*names: str) -> dict:
    return {name: request.form.get(name, "") for name in names}


def _saved(message) -> object:
    flash(str(message), "success")
    return redirect(url_for("account.index"))


def _reauth():
    return redirect(url_for("account.reauth", next=request.path))


@bp.before_app_request
def _require_two_factor():
    """Staff, providers and admins use nothing else until two-factor sign-in is set up."""
    if request.path.startswith("/api/") or request.endpoint in (None, "static") or request.blueprint == "pwa":
        return None
    if request.endpoint in _ENROLMENT_PAGES or not current_user.is_authenticated:
        return None
    if auth.must_enrol(actor(), login_policy()):
        flash(str(_l("Your account needs two-factor sign-in. Set it up to continue.")), "info")
        return redirect(url_for("account.two_factor"))
    return None


def _index(errors: dict | None = None, values: dict | None = None, status: int = 200):
    user = actor()
    return render_template(
        "account/index.html",
        errors=errors or {},
        values=values or {"display_name": user.display_name, "locale": user.locale, "timezone": user.timezone or ""},
        languages=LANGUAGE_NAMES,
        zones=sorted(available_timezones()),
        sessions=account_security.list_sessions(user, session_policy(), _row().id),
        devices=account_security.list_devices(user),
        two_factor_required=two_factor_required(user),
    ), status


@bp.get("")
@login_required
def index():
    return _index()


@bp.post("/profile")
@login_required
def profile():
    values = _form("display_name", "locale", "timezone")
    try:
        data = ProfileSchema().load({**values, "timezone": values["timezone"] or None})
        account_security.update_profile(actor(), **data)
    except (ValidationError, Invalid) as exc:
        return _index(form_errors(exc), values, 422)
    return _saved(_l("Your profile was saved."))


@bp.route("/confirm-password", methods=["GET", "POST"])
@login_required
def reauth():
    errors: dict = {}
    target = safe_next(request.args.get("next"), url_for("account.index"))
    if request.method == "POST":
        try:
            data = ReauthSchema().load(_form("current_password"))
            account_security.reauthenticate(actor(), _row(), data["current_password"], policy=login_policy())
            return redirect(target)
        except (ValidationError, DomainError) as exc:
            errors = form_errors(exc)
    return render_template("account/reauth.html", errors=errors), (422 if errors else 200)


@bp.route("/password", methods=["GET", "POST"])
@login_required
def password():
    if account_security.needs_reauth(_row(), login_policy()):
        return _reauth()
    errors: dict = {}
    if request.method == "POST":
        try:
            data = PasswordChangeSchema().load(_form("password", "password_confirm"))
            ended = account_security.change_password(actor(), _row(), new_password=data["password"],
                                                     policy=login_policy())
            return _saved(_l("Your password was changed. Other sessions signed out: %(count)d.", count=ended))
        except ReauthRequired:
            return _reauth()
        except (ValidationError, DomainError) as exc:
            errors = form_errors(exc)
    return render_template("account/password.html", errors=errors), (422 if errors else 200)


def _email_settings() -> email_change.EmailChangeSettings:
    return email_change.EmailChangeSettings.from_config(current_app.config)


@bp.route("/email", methods=["GET", "POST"])
@login_required
def email():
    if account_security.needs_reauth(_row(), login_policy()):
        return _reauth()
    errors: dict = {}
    values = {"email": request.form.get("email", actor().email)}
    if request.method == "POST":
        try:
            data = EmailChangeSchema().load(_form("email"))
            pending = email_change.request_change(actor(), _row(), email=data["email"], settings=_email_settings(),
                                                  policy=login_policy())
            return _saved(_l("We sent a link to %(email)s. Open it within %(hours)d hours to start signing in "
                             "with that address. Until then, keep using %(current)s.", email=pending,
                             hours=_email_settings().hours, current=actor().email))
        except ReauthRequired:
            return _reauth()
        except (ValidationError, DomainError) as exc:
            errors = form_errors(exc)
    return render_template("account/email.html", errors=errors, values=values), (422 if errors else 200)


@bp.post("/email/cancel")
@login_required
def email_cancel():
    email_change.cancel_change(actor())
    return _saved(_l("The email change was cancelled. The link we sent no longer works."))


@bp.route("/email/confirm/<token>", methods=["GET", "POST"])
def email_confirm(token: str):
    """The link emailed to the new address: opening it shows one button; pressing it makes the change."""
    try:
        if request.method == "POST":
            user = email_change.confirm(token, _email_settings())
            flash(str(_l("Your sign-in email address is now %(email)s. Use it the next time you sign in.",
                         email=user.email)), "success")
            return redirect(url_for("account.index" if current_user.is_authenticated else "auth.login"))
        change = email_change.check_token(token, _email_settings())
    except Invalid as exc:
        return render_template("account/email_confirm.html", link_error=str(exc.message), change=None), 400
    return render_template("account/email_confirm.html", link_error=None, change=change)


@bp.route("/two-factor", methods=["GET", "POST"])
@login_required
def two_factor():
    user = actor()
    if not user.totp_enabled and account_security.needs_reauth(_row(), login_policy()):
        return _reauth()
    errors: dict = {}
    if request.method == "POST":
        try:
            data = TwoFactorConfirmSchema().load(_form("code"))
            account_security.confirm_two_factor(user, _row(), code=data["code"], policy=login_policy())
            return _saved(_l("Two-factor sign-in is on. You will enter a code from your app each time you sign in."))
        except ReauthRequired:
            return _reauth()
        except (ValidationError, DomainError) as exc:
            errors = form_errors(exc)
    enrolment = None if user.totp_enabled else account_security.start_two_factor(user)
    return render_template("account/two_factor.html", errors=errors, enrolment=enrolment,
                           required=two_factor_required(user)), (422 if errors else 200)


@bp.post("/two-factor/disable")
@login_required
def two_factor_disable():
    try:
        account_security.disable_two_factor(actor(), _row(), policy=login_policy())
    except ReauthRequired:
        return redirect(url_for("account.reauth", next=url_for("account.two_factor")))
    except DomainError as exc:
        flash(str(exc.message), "error")
        return redirect(url_for("account.two_factor"))
    return _saved(_l("Two-factor sign-in is off."))


@bp.post("/sessions/<int:session_id>/sign-out")
@login_required
def sign_out_session(session_id: int):
    current = session_id == _row().id
    account_security.sign_out_session(actor(), session_id)
    if current:
        logout_user()
        flash(str(_l("You have signed out.")), "info")
        return redirect(url_for("auth.login"))
    return _saved(_l("That session was signed out."))


@bp.post("/sessions/sign-out-everywhere")
@login_required
def sign_out_everywhere():
    account_security.sign_out_everywhere(actor())
    logout_user()
    flash(str(_l("You were signed out on every browser and device, including this one.")), "info")
    return redirect(url_for("auth.login"))


@bp.post("/devices/<int:device_id>/remove")
@login_required
def remove_device(device_id: int):
    account_security.remove_device(actor(), device_id)
    return _saved(_l("That device will no longer get notifications."))
