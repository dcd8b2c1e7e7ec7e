"""The one base class for Hearth's marshmallow schemas: its errors speak the request's language."""

from __future__ import annotations

from marshmallow import Schema as _MarshmallowSchema
from marshmallow import ValidationError

from hearth.schemas.messages import translate


class Schema(_MarshmallowSchema):
    """A marshmallow Schema whose validation errors (the libraries' own words included) are translated."""

    def handle_error(self, error: ValidationError, data, *, many: bool, **kwargs):
        raise ValidationError(translate(error.messages), field_name=error.field_name, data=error.data,
                              valid_data=error.valid_data, **error.kwargs)
