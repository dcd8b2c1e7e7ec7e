"""A compiled `Schema.dump`: the same output as marshmallow's, without its per-field call chain.

Why: a list read dumps hundreds of fields (an appointment list ~600, a schedule day ~1,500) and
marshmallow spends six Python calls on each (Field.serialize → get_value → Schema.get_attribute →
utils.get_value → _get_value_for_key → _serialize) before the value's own formatting. Here each
schema's declared dump fields are walked once, into a tuple of (key, attribute, converter) plans,
and a row is dumped with one getattr and, for anything but a str/int/bool/None already in its final
form, one converter call.

The marshmallow schemas stay the single source of truth (fields, OpenAPI, validation, loading);
nothing here changes what a dump returns, only how quickly. Field kinds this module does not know
(Dict, Enum, Pluck, Decimal, a field that overrides `serialize`/`get_value`...) fall back to the
field's own `serialize`/`_serialize`, so any field stays correct. A schema with pre/post-dump hooks,
or one overriding `get_attribute`/`_serialize`, is dumped by marshmallow itself.

Fields that need something per dump rather than per row (the reader's language) implement
`dump_value(obj, memo)`; `memo` is a dict that lives for one top-level dump.

`plain_dumps()` turns the compiled path off (tests compare both paths byte for byte).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from marshmallow import Schema as _MarshmallowSchema
from marshmallow.decorators import POST_DUMP, PRE_DUMP
from marshmallow.utils import get_value, missing

from hearth.schemas.fields import marshmallow_fields as mf

Converter = Callable[[Any, Any, dict], Any] | None  # (value, obj, memo) -> serialized value; None: as it is
_NONE = type(None)
_state = threading.local()


def enabled() -> bool:
    return not getattr(_state, "plain", False)


@contextmanager
def plain_dumps() -> Iterator[None]:
    """Inside the block (this thread), every Hearth schema dumps through marshmallow's own code."""
    before = getattr(_state, "plain", False)
    _state.plain = True
    try:
        yield
    finally:
        _state.plain = before


def compilable(schema: _MarshmallowSchema) -> bool:
    """Whether the schema dumps exactly as `dump_fields` say (no hooks, no overridden plumbing)."""
    cls = type(schema)
    return (not schema._hooks[PRE_DUMP] and not schema._hooks[POST_DUMP]
            and cls.get_attribute is _MarshmallowSchema.get_attribute
            and cls._serialize is _MarshmallowSchema._serialize)


def row_dumper(schema: _MarshmallowSchema) -> Callable[[Any, dict], dict]:
    """The schema's compiled one-object dump, cached on the schema for its current `dump_fields`."""
    cached = schema.__dict__.get("_hearth_row_dumper")
    if cached is not None and cached[0] is schema.dump_fields:
        return cached[1]
    fn = _compile(schema)
    schema.__dict__["_hearth_row_dumper"] = (schema.dump_fields, fn)
    return fn


def dump(schema: _MarshmallowSchema, obj: Any, many: bool, memo: dict) -> Any:
    """`schema.dump(obj, many=many)` for a compilable schema."""
    row = row_dumper(schema)
    if many and obj is not None:
        return [row(item, memo) for item in obj]
    return row(obj, memo)


def _compile(schema: _MarshmallowSchema) -> Callable[[Any, dict], dict]:
    plans = []
    for attr_name, field in schema.dump_fields.items():
        key = field.data_key if field.data_key is not None else attr_name
        cls = type(field)
        if cls.serialize is not mf.Field.serialize or cls.get_value is not mf.Field.get_value:
            plans.append((key, None, _NONE_TYPES, _whole_field(field, attr_name, schema), None))
            continue
        fast, convert = _converter(field, attr_name)
        if not field._CHECK_ATTRIBUTE:  # marshmallow serializes None for these
            plans.append((key, None, fast, convert or (lambda _value, _obj, _memo: None), None))
            continue
        attribute = field.attribute if field.attribute is not None else attr_name
        default = field.dump_default
        plans.append((key, attribute, fast, convert, default))
    plans = tuple(plans)
    dict_class = schema.dict_class

    def row(obj: Any, memo: dict) -> dict:
        ret = dict_class()
        plain = not hasattr(obj, "__getitem__")
        for key, attribute, fast, convert, default in plans:
            if attribute is None:  # Function, Method, a field serializing itself: no attribute read
                value = convert(None, obj, memo)
            else:
                if plain and "." not in attribute:
                    value = getattr(obj, attribute, missing)
                else:
                    value = get_value(obj, attribute, missing)
                if value is missing:
                    value = default() if callable(default) else default
                    if value is missing:
                        continue
                if convert is not None and type(value) not in fast:
                    value = convert(value, obj, memo)
            if value is missing:
                continue
            ret[key] = value
        return ret

    return row


_NONE_TYPES = frozenset()  # "never already final": always call the converter


def _whole_field(field: mf.Field, attr_name: str, schema: _MarshmallowSchema) -> Converter:
    accessor = schema.get_attribute
    return lambda _value, obj, _memo: field.serialize(attr_name, obj, accessor=accessor)


def _converter(field: mf.Field, attr_name: str) -> tuple[frozenset, Converter]:
    """(types whose values are already the serialized value, converter for the others) for `field`."""
    cls = type(field)
    serialize = cls._serialize
    dump_value = getattr(field, "dump_value", None)
    if dump_value is not None:
        return _NONE_TYPES, lambda _value, obj, memo: dump_value(obj, memo)
    if serialize is mf.Field._serialize:  # Raw, Boolean: the value as it is (no converter)
        return _NONE_TYPES, None
    if serialize is mf.String._serialize:
        return frozenset({str, _NONE}), lambda value, obj, memo: field._serialize(value, attr_name, obj)
    if (serialize is mf.Number._serialize and cls._format_num is mf.Number._format_num
            and field.num_type is int and not field.as_string):
        return frozenset({int, _NONE}), lambda value, obj, memo: int(value)
    if serialize is mf._TemporalField._serialize:
        format_func = field.SERIALIZATION_FUNCS.get(field.format or field.DEFAULT_FORMAT)
        if format_func is not None:
            return frozenset({_NONE}), lambda value, obj, memo: format_func(value)
    if serialize is mf.Function._serialize:
        func = field.serialize_func
        return _NONE_TYPES, lambda _value, obj, memo: func(obj)
    if serialize is mf.Method._serialize:
        method = field._serialize_method
        if method is None:
            return _NONE_TYPES, lambda _value, obj, memo: missing
        return _NONE_TYPES, lambda _value, obj, memo: method(obj)
    if serialize is mf.Nested._serialize:
        return frozenset({_NONE}), _nested(field)
    if serialize is mf.List._serialize:
        inner_fast, inner = _converter(field.inner, attr_name)
        if inner is None:
            return frozenset({_NONE}), lambda value, obj, memo: list(value)

        def each(value: Any, obj: Any, memo: dict) -> list:
            return [item if type(item) in inner_fast else inner(item, obj, memo) for item in value]
        return frozenset({_NONE}), each
    return frozenset(), lambda value, obj, memo: field._serialize(value, attr_name, obj)


def _nested(field: mf.Nested) -> Converter:
    def convert(value: Any, obj: Any, memo: dict) -> Any:
        schema = field.schema
        many = schema.many or field.many
        if enabled() and compilable(schema):
            return dump(schema, value, many, memo)
        return schema.dump(value, many=many)
    return convert
