"""Account and sign-in security input/output: portal forms and /api/v1/account, /auth, /devices alike.

Password length and content are checked by hearth.security.password_rules in the services (so the
same rules hold for every entry point); schemas only bound the size of what they accept.
"""

from marshmallow import ValidationError, validate, validates, validates_schema

from hearth.clock import is_valid_zone
from hearth.i18n import _l
from hearth.models import SessionKind
from hearth.schemas import fields
from hearth.schemas.base import Schema
from hearth.schemas.contact import EmailAddress
from hearth.services.accounts import SUPPORTED_LOCALES

_PASSWORD = validate.Length(min=1, max=1024)
_CODE = validate.Regexp(r"^\s*\d{3}[\s-]?\d{3}\s*$", error=_l("Enter the 6-digit code from your authenticator app."))


def _password(**kw):
    return fields.String(validate=_PASSWORD, load_only=True, **kw)


class _Confirmed(Schema):
    """A new password typed twice in the portal; the API sends it once (no `password_confirm`)."""

    password = _password(required=True)
    password_confirm = _password(load_default=None, allow_none=True)

    @validates_schema
    def _same(self, data, **kwargs):
        confirm = data.get("password_confirm")
        if confirm is not None and confirm != data.get("password"):
            raise ValidationError(str(_l("The two passwords do not match.")), "password_confirm")


class CodeSchema(Schema):
    code = fields.String(required=True, validate=_CODE)


class EmailSchema(Schema):
    email = EmailAddress(required=True)


class ResetPasswordSchema(_Confirmed):
    pass


class PasswordResetConfirmSchema(_Confirmed):
    token = fields.String(required=True, validate=validate.Length(min=10, max=500), load_only=True)


class ReauthSchema(Schema):
    current_password = _password(required=True)


class PasswordChangeSchema(_Confirmed):
    current_password = _password(load_default=None, allow_none=True)


class ApiPasswordChangeSchema(PasswordChangeSchema):
    current_password = _password(required=True)


class EmailChangeSchema(EmailSchema):
    current_password = _password(load_default=None, allow_none=True)


class ApiEmailChangeSchema(EmailSchema):
    current_password = _password(required=True)


class EmailChangeConfirmSchema(Schema):
    token = fields.String(required=True, validate=validate.Length(min=10, max=1000), load_only=True,
                          metadata={"description": "The token at the end of the link emailed to the new address"})


class TwoFactorConfirmSchema(CodeSchema):
    current_password = _password(load_default=None, allow_none=True)


class ApiTwoFactorConfirmSchema(CodeSchema):
    current_password = _password(required=True)


class ProfileSchema(Schema):
    display_name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    locale = fields.String(required=True, validate=validate.OneOf(SUPPORTED_LOCALES,
                                                                  error=_l("Choose English or Spanish.")))
    timezone = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=64))

    @validates("timezone")
    def _zone(self, value, **kwargs):
        if value and not is_valid_zone(value):
            raise ValidationError(str(_l("Choose a time zone from the list.")))


class AccountSchema(Schema):
    id = fields.Integer()
    email = fields.String()
    pending_email = fields.String(allow_none=True, metadata={
        "description": "A new sign-in email waiting for the link sent to it to be opened; null when none"})
    display_name = fields.String()
    locale = fields.String()
    timezone = fields.String(allow_none=True)
    two_factor_enabled = fields.Boolean(attribute="totp_enabled")
    password_changed_at = fields.DateTime()


class EnrolmentSchema(Schema):
    secret = fields.String(metadata={"description": "Base32 secret to type into an authenticator app"})
    uri = fields.String(data_key="otpauth_uri", metadata={"description": "otpauth:// URI for the app"})


class SessionSchema(Schema):
    id = fields.Integer()
    kind = fields.String(metadata={"enum": [kind.value for kind in SessionKind],
                                   "description": "web (portal) or api (mobile app sign-in)"})
    label = fields.String(metadata={"description": "Device name or a summary of the browser"})
    ip = fields.String(allow_none=True)
    created_at = fields.DateTime()
    last_seen_at = fields.DateTime()
    current = fields.Boolean(metadata={"description": "The session making this request"})


class DeviceRegisterSchema(Schema):
    token = fields.String(required=True, validate=validate.Length(min=10, max=4096), load_only=True,
                          metadata={"description": "The FCM registration token of this app install"})
    platform = fields.String(required=True, validate=validate.OneOf(("ios", "android", "web")))
    label = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=120))


class DeviceSchema(Schema):
    id = fields.Integer()
    platform = fields.String()
    label = fields.String(allow_none=True)
    created_at = fields.DateTime()
    last_seen_at = fields.DateTime()
    active = fields.Boolean(metadata={"description": "false once pushes to it stopped (removed, signed out, "
                                                    "or its sign-in expired)"})
