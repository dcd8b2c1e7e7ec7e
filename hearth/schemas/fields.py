"""marshmallow fields bounded the way the database is: every schema imports its fields from here.

`from hearth.schemas import fields` gives marshmallow's fields with these kinds replaced, so no
schema can forget a bound (tests/edge/test_fields.py fails on a direct `marshmallow.fields` import):

- String (and Email, and every subclass): refuses NUL bytes and unpaired surrogates (PostgreSQL
  and UTF-8 cannot store them) and anything longer than MAX_TEXT characters;
- Integer: within the signed 32-bit range of an `Integer` column; `Id` is 1..INT32_MAX;
- Date, DateTime, AwareDateTime, NaiveDateTime: years DATE_MIN..DATE_MAX, so date arithmetic in
  the services never overflows;
- List: at most MAX_ITEMS items unless the schema says fewer;
- Dict: its values are bounded text or booleans unless the schema names a value field.

`parse_id` is the same bound for a single value read outside a schema (`request.args.get(..., type=parse_id)`).
"""

from __future__ import annotations

from datetime import date, datetime

# The unbounded originals: only hearth.schemas.dumper reads them, to recognise their methods.
import marshmallow.fields as marshmallow_fields  # noqa: F401
from marshmallow import ValidationError, validate
from marshmallow.fields import *  # noqa: F403 - the module stands in for marshmallow.fields
from marshmallow.fields import AwareDateTime as _AwareDateTime
from marshmallow.fields import Date as _Date
from marshmallow.fields import DateTime as _DateTime
from marshmallow.fields import Dict as _Dict
from marshmallow.fields import Email as _Email
from marshmallow.fields import Field
from marshmallow.fields import Integer as _Integer
from marshmallow.fields import List as _List
from marshmallow.fields import NaiveDateTime as _NaiveDateTime
from marshmallow.fields import String as _String
from marshmallow.fields import Url as _Url

from hearth.i18n import _l

INT32_MIN, INT32_MAX = -(2**31), 2**31 - 1
MAX_TEXT = 10_000
MAX_ITEMS = 1_000
DATE_MIN, DATE_MAX = date(1900, 1, 1), date(2200, 12, 31)

UNSTORABLE = _l("Remove the invisible control characters from this text.")
TOO_LONG = _l("Keep this under {max} characters.")
TOO_MANY = _l("Give at most {max} items.")
OUT_OF_RANGE = _l("Enter a whole number from {min} to {max}.")
OUT_OF_WINDOW = _l("Enter a date between 1900 and 2200.")


def check_text(value: str) -> str:
    """`value` unchanged, or ValidationError when it holds a NUL byte or an unpaired surrogate."""
    if "\x00" in value:
        raise ValidationError(str(UNSTORABLE))
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate ("\ud800"): JSON allows it, UTF-8 does not
        raise ValidationError(str(UNSTORABLE)) from None
    return value


def parse_id(text: str | int) -> int:
    """A row id from a query string or form value; ValueError (which werkzeug's `type=` treats as absent) otherwise."""
    text = str(text).strip()
    if not (text.isascii() and text.isdigit()) or len(text) > 10 or not 1 <= int(text) <= INT32_MAX:
        raise ValueError(f"not an id: {text[:20]!r}")
    return int(text)


class _TextLength(validate.Length):
    """Length for text only: a subclass may turn text into another type (HourMinute → time)."""

    def __call__(self, value):
        return super().__call__(value) if isinstance(value, str) else value


class _TextMixin:
    """Bounded, storable text: no NUL, no unpaired surrogate, at most MAX_TEXT characters."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not any(isinstance(v, validate.Length) and v.max is not None for v in self.validators):
            self.validators.append(_TextLength(max=MAX_TEXT, error=TOO_LONG))

    def _deserialize(self, value, attr, data, **kwargs):
        result = super()._deserialize(value, attr, data, **kwargs)
        return check_text(result) if isinstance(result, str) else result


class String(_TextMixin, _String):
    pass


Str = String


class Email(_TextMixin, _Email):
    pass


class Url(_TextMixin, _Url):
    pass


URL = Url


class Integer(_Integer):
    """An integer that fits an `Integer` column (signed 32 bits); narrower ranges add their own Range."""

    bounds = (INT32_MIN, INT32_MAX)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        low, high = self.bounds  # also a validator, so the OpenAPI document states the range
        self.validators.insert(0, validate.Range(min=low, max=high, error=OUT_OF_RANGE))

    def _validate(self, value):
        # Past the bounds the narrower validators' messages add nothing: say only the bounds.
        low, high = self.bounds
        if not low <= value <= high:
            raise ValidationError(OUT_OF_RANGE.format(min=low, max=high))
        super()._validate(value)


Int = Integer


class Id(Integer):
    """A row id: 1..INT32_MAX."""

    bounds = (1, INT32_MAX)


class _WindowMixin:
    """Dates (and the dates of datetimes) between DATE_MIN and DATE_MAX."""

    def _deserialize(self, value, attr, data, **kwargs):
        try:
            result = super()._deserialize(value, attr, data, **kwargs)
        except OverflowError:
            raise ValidationError(str(OUT_OF_WINDOW)) from None
        day = result.date() if isinstance(result, datetime) else result
        if isinstance(day, date) and not DATE_MIN <= day <= DATE_MAX:
            raise ValidationError(str(OUT_OF_WINDOW))
        return result


class Date(_WindowMixin, _Date):
    pass


class DateTime(_WindowMixin, _DateTime):
    pass


class AwareDateTime(_WindowMixin, _AwareDateTime):
    pass


class NaiveDateTime(_WindowMixin, _NaiveDateTime):
    pass


class List(_List):
    """A list of at most MAX_ITEMS items (an id list must not become thousands of SQL parameters)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not any(isinstance(v, validate.Length) and v.max is not None for v in self.validators):
            self.validators.append(validate.Length(max=MAX_ITEMS, error=TOO_MANY))


class _Answer(Field):
    """A free value inside a Dict: a boolean or bounded text (what a form or questionnaire can hold)."""

    def __init__(self, **kwargs):
        metadata = {"oneOf": [{"type": "boolean"}, {"type": "string", "maxLength": MAX_TEXT}],
                    **kwargs.pop("metadata", {})}
        super().__init__(metadata=metadata, **kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, bool):
            return value
        if not isinstance(value, str):
            raise ValidationError(str(_l("Enter text or yes/no.")))
        if len(value) > MAX_TEXT:
            raise ValidationError(TOO_LONG.format(max=MAX_TEXT))
        return check_text(value)


class Dict(_Dict):
    """A mapping whose keys are bounded text and whose values default to text or booleans."""

    def __init__(self, keys: Field | type | None = None, values: Field | type | None = None, **kwargs):
        super().__init__(keys=keys or String(), values=values or _Answer(), **kwargs)
