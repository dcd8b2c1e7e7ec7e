"""Sign-in input, for the portal form and POST /api/v1/auth/token."""

from marshmallow import Schema, validate

from hearth.schemas import fields


class LoginSchema(Schema):
    email = fields.Email(required=True, validate=validate.Length(max=254))
    password = fields.String(required=True, validate=validate.Length(min=1, max=256), load_only=True)
    otp = fields.String(load_default=None, validate=validate.Regexp(r"^\d{6}$"), allow_none=True)
