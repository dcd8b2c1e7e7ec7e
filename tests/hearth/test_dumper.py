"""The compiled dump (hearth.schemas.dumper) returns exactly what marshmallow's own dump returns.

Each case dumps the same objects twice, compiled and inside `plain_dumps()` (marshmallow's code),
and compares the JSON text without sorting keys, so key order, ints vs bools vs floats, nulls,
missing keys and nested shapes all have to match.
"""

from __future__ import annotations

import enum
import json
from datetime import UTC, date, datetime
from types import SimpleNamespace

import pytest
from marshmallow import post_dump

from hearth.schemas import dumper, fields
from hearth.schemas.base import Schema
from hearth.schemas.scheduling import AppointmentSchema, QuestionSchema, ScheduleSchema, VisitTypeBriefSchema


class Color(enum.Enum):
    RED = "red"


class Kind(enum.StrEnum):
    A = "a"


class Inner(Schema):
    id = fields.Integer()
    name = fields.String(allow_none=True)


class Hooked(Schema):
    id = fields.Integer()

    @post_dump
    def _mark(self, data, **kwargs):
        data["hooked"] = True
        return data


class Everything(Schema):
    text = fields.String(allow_none=True)
    kind = fields.String()
    number = fields.Integer(allow_none=True)
    flag = fields.Boolean()
    as_int = fields.Integer(attribute="flag", data_key="flagInt", dump_only=True)
    price = fields.Float()
    exact = fields.Decimal(as_string=True)
    when = fields.DateTime(allow_none=True)
    day = fields.Date()
    custom_day = fields.Date(format="%d/%m/%Y")
    color = fields.Enum(Color)
    dotted = fields.String(attribute="inner.name", dump_only=True)
    defaulted = fields.String(dump_default="dflt")
    called = fields.Integer(dump_default=lambda: 7)
    absent = fields.String()
    func = fields.Function(lambda o: f"f-{getattr(o, 'text', None)}")
    method = fields.Method("_method")
    inner = fields.Nested(Inner, allow_none=True)
    inners = fields.List(fields.Nested(Inner))
    only_names = fields.List(fields.Nested(Inner, only=("name",)), attribute="inners_2")
    plucked = fields.Pluck(Inner, "name", attribute="inner", dump_only=True)
    hooked = fields.Nested(Hooked)
    tags = fields.List(fields.String())
    raw = fields.Raw()
    mapping = fields.Dict()

    def _method(self, obj):
        return f"m-{getattr(obj, 'number', None)}"


def row(**overrides):
    base = {
        "text": "héllo", "kind": Kind.A, "number": True, "flag": 1, "price": 2, "exact": "1.50",
        "when": datetime(2026, 3, 1, 14, 30, tzinfo=UTC), "day": date(2026, 3, 1), "custom_day": date(2026, 3, 1),
        "color": Color.RED, "inner": SimpleNamespace(id="3", name=None),
        "inners": [SimpleNamespace(id=1, name="a"), None], "inners_2": [{"id": 5, "name": "n"}],
        "hooked": SimpleNamespace(id=9), "tags": ["x", 2, None], "raw": {"a": [1]}, "mapping": {"k": "v"},
    }
    return SimpleNamespace(**{**base, **overrides})


def same(schema, obj, many=None):
    fast = schema.dump(obj, many=many)
    assert "_hearth_row_dumper" in schema.__dict__  # the compiled path ran
    with dumper.plain_dumps():
        plain = schema.dump(obj, many=many)
    assert json.dumps(fast, default=str) == json.dumps(plain, default=str)
    return fast


def test_every_field_kind_dumps_as_marshmallow_does():
    out = same(Everything(), row())
    assert out["hooked"] == {"id": 9, "hooked": True} and out["flagInt"] == 1 and out["called"] == 7


def test_nulls_naive_datetimes_and_empty_lists():
    same(Everything(), row(text=None, number=None, when=datetime(2026, 3, 1, 9), inner=None, inners=[], tags=None))


def test_many_dicts_and_missing_keys():
    schema = Everything(many=True)
    same(schema, [row(), row(when=None)])
    same(Everything(only=("text", "number", "dotted", "defaulted", "absent")), [{"text": "t", "items": 1}], many=True)
    same(Inner(), {"id": 1})  # a dict: "name" absent, no key
    same(Inner(), None)
    same(Inner(many=True), [])


def test_only_and_exclude_are_respected():
    same(Everything(exclude=("func", "method", "hooked")), row())
    same(Everything(only=("inner.id", "inners")), row())


def test_the_compiled_dumper_follows_a_schema_whose_fields_change():
    schema = Inner()
    same(schema, {"id": 1, "name": "x"})
    schema.only = {"id"}
    schema._init_fields()
    assert same(schema, {"id": 1, "name": "x"}) == {"id": 1}


def practice(language="en"):
    return SimpleNamespace(default_language=language)


def visit_type(**kw):
    return SimpleNamespace(**{
        "id": 4, "name": "Check-up", "duration_minutes": 30, "mode": "in_person", "self_schedulable": True,
        "instructions": None, "practice": practice(),
        "translations": {"es": {"name": "Revisión", "instructions": "Venga en ayunas"}},
        "questionnaire": [{"id": "q", "text": "Pain?", "type": "yes_no", "required": True,
                           "translations": {"es": "¿Dolor?"}},
                          {"id": "c", "text": "Mood", "type": "choice", "options": ["a"], "required": False}], **kw})


@pytest.mark.parametrize("language", ["en", "es", "fr"])
def test_texts_in_the_readers_language(app, language):
    with app.test_request_context(headers={"Accept-Language": language}):
        out = same(VisitTypeBriefSchema(many=True), [visit_type(), visit_type(practice=practice("es"))])
        same(QuestionSchema(many=True), visit_type().questionnaire)
    if language == "es":
        assert out[0]["name"] == "Revisión" and out[0]["questionnaire"][0]["text"] == "¿Dolor?"
        assert out[1]["name"] == "Check-up"  # the practice's own language: its column


def appointment(**kw):
    stamp = datetime(2026, 3, 1, 14, 0, tzinfo=UTC)
    return SimpleNamespace(**{
        "id": 1, "patient_id": 2, "status": "booked", "starts_at": stamp, "ends_at": stamp, "visit_type": visit_type(),
        "provider": SimpleNamespace(id=3, display_name="Dr Ada"),
        "location": SimpleNamespace(id=5, name="Main", address=None, practice=practice(),
                                    translations={"es": {"name": "Principal"}}),
        "reason": None, "checked_in_at": None, "confirmed_at": stamp, "cancelled_at": None, "cancel_reason": None,
        "arrived_at": None, "roomed_at": None, "seen_at": None, "completed_at": None, "no_show_at": None,
        "uid": "u@hearth", "calendar_sequence": 0, **kw})


def test_a_schedule_page(app):
    page = {"practice_id": 1, "start": date(2026, 3, 1), "timezone": "America/New_York",
            "days": [{"date": date(2026, 3, 1), "appointments": [appointment(), appointment(location=None)]},
                     {"date": date(2026, 3, 2), "appointments": []}]}
    with app.test_request_context(headers={"Accept-Language": "es"}):
        same(AppointmentSchema(many=True), [appointment(), appointment(location=None)])
        out = same(ScheduleSchema(exclude=()), page)
    assert out["days"][1] == {"date": "2026-03-02", "appointments": []}
