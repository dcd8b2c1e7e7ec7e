"""/api/v1/account: the signed-in person's profile, password, email, two-factor sign-in and sessions.

Changes to how one signs in take `current_password` in the body (the API's re-authentication).
"""

from __future__ import annotations

from datetime import timedelta

from flask import current_app, g

from api.auth import _rate_limited, login_policy
from api.blueprint import Blueprint
from api.security import BEARER, actor, token_required
from hearth.extensions import limiter
from hearth.schemas.account import (
    AccountSchema,
    ApiEmailChangeSchema,
    ApiPasswordChangeSchema,
    ApiTwoFactorConfirmSchema,
    EmailChangeConfirmSchema,
    EnrolmentSchema,
    ProfileSchema,
    ReauthSchema,
    SessionSchema,
)
from hearth.services import account_security, email_change, sessions

blp = Blueprint("api_account", __name__, url_prefix="/api/v1/account", description="Your account and sign-in security")


def _email_settings() -> email_change.EmailChangeSettings:
    return email_change.EmailChangeSettings.from_config(current_app.config)


def _session_policy() -> sessions.SessionPolicy:
    cfg = current_app.config
    return sessions.SessionPolicy(idle=timedelta(minutes=cfg["IDLE_TIMEOUT_MINUTES"]),
                                  absolute=timedelta(hours=cfg["ABSOLUTE_SESSION_HOURS"]))


@blp.route("", methods=["GET"])
@blp.response(200, AccountSchema)
@blp.doc(security=BEARER)
@token_required
def get_account():
    """Your profile and whether two-factor sign-in is on."""
    return actor()


@blp.route("", methods=["PUT"])
@blp.arguments(ProfileSchema)
@blp.response(200, AccountSchema)
@blp.doc(security=BEARER)
@token_required
def update_account(data):
    """Replace the name, language and time zone (no time zone: the practice's)."""
    return account_security.update_profile(actor(), **data)


@blp.route("/password", methods=["POST"])
@blp.arguments(ApiPasswordChangeSchema)
@blp.response(204)
@blp.alt_response(422, description="Wrong `current_password`, or the new `password` is refused")
@blp.alt_response(429, description="Too many wrong passwords: the account is locked for a while")
@blp.doc(security=BEARER)
@token_required
def change_password(data):
    """Change the password; every other session and app sign-in ends (this one stays)."""
    account_security.change_password(actor(), g.api_session, new_password=data["password"],
                                     current_password=data["current_password"], policy=login_policy())


@blp.route("/email", methods=["POST"])
@blp.arguments(ApiEmailChangeSchema)
@blp.response(202, AccountSchema)
@blp.alt_response(422, description="Wrong `current_password`, or `email` is already the sign-in address")
@blp.alt_response(429, description="Too many wrong passwords: the account is locked for a while")
@blp.doc(security=BEARER)
@token_required
def change_email(data):
    """Start changing the sign-in email: a link goes to the new address, and nothing changes until it is opened.

    The answer (`pending_email` set) is the same whether or not another account uses the address.
    Confirm with `POST /api/v1/account/email/confirm`; the old address is then told of the change.
    """
    user = actor()
    email_change.request_change(user, g.api_session, email=data["email"], current_password=data["current_password"],
                                settings=_email_settings(), policy=login_policy())
    return user


@blp.route("/email/pending", methods=["DELETE"])
@blp.response(200, AccountSchema)
@blp.doc(security=BEARER)
@token_required
def cancel_email_change():
    """Forget a pending email change; the link already sent stops working."""
    user = actor()
    email_change.cancel_change(user)
    return user


@blp.route("/email/confirm", methods=["POST"])
@limiter.limit("10/minute", error_message=_rate_limited)
@blp.arguments(EmailChangeConfirmSchema)
@blp.response(204)
@blp.alt_response(422, description="The link expired, was used or replaced by a newer change")
def confirm_email_change(data):
    """Make the new address the sign-in email, with the token from the link emailed to it (no sign-in needed)."""
    email_change.confirm(data["token"], _email_settings())


@blp.route("/two-factor", methods=["POST"])
@blp.response(200, EnrolmentSchema)
@blp.alt_response(409, description="Two-factor sign-in is already on")
@blp.doc(security=BEARER)
@token_required
def start_two_factor():
    """Start setting up two-factor sign-in: the secret and otpauth:// URI for an authenticator app."""
    return account_security.start_two_factor(actor())


@blp.route("/two-factor/confirm", methods=["POST"])
@blp.arguments(ApiTwoFactorConfirmSchema)
@blp.response(200, AccountSchema)
@blp.alt_response(422, description="Wrong `current_password` or `code`")
@blp.doc(security=BEARER)
@token_required
def confirm_two_factor(data):
    """Turn two-factor sign-in on with a first code from the app."""
    user = actor()
    account_security.confirm_two_factor(user, g.api_session, code=data["code"],
                                        current_password=data["current_password"], policy=login_policy())
    return user


@blp.route("/two-factor/disable", methods=["POST"])
@blp.arguments(ReauthSchema)
@blp.response(200, AccountSchema)
@blp.alt_response(403, description="Staff accounts must keep two-factor sign-in")
@blp.doc(security=BEARER)
@token_required
def disable_two_factor(data):
    """Turn two-factor sign-in off (patients and caregivers only)."""
    user = actor()
    account_security.disable_two_factor(user, g.api_session, current_password=data["current_password"],
                                        policy=login_policy())
    return user


@blp.route("/sessions", methods=["GET"])
@blp.response(200, SessionSchema(many=True))
@blp.doc(security=BEARER)
@token_required
def list_sessions():
    """Browsers and app sign-ins that still work, newest activity first; `current` marks this one."""
    return account_security.list_sessions(actor(), _session_policy(), g.api_session.id)


@blp.route("/sessions/<int:session_id>", methods=["DELETE"])
@blp.response(204)
@blp.doc(security=BEARER)
@token_required
def sign_out_session(session_id: int):
    """Sign out one session or app sign-in (its tokens stop working at once)."""
    account_security.sign_out_session(actor(), session_id)


@blp.route("/sessions/sign-out-everywhere", methods=["POST"])
@blp.response(204)
@blp.doc(security=BEARER)
@token_required
def sign_out_everywhere():
    """End every session and token of the account, this one included, and stop pushes to its devices."""
    account_security.sign_out_everywhere(actor())
