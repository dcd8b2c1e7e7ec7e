"""Messages pages for patients and caregivers: list, reason -> compose -> (urgent page) -> send, thread, reply.

Every page works without JavaScript: the character limits are hints and server-side errors (the
counter is an enhancement in static/js/messages.js). A text naming an emergency shows the 911 / 988
page first; its "Send anyway" posts the same form back with the files already checked and stored.
"""

from __future__ import annotations

import secrets

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_login import login_required
from marshmallow import ValidationError

from hearth.errors import DomainError
from hearth.files import download_response
from hearth.i18n import _l
from hearth.schemas.fields import parse_id
from hearth.schemas.messaging import ReplySchema, StartThreadSchema
from hearth.services.messages import attachments, pools, post_message, threads, views
from hearth.services.messages.attachments import MAX_FILE_BYTES, MAX_UPLOAD_REQUEST, Upload
from hearth.services.messages.common import UrgentWordsFound
from hearth.services.messages.hours import reply_by_text
from portal.acting import current_person
from portal.formatting import viewer_zone
from portal.helpers import actor, form_errors

bp = Blueprint("messages", __name__, url_prefix="/messages")
UPLOAD_ENDPOINTS = {"messages.send_new", "messages.reply"}


def _allow_uploads() -> None:
    """Upload forms may send up to 5 files of 10 MB: raise the body limit for them alone, before the
    CSRF check reads the form (so a 30 MB file gets a clear message on its field, not a bare 413)."""
    if request.endpoint in UPLOAD_ENDPOINTS:
        request.max_content_length = MAX_UPLOAD_REQUEST


@bp.record_once
def _first(state) -> None:
    state.app.before_request_funcs.setdefault(None, []).insert(0, _allow_uploads)


@bp.app_template_filter("reply_by")
def reply_by_filter(moment) -> str:
    """"Wednesday, December 2, 5:00 PM" on the viewer's clock."""
    return reply_by_text(moment, str(get_locale()), viewer_zone()) if moment else ""


def _person():
    person = current_person()
    if person is None or not person.may("messages"):
        abort(404)
    return person


def _language() -> str:
    return str(get_locale())


def _file_url(thread_id: int, attachment_id: int) -> str:
    return url_for("messages.download", thread_id=thread_id, attachment_id=attachment_id)


def _uploads() -> list[Upload]:
    """The files chosen in the form, each read up to 10 MB + 1 byte (more is refused by size anyway)."""
    found = []
    for item in request.files.getlist("files"):
        if item and item.filename:
            found.append(Upload(item.filename, item.stream.read(MAX_FILE_BYTES + 1)))
    return found


def _form() -> dict:
    return {k: v for k, v in request.form.items() if k not in ("csrf_token", "staged", "edit")}


@bp.get("")
@login_required
def index():
    person = _person()
    page = request.args.get("page", 1, type=parse_id)
    listed = threads.list_threads(actor(), person.patient, page=page or 1)
    items = [views.thread_summary(t, _language()) for t in listed.items]
    return render_template("messages/index.html", page=listed, items=items)


@bp.get("/new")
@login_required
def new():
    """Step 1: what the message is about (the reason picks the care team's inbox)."""
    person = _person()
    options = pools.reasons_for(actor(), person.patient, _language())
    return render_template("messages/new_reason.html", options=options, errors={}, chosen=request.args.get("reason"))


def _compose(person, reason: str | None, values: dict, errors: dict | None = None, staged: str = "",
             status: int = 200):
    options = pools.reasons_for(actor(), person.patient, _language())
    option = next((o for o in options if o.reason.value == reason), None)
    if option is None:
        errors = {"reason": [str(_l("Choose a reason from the list."))]}
        return render_template("messages/new_reason.html", options=options, errors=errors, chosen=None), 422
    may_hide = threads.may_mark_confidential(actor(), person.patient)
    return render_template("messages/compose.html", option=option, values=values, errors=errors or {},
                           client_key=values.get("client_key") or secrets.token_urlsafe(16), staged=staged,
                           may_hide=may_hide), status


@bp.get("/new/compose")
@login_required
def compose():
    """Step 2: subject and message, with the reply-by date and the emergency notice."""
    person = _person()
    return _compose(person, request.args.get("reason"), {})


def _urgent_page(action: str, values: dict, staged: str, crisis: bool):
    return render_template("messages/urgent.html", action=action, values=values, staged=staged, crisis=crisis)


@bp.post("/new")
@login_required
def send_new():
    person = _person()
    values = _form()
    staged = request.form.get("staged", "")
    if request.form.get("edit"):
        return _compose(person, values.get("reason"), {**values, "warning_shown": ""}, staged=staged)
    try:
        data = StartThreadSchema().load(values)
        files = attachments.unstage(actor(), staged) + _uploads()
        try:
            thread = threads.start_thread(
                actor(), person.patient, reason=data["reason"], subject=data["subject"], body=data["body"],
                confidential=data["confidential"], files=files, warning_shown=data["warning_shown"],
                confirm_urgent=True, client_key=data["client_key"])
        except UrgentWordsFound as urgent:
            token = attachments.stage(actor(), files)
            return _urgent_page(url_for("messages.send_new"), values, token, urgent.crisis)
    except (ValidationError, DomainError) as exc:
        if isinstance(exc, DomainError) and exc.status == 404:
            raise
        return _compose(person, values.get("reason"), values, form_errors(exc), staged=staged, status=422)
    if thread.due_at:
        flash(_l("Your message was sent. You can expect a reply by %(when)s.", when=reply_by_filter(thread.due_at)),
              "success")
    else:
        flash(_l("Your message was sent."), "success")
    return redirect(url_for("messages.show", thread_id=thread.id))


def _show(person, thread_id: int, errors: dict | None = None, values: dict | None = None, status: int = 200):
    view = threads.get_thread(actor(), person.patient, thread_id)
    data = views.thread_data(view.thread, view.messages, _language(), _file_url)
    return render_template("messages/thread.html", thread=data, errors=errors or {}, values=values or {},
                           client_key=secrets.token_urlsafe(16)), status


@bp.get("/<int:thread_id>")
@login_required
def show(thread_id: int):
    return _show(_person(), thread_id)


@bp.post("/<int:thread_id>/reply")
@login_required
def reply(thread_id: int):
    person = _person()
    values = _form()
    staged = request.form.get("staged", "")
    if request.form.get("edit"):
        return _show(person, thread_id, values={**values, "staged": staged})
    try:
        data = ReplySchema().load(values)
        files = attachments.unstage(actor(), staged) + _uploads()
        try:
            post_message(actor(), thread_id, data["body"], files=files, warning_shown=data["warning_shown"],
                         confirm_urgent=True, client_key=data["client_key"])
        except UrgentWordsFound as urgent:
            token = attachments.stage(actor(), files)
            return _urgent_page(url_for("messages.reply", thread_id=thread_id), values, token, urgent.crisis)
    except (ValidationError, DomainError) as exc:
        if isinstance(exc, DomainError) and exc.status == 404:
            raise
        if isinstance(exc, DomainError) and exc.status == 409:
            flash(str(exc.message), "error")
            return redirect(url_for("messages.show", thread_id=thread_id))
        return _show(person, thread_id, form_errors(exc), {**values, "staged": staged}, status=422)
    flash(_l("Your reply was sent."), "success")
    return redirect(url_for("messages.show", thread_id=thread_id))


@bp.post("/<int:thread_id>/close")
@login_required
def close(thread_id: int):
    threads.close_thread(actor(), _person().patient, thread_id)
    flash(_l("The conversation is closed. To ask something new, send a new message."), "success")
    return redirect(url_for("messages.show", thread_id=thread_id))


@bp.get("/<int:thread_id>/files/<int:attachment_id>")
@login_required
def download(thread_id: int, attachment_id: int):
    row, data = attachments.open_attachment(actor(), _person().patient, thread_id, attachment_id)
    return download_response(data, row.filename, row.content_type)
