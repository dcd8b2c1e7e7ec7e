"""The one base class for Hearth's marshmallow schemas: its errors speak the request's language."""

from __future__ import annotations

from marshmallow import Schema as _MarshmallowSchema
from marshmallow import ValidationError

from hearth.schemas import dumper
from hearth.schemas.messages import translate


class Schema(_MarshmallowSchema):
    """A marshmallow Schema whose validation errors (the libraries' own words included) are translated,
    and whose dumps (flask-smorest's `@blp.response` calls `schema.dump`) run compiled (hearth.schemas.dumper):
    the same output, a fraction of marshmallow's per-field cost on list reads."""

    def dump(self, obj, *, many: bool | None = None):
        if not dumper.enabled() or not dumper.compilable(self):
            return super().dump(obj, many=many)
        return dumper.dump(self, obj, self.many if many is None else bool(many), {})

    def handle_error(self, error: ValidationError, data, *, many: bool, **kwargs):
        raise ValidationError(translate(error.messages), field_name=error.field_name, data=error.data,
                              valid_data=error.valid_data, **error.kwargs)
