"""The signed-in person as Flask-Login sees them: a live UserSession row and its User."""

from __future__ import annotations

from datetime import timedelta

from flask import current_app
from flask_login import UserMixin

from hearth.extensions import login_manager
from hearth.models import User, UserSession
from hearth.services import sessions


class Principal(UserMixin):
    """Wraps the session row; attribute reads fall through to the User for templates."""

    def __init__(self, sid: str, row: UserSession):
        self._sid = sid
        self.session_row = row
        self.user: User = row.user

    def get_id(self) -> str:
        return self._sid

    @property
    def is_active(self) -> bool:
        return self.user.is_active

    def __getattr__(self, name: str):
        return getattr(self.user, name)


def session_policy() -> sessions.SessionPolicy:
    cfg = current_app.config
    return sessions.SessionPolicy(
        idle=timedelta(minutes=cfg["IDLE_TIMEOUT_MINUTES"]),
        absolute=timedelta(hours=cfg["ABSOLUTE_SESSION_HOURS"]),
    )


@login_manager.user_loader
def _load(sid: str) -> Principal | None:
    row = sessions.resolve_web_session(sid, session_policy())
    return Principal(sid, row) if row is not None else None
