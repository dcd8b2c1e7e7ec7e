"""The installable web app: manifest, service worker (offline page only) and the offline page itself.

The service worker is served from the site root so its scope covers every page; it keeps only the
offline page and the static files that page needs, and never stores a patient's data or any page
fetched while signed in (those always go to the network; see static/js/sw.js).
"""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify, render_template, send_from_directory, url_for
from flask_babel import get_locale
from flask_babel import gettext as _

bp = Blueprint("pwa", __name__)


@bp.get("/manifest.webmanifest")
def manifest():
    icons = [
        {"src": url_for("static", filename="icons/icon-192.png"), "sizes": "192x192", "type": "image/png"},
        {"src": url_for("static", filename="icons/icon-512.png"), "sizes": "512x512", "type": "image/png"},
        {"src": url_for("static", filename="icons/icon-maskable-512.png"), "sizes": "512x512", "type": "image/png",
         "purpose": "maskable"},
        {"src": url_for("static", filename="icons/icon.svg"), "sizes": "any", "type": "image/svg+xml"},
    ]
    response = jsonify({
        "name": _("Hearth patient portal"), "short_name": _("Hearth"), "lang": str(get_locale()),
        "description": _("Your visits, messages and care team in one place."),
        "start_url": url_for("home.index"), "scope": "/", "display": "standalone",
        "background_color": "#ffffff", "theme_color": "#8a3b12", "icons": icons,
    })
    response.mimetype = "application/manifest+json"
    return response


@bp.get("/sw.js")
def service_worker():
    response = send_from_directory(current_app.static_folder, "js/sw.js", mimetype="text/javascript", max_age=0)
    response.headers["Cache-Control"] = "no-cache"
    response.headers["Service-Worker-Allowed"] = "/"
    return response


@bp.get("/offline")
def offline():
    """Shown by the service worker when the network is gone: no names, no data, nothing personal."""
    return render_template("offline.html")
