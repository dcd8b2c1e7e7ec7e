"""/api/v1: JSON for the mobile apps, bearer-token auth, problem+json errors, OpenAPI 3."""

from __future__ import annotations

import copy

from flask import Flask, current_app, json
from flask_smorest import Api

from api import openapi
from hearth.extensions import csrf, limiter


class HearthApi(Api):
    """flask-smorest Api whose errors are answered, and documented, as Hearth's problem+json."""

    ERROR_SCHEMA = openapi.ProblemSchema

    def _register_error_handlers(self):
        """Errors are handled once, app-wide, in hearth.app (problem+json under /api/)."""

    def _register_responses(self):
        """Error responses carry the Problem schema under application/problem+json (not flask-smorest's Error)."""
        self.spec.components.schema("Problem", schema=openapi.ProblemSchema)
        openapi.problem_responses(self.spec)

    def document(self) -> dict:
        return openapi.finish(copy.deepcopy(self.spec.to_dict()))

    def _openapi_json(self):
        return current_app.response_class(json.dumps(self.document(), indent=2, sort_keys=False),
                                          mimetype="application/json")


def _rate_limited(endpoint: str) -> bool:
    view = current_app.view_functions.get(endpoint)
    if view is None:
        return False
    name = f"{view.__module__}.{view.__name__}"  # flask-limiter marks `module.name.qualname`
    return any(marked == name or marked.startswith(name + ".") for marked in limiter._marked_for_limiting)


def init_api(app: Flask) -> None:
    app.config.update(
        API_TITLE="Hearth API",
        API_VERSION="v1",
        OPENAPI_VERSION="3.0.3",
        OPENAPI_URL_PREFIX="/api/v1",
        OPENAPI_JSON_PATH="openapi.json",
    )
    info = {"description": "Hearth patient portal API for the mobile apps. Errors are RFC 9457 problem+json.",
            "contact": openapi.CONTACT, **({"license": openapi.LICENSE} if openapi.LICENSE else {})}
    api = HearthApi(app, spec_kwargs={"info": info, "servers": openapi.SERVERS,
                                      "extra_plugins": [openapi.ProblemsPlugin(_rate_limited)]})
    api.spec.components.security_scheme("bearerAuth", {"type": "http", "scheme": "bearer"})
    with app.app_context():
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
        billing,
        caregivers,
        devices,
        financing,
        gfe,
        inbox,
        me,
        medications,
        messages,
        messaging_settings,
        notifications,
        records,
        results,
        schedule,
        scheduling_admin,
        settings,
        staff,
        stripe_webhook,
    )

    modules = [auth, me, account, devices, caregivers, staff, records, settings, appointments, schedule,
               scheduling_admin, notifications, appointment_links, medications, results, billing,
               stripe_webhook, messages, messaging_settings, inbox, financing, gfe]
    from api import coverage, estimates, guest_payments  # price estimates, guest pay (issue 10)

    modules += [coverage, estimates, guest_payments]
    return [module.blp for module in modules]
