"""Bearer-token authentication for API views."""

from __future__ import annotations

import functools
from datetime import timedelta

from flask import current_app, g, request

from hearth.errors import Unauthorized
from hearth.i18n import _l
from hearth.models import User
from hearth.services import api_tokens

BEARER = [{"bearerAuth": []}]


def token_settings() -> api_tokens.TokenSettings:
    cfg = current_app.config
    return api_tokens.TokenSettings(
        secret=cfg["SECRET_KEY"],
        access_ttl=timedelta(minutes=cfg["ACCESS_TOKEN_MINUTES"]),
        refresh_ttl=timedelta(days=cfg["REFRESH_TOKEN_DAYS"]),
        max_failures=cfg["LOGIN_MAX_FAILURES"],
        lockout=timedelta(minutes=cfg["LOGIN_LOCKOUT_MINUTES"]),
    )


def authenticate() -> None:
    """Load the user behind `Authorization: Bearer …` into g.api_user (once per request), or raise Unauthorized."""
    if g.get("api_user") is not None:
        return
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthorized(_l("Send an access token in the Authorization header."))
    g.api_user, g.api_session = api_tokens.authenticate(token.strip(), token_settings())


def token_required(view):
    """Mark a view as signed-in only: api.blueprint checks the token before the body is parsed."""

    @functools.wraps(view)
    def wrapper(*args, **kwargs):
        authenticate()
        return view(*args, **kwargs)

    wrapper.hearth_token_required = True
    return wrapper


def actor() -> User:
    return g.api_user
