"""Messaging setup for a practice's admins: inboxes (pools), where each reason goes, office hours, closed days."""

from __future__ import annotations

from babel.dates import get_day_names
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_login import login_required
from marshmallow import ValidationError

from hearth.errors import Forbidden, Invalid
from hearth.i18n import _l
from hearth.policy import staff_practice_ids
from hearth.schemas.fields import parse_id
from hearth.schemas.messaging import MessagingSettingsSchema
from hearth.services.messages import pools as pool_words
from hearth.services.messages import settings
from portal.helpers import actor, form_errors

bp = Blueprint("messaging_admin", __name__, url_prefix="/settings/messaging")
NEW_ROWS = 1  # empty rows offered to add a pool / a closed day


@bp.app_template_filter("weekday_name")
def weekday_name(weekday: int) -> str:
    """Monday (0) to Sunday (6) in the reader's language."""
    return get_day_names("wide", locale=get_locale())[weekday]


def _form_data(form) -> dict:
    """The page's fields as the settings document (blank rows left out)."""
    pools = []
    for i in range(int(form.get("pool_rows", "0") or 0)):
        row = {k: form.get(f"pools-{i}-{k}", "") for k in ("id", "name", "name_es", "days")}
        if not row["id"] and not row["name"].strip():
            continue
        pools.append({"id": row["id"] or None, "name": row["name"], "name_es": row["name_es"],
                      "reply_target_business_days": row["days"] or 2,
                      "active": form.get(f"pools-{i}-active") == "true"})
    routes = [{"reason": r, "pool_id": form.get(f"route-{r}") or None, "enabled": form.get(f"route-{r}-on") == "true"}
              for r in (o.value for o in pool_words.REASON_LABELS)]
    hours = [{"weekday": w, "opens_at": form.get(f"hours-{w}-opens") or None,
              "closes_at": form.get(f"hours-{w}-closes") or None} for w in range(7)]
    closed = []
    for i in range(int(form.get("closed_rows", "0") or 0)):
        day = form.get(f"closed-{i}-day", "")
        if day and form.get(f"closed-{i}-remove") != "true":
            closed.append({"day": day, "name": form.get(f"closed-{i}-name", "")})
    return {"pools": pools, "routes": routes, "hours": hours, "closed_days": closed}


def _render(practice_id: int, errors: dict | None = None, status: int = 200):
    view = settings.messaging_settings(actor(), practice_id)
    return render_template("messages/settings.html", view=view, errors=errors or {}, new_rows=NEW_ROWS,
                           reasons=pool_words.REASON_LABELS), status


@bp.get("")
@login_required
def index():
    """The setup of the practice given (or the first one the admin runs)."""
    wanted = request.args.get("practice", type=parse_id)
    practice_ids = staff_practice_ids(actor())
    practice_id = wanted or (practice_ids[0] if practice_ids else None)
    if practice_id is None:
        raise Forbidden()
    return _render(practice_id)


@bp.post("/<int:practice_id>")
@login_required
def save(practice_id: int):
    try:
        data = MessagingSettingsSchema().load(_form_data(request.form))
        settings.save_messaging_settings(actor(), practice_id, data)
    except (ValidationError, Invalid) as exc:
        errors = form_errors(exc)
        if errors:
            flash(_l("Please correct the highlighted fields."), "error")
        return _render(practice_id, errors, 422)
    flash(_l("Messaging setup saved."), "success")
    return redirect(url_for("messaging_admin.index", practice=practice_id))
