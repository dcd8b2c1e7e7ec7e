"""The "acting for" context on every page, and switching between the people one cares for."""

from __future__ import annotations

from flask import Blueprint, g, redirect, request, url_for
from flask_login import current_user, login_required

from hearth.services import acting
from portal.helpers import actor, safe_next
from portal.navigation import nav_items

bp = Blueprint("acting", __name__)


def current_person() -> acting.Person | None:
    """The person this request acts for (computed once per request)."""
    if not current_user.is_authenticated:
        return None
    if "person" not in g:
        g.person = acting.current_person(actor(), current_user.session_row)
    return g.person


def shell_context() -> dict:
    if not current_user.is_authenticated:
        return {"person": None, "people": [], "nav_items": []}
    person = current_person()
    return {"person": person, "people": acting.people_for(actor()), "nav_items": nav_items(person)}


@bp.post("/acting-for")
@login_required
def switch():
    patient_id = request.form.get("patient_id", type=int)
    if patient_id is not None:
        acting.switch_to(actor(), current_user.session_row, patient_id)
    return redirect(safe_next(request.form.get("next"), url_for("home.index")))
