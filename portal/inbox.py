"""The care team's inbox pages: a pool's threads, one thread (claim, assign, status, reply or note),
outreach to a patient, saved replies, and the unread counts the navigation polls."""

from __future__ import annotations

from flask import Blueprint, abort, flash, jsonify, redirect, render_template, request, url_for
from flask_login import login_required
from marshmallow import ValidationError

from hearth import policy
from hearth.errors import Conflict, Invalid
from hearth.files import download_response
from hearth.i18n import _l
from hearth.models import MessageReason, ThreadPriority, ThreadStatus
from hearth.schemas.fields import parse_id
from hearth.schemas.inbox import (
    PortalInboxArgsSchema,
    StaffReplySchema,
    ThreadAssignSchema,
    ThreadPoolMoveSchema,
    ThreadPriorityChangeSchema,
    ThreadStatusChangeSchema,
)
from hearth.services.messages import inbox as listing
from hearth.services.messages import inbox_actions, inbox_labels, inbox_thread, text
from hearth.services.messages.attachments import MAX_FILE_BYTES, MAX_UPLOAD_REQUEST, Upload
from hearth.services.messages.posting import post_message
from portal.helpers import actor, form_errors

bp = Blueprint("inbox", __name__, url_prefix="/inbox")


def practice_id_arg() -> int:
    """The practice asked for, else the first one the person works at (404 for everyone else)."""
    ids = policy.staff_practice_ids(actor())
    if not ids:
        abort(404)
    wanted = request.values.get("practice_id", type=parse_id)
    return wanted if wanted is not None else ids[0]


UPLOAD_ENDPOINTS = {"inbox.reply", "inbox.outreach"}


def _allow_uploads() -> None:
    """Reply and outreach forms may carry 5 files of 10 MB: raise the body limit for them alone, before the
    CSRF check reads the form (a too-big file then gets its message on the field, not a bare 413)."""
    if request.endpoint in UPLOAD_ENDPOINTS:
        request.max_content_length = MAX_UPLOAD_REQUEST


@bp.record_once
def _first(state) -> None:
    state.app.before_request_funcs.setdefault(None, []).insert(0, _allow_uploads)


def uploads() -> list[Upload]:
    """The files chosen in the form, each read up to 10 MB + 1 byte (more is refused by size anyway)."""
    return [Upload(f.filename, f.stream.read(MAX_FILE_BYTES + 1))
            for f in request.files.getlist("files") if f and f.filename]


def labels() -> dict:
    return {"attachment_url": lambda a: url_for("inbox.download", thread_id=a.message.thread_id, attachment_id=a.id),
            "render": text.render, "view_labels": inbox_labels.VIEW_LABELS, "status_labels": inbox_labels.STATUS_LABELS,
            "priority_labels": inbox_labels.PRIORITY_LABELS, "reason_labels": inbox_labels.REASON_LABELS,
            "word": inbox_labels.word, "event_text": inbox_labels.event_text}


@bp.get("")
@login_required
def index():
    """A pool's (or every pool's) threads in one view, most pressing first; searched and filtered."""
    practice_id = practice_id_arg()
    errors: dict = {}
    try:
        args = PortalInboxArgsSchema().load(request.args, unknown="exclude")
    except ValidationError as exc:
        errors = form_errors(exc)
        args = PortalInboxArgsSchema().load({})
    filters = listing.Filters(
        view=args["view"], pool_id=args["pool_id"], status=ThreadStatus(args["status"]) if args["status"] else None,
        assignee_id=args["assignee_id"], reason=MessageReason(args["reason"]) if args["reason"] else None,
        q=args["q"].strip())
    box = listing.inbox(actor(), practice_id, filters, page=args["page"], per_page=args["per_page"],
                        with_staff=True)

    def link(**changes) -> str:
        values = {"practice_id": practice_id, "view": filters.view, "pool_id": filters.pool_id,
                  "status": args["status"], "assignee_id": filters.assignee_id, "reason": args["reason"],
                  "q": filters.q or None}
        values.update(changes)
        return url_for("inbox.index", **{k: v for k, v in values.items() if v is not None})

    return render_template("inbox/index.html", box=box, args=args, errors=errors, link=link,
                           practices=listing_practices(), **labels()), (422 if errors else 200)


def listing_practices():
    from hearth.services.patients import staff_practices

    return staff_practices(actor())


@bp.get("/counts")
@login_required
def counts():
    """Unread, overdue and open threads per pool, for the navigation's badge (polled by static/js/inbox.js)."""
    pools = listing.counts(actor(), practice_id_arg())
    return jsonify({"pools": [{"id": p.pool.id, "name": p.pool.name, "unread": p.unread, "overdue": p.overdue,
                               "open": p.open} for p in pools],
                    "unread_total": sum(p.unread for p in pools)})


@bp.get("/threads/<int:thread_id>")
@login_required
def thread(thread_id: int):
    """One thread for the care team (opening it marks the patient's messages read by the care team)."""
    template_id = request.args.get("template_id", type=parse_id)
    view = inbox_thread.open_thread(actor(), thread_id, template_id=template_id)
    return render_template("inbox/thread.html", v=view, errors={}, values={"body": view.draft}, **labels())


@bp.get("/threads/<int:thread_id>/files/<int:attachment_id>")
@login_required
def download(thread_id: int, attachment_id: int):
    """A file of the thread (notes' files included) as a download; audited."""
    row, data = inbox_thread.open_file(actor(), thread_id, attachment_id)
    return download_response(data, row.filename, row.content_type)


def _back(thread_id: int):
    return redirect(url_for("inbox.thread", thread_id=thread_id))


def _act(thread_id: int, schema, action, done: str):
    """Load the form with `schema`, call `action(data)`, flash `done` or the problem, and go back to the thread."""
    try:
        action(schema().load(request.form.to_dict(), unknown="exclude") if schema else {})
    except ValidationError as exc:
        for messages in form_errors(exc).values():
            flash(" ".join(messages), "error")
    except (Invalid, Conflict) as exc:
        problems = [" ".join(str(m) for m in v) for v in exc.fields.values()] or [str(exc.message)]
        for text in problems:
            flash(text, "error")
    else:
        flash(done, "success")
    return _back(thread_id)


@bp.post("/threads/<int:thread_id>/claim")
@login_required
def claim(thread_id: int):
    return _act(thread_id, None, lambda _d: inbox_actions.claim(actor(), thread_id),
                str(_l("You claimed this conversation.")))


@bp.post("/threads/<int:thread_id>/assign")
@login_required
def assign(thread_id: int):
    return _act(thread_id, ThreadAssignSchema,
                lambda d: inbox_actions.assign(actor(), thread_id, d["assignee_id"]),
                str(_l("Assignment saved.")))


@bp.post("/threads/<int:thread_id>/status")
@login_required
def status(thread_id: int):
    return _act(thread_id, ThreadStatusChangeSchema,
                lambda d: inbox_actions.set_status(actor(), thread_id, ThreadStatus(d["status"])),
                str(_l("Status saved.")))


@bp.post("/threads/<int:thread_id>/priority")
@login_required
def priority(thread_id: int):
    return _act(thread_id, ThreadPriorityChangeSchema,
                lambda d: inbox_actions.set_priority(actor(), thread_id, ThreadPriority(d["priority"])),
                str(_l("Priority saved.")))


@bp.post("/threads/<int:thread_id>/pool")
@login_required
def move(thread_id: int):
    return _act(thread_id, ThreadPoolMoveSchema,
                lambda d: inbox_actions.move_to_pool(actor(), thread_id, d["pool_id"]),
                str(_l("Moved to the other inbox.")))


@bp.post("/threads/<int:thread_id>/reply")
@login_required
def reply(thread_id: int):
    """Send a reply to the patient, or save an internal note; a refused form is shown again as typed."""
    errors: dict = {}
    try:
        data = StaffReplySchema().load({"body": request.form.get("body", ""),
                                   "internal": request.form.get("internal") == "1",
                                   "status": request.form.get("status") or None})
        post_message(actor(), thread_id, data["body"], internal=data["internal"],
                     status=ThreadStatus(data["status"]) if data["status"] and not data["internal"] else None,
                     files=uploads())
    except (ValidationError, Invalid) as exc:
        errors = form_errors(exc)
    else:
        flash(_l("Note saved. The patient does not see it.") if data["internal"] else _l("Reply sent."), "success")
        return _back(thread_id)
    view = inbox_thread.open_thread(actor(), thread_id)
    return render_template("inbox/thread.html", v=view, errors=errors, values=request.form, **labels()), 422


from portal import inbox_forms  # noqa: E402,F401  (its routes are on this blueprint)
