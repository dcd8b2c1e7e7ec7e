"""POST/DELETE /api/v1/auth/token and POST /api/v1/auth/refresh."""

from __future__ import annotations

from flask import g
from flask_smorest import Blueprint

from api.security import BEARER, token_required, token_settings
from hearth.extensions import limiter
from hearth.schemas.api_auth import RefreshRequestSchema, TokenRequestSchema, TokenResponseSchema
from hearth.services import api_tokens, sessions

blp = Blueprint("api_auth", __name__, url_prefix="/api/v1/auth", description="Sign-in for the mobile apps")


def _pair(pair: api_tokens.TokenPair) -> dict:
    return {"access_token": pair.access_token, "refresh_token": pair.refresh_token,
            "token_type": "Bearer", "expires_in": pair.expires_in}


@blp.route("/token", methods=["POST"])
@limiter.limit("20/minute")
@blp.arguments(TokenRequestSchema)
@blp.response(201, TokenResponseSchema)
@blp.alt_response(401, description="Wrong credentials or one-time code")
@blp.alt_response(429, description="Too many attempts; the account is locked for a while")
def create_token(data):
    """Sign in with email, password and (when enrolled) a one-time code."""
    pair = api_tokens.sign_in(data["email"], data["password"], data.get("otp"), data.get("device_label"),
                              token_settings())
    return _pair(pair)


@blp.route("/refresh", methods=["POST"])
@limiter.limit("60/minute")
@blp.arguments(RefreshRequestSchema)
@blp.response(200, TokenResponseSchema)
@blp.alt_response(401, description="Invalid, expired or reused refresh token")
def refresh_token(data):
    """Exchange a refresh token for a new pair; the old refresh token stops working."""
    return _pair(api_tokens.refresh(data["refresh_token"], token_settings()))


@blp.route("/token", methods=["DELETE"])
@blp.response(204)
@blp.doc(security=BEARER)
@token_required
def delete_token():
    """Sign out: revoke this access token's session and all its refresh tokens."""
    sessions.revoke(g.api_session)
