"""Output schemas for people: the signed-in user and the patients she may act for."""

from hearth.schemas import fields
from hearth.schemas.base import Schema


class PatientSummarySchema(Schema):
    id = fields.Integer()
    mrn = fields.String()
    given_name = fields.String()
    family_name = fields.String()
    date_of_birth = fields.Date()
    practice_id = fields.Integer()


class PersonSchema(Schema):
    patient = fields.Nested(PatientSummarySchema)
    relation = fields.String(metadata={"description": "self or caregiver"})
    scopes = fields.List(fields.String())
    grant_ends_at = fields.DateTime(allow_none=True)


class MembershipSchema(Schema):
    practice_id = fields.Integer()
    role = fields.String()


class MeSchema(Schema):
    id = fields.Integer()
    email = fields.String()
    display_name = fields.String()
    locale = fields.String()
    timezone = fields.String(allow_none=True)
    two_factor_enabled = fields.Boolean()
    people = fields.List(fields.Nested(PersonSchema))
    memberships = fields.List(fields.Nested(MembershipSchema))
