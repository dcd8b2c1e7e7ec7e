"""/api/v1 for the care team's inbox: pool lists and counts, one thread, claim, assign, status, priority,
pool, replies and internal notes, saved replies, outreach, and a patient's conversations.

Every endpoint goes through the same services as the portal (hearth.services.messages.inbox*), so the
policy and the audit are the same.
"""

from __future__ import annotations

from flask import request

from api.blueprint import Blueprint
from api.security import BEARER, actor, token_required
from hearth.files import download_response
from hearth.models import MessageReason, ThreadPriority, ThreadStatus
from hearth.schemas.inbox import (
    InboxArgsSchema,
    InboxAttachmentSchema,
    InboxFilledTemplateSchema,
    InboxMessageSchema,
    InboxOutreachSchema,
    InboxPageSchema,
    InboxPoolCountsSchema,
    InboxRowSchema,
    InboxTemplateInSchema,
    InboxTemplateSchema,
    InboxThreadDetailSchema,
    InboxThreadSchema,
    StaffReplySchema,
    ThreadAssignSchema,
    ThreadPoolMoveSchema,
    ThreadPriorityChangeSchema,
    ThreadStatusChangeSchema,
    WorkspaceSchema,
)
from hearth.services import workspace
from hearth.services.messages import (
    attachments,
    inbox_actions,
    inbox_chart,
    inbox_outreach,
    inbox_templates,
    inbox_thread,
)
from hearth.services.messages import inbox as listing
from hearth.services.messages.attachments import MAX_FILE_BYTES, MAX_UPLOAD_REQUEST, Upload
from hearth.services.messages.posting import post_message

blp = Blueprint("api_inbox", __name__, url_prefix="/api/v1/practices",
                description="The care team's inbox (providers, staff and admins of the practice)")
THREAD = "/<int:practice_id>/inbox/threads/<int:thread_id>"


@blp.route("/<int:practice_id>/inbox", methods=["GET"])
@blp.arguments(InboxArgsSchema, location="query")
@blp.response(200, InboxPageSchema)
@blp.alt_response(403, description="Not a provider, staff member or admin of this practice")
@blp.doc(security=BEARER)
@token_required
def inbox(args, practice_id: int):
    """A page of threads in a view (unassigned, mine, open, waiting, closed): overdue, then urgent, then oldest.

    Filters: pool, status, assignee, reason; `q` searches the patient's name or MRN, the subject and the
    text. Each listed thread is audited. `pools` gives the unread, overdue and open counts per pool.
    """
    filters = listing.Filters(
        view=args["view"], pool_id=args["pool_id"], status=ThreadStatus(args["status"]) if args["status"] else None,
        assignee_id=args["assignee_id"], reason=MessageReason(args["reason"]) if args["reason"] else None,
        q=args["q"].strip())
    return listing.inbox(actor(), practice_id, filters, page=args["page"], per_page=args["per_page"])


@blp.route("/<int:practice_id>/workspace", methods=["GET"])
@blp.response(200, WorkspaceSchema)
@blp.alt_response(403, description="Not a provider, staff member or admin of this practice")
@blp.doc(security=BEARER)
@token_required
def workspace_home(practice_id: int):
    """The staff workspace's cards: unread and overdue threads per pool, today's visits, and the others."""
    return workspace.home(actor(), practice_id)


@blp.route("/<int:practice_id>/inbox/counts", methods=["GET"])
@blp.response(200, InboxPoolCountsSchema)
@blp.alt_response(403, description="Not a provider, staff member or admin of this practice")
@blp.doc(security=BEARER)
@token_required
def counts(practice_id: int):
    """Unread, overdue and open threads per pool (no patient data): poll it for a badge."""
    pools = listing.counts(actor(), practice_id)
    return {"pools": pools, "unread_total": sum(p.unread for p in pools)}


@blp.route(THREAD, methods=["GET"])
@blp.response(200, InboxThreadDetailSchema)
@blp.alt_response(404, description="No such thread at this practice, or not staff there")
@blp.doc(security=BEARER)
@token_required
def thread(practice_id: int, thread_id: int):
    """One thread with every message (internal notes included), read receipts and its history.

    Audited; marks the patient's side's messages read by the care team.
    """
    return inbox_thread.open_thread(actor(), thread_id, practice_id=practice_id)


@blp.route(THREAD + "/claim", methods=["POST"])
@blp.response(200, InboxThreadSchema)
@blp.alt_response(404, description="No such thread at this practice, or not staff there")
@blp.alt_response(409, description="Someone else holds the thread")
@blp.doc(security=BEARER)
@token_required
def claim(practice_id: int, thread_id: int):
    """Take an unassigned thread; of two claims at once, one wins and the other gets 409."""
    return inbox_actions.claim(actor(), thread_id, practice_id=practice_id)


@blp.route(THREAD + "/assignee", methods=["PUT"])
@blp.arguments(ThreadAssignSchema)
@blp.response(200, InboxThreadSchema)
@blp.alt_response(404, description="No such thread at this practice, or not staff there")
@blp.doc(security=BEARER)
@token_required
def assign(data, practice_id: int, thread_id: int):
    """Assign or reassign to a member of the care team, or back to the pool (null); recorded in the history."""
    return inbox_actions.assign(actor(), thread_id, data["assignee_id"], practice_id=practice_id)


@blp.route(THREAD + "/status", methods=["PUT"])
@blp.arguments(ThreadStatusChangeSchema)
@blp.response(200, InboxThreadSchema)
@blp.alt_response(404, description="No such thread at this practice, or not staff there")
@blp.doc(security=BEARER)
@token_required
def status(data, practice_id: int, thread_id: int):
    """Open, waiting on the patient, or closed; recorded in the history."""
    return inbox_actions.set_status(actor(), thread_id, ThreadStatus(data["status"]), practice_id=practice_id)


@blp.route(THREAD + "/priority", methods=["PUT"])
@blp.arguments(ThreadPriorityChangeSchema)
@blp.response(200, InboxThreadSchema)
@blp.alt_response(404, description="No such thread at this practice, or not staff there")
@blp.doc(security=BEARER)
@token_required
def priority(data, practice_id: int, thread_id: int):
    """Routine or urgent; recorded in the history."""
    return inbox_actions.set_priority(actor(), thread_id, ThreadPriority(data["priority"]), practice_id=practice_id)


@blp.route(THREAD + "/pool", methods=["PUT"])
@blp.arguments(ThreadPoolMoveSchema)
@blp.response(200, InboxThreadSchema)
@blp.alt_response(404, description="No such thread at this practice, or not staff there")
@blp.doc(security=BEARER)
@token_required
def move(data, practice_id: int, thread_id: int):
    """Move to another pool of the practice (the thread becomes unassigned there)."""
    return inbox_actions.move_to_pool(actor(), thread_id, data["pool_id"], practice_id=practice_id)


@blp.route(THREAD + "/messages", methods=["POST"])
@blp.arguments(StaffReplySchema)
@blp.response(201, InboxMessageSchema)
@blp.alt_response(404, description="No such thread at this practice, or not staff there")
@blp.doc(security=BEARER)
@token_required
def reply(data, practice_id: int, thread_id: int):
    """A reply to the patient (she is notified, without the text), or an internal note (`internal`: she never sees
    it, nobody is notified). `status` sets the thread's status after a reply (default: waiting on the patient)."""
    inbox_thread.load_thread(actor(), thread_id, practice_id=practice_id)
    return post_message(actor(), thread_id, data["body"], internal=data["internal"],
                        status=ThreadStatus(data["status"]) if data["status"] and not data["internal"] else None)


FILE_TYPES = ("application/pdf", "image/jpeg", "image/png")
UPLOAD_BODY = {"required": True, "content": {"multipart/form-data": {"schema": {
    "type": "object", "required": ["files"],
    "properties": {"files": {"type": "array", "maxItems": 5, "items": {"type": "string", "format": "binary"},
                             "description": "Up to 5 files (PDF, JPEG, PNG, HEIC), 10 MB each, 25 MB together"}}}}}}


@blp.before_request
def _allow_uploads() -> None:
    """The upload endpoint takes up to 5 files of 10 MB; every other one keeps the app's limit."""
    if request.endpoint == "api_inbox.upload_files":
        request.max_content_length = MAX_UPLOAD_REQUEST


@blp.route(THREAD + "/messages/<int:message_id>/files", methods=["POST"])
@blp.response(201, InboxAttachmentSchema(many=True))
@blp.alt_response(403, description="Only the message's author adds files to it")
@blp.alt_response(404, description="No such thread or message at this practice, or not staff there")
@blp.doc(security=BEARER, requestBody=UPLOAD_BODY)
@token_required
def upload_files(practice_id: int, thread_id: int, message_id: int):
    """Attach files to a reply or note you wrote (multipart, after the JSON message): PDF or photos, checked by
    content; photos lose their metadata."""
    thread = inbox_thread.load_thread(actor(), thread_id, practice_id=practice_id)
    uploads = [Upload(f.filename or "", f.stream.read(MAX_FILE_BYTES + 1))
               for f in request.files.getlist("files") if f and f.filename]
    return attachments.add_to_message(actor(), thread.patient, thread_id, message_id, uploads)


@blp.route(THREAD + "/files/<int:attachment_id>", methods=["GET"])
@blp.doc(security=BEARER, responses={"200": {
    "description": "The file, as an attachment (Content-Disposition), never rendered inline",
    "content": {t: {"schema": {"type": "string", "format": "binary"}} for t in FILE_TYPES}}})
@token_required
def download_file(practice_id: int, thread_id: int, attachment_id: int):
    """Download a file of the thread, notes' files included (audited)."""
    inbox_thread.load_thread(actor(), thread_id, practice_id=practice_id)
    row, data = inbox_thread.open_file(actor(), thread_id, attachment_id)
    return download_response(data, row.filename, row.content_type)


@blp.route(THREAD + "/templates/<int:template_id>", methods=["GET"])
@blp.response(200, InboxFilledTemplateSchema)
@blp.alt_response(404, description="No such thread or saved reply at this practice")
@blp.doc(security=BEARER)
@token_required
def filled_template(practice_id: int, thread_id: int, template_id: int):
    """A saved reply filled in for the thread's patient ({first_name}, {practice_phone}), to start a reply with."""
    view = inbox_thread.open_thread(actor(), thread_id, practice_id=practice_id, template_id=template_id)
    return {"body": view.draft}


@blp.route("/<int:practice_id>/inbox/outreach", methods=["POST"])
@blp.arguments(InboxOutreachSchema)
@blp.response(201, InboxThreadSchema)
@blp.alt_response(403, description="Not a provider, staff member or admin of this practice")
@blp.alt_response(404, description="No such patient at this practice")
@blp.doc(security=BEARER)
@token_required
def outreach(data, practice_id: int):
    """Start a thread to a patient: assigned to the writer, waiting on the patient, who is notified."""
    return inbox_outreach.start_thread(actor(), practice_id, data["patient_id"], pool_id=data["pool_id"],
                                       subject=data["subject"], body=data["body"])


@blp.route("/<int:practice_id>/inbox/templates", methods=["GET"])
@blp.response(200, InboxTemplateSchema(many=True))
@blp.alt_response(403, description="Not a provider, staff member or admin of this practice")
@blp.doc(security=BEARER)
@token_required
def templates(practice_id: int):
    """The practice's saved replies, by title."""
    return inbox_templates.list_templates(actor(), practice_id)


@blp.route("/<int:practice_id>/inbox/templates", methods=["POST"])
@blp.arguments(InboxTemplateInSchema)
@blp.response(201, InboxTemplateSchema)
@blp.alt_response(403, description="Not a provider, staff member or admin of this practice")
@blp.alt_response(409, description="Another saved reply has this title")
@blp.doc(security=BEARER)
@token_required
def create_template(data, practice_id: int):
    """Add a saved reply; only {first_name} and {practice_phone} may be filled in."""
    return inbox_templates.save_template(actor(), practice_id, **data)


@blp.route("/<int:practice_id>/inbox/templates/<int:template_id>", methods=["PUT"])
@blp.arguments(InboxTemplateInSchema)
@blp.response(200, InboxTemplateSchema)
@blp.alt_response(404, description="No such saved reply at this practice")
@blp.alt_response(409, description="Another saved reply has this title")
@blp.doc(security=BEARER)
@token_required
def update_template(data, practice_id: int, template_id: int):
    """Change a saved reply."""
    return inbox_templates.save_template(actor(), practice_id, **data, template_id=template_id)


@blp.route("/<int:practice_id>/inbox/templates/<int:template_id>", methods=["DELETE"])
@blp.response(204)
@blp.alt_response(404, description="No such saved reply at this practice")
@blp.doc(security=BEARER)
@token_required
def delete_template(practice_id: int, template_id: int):
    """Retire a saved reply (kept for the record)."""
    inbox_templates.delete_template(actor(), practice_id, template_id)


@blp.route("/<int:practice_id>/patients/<int:patient_id>/threads", methods=["GET"])
@blp.response(200, InboxRowSchema(many=True))
@blp.alt_response(404, description="No such patient at this practice, or not staff there")
@blp.doc(security=BEARER)
@token_required
def patient_threads(practice_id: int, patient_id: int):
    """The patient's latest conversations (10), for her chart; the inbox's `q` (her MRN) finds the rest."""
    return inbox_chart.patient_threads(actor(), patient_id, practice_id=practice_id).rows
