"""The home page: what the signed-in person needs first."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, current_app, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from hearth.i18n import _l
from hearth.services import accounts, home
from portal.acting import current_person
from portal.helpers import actor, safe_next
from portal.navigation import NavItem, navigation

bp = Blueprint("home", __name__)


@bp.get("/")
@login_required
def index():
    """What's next: the next visit and its actions, the to-do cards, then shortcuts."""
    person = current_person()
    summary = home.summary(actor(), person)
    return render_template("home.html", summary=summary, shortcuts=shortcuts(person))


def shortcuts(person) -> list[NavItem]:
    """The home page's shortcuts: booking (when the person's access covers it), then the menu's areas."""
    items = [i for i in navigation(person).items if i.url != url_for("home.index")]
    if person is not None and person.may("appointments"):
        items.insert(0, NavItem(str(_l("Book an appointment")), url_for("booking.find"), False, "event"))
    return items


@bp.get("/more")
@login_required
def more():
    """Every area the user may open (the phone's "More"; works without JavaScript)."""
    return render_template("more.html")


@bp.post("/language")
def language():
    """Remember the chosen language: on the account when signed in, else in a cookie."""
    lang = request.form.get("lang", "")
    if lang not in current_app.config["LANGUAGES"]:
        lang = current_app.config["LANGUAGES"][0]
    if current_user.is_authenticated:
        accounts.set_locale(actor(), lang)
    response = redirect(safe_next(request.referrer and urlsplit(request.referrer).path, url_for("home.index")))
    response.set_cookie("lang", lang, max_age=365 * 24 * 3600, samesite="Lax", httponly=True)
    return response
