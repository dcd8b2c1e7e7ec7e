"""create_app: the one module that knows both HTTP layers (portal/ and api/)."""

from __future__ import annotations

import logging
from pathlib import Path
from types import SimpleNamespace

from flask import Flask, request
from flask.sessions import SecureCookieSessionInterface
from flask_migrate import Migrate
from werkzeug.middleware.proxy_fix import ProxyFix

from hearth import config as config_module
from hearth import db, health, logs
from hearth.context import RequestInfo, set_request_info
from hearth.edge import header_text, init_edge
from hearth.extensions import babel, csrf, limiter, login_manager
from hearth.i18n import select_locale, select_timezone

ROOT = Path(__file__).resolve().parent.parent


class CookieSessions(SecureCookieSessionInterface):
    """Flask's signed-cookie session, without building its signer for a request that sends no cookie.

    Flask builds the signer (a serializer and its self-test) on every request before looking for the
    cookie; API calls never send one, and an empty session is what Flask would open for them anyway.
    """

    def open_session(self, app, request):
        if app.secret_key and self.get_cookie_name(app) not in request.cookies:
            return self.session_class()
        return super().open_session(app, request)


def create_app(config: dict | None = None) -> Flask:
    """Build the Flask app; `config` overrides settings read from the environment."""
    app = Flask(
        "hearth",
        instance_path=str(ROOT / "instance"),
        static_folder=str(ROOT / "static"),
        template_folder=str(ROOT / "portal" / "templates"),
    )
    settings = config_module.load(Path(app.instance_path))
    settings.update(config or {})
    if config and "SECRET_KEY" in config:
        settings.setdefault("SECRET_KEY_SOURCE", "config")
        settings["SECRET_KEY_SOURCE"] = "config"
    app.config.update(settings)
    app.session_interface = CookieSessions()
    logs.configure(fmt=app.config.get("LOG_FORMAT"), level=app.config.get("LOG_LEVEL"))

    if app.config.get("SECRET_KEY_SOURCE") == "instance" and not app.config["DATABASE_URL"].startswith("sqlite"):
        logging.getLogger("hearth").error(
            "SECRET_KEY is not set: using %s/secret_key, which is this machine's own. With more than one app "
            "server or worker, set the same SECRET_KEY on every one, or sessions, API tokens and reminder "
            "links break across them (docs/production.md).", app.instance_path)

    if not app.config.get("SKIP_DB_CONFIGURE"):
        db.configure(app.config["DATABASE_URL"])

    @app.teardown_appcontext
    def _remove_session(exc):
        db.session.remove()

    backlog = health.BacklogWatch(float(app.config.get("BACKLOG_WARN_EVERY", 60)),
                                  int(app.config.get("READY_MAX_BACKLOG_SECONDS") or 600))

    @app.before_request
    def _request_info():
        logs.set_request_id(request.headers.get("X-Request-Id"))
        backlog.tick()
        set_request_info(RequestInfo(ip=request.remote_addr, user_agent=header_text(request.headers.get("User-Agent"))))

    @app.after_request
    def _request_id_header(response):
        response.headers["X-Request-Id"] = logs.request_id()
        return response

    @app.teardown_request
    def _forget_request_id(exc):
        logs.clear_request_id()

    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES", str(ROOT / "translations"))
    babel.init_app(app, locale_selector=select_locale, timezone_selector=select_timezone)
    csrf.init_app(app)
    login_manager.init_app(app)
    _behind_proxies_and_shared_limits(app)
    limiter.init_app(app)
    Migrate(app, db=SimpleNamespace(metadata=db.Base.metadata), directory=str(ROOT / "migrations"))

    from api import init_api
    from portal import init_portal

    init_edge(app)  # bounded URL converters and JSON parsing, before any route exists
    init_portal(app)
    init_api(app)

    _register_error_handlers(app)
    _register_transport_headers(app)

    from hearth.cli import register_cli

    register_cli(app)
    return app


# Public documents that may be cached; every other answer can carry patient data or tokens.
CACHEABLE = ("/static/", "/api/v1/openapi.json")


def _register_transport_headers(app: Flask) -> None:
    """HSTS behind HTTPS, and `Cache-Control: no-store` on everything but static files and the API document.

    Runs for error answers too (problem+json, error pages), and whoever is signed in, so no page or
    API answer with a record, a calendar file or a token lands in a browser's or proxy's cache.
    """

    @app.after_request
    def _transport_headers(response):
        if app.config.get("SESSION_COOKIE_SECURE"):
            response.headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
        if not request.path.startswith(CACHEABLE):
            response.headers["Cache-Control"] = "no-store"
        return response
def _behind_proxies_and_shared_limits(app: Flask) -> None:
    """Rate limits counted in Redis when REDIS_URL is set (shared by every worker process), and the
    client's address, scheme and host taken from the TRUSTED_PROXIES proxies in front (ProxyFix)."""
    if not app.config.get("RATELIMIT_STORAGE_URI"):
        app.config["RATELIMIT_STORAGE_URI"] = app.config.get("REDIS_URL") or "memory://"
    hops = int(app.config.get("TRUSTED_PROXIES") or 0)
    if hops:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)  # type: ignore[method-assign]


def _register_error_handlers(app: Flask) -> None:
    """One place turns errors into problem+json under /api/ and into HTML pages elsewhere."""
    from flask import render_template
    from werkzeug.exceptions import HTTPException

    from api import problems
    from hearth.errors import DomainError
    from hearth.i18n import _l

    titles = {
        400: _l("The form could not be accepted"),
        405: _l("That action is not available here"),
        429: _l("Too many attempts"),
        403: _l("You do not have access to this page"),
        404: _l("Page not found"),
        413: _l("That was too much to send at once"),
        500: _l("Something went wrong"),
    }
    messages = {
        400: _l("The page may have expired. Go back, reload it and try again."),
        405: _l("Go back and try again from the page."),
        429: _l("Please wait a few minutes and try again."),
        403: _l("If you think you should, ask your practice."),
        404: _l("The page you asked for does not exist or is not available to you."),
        413: _l("Go back and send less, for example a shorter text."),
        500: _l("We could not complete your request. Nothing you saved was lost; please try again."),
    }

    def is_api() -> bool:
        return request.path.startswith("/api/")

    def page(status: int, title=None, message=None):
        db.session.rollback()
        title = title or titles.get(status) or _l("Request failed")
        message = message or messages.get(status, "")
        return render_template("errors/error.html", title=title, message=message), status

    @app.errorhandler(DomainError)
    def _domain(error: DomainError):
        db.session.rollback()
        if is_api():
            return problems.from_domain(error)
        if error.status == 401:
            from flask import redirect, url_for

            return redirect(url_for("auth.login", next=request.path))
        return page(error.status, message=str(error.message))

    @app.errorhandler(HTTPException)
    def _http(error: HTTPException):
        if is_api():
            db.session.rollback()
            return problems.from_http(error)
        if error.code and error.code < 400:
            return error
        # werkzeug's names and descriptions are English only: other statuses get the API's words.
        described = error.description != type(error).description  # a message we gave (translated)
        return page(error.code or 500, title=titles.get(error.code) or problems.TITLES.get(error.code),
                    message=error.description if described else None)

    @app.errorhandler(Exception)
    def _unexpected(error: Exception):
        app.logger.exception("unhandled error", exc_info=error)
        if is_api():
            db.session.rollback()
            return problems.problem(500, problems.TITLES[500], str(messages[500]))
        return page(500)

