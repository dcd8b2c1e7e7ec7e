"""The care team's inbox: list arguments, actions and what the API returns, shared by the portal and the API."""

from __future__ import annotations

from marshmallow import pre_load, validate

from hearth.schemas import fields
from hearth.schemas.base import Schema
from hearth.schemas.patients import MAX_PAGE, blank_to_none
from hearth.services.messages.display import author_name

VIEWS = ("unassigned", "mine", "open", "waiting", "closed")
STATUSES = ("open", "waiting", "closed")
PRIORITIES = ("routine", "urgent")
REASONS = ("medical_question", "appointment", "refill", "test_results", "billing", "forms", "other")
SEARCH_MAX = 100
TITLE_MAX = 120
BODY_MAX = 4000
SUBJECT_MAX = 80


class InboxArgsSchema(Schema):
    """Which threads: a view, then optional filters and a search (patient, subject or text)."""

    view = fields.String(load_default="unassigned", validate=validate.OneOf(VIEWS))
    pool_id = fields.Id(load_default=None, allow_none=True)
    status = fields.String(load_default=None, allow_none=True, validate=validate.OneOf(STATUSES))
    assignee_id = fields.Id(load_default=None, allow_none=True)
    reason = fields.String(load_default=None, allow_none=True, validate=validate.OneOf(REASONS))
    q = fields.String(load_default="", validate=validate.Length(max=SEARCH_MAX),
                      metadata={"description": "Words of the patient's name, her MRN, or text of the subject or "
                                               "of a message"})
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=MAX_PAGE))
    per_page = fields.Integer(load_default=25, validate=validate.Range(min=1, max=100))

    @pre_load
    def _blanks(self, data, **kwargs):
        data = blank_to_none(data, ("pool_id", "status", "assignee_id", "reason"))
        if isinstance(data, dict) and data.get("q") is None:
            data.pop("q", None)
        return data


class PortalInboxArgsSchema(InboxArgsSchema):
    practice_id = fields.Id(load_default=None, allow_none=True)


class ThreadAssignSchema(Schema):
    assignee_id = fields.Id(required=True, allow_none=True,
                            metadata={"description": "A provider, staff member or admin of the practice; null puts "
                                                     "the thread back in its pool"})

    @pre_load
    def _blanks(self, data, **kwargs):
        return blank_to_none(data, ("assignee_id",))


class ThreadStatusChangeSchema(Schema):
    status = fields.String(required=True, validate=validate.OneOf(STATUSES))


class ThreadPriorityChangeSchema(Schema):
    priority = fields.String(required=True, validate=validate.OneOf(PRIORITIES))


class ThreadPoolMoveSchema(Schema):
    pool_id = fields.Id(required=True)


class StaffReplySchema(Schema):
    """A reply to the patient, or an internal note (never shown to the patient's side)."""

    body = fields.String(required=True, validate=validate.Length(max=BODY_MAX))
    internal = fields.Boolean(load_default=False)
    status = fields.String(load_default=None, allow_none=True, validate=validate.OneOf(STATUSES),
                           metadata={"description": "The thread's status after a reply (default: waiting on the "
                                                    "patient)"})

    @pre_load
    def _blanks(self, data, **kwargs):
        return blank_to_none(data, ("status",))


class InboxOutreachSchema(Schema):
    """The care team starts a conversation with a patient."""

    patient_id = fields.Id(required=True)
    pool_id = fields.Id(required=True)
    subject = fields.String(required=True, validate=validate.Length(max=SUBJECT_MAX))
    body = fields.String(required=True, validate=validate.Length(max=BODY_MAX))


class InboxTemplateInSchema(Schema):
    title = fields.String(required=True, validate=validate.Length(max=TITLE_MAX))
    body = fields.String(required=True, validate=validate.Length(max=BODY_MAX),
                         metadata={"description": "May hold {first_name} and {practice_phone}"})
    body_es = fields.String(load_default="", validate=validate.Length(max=BODY_MAX),
                            metadata={"description": "The Spanish version, for patients who read Spanish"})


# ---- what the API returns

class InboxPersonSchema(Schema):
    id = fields.Integer()
    display_name = fields.String()


class InboxPoolSchema(Schema):
    id = fields.Integer()
    name = fields.String()


class InboxPatientSchema(Schema):
    id = fields.Integer()
    mrn = fields.String()
    given_name = fields.String()
    family_name = fields.String()


class InboxPoolCountSchema(Schema):
    pool = fields.Nested(InboxPoolSchema)
    unread = fields.Integer()
    overdue = fields.Integer()
    open = fields.Integer()


class InboxPoolCountsSchema(Schema):
    pools = fields.List(fields.Nested(InboxPoolCountSchema))
    unread_total = fields.Integer()


class InboxThreadSchema(Schema):
    id = fields.Integer()
    subject = fields.String()
    reason = fields.String(validate=validate.OneOf(REASONS))
    status = fields.String(validate=validate.OneOf(STATUSES))
    priority = fields.String(validate=validate.OneOf(PRIORITIES))
    confidential = fields.Boolean()
    patient = fields.Nested(InboxPatientSchema)
    pool = fields.Nested(InboxPoolSchema)
    owner = fields.Nested(InboxPersonSchema, allow_none=True)
    created_at = fields.DateTime()
    last_message_at = fields.DateTime()
    last_patient_message_at = fields.DateTime(allow_none=True)
    due_at = fields.DateTime(allow_none=True)
    first_staff_reply_at = fields.DateTime(allow_none=True)
    staff_read_at = fields.DateTime(allow_none=True)
    patient_read_at = fields.DateTime(allow_none=True)
    closed_at = fields.DateTime(allow_none=True)
    message_count = fields.Integer()


class InboxRowSchema(Schema):
    thread = fields.Nested(InboxThreadSchema)
    unread = fields.Boolean()
    overdue = fields.Boolean()


class InboxPageSchema(Schema):
    items = fields.List(fields.Nested(InboxRowSchema), attribute="page.items")
    page = fields.Integer(attribute="page.page")
    per_page = fields.Integer(attribute="page.per_page")
    total = fields.Integer(attribute="page.total")
    pools = fields.List(fields.Nested(InboxPoolCountSchema))


class InboxAttachmentSchema(Schema):
    id = fields.Integer()
    filename = fields.String()
    content_type = fields.String()
    size_bytes = fields.Integer()


class InboxMessageSchema(Schema):
    id = fields.Integer()
    body = fields.String()
    internal = fields.Boolean()
    urgent = fields.Boolean()
    author_relation = fields.String(validate=validate.OneOf(("self", "caregiver", "staff")))
    author = fields.Nested(InboxPersonSchema, allow_none=True)
    author_name = fields.Method("_author_name", metadata={
        "type": "string", "description": 'As the thread shows it: "NAME for PATIENT" for a caregiver'})
    created_at = fields.DateTime()
    read_by_staff_at = fields.DateTime(allow_none=True)
    read_by_patient_at = fields.DateTime(allow_none=True)
    attachments = fields.List(fields.Nested(InboxAttachmentSchema))

    def _author_name(self, message) -> str:
        """The portal's label, so no API client shows a caregiver as the patient herself."""
        return author_name(message, message.thread)


class InboxHistorySchema(Schema):
    kind = fields.String(attribute="event.kind", validate=validate.OneOf(
        ("claimed", "assigned", "unassigned", "status", "pool", "priority")))
    at = fields.DateTime(attribute="event.created_at")
    actor = fields.String(attribute="actor_name", allow_none=True)
    from_value = fields.String(attribute="from_label", allow_none=True)
    to_value = fields.String(attribute="to_label", allow_none=True)


class InboxThreadDetailSchema(Schema):
    thread = fields.Nested(InboxThreadSchema)
    overdue = fields.Boolean()
    messages = fields.List(fields.Nested(InboxMessageSchema))
    history = fields.List(fields.Nested(InboxHistorySchema))


class InboxTemplateSchema(Schema):
    id = fields.Integer()
    title = fields.String()
    body = fields.String()
    body_es = fields.Function(lambda t: ((t.translations or {}).get("es") or {}).get("body", ""),
                              metadata={"type": "string"})


class InboxFilledTemplateSchema(Schema):
    body = fields.String(metadata={"description": "The saved reply filled in for the thread's patient"})


class WorkspaceLineSchema(Schema):
    text = fields.String()
    note = fields.String(allow_none=True)
    alert = fields.Boolean()
    at = fields.DateTime(allow_none=True)


class WorkspaceCardSchema(Schema):
    kind = fields.String(metadata={"description": "messages, schedule_today, or a card another capability adds"})
    title = fields.String()
    count = fields.Integer(allow_none=True)
    count_label = fields.String(allow_none=True)
    lines = fields.List(fields.Nested(WorkspaceLineSchema))
    empty_text = fields.String(allow_none=True)


class WorkspaceSchema(Schema):
    practice = fields.Nested(InboxPoolSchema, metadata={"description": "id and name of the practice shown"})
    cards = fields.List(fields.Nested(WorkspaceCardSchema))
