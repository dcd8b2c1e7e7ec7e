"""/api/v1/patients/<id>/messages: secure messaging for the mobile apps (the patient's side).

The same services and policy as the portal. Care-team notes never appear here. A text naming an
emergency is answered 409 (the app shows 911 / 988) until it is sent again with `warning_shown`.
Files: send the message as JSON, then upload its files as multipart/form-data to the message.
"""

from __future__ import annotations

from flask import request, url_for

from api.blueprint import Blueprint
from api.security import BEARER, actor, token_required
from hearth.files import download_response
from hearth.i18n import current_language
from hearth.policy import load_patient
from hearth.schemas.messaging import (
    AttachmentSchema,
    MessageOutSchema,
    ReasonSchema,
    ReplySchema,
    StartThreadSchema,
    ThreadListArgsSchema,
    ThreadPageSchema,
    ThreadSchema,
    ThreadSummarySchema,
)
from hearth.services.messages import attachments, pools, post_message, threads, views
from hearth.services.messages.attachments import MAX_FILE_BYTES, MAX_UPLOAD_REQUEST, Upload

blp = Blueprint("api_messages", __name__, url_prefix="/api/v1/patients", description="Secure messages")
THREADS = "/<int:patient_id>/messages/threads"
THREAD = THREADS + "/<int:thread_id>"
URGENT = "The text names an emergency: show 911 / 988, then send again with warning_shown true"
FILE_TYPES = ("application/pdf", "image/jpeg", "image/png")
UPLOAD_BODY = {"required": True, "content": {"multipart/form-data": {"schema": {
    "type": "object", "required": ["files"],
    "properties": {"files": {"type": "array", "maxItems": 5, "items": {"type": "string", "format": "binary"},
                             "description": "Up to 5 files (PDF, JPEG, PNG, HEIC), 10 MB each, 25 MB together"}}}}}}


@blp.before_request
def _allow_uploads() -> None:
    """The upload endpoint takes up to 5 files of 10 MB; every other one keeps the app's limit."""
    if request.endpoint == "api_messages.upload_message_files":
        request.max_content_length = MAX_UPLOAD_REQUEST


def _language() -> str | None:
    return current_language()


def _file_url(thread_id: int, attachment_id: int) -> str:
    return url_for("api_messages.download_message_file", patient_id=request.view_args["patient_id"],
                   thread_id=thread_id, attachment_id=attachment_id)


@blp.route("/<int:patient_id>/messages/reasons", methods=["GET"])
@blp.response(200, ReasonSchema(many=True))
@blp.doc(security=BEARER)
@token_required
def list_message_reasons(patient_id: int):
    """What a message can be about, which care-team inbox gets it, and when a reply is due if sent now."""
    return pools.reasons_for(actor(), load_patient(patient_id), _language())


@blp.route(THREADS, methods=["GET"])
@blp.arguments(ThreadListArgsSchema, location="query")
@blp.response(200, ThreadPageSchema)
@blp.doc(security=BEARER)
@token_required
def list_message_threads(args, patient_id: int):
    """The patient's conversations, latest activity first, paged (`unread`: a care-team reply not read yet)."""
    page = threads.list_threads(actor(), load_patient(patient_id), page=args["page"], per_page=args["per_page"],
                                status=args["status"])
    return {"items": [views.thread_summary(t, _language()) for t in page.items], "page": page.page,
            "per_page": page.per_page, "total": page.total}


@blp.route(THREADS, methods=["POST"])
@blp.arguments(StartThreadSchema)
@blp.response(201, ThreadSchema)
@blp.alt_response(409, description=URGENT)
@blp.doc(security=BEARER)
@token_required
def start_message_thread(data, patient_id: int):
    """Start a conversation (reason, subject ≤ 80, body ≤ 4,000); a caregiver writes "for" the patient."""
    patient = load_patient(patient_id)
    thread = threads.start_thread(actor(), patient, reason=data["reason"], subject=data["subject"],
                                  body=data["body"], confidential=data["confidential"],
                                  warning_shown=data["warning_shown"], confirm_urgent=True,
                                  client_key=data["client_key"])
    view = threads.get_thread(actor(), patient, thread.id, mark_read=False)
    return views.thread_data(view.thread, view.messages, _language(), _file_url)


@blp.route(THREAD, methods=["GET"])
@blp.response(200, ThreadSchema)
@blp.doc(security=BEARER)
@token_required
def get_message_thread(patient_id: int, thread_id: int):
    """One conversation with its messages and files (reading does not mark it read: see markMessageThreadRead)."""
    view = threads.get_thread(actor(), load_patient(patient_id), thread_id, mark_read=False)
    return views.thread_data(view.thread, view.messages, _language(), _file_url)


@blp.route(THREAD + "/messages", methods=["POST"])
@blp.arguments(ReplySchema)
@blp.response(201, MessageOutSchema)
@blp.alt_response(409, description=URGENT + "; or the conversation is closed")
@blp.doc(security=BEARER)
@token_required
def reply_message_thread(data, patient_id: int, thread_id: int):
    """Reply in a conversation (body ≤ 4,000 characters)."""
    message = post_message(actor(), thread_id, data["body"], warning_shown=data["warning_shown"],
                           confirm_urgent=True, client_key=data["client_key"], patient_id=patient_id)
    return views.message_data(message, message.thread, _file_url)


@blp.route(THREAD + "/messages/<int:message_id>/files", methods=["POST"])
@blp.response(201, AttachmentSchema(many=True))
@blp.alt_response(403, description="Only the message's author adds files to it")
@blp.doc(security=BEARER, requestBody=UPLOAD_BODY)
@token_required
def upload_message_files(patient_id: int, thread_id: int, message_id: int):
    """Attach files to a message you sent: PDF or photos, checked by content; photos lose their metadata."""
    uploads = [Upload(f.filename or "", f.stream.read(MAX_FILE_BYTES + 1))
               for f in request.files.getlist("files") if f and f.filename]
    rows = attachments.add_to_message(actor(), load_patient(patient_id), thread_id, message_id, uploads)
    return [{"id": r.id, "filename": r.filename, "content_type": r.content_type, "size_bytes": r.size_bytes,
             "download_url": _file_url(thread_id, r.id)} for r in rows]


@blp.route(THREAD + "/files/<int:attachment_id>", methods=["GET"])
@blp.doc(security=BEARER, responses={"200": {
    "description": "The file, as an attachment (Content-Disposition), never rendered inline",
    "content": {t: {"schema": {"type": "string", "format": "binary"}} for t in FILE_TYPES}}})
@token_required
def download_message_file(patient_id: int, thread_id: int, attachment_id: int):
    """Download a file of the conversation (audited)."""
    row, data = attachments.open_attachment(actor(), load_patient(patient_id), thread_id, attachment_id)
    return download_response(data, row.filename, row.content_type)


@blp.route(THREAD + "/read", methods=["POST"])
@blp.response(200, ThreadSummarySchema)
@blp.doc(security=BEARER)
@token_required
def mark_message_thread_read(patient_id: int, thread_id: int):
    """Mark the conversation read (the care team sees "read" on its replies)."""
    thread = threads.mark_read(actor(), load_patient(patient_id), thread_id)
    return views.thread_summary(thread, _language())


@blp.route(THREAD + "/close", methods=["POST"])
@blp.response(200, ThreadSummarySchema)
@blp.doc(security=BEARER)
@token_required
def close_message_thread(patient_id: int, thread_id: int):
    """Close the conversation (once; closing again changes nothing)."""
    thread = threads.close_thread(actor(), load_patient(patient_id), thread_id)
    return views.thread_summary(thread, _language())
