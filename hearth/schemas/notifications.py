"""Notification centre and notification preference schemas, shared by the portal forms and the API."""

from __future__ import annotations

import re
from datetime import time

from marshmallow import ValidationError, pre_load, validate, validates, validates_schema

from hearth.i18n import _l
from hearth.models import CHANNELS, NotificationStatus
from hearth.notify.recipients import KINDS, PREFERENCE_KINDS
from hearth.schemas import fields
from hearth.schemas.base import Schema

MAX_PAGE = 100_000
_HHMM = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$")


class HourMinute(fields.String):
    """A local time of day as "HH:MM" (24-hour), what `<input type="time">` sends."""

    def _deserialize(self, value, attr, data, **kwargs) -> time:
        text = super()._deserialize(value, attr, data, **kwargs).strip()
        match = _HHMM.match(text)
        if match is None:
            raise ValidationError(str(_l("Enter a time as hours and minutes, for example 22:00.")))
        return time(int(match[1]), int(match[2]))

    def _serialize(self, value, attr, obj, **kwargs) -> str | None:
        return value.strftime("%H:%M") if isinstance(value, time) else None


class NotificationArgsSchema(Schema):
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=MAX_PAGE))
    per_page = fields.Integer(load_default=20, validate=validate.Range(min=1, max=100))


class NotificationItemSchema(Schema):
    """One notification as sent: never a health detail, only what the lock screen showed."""

    id = fields.Integer()
    kind = fields.String(metadata={"enum": list(KINDS), "description": "what the notification is about"})
    topic = fields.String(metadata={"description": "the heading to show it under (a kind)"})
    channel = fields.String(metadata={"enum": list(CHANNELS), "description": "how it reached the person"})
    status = fields.String(metadata={"enum": [NotificationStatus.SENT.value, NotificationStatus.FAILED.value],
                                     "description": "sent, or failed when no channel could reach the person"})
    at = fields.DateTime(metadata={"description": "When it was sent (or given up on), UTC"})
    title = fields.String(metadata={"description": "In the reader's current language"})
    body = fields.String()
    patient_id = fields.Integer(allow_none=True, metadata={"description": "Whom it is about (a caregiver's child)"})


class NotificationPageSchema(Schema):
    items = fields.List(fields.Nested(NotificationItemSchema))
    page = fields.Integer()
    per_page = fields.Integer()
    total = fields.Integer()


class PreferenceSchema(Schema):
    """Channels in order and quiet hours (local times in the person's zone) for one kind."""

    kind = fields.String(required=True, validate=validate.OneOf(PREFERENCE_KINDS))
    channels = fields.List(
        fields.String(validate=validate.OneOf(CHANNELS, error=_l("Choose among push, email and text message."))),
        required=True,
        validate=validate.Length(min=1, error=_l("Choose at least one way to reach you.")),
        metadata={"description": "Ordered subset of push, email, sms; at least one, no repeats"},
    )
    quiet_hours_start = HourMinute(load_default=None, allow_none=True,
                                   metadata={"example": "22:00", "pattern": _HHMM.pattern})
    quiet_hours_end = HourMinute(load_default=None, allow_none=True,
                                 metadata={"example": "07:00", "pattern": _HHMM.pattern})
    is_default = fields.Boolean(dump_only=True, metadata={"description": "Not chosen yet: the defaults apply"})

    @pre_load
    def _blanks(self, data, **kwargs):
        if not isinstance(data, dict):
            return data
        data = dict(data)
        for name in ("quiet_hours_start", "quiet_hours_end"):
            if isinstance(data.get(name), str) and not data[name].strip():
                data[name] = None
        return data

    @validates("channels")
    def _distinct(self, value, **kwargs):
        if len(set(value)) != len(value):
            raise ValidationError(str(_l("Each way to reach you can be listed once.")))

    @validates_schema(skip_on_field_errors=True)
    def _quiet_hours(self, data, **kwargs):
        start, end = data.get("quiet_hours_start"), data.get("quiet_hours_end")
        if (start is None) != (end is None):
            missing = "quiet_hours_end" if end is None else "quiet_hours_start"
            raise ValidationError(str(_l("Give both the start and the end of quiet hours, or neither.")), missing)
        if start is not None and start == end:
            raise ValidationError(str(_l("Quiet hours must end at a different time than they start.")),
                                  "quiet_hours_end")


class PreferencesUpdateSchema(Schema):
    """The kinds to change; kinds left out keep their current settings."""

    items = fields.List(fields.Nested(PreferenceSchema), required=True,
                        validate=validate.Length(min=1, max=len(PREFERENCE_KINDS)))

    @validates_schema(skip_on_field_errors=True)
    def _one_per_kind(self, data, **kwargs):
        kinds = [item["kind"] for item in data["items"]]
        if len(set(kinds)) != len(kinds):
            raise ValidationError(str(_l("Give each kind of notification once.")), "items")


class PreferencesSchema(Schema):
    language = fields.String(metadata={"description": "The account's language; change it on /api/v1/account"})
    timezone = fields.String(metadata={"description": "The zone quiet hours are read in"})
    items = fields.List(fields.Nested(PreferenceSchema))
