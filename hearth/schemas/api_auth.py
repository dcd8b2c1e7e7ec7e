"""Schemas of the token endpoints."""

from marshmallow import validate

from hearth.schemas import fields
from hearth.schemas.auth import LoginSchema
from hearth.schemas.base import Schema


class TokenRequestSchema(LoginSchema):
    device_label = fields.String(load_default=None, validate=validate.Length(max=120), allow_none=True)


class RefreshRequestSchema(Schema):
    refresh_token = fields.String(required=True, validate=validate.Length(min=10, max=200))


class TokenResponseSchema(Schema):
    access_token = fields.String(required=True)
    refresh_token = fields.String(required=True)
    token_type = fields.String(required=True, dump_default="Bearer")
    expires_in = fields.Integer(required=True, metadata={"description": "Seconds until the access token expires"})
