"""The "acting for" context on every page, and switching between the people one cares for."""

from __future__ import annotations

from flask import Blueprint, flash, g, redirect, request, url_for
from flask_login import current_user, login_required

from hearth.errors import NotFound
from hearth.i18n import _l
from hearth.schemas.fields import parse_id
from hearth.services import acting
from portal.helpers import actor, safe_next
from portal.navigation import Navigation, navigation

bp = Blueprint("acting", __name__)


@bp.before_app_request
def _forget_people() -> None:
    """Start each request afresh, even where an outer app context (tests, jobs) keeps `g` alive."""
    g.pop("people", None)
    g.pop("person", None)


def _people() -> list[acting.Person]:
    """Everyone the signed-in user may act for, and the one she acts for now (once per request)."""
    if "people" not in g:
        g.people = acting.people_for(actor())
        g.person = acting.current_person(actor(), current_user.session_row, g.people)
    return g.people


def people() -> list[acting.Person]:
    """Everyone the signed-in user may act for now (her own records first)."""
    return _people() if current_user.is_authenticated else []


def current_person() -> acting.Person | None:
    """The person this request acts for: a revoked or expired grant is gone on the next request."""
    if not current_user.is_authenticated:
        return None
    _people()
    return g.person


def shell_context() -> dict:
    if not current_user.is_authenticated:
        return {"person": None, "people": [], "nav": Navigation(), "nav_items": []}
    people = _people()
    nav = navigation(g.person)
    return {"person": g.person, "people": people, "nav": nav, "nav_items": nav.items}


@bp.post("/acting-for")
@login_required
def switch():
    """Act for another person from the next page on (the "Viewing the record of" switcher)."""
    patient_id = request.form.get("patient_id", type=parse_id)
    if patient_id is not None:
        try:
            acting.switch_to(actor(), current_user.session_row, patient_id)
        except NotFound:
            flash(_l("You can no longer act for that person."), "error")
            return redirect(url_for("home.index"))
    return redirect(safe_next(request.form.get("next"), url_for("home.index")))
