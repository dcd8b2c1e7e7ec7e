"""Sign-in input, for the portal form and POST /api/v1/auth/token."""

from marshmallow import validate

from hearth.schemas import fields
from hearth.schemas.base import Schema
from hearth.schemas.contact import EmailAddress


class LoginSchema(Schema):
    email = EmailAddress(required=True)
    password = fields.String(required=True, validate=validate.Length(min=1, max=256), load_only=True)
    otp = fields.String(load_default=None, validate=validate.Regexp(r"^\d{6}$"), allow_none=True)
