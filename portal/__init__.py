"""The server-rendered portal: blueprints that parse a form, call a service, then render or redirect."""

from __future__ import annotations

from flask import Flask
from flask_babel import get_locale

from hearth.extensions import login_manager
from hearth.i18n import LANGUAGE_NAMES, _l
from portal import formatting, texts

USWDS_VERSION = "3.14.0"  # static/vendor/uswds-<version>, put there by scripts/vendor_uswds.sh


def init_portal(app: Flask) -> None:
    from portal import principal  # noqa: F401  (registers the user loader)

    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Please sign in to continue.")
    login_manager.login_message_category = "info"
    login_manager.needs_refresh_message = _l("Please confirm your password to continue.")
    login_manager.needs_refresh_message_category = "info"
    login_manager.session_protection = None  # sessions are server-side rows, revocable at once

    for bp in _blueprints():
        app.register_blueprint(bp)

    formatting.register(app)
    texts.register(app)

    @app.context_processor
    def _shell():
        from portal.acting import shell_context

        return {"languages": LANGUAGE_NAMES, "get_locale": get_locale, "uswds_version": USWDS_VERSION,
                **shell_context()}

    @app.after_request
    def _security_headers(response):
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault(
            "Content-Security-Policy",
            "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; frame-ancestors 'none'",
        )
        return response  # Cache-Control: no-store is set for every page in hearth.app


def _blueprints():
    """Every portal blueprint, in registration order; each module owns its pages."""
    from portal import (
        account,
        acting,
        appointments,
        auth,
        billing,
        billing_staff,
        booking,
        caregivers,
        financing,
        gfe,
        guest_pay,
        health,
        home,
        inbox,
        medications,
        messages,
        messaging_admin,
        notifications,
        pwa,
        records,
        refill_queue,
        reminder_links,
        results,
        results_staff,
        schedule,
        scheduling_admin,
        settings,
        staff,
        staff_medications,
        workspace,
    )

    modules = [health, auth, acting, home, account, caregivers, staff, records, settings, booking, appointments,
               schedule, scheduling_admin, notifications, reminder_links, pwa, medications, refill_queue,
               staff_medications, results, results_staff, billing, billing_staff, guest_pay, messages,
               messaging_admin, inbox, workspace, financing, gfe]
    from portal import coverage, estimates, fee_schedule  # price estimates (issue 10)

    modules += [coverage, estimates, fee_schedule]
    return [module.bp for module in modules]
