"""Patient list, chart, profile and access-log schemas, shared by the portal forms and the API."""

from __future__ import annotations

import re
from datetime import date

from marshmallow import ValidationError, post_load, pre_load, validate, validates

from hearth.i18n import LANGUAGE_NAMES, _l
from hearth.models import ALL_SCOPES, CHANNELS, GrantKind, GrantStatus
from hearth.schemas import fields
from hearth.schemas.base import Schema
from hearth.schemas.contact import EmailAddress, PhoneNumber

MAX_PAGE = 100_000


def blank_to_none(data, names):
    """Strip text inputs; an empty optional field means "none" (forms send empty strings)."""
    if not isinstance(data, dict):
        return data
    data = dict(data)
    for name in names:
        value = data.get(name)
        if isinstance(value, str):
            value = value.strip()
            data[name] = value or None
    return data


def dates_in(text: str) -> list[date]:
    """The dates a search text may mean: ISO 1980-05-17, or 05/17/1980 and 17/05/1980 (both when ambiguous)."""
    text = text.strip()
    candidates: list[tuple[int, int, int]] = []
    if m := re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{1,2})", text):
        candidates.append((int(m[1]), int(m[2]), int(m[3])))
    elif m := re.fullmatch(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})", text):
        candidates += [(int(m[3]), int(m[1]), int(m[2])), (int(m[3]), int(m[2]), int(m[1]))]
    found: list[date] = []
    for year, month, day in candidates:
        try:
            day_value = date(year, month, day)
        except ValueError:
            continue
        if day_value not in found:
            found.append(day_value)
    return found


class PageArgsSchema(Schema):
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=MAX_PAGE))


class PatientSearchArgsSchema(PageArgsSchema):
    q = fields.String(load_default="", validate=validate.Length(max=100),
                      metadata={"description": "Part of a name, an MRN, or a date of birth (YYYY-MM-DD or MM/DD/YYYY)"})
    per_page = fields.Integer(load_default=25, validate=validate.Range(min=1, max=100))

    @post_load
    def _dates(self, data, **kwargs):
        data["q"] = data["q"].strip()
        data["dates"] = dates_in(data["q"])
        return data


class StaffPatientsArgsSchema(PatientSearchArgsSchema):
    """The portal list also says which of the user's practices to show."""

    practice = fields.Id(load_default=None, allow_none=True)


class PrimaryProviderSchema(Schema):
    id = fields.Integer()
    display_name = fields.String()
    specialty = fields.String()


class PracticeRefSchema(Schema):
    id = fields.Integer()
    name = fields.String()


class PatientListItemSchema(Schema):
    id = fields.Integer()
    mrn = fields.String()
    given_name = fields.String()
    family_name = fields.String()
    date_of_birth = fields.Date()
    sex = fields.String(allow_none=True)
    primary_provider = fields.Nested(PrimaryProviderSchema, allow_none=True)


class PatientPageSchema(Schema):
    items = fields.List(fields.Nested(PatientListItemSchema))
    page = fields.Integer()
    per_page = fields.Integer()
    total = fields.Integer(metadata={"description": "Matching patients; a lower bound when total_exact is false"})
    total_exact = fields.Boolean(metadata={"description": "False when counting stopped at 1,000 (or at the rows up "
                                           "to this page): there are more than `total` patients; ask the next page"})


class DemographicsSchema(PatientListItemSchema):
    email = fields.String(allow_none=True)
    phone = fields.String(allow_none=True)
    address = fields.String(allow_none=True)
    preferred_language = fields.String()
    preferred_channels = fields.List(fields.String(), attribute="channels")
    practice = fields.Nested(PracticeRefSchema)


class PatientProfileSchema(Schema):
    """A Profile (services.records): the patient's demographics and whether the reader may edit them."""

    patient = fields.Nested(DemographicsSchema)
    relation = fields.String(metadata={"description": "self, caregiver or staff"})
    can_edit = fields.Boolean()


class ProfileUpdateSchema(Schema):
    """Contact details the patient (or her practice) may change; every field optional on PATCH."""

    phone = PhoneNumber(allow_none=True, metadata={
        "description": "Stored and returned in E.164 (+15550100123); national numbers are read in the practice's "
                       "country"})
    email = EmailAddress(allow_none=True)
    address = fields.String(allow_none=True, validate=validate.Length(max=300))
    preferred_language = fields.String(validate=validate.OneOf(list(LANGUAGE_NAMES)))
    preferred_channels = fields.List(
        fields.String(validate=validate.OneOf(CHANNELS)),
        validate=validate.Length(min=1, error=_l("Choose at least one way to reach you.")),
        metadata={"description": "Ordered subset of push, email, sms; at least one"},
    )

    @pre_load
    def _blanks(self, data, **kwargs):
        return blank_to_none(data, ("phone", "email", "address"))

    @validates("preferred_channels")
    def _distinct(self, value, **kwargs):
        if len(set(value)) != len(value):
            raise ValidationError(str(_l("Choose each channel only once.")))


class CareTeamMemberSchema(Schema):
    name = fields.String()
    role = fields.String()


class ChartCaregiverSchema(Schema):
    name = fields.String()
    relationship = fields.String(allow_none=True)
    kind = fields.String(metadata={"enum": [kind.value for kind in GrantKind]})
    status = fields.String(metadata={"enum": [status.value for status in GrantStatus]})
    scopes = fields.List(fields.String(metadata={"enum": list(ALL_SCOPES)}))
    ends_at = fields.DateTime(allow_none=True)


class ChartSchema(Schema):
    """What staff see when opening a patient."""

    patient = fields.Nested(DemographicsSchema)
    care_team = fields.Function(lambda c: c.patient.care_team.name if c.patient.care_team else None, allow_none=True,
                                metadata={"type": "string", "description": "the care team's name, or null"})
    care_team_members = fields.List(fields.Nested(CareTeamMemberSchema))
    caregivers = fields.List(fields.Nested(ChartCaregiverSchema))


class AccessEntrySchema(Schema):
    at = fields.DateTime()
    who = fields.String()
    relation = fields.String(metadata={"description": "self, caregiver, staff or system"})
    action = fields.String()
    resource_type = fields.String()
    what = fields.String(metadata={"description": "Human, translated description"})
    where = fields.String(metadata={"description": "Network the access came from, truncated"})


class AccessLogPageSchema(Schema):
    items = fields.List(fields.Nested(AccessEntrySchema))
    page = fields.Integer()
    per_page = fields.Integer()
    total = fields.Integer()
