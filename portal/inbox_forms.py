"""The inbox's forms beside the threads: writing to a patient first (outreach) and the practice's saved replies.

Routes live on the inbox blueprint (portal/inbox.py imports this module).
"""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_login import login_required
from marshmallow import ValidationError

from hearth.errors import Conflict, Invalid
from hearth.i18n import _l
from hearth.schemas.fields import parse_id
from hearth.schemas.inbox import InboxOutreachSchema, InboxTemplateInSchema
from hearth.services.messages import inbox as listing
from hearth.services.messages import inbox_outreach, inbox_templates
from portal.helpers import actor, form_errors
from portal.inbox import bp, practice_id_arg, uploads


@bp.route("/new", methods=["GET", "POST"])
@login_required
def outreach():
    """Write to a patient first (from her chart, or by choosing her)."""
    practice_id = practice_id_arg()
    errors: dict = {}
    values = request.form if request.method == "POST" else request.args
    patient = None
    patient_id = values.get("patient_id", type=parse_id)
    if patient_id is not None:
        patient = inbox_outreach.patient_of(actor(), practice_id, patient_id)
    if request.method == "POST":
        try:
            data = InboxOutreachSchema().load({k: request.form.get(k, "") for k in ("patient_id", "pool_id", "subject",
                                                                             "body")})
            thread = inbox_outreach.start_thread(actor(), practice_id, data["patient_id"], pool_id=data["pool_id"],
                                                 subject=data["subject"], body=data["body"], files=uploads())
        except (ValidationError, Invalid) as exc:
            errors = form_errors(exc)
        else:
            flash(_l("Message sent. The patient gets a notice without the text."), "success")
            return redirect(url_for("inbox.thread", thread_id=thread.id))
    pools = listing.counts(actor(), practice_id)
    return render_template("inbox/outreach.html", practice_id=practice_id, patient=patient, pools=pools,
                           errors=errors, values=values), (422 if errors else 200)


@bp.route("/templates", methods=["GET", "POST"])
@login_required
def templates():
    """The practice's saved replies, and a form to add one."""
    practice_id = practice_id_arg()
    errors: dict = {}
    if request.method == "POST":
        try:
            data = InboxTemplateInSchema().load({k: request.form.get(k, "") for k in ("title", "body", "body_es")})
            inbox_templates.save_template(actor(), practice_id, **data,
                                          template_id=request.form.get("template_id", type=parse_id))
        except (ValidationError, Invalid, Conflict) as exc:
            errors = form_errors(exc)
        else:
            flash(_l("Saved reply saved."), "success")
            return redirect(url_for("inbox.templates", practice_id=practice_id))
    items = inbox_templates.list_templates(actor(), practice_id)
    editing = None
    edit_id = request.values.get("template_id", type=parse_id)
    if edit_id is not None:
        editing = next((t for t in items if t.id == edit_id), None)
    values = request.form if request.method == "POST" else (
        {"title": editing.title, "body": editing.body,
         "body_es": ((editing.translations or {}).get("es") or {}).get("body", ""), "template_id": editing.id}
        if editing else {})
    return render_template("inbox/templates.html", practice_id=practice_id, items=items, errors=errors,
                           values=values), (422 if errors else 200)


@bp.post("/templates/<int:template_id>/delete")
@login_required
def delete_template(template_id: int):
    practice_id = practice_id_arg()
    inbox_templates.delete_template(actor(), practice_id, template_id)
    flash(_l("Saved reply removed."), "success")
    return redirect(url_for("inbox.templates", practice_id=practice_id))
