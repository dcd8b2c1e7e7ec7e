"""Caregiver and guardian access: invitation, edit and acceptance input; grants and activity output.

The API takes aware ISO-8601 times; the portal's `*FormSchema` take a wall time from a
datetime-local input in the viewer's zone and turn it into aware UTC.
"""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from marshmallow import ValidationError, post_load, pre_load, validate, validates_schema

from hearth.clock import utcnow
from hearth.i18n import _l
from hearth.models import ALL_SCOPES, GrantKind, GrantStatus
from hearth.schemas import fields
from hearth.schemas.base import Schema
from hearth.schemas.contact import EmailAddress
from hearth.schemas.people import PatientSummarySchema
from hearth.services.audit_labels import describe

SCOPES = list(ALL_SCOPES)
GRANT_KINDS = [kind.value for kind in GrantKind]
GRANT_STATUSES = [status.value for status in GrantStatus]
# services.caregivers.view() and invitation_state(): what a grant and an invitation link mean now.
GRANT_STATES = ["pending", "invite_expired", "active", "ended", "cancelled", "revoked", "declined"]
INVITATION_STATES = ["pending", "expired", "accepted", "revoked", "cancelled", "declined", "invalid"]


def _future(value: datetime) -> None:
    if value <= utcnow():
        raise ValidationError([_l("Choose a time in the future.")])


class LocalDateTime(fields.NaiveDateTime):
    """A datetime-local input ("2026-07-01T09:30"): a wall time, localized by the form schema."""

    def _deserialize(self, value, attr, data, **kwargs):
        try:
            return super()._deserialize(value, attr, data, **kwargs)
        except ValidationError as exc:
            raise ValidationError([_l("Enter a date and time.")]) from exc


def _scopes_field(**kw) -> fields.List:
    return fields.List(
        fields.String(validate=validate.OneOf(ALL_SCOPES, error=_l("Not one of the areas you can share."))),
        validate=validate.Length(min=1, error=_l("Choose at least one area.")),
        metadata={"description": f"A non-empty subset of {', '.join(ALL_SCOPES)}"}, **kw)


def _unique_scopes(data: dict, **_kw) -> dict:
    if data.get("scopes") is not None:
        data["scopes"] = [s for s in ALL_SCOPES if s in set(data["scopes"])]
    return data


class InviteSchema(Schema):
    """POST /patients/<id>/caregivers and POST .../guardians."""

    email = EmailAddress(required=True)
    relationship_label = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=60),
                                       metadata={"description": "e.g. daughter, husband, neighbour"})
    scopes = _scopes_field(required=True)
    ends_at = fields.AwareDateTime(load_default=None, allow_none=True, validate=_future,
                                   metadata={"description": "When access ends (ISO 8601 with offset)"})

    @post_load
    def _clean(self, data: dict, **kw) -> dict:
        return _unique_scopes(data)


class GrantUpdateSchema(Schema):
    """PATCH: any of scopes, ends_at (null = no end), relationship_label."""

    relationship_label = fields.String(allow_none=True, validate=validate.Length(max=60))
    scopes = _scopes_field()
    ends_at = fields.AwareDateTime(allow_none=True, validate=_future)

    @validates_schema
    def _not_empty(self, data: dict, **kw) -> None:
        if not data:
            raise ValidationError([_l("Send at least one of scopes, ends_at, relationship_label.")])

    @post_load
    def _clean(self, data: dict, **kw) -> dict:
        return _unique_scopes(data)


class _LocalFormMixin:
    """Empty inputs mean "none"; `ends_at` is a wall time in `zone`, loaded as aware UTC."""

    def __init__(self, *args, zone: str = "UTC", **kw):
        super().__init__(*args, **kw)
        self.zone = zone

    @pre_load
    def _blank_is_none(self, data, **kw):
        data = {k: (v.strip() or None) if isinstance(v, str) else v for k, v in dict(data).items()}
        data.setdefault("scopes", [])  # no box ticked: "choose at least one", not "missing field"
        return data

    @post_load
    def _to_utc(self, data: dict, **kw) -> dict:
        local = data.get("ends_at")
        if local is not None:
            data["ends_at"] = local.replace(tzinfo=ZoneInfo(self.zone)).astimezone(UTC)
            if data["ends_at"] <= utcnow():
                raise ValidationError([_l("Choose a time in the future.")], field_name="ends_at")
        return data


class InviteFormSchema(_LocalFormMixin, InviteSchema):
    ends_at = LocalDateTime(load_default=None, allow_none=True)


class GrantFormSchema(_LocalFormMixin, Schema):
    """The portal's edit form: every field is sent (an empty end means no end date)."""

    relationship_label = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=60))
    scopes = _scopes_field(required=True)
    ends_at = LocalDateTime(load_default=None, allow_none=True)

    @post_load
    def _clean(self, data: dict, **kw) -> dict:
        return _unique_scopes(data)


class RegisterSchema(Schema):
    """Create an account from an invitation: the email is the invited address."""

    display_name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    password = fields.String(required=True, load_only=True, validate=validate.Length(min=1, max=256))

    @pre_load
    def _strip(self, data, **kw):
        data = dict(data)
        if isinstance(data.get("display_name"), str):
            data["display_name"] = data["display_name"].strip()
        return data


class ActivityQuerySchema(Schema):
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=100000))
    per_page = fields.Integer(load_default=25, validate=validate.Range(min=1, max=100))


class MinorQuerySchema(Schema):
    q = fields.String(load_default="", validate=validate.Length(max=100))


# -- output ------------------------------------------------------------------------------------


class CaregiverSchema(Schema):
    id = fields.Integer()
    display_name = fields.String()
    email = fields.String()


class GrantSchema(Schema):
    """A grant as its patient (or the practice) sees it; dumped from services.caregivers.GrantView."""

    id = fields.Integer(attribute="grant.id")
    patient_id = fields.Integer(attribute="grant.patient_id")
    kind = fields.String(attribute="grant.kind", metadata={"enum": GRANT_KINDS, "description": "proxy or guardian"})
    status = fields.String(attribute="grant.status", metadata={"enum": GRANT_STATUSES})
    state = fields.String(metadata={"enum": GRANT_STATES, "description": "what the grant means now"})
    invited_email = fields.String(attribute="grant.invited_email")
    relationship_label = fields.String(attribute="grant.relationship_label", allow_none=True)
    caregiver = fields.Nested(CaregiverSchema, attribute="grant.caregiver", allow_none=True)
    scopes = fields.List(fields.String(metadata={"enum": SCOPES}), attribute="grant.scope_list")
    starts_at = fields.DateTime(attribute="grant.starts_at")
    own_ends_at = fields.DateTime(attribute="grant.ends_at", allow_none=True,
                                  metadata={"description": "The end date chosen for this grant"})
    ends_at = fields.DateTime(allow_none=True, metadata={
        "description": "When access stops: the grant's end, or for a guardian the minor's adult birthday"})
    invite_expires_at = fields.DateTime(attribute="grant.invite_expires_at", allow_none=True)
    accepted_at = fields.DateTime(attribute="grant.accepted_at", allow_none=True)
    revoked_at = fields.DateTime(attribute="grant.revoked_at", allow_none=True)
    teen_consent_at = fields.DateTime(attribute="grant.teen_consent_at", allow_none=True)
    teen_tier = fields.Boolean()
    created_at = fields.DateTime(attribute="grant.created_at")


class CaringForSchema(Schema):
    """Someone the signed-in user may act for."""

    grant_id = fields.Integer(attribute="grant.id")
    patient = fields.Nested(PatientSummarySchema, attribute="grant.patient")
    kind = fields.String(attribute="grant.kind", metadata={"enum": GRANT_KINDS})
    relationship_label = fields.String(attribute="grant.relationship_label", allow_none=True)
    scopes = fields.List(fields.String(metadata={"enum": SCOPES}), attribute="grant.scope_list")
    ends_at = fields.DateTime(allow_none=True)


class InvitationSchema(Schema):
    """What an invitation link shows before accepting."""

    state = fields.String(metadata={"enum": INVITATION_STATES, "description": "whether the invitation still works"})
    inviter = fields.String(metadata={"description": "The patient's name"})
    practice = fields.String(attribute="grant.patient.practice.name")
    kind = fields.String(attribute="grant.kind", metadata={"enum": GRANT_KINDS})
    invited_email = fields.String(attribute="grant.invited_email")
    scopes = fields.List(fields.String(metadata={"enum": SCOPES}), attribute="grant.scope_list")
    expires_at = fields.DateTime(attribute="grant.invite_expires_at", allow_none=True)


class ActivityEventSchema(Schema):
    at = fields.DateTime()
    action = fields.String()
    resource_type = fields.String()
    resource_id = fields.String(allow_none=True)
    description = fields.Method("_describe", metadata={"type": "string"})

    def _describe(self, event) -> str:
        return describe(event.action, event.resource_type)


class ActivityPageSchema(Schema):
    grant = fields.Nested(GrantSchema)
    items = fields.List(fields.Nested(ActivityEventSchema))
    page = fields.Integer()
    per_page = fields.Integer()
    total = fields.Integer()
    has_next = fields.Boolean()
