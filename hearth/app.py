"""create_app: the one module that knows both HTTP layers (portal/ and api/)."""

from __future__ import annotations

import logging
from pathlib import Path
from types import SimpleNamespace

from flask import Flask, request
from flask_migrate import Migrate

from hearth import config as config_module
from hearth import db
from hearth.context import RequestInfo, set_request_info
from hearth.extensions import babel, csrf, limiter, login_manager
from hearth.i18n import select_locale, select_timezone

ROOT = Path(__file__).resolve().parent.parent


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
    app.config.update(settings)
    logging.basicConfig(level=logging.INFO)

    if not app.config.get("SKIP_DB_CONFIGURE"):
        db.configure(app.config["DATABASE_URL"])

    @app.teardown_appcontext
    def _remove_session(exc):
        db.session.remove()

    @app.before_request
    def _request_info():
        set_request_info(RequestInfo(ip=request.remote_addr, user_agent=request.headers.get("User-Agent")))

    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES", str(ROOT / "translations"))
    babel.init_app(app, locale_selector=select_locale, timezone_selector=select_timezone)
    csrf.init_app(app)
    login_manager.init_app(app)
    limiter.init_app(app)
    Migrate(app, db=SimpleNamespace(metadata=db.Base.metadata), directory=str(ROOT / "migrations"))

    from api import init_api
    from portal import init_portal

    init_portal(app)
    init_api(app)

    from hearth.cli import register_cli

    register_cli(app)
    return app
