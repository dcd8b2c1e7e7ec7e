"""/api/v1: JSON for the mobile apps, bearer-token auth, problem+json errors, OpenAPI 3."""

from __future__ import annotations

from flask import Flask
from flask_smorest import Api

from hearth.extensions import csrf


class HearthApi(Api):
    """flask-smorest Api whose errors are answered by Hearth's problem+json handlers."""

    def _register_error_handlers(self):
        """Errors are handled once, app-wide, in hearth.app (problem+json under /api/)."""


def init_api(app: Flask) -> None:
    app.config.update(
        API_TITLE="Hearth API",
        API_VERSION="v1",
        OPENAPI_VERSION="3.0.3",
        OPENAPI_URL_PREFIX="/api/v1",
        OPENAPI_JSON_PATH="openapi.json",
    )
    api = HearthApi(app, spec_kwargs={"info": {"description": "Hearth patient portal API for the mobile apps."}})
    api.spec.components.security_scheme("bearerAuth", {"type": "http", "scheme": "bearer"})
    for blueprint in blueprints():
        csrf.exempt(blueprint)
        api.register_blueprint(blueprint)
    app.extensions["hearth_api"] = api


def blueprints():
    """Every /api/v1 blueprint; each module owns its endpoints and their schemas."""
    from api import (
        account,
        appointment_links,
        appointments,
        auth,
        caregivers,
        devices,
        me,
        notifications,
        records,
        schedule,
        scheduling_admin,
        settings,
        staff,
    )

    modules = [auth, me, account, devices, caregivers, staff, records, settings, appointments, schedule,
               scheduling_admin, notifications, appointment_links]
    return [module.blp for module in modules]
