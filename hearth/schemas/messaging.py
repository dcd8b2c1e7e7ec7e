"""Secure messaging input and output, shared by the portal forms and /api/v1.

Limits match the columns: subject 80 characters, body 4,000. Internal notes are never in these
schemas' output: the services hand the patient's side only what it may see.
"""

from __future__ import annotations

from marshmallow import validate

from hearth.i18n import _l
from hearth.models import MessageReason
from hearth.models.messages import BODY_MAX_CHARS, SUBJECT_MAX_CHARS
from hearth.schemas import fields
from hearth.schemas.base import Schema

REASONS = [r.value for r in MessageReason]
SUBJECT_TOO_LONG = _l("The subject is too long: use %(max)s characters or fewer.", max=SUBJECT_MAX_CHARS)
BODY_TOO_LONG = _l("Your message is too long: use %(max)s characters or fewer.", max=f"{BODY_MAX_CHARS:,}")



class ReplySchema(Schema):
    body = fields.String(load_default="", validate=validate.Length(max=BODY_MAX_CHARS, error=BODY_TOO_LONG),
                         metadata={"description": "Plain text, at most 4,000 characters"})
    # Set when the writer saw the 911/988 page and chose to send anyway (recorded on the thread).
    warning_shown = fields.Boolean(load_default=False)
    # Makes a repeated submit (double click, retried request) one message.
    client_key = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=64))


class StartThreadSchema(ReplySchema):
    reason = fields.String(required=True, validate=validate.OneOf(REASONS, error=_l("Choose a reason from the list.")))
    subject = fields.String(load_default="", validate=validate.Length(max=SUBJECT_MAX_CHARS, error=SUBJECT_TOO_LONG))
    confidential = fields.Boolean(load_default=False, metadata={
        "description": "A teen (in the practice's teen tier) hides the thread from guardians without her consent"})


class ThreadListArgsSchema(Schema):
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=100_000))
    per_page = fields.Integer(load_default=20, validate=validate.Range(min=1, max=50))
    status = fields.String(load_default=None, allow_none=True, validate=validate.OneOf(["open", "closed"]))


class ReasonsArgsSchema(Schema):
    patient_id = fields.Id(required=True)


class ReasonSchema(Schema):
    reason = fields.String(metadata={"enum": REASONS})
    label = fields.String()
    hint = fields.String()
    pool_id = fields.Integer()
    pool_name = fields.String()
    reply_target_business_days = fields.Integer()
    reply_by = fields.AwareDateTime(metadata={"description": "When a reply is due for a message sent now (UTC)"})


class AttachmentSchema(Schema):
    id = fields.Integer()
    filename = fields.String()
    content_type = fields.String()
    size_bytes = fields.Integer()
    download_url = fields.String()


class MessageOutSchema(Schema):
    id = fields.Integer()
    author_name = fields.String(metadata={"description": 'The patient, "NAME for PATIENT", or the staff member'})
    author_relation = fields.String(metadata={"enum": ["self", "caregiver", "staff"]})
    from_care_team = fields.Boolean()
    body = fields.String()
    urgent = fields.Boolean()
    created_at = fields.AwareDateTime()
    read_by_care_team_at = fields.AwareDateTime(allow_none=True)
    read_by_patient_at = fields.AwareDateTime(allow_none=True)
    attachments = fields.List(fields.Nested(AttachmentSchema))


class ThreadSummarySchema(Schema):
    id = fields.Integer()
    patient_id = fields.Integer()
    subject = fields.String()
    reason = fields.String(metadata={"enum": REASONS})
    reason_label = fields.String()
    pool_name = fields.String()
    status = fields.String(metadata={"enum": ["open", "waiting", "closed"]})
    status_label = fields.String()
    confidential = fields.Boolean()
    unread = fields.Boolean()
    message_count = fields.Integer()
    created_at = fields.AwareDateTime()
    last_message_at = fields.AwareDateTime()
    reply_by = fields.AwareDateTime(allow_none=True)
    closed_at = fields.AwareDateTime(allow_none=True)


class ThreadSchema(ThreadSummarySchema):
    messages = fields.List(fields.Nested(MessageOutSchema))


class ThreadPageSchema(Schema):
    items = fields.List(fields.Nested(ThreadSummarySchema))
    page = fields.Integer()
    per_page = fields.Integer()
    total = fields.Integer()
