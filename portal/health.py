"""`/healthz` (liveness) and `/readyz` (readiness) for load balancers: public, unaudited, not rate-limited."""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify

from hearth import health
from hearth.extensions import limiter

bp = Blueprint("health", __name__)


@bp.get("/healthz")
@limiter.exempt
def healthz():
    """The process answers; touches nothing else (a database outage must not restart every server)."""
    return _answer({"status": "ok"}, 200)


@bp.get("/readyz")
@limiter.exempt
def readyz():
    """Database reachable, migrations at head, broker reachable when configured, outbox being sent."""
    checks = health.readiness(current_app.config)
    ready = all(state == health.OK for state in checks.values())
    return _answer({"status": "ok" if ready else "failing", "checks": checks}, 200 if ready else 503)


def _answer(body: dict, status: int):
    response = jsonify(body)
    response.status_code = status
    response.headers["Cache-Control"] = "no-store"
    return response
