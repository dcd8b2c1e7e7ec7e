"""Sign-in for the mobile apps: tokens, refresh, sign-out, and asking for a password reset link."""

from __future__ import annotations

import dataclasses

from flask import Response, current_app, g
from flask_babel import get_locale

from api.blueprint import Blueprint
from api.security import BEARER, token_required, token_settings
from hearth.extensions import limiter
from hearth.i18n import _l
from hearth.schemas.account import EmailSchema, PasswordResetConfirmSchema
from hearth.schemas.api_auth import RefreshRequestSchema, TokenRequestSchema, TokenResponseSchema
from hearth.services import api_tokens, auth, password_reset, sessions

blp = Blueprint("api_auth", __name__, url_prefix="/api/v1/auth", description="Sign-in for the mobile apps")

TOO_MANY = _l("Too many attempts from your network. Wait a minute, then try again.")


def _rate_limited() -> str:
    return str(TOO_MANY)


def login_policy() -> auth.LoginPolicy:
    return auth.LoginPolicy.from_config(current_app.config)


def _settings() -> api_tokens.TokenSettings:
    return dataclasses.replace(token_settings(), staff_two_factor=login_policy().staff_two_factor)


def _reset_settings() -> password_reset.ResetSettings:
    cfg = current_app.config
    return password_reset.ResetSettings(cfg["SECRET_KEY"], cfg["PASSWORD_RESET_MINUTES"], cfg["BASE_URL"])


def _pair(pair: api_tokens.TokenPair) -> dict:
    return {"access_token": pair.access_token, "refresh_token": pair.refresh_token,
            "token_type": "Bearer", "expires_in": pair.expires_in}


@blp.route("/token", methods=["POST"])
@limiter.limit("20/minute", error_message=_rate_limited)
@blp.arguments(TokenRequestSchema)
@blp.response(201, TokenResponseSchema)
@blp.alt_response(401, description="Wrong credentials, or the one-time code (`otp`) is missing or wrong")
@blp.alt_response(403, description="Staff account without two-factor sign-in: set it up in the portal first")
@blp.alt_response(429, description="Too many attempts: the account is locked for a while (see Retry-After), "
                                   "or too many requests from this address")
def create_token(data):
    """Sign in with email, password and, when two-factor sign-in is on, the current `otp` code."""
    pair = api_tokens.sign_in(data["email"], data["password"], data.get("otp"), data.get("device_label"),
                              _settings())
    return _pair(pair)


@blp.route("/refresh", methods=["POST"])
@limiter.limit("60/minute", error_message=_rate_limited)
@blp.arguments(RefreshRequestSchema)
@blp.response(200, TokenResponseSchema)
@blp.alt_response(401, description="Invalid, expired or reused refresh token")
def refresh_token(data):
    """Exchange a refresh token for a new pair; the old refresh token stops working."""
    return _pair(api_tokens.refresh(data["refresh_token"], _settings()))


@blp.route("/token", methods=["DELETE"])
@blp.response(204)
@blp.doc(security=BEARER)
@token_required
def delete_token():
    """Sign out: revoke this access token's session and all its refresh tokens."""
    sessions.revoke(g.api_session)


@blp.route("/password-reset", methods=["POST"])
@limiter.limit("5/minute;30/hour", error_message=_rate_limited)
@blp.arguments(EmailSchema)
@blp.response(202)
def request_password_reset(data):
    """Email a password reset link if the address has an account; the answer never says whether it does."""
    password_reset.request_reset(data["email"], _reset_settings(), locale=str(get_locale()))
    return Response(status=202)  # no body: not a JSON null


@blp.route("/password-reset/confirm", methods=["POST"])
@limiter.limit("10/minute", error_message=_rate_limited)
@blp.arguments(PasswordResetConfirmSchema)
@blp.response(204)
@blp.alt_response(422, description="The link expired, was used, or the new password is refused (field `password`)")
def confirm_password_reset(data):
    """Set a new password with the token from the emailed link; every session of the account ends."""
    password_reset.reset_password(data["token"], data["password"], _reset_settings())
