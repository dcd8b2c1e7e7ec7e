"""Good Faith Estimates in the portal: the list, one estimate, its PDF, asking for one, and the admins' settings."""

from __future__ import annotations

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_login import login_required
from marshmallow import ValidationError

from hearth.errors import Conflict, Invalid, NotFound
from hearth.i18n import _l
from hearth.schemas.fields import parse_id
from hearth.schemas.gfe import GfeSettingsInputSchema
from hearth.services import practice_settings
from hearth.services.gfe import issue, pdf, records
from hearth.services.gfe.wording import keep_this, statements
from portal.acting import current_person
from portal.helpers import actor, form_errors

bp = Blueprint("gfe", __name__, url_prefix="/good-faith-estimates")
SETTINGS_KEYS = ("tin", "npi", "state", "contact")


def _person():
    person = current_person()
    if person is None:
        raise NotFound()
    return person


@bp.get("/")
@login_required
def index():
    """The person's Good Faith Estimates, latest first, and a way to ask for one."""
    person = _person()
    estimates = records.list_for_patient(actor(), person.patient)
    options = records.request_options(actor(), person.patient)
    return render_template("gfe/index.html", person=person, estimates=estimates, options=options)


@bp.post("/request")
@login_required
def ask():
    """Issue an estimate for an upcoming visit (or a kind of visit); shows it, or says why not."""
    person = _person()
    target = request.form.get("target", "")
    kind, _, raw = target.partition("-")
    try:
        ident = parse_id(raw)
    except ValueError:
        flash(_l("Choose a visit from the list."), "error")
        return redirect(url_for("gfe.index"))
    try:
        gfe = issue.request(actor(), person.patient, appointment_id=ident if kind == "a" else None,
                            visit_type_id=ident if kind == "v" else None)
    except (Invalid, Conflict) as exc:
        flash(str(exc.message), "error")
        return redirect(url_for("gfe.index"))
    flash(_l("Your Good Faith Estimate is ready."), "success")
    return redirect(url_for("gfe.detail", estimate_id=gfe.id))


@bp.get("/<int:estimate_id>")
@login_required
def detail(estimate_id: int):
    """One estimate as the rule lays it out, with its PDF in English or Spanish and ways to pay over time."""
    person = _person()
    gfe = records.get(actor(), person.patient, estimate_id)
    return render_template("gfe/detail.html", person=person, gfe=gfe, statements=statements(gfe),
                           keep_this=keep_this())


@bp.get("/<int:estimate_id>/pdf")
@login_required
def download(estimate_id: int):
    """The estimate as a PDF (`lang` en or es; the page's language by default)."""
    person = _person()
    language = request.args.get("lang") or str(get_locale())[:2]
    gfe = records.get(actor(), person.patient, estimate_id, action="download")
    data = pdf.render(gfe, language if language in pdf.LANGUAGES else "en")
    return Response(data, mimetype="application/pdf", headers={
        "Content-Disposition": f'attachment; filename="good-faith-estimate-{estimate_id}.pdf"'})


@bp.route("/settings", methods=["GET", "POST"])
@login_required
def settings():
    """The practice's tax ID, group NPI, state and contact that every new estimate states."""
    view = practice_settings.settings(actor(), request.args.get("practice", type=parse_id))
    practice = view.practice
    errors: dict = {}
    if request.method == "POST":
        try:
            data = GfeSettingsInputSchema().load({k: request.form.get(k, "") for k in SETTINGS_KEYS})
            records.save_settings(actor(), practice.id, data)
            flash(_l("Good Faith Estimate settings saved."), "success")
            return redirect(url_for("gfe.settings", practice=practice.id))
        except (ValidationError, Invalid) as exc:
            errors = form_errors(exc)
        values = {k: request.form.get(k, "") for k in SETTINGS_KEYS}
    else:
        row = records.settings(actor(), practice.id)
        values = {k: getattr(row, k) or "" for k in SETTINGS_KEYS}
    return render_template("gfe/settings.html", view=view, practice=practice, values=values,
                           errors=errors), (422 if errors else 200)
