"""The edge's building blocks: bounded schema fields, the id converter, bounded JSON, and guards that keep
every schema and API blueprint on them."""

import ast
from datetime import date
from pathlib import Path

import pytest
from marshmallow import Schema, ValidationError

from api import blueprints
from api.blueprint import Blueprint
from hearth.edge import MAX_JSON_DEPTH, loads, up_to
from hearth.schemas import fields
from hearth.schemas.fields import INT32_MAX, MAX_TEXT, parse_id

ROOT = Path(__file__).resolve().parents[2]


class Sample(Schema):
    text = fields.String()
    email = fields.Email()
    number = fields.Integer()
    ident = fields.Id()
    day = fields.Date()
    moment = fields.AwareDateTime()
    items = fields.List(fields.String())
    answers = fields.Dict()


def _error(**data) -> dict:
    with pytest.raises(ValidationError) as caught:
        Sample().load(data)
    return caught.value.messages


@pytest.mark.parametrize("value", ["a\x00b", "\ud800", "x\udc00", "\x00"])
def test_text_refuses_nul_and_unpaired_surrogates(value):
    assert set(_error(text=value)) == {"text"}
    assert set(_error(email=f"a{value}@example.test")) == {"email"}
    assert set(_error(items=["ok", value])) == {"items"}
    assert set(_error(answers={value: "x"})) == {"answers"}
    assert set(_error(answers={"k": value})) == {"answers"}


def test_text_keeps_real_text_and_is_bounded():
    assert Sample().load({"text": "Señora 😀 \t line\nbreak"})["text"] == "Señora 😀 \t line\nbreak"
    assert Sample().load({"text": "x" * MAX_TEXT})["text"]
    assert set(_error(text="x" * (MAX_TEXT + 1))) == {"text"}
    assert set(_error(items=["x"] * 1001)) == {"items"}
    assert set(_error(answers={"k": ["nested"]})) == {"answers"}


@pytest.mark.parametrize("value, ok", [(INT32_MAX, True), (INT32_MAX + 1, False), (-(2**31), True),
                                       (-(2**31) - 1, False), (10**23, False), ("99999999999999999999999", False),
                                       (1e300, False), (True, False)])
def test_integers_stay_in_the_column_range(value, ok):
    if ok:
        assert Sample().load({"number": value})["number"] == value
    else:
        assert set(_error(number=value)) == {"number"}


def test_ids_are_one_to_int32_max_with_one_message():
    assert Sample().load({"ident": INT32_MAX})["ident"] == INT32_MAX
    assert _error(ident=0) == {"ident": ["Enter a whole number from 1 to 2147483647."]}
    assert _error(ident=10**23) == {"ident": ["Enter a whole number from 1 to 2147483647."]}


@pytest.mark.parametrize("field, value", [("day", "0001-01-01"), ("day", "9999-12-31"), ("day", "1899-12-31"),
                                          ("day", "2201-01-01"), ("moment", "0001-01-01T00:00:00+14:00"),
                                          ("moment", "9999-12-31T23:59:59-14:00")])
def test_dates_stay_in_a_sane_window(field, value):
    assert _error(**{field: value}) == {field: ["Enter a date between 1900 and 2200."]}


def test_dates_inside_the_window_load():
    assert Sample().load({"day": "1900-01-01"})["day"] == date(1900, 1, 1)
    assert Sample().load({"day": "2200-12-31"})["day"] == date(2200, 12, 31)


@pytest.mark.parametrize("text, expected", [("1", 1), (" 42 ", 42), (str(INT32_MAX), INT32_MAX)])
def test_parse_id_reads_ids(text, expected):
    assert parse_id(text) == expected


@pytest.mark.parametrize("text", ["0", "-1", str(INT32_MAX + 1), "99999999999999999999999", "١٢", "²", "1e3", "",
                                  "9" * 5000])
def test_parse_id_refuses_the_rest_with_value_error(text):
    with pytest.raises(ValueError):
        parse_id(text)


def test_the_id_regex_is_exactly_one_to_the_limit():
    import random
    import re

    pattern = re.compile(up_to(INT32_MAX) + "$")
    rng = random.Random(7)
    for n in [1, 9, 10, INT32_MAX, INT32_MAX + 1, 0, 10**10] + [rng.randint(1, 2**34) for _ in range(20000)]:
        assert bool(pattern.match(str(n))) == (1 <= n <= INT32_MAX), n
    assert not pattern.match("01")


def test_json_is_bounded_in_depth_and_strict():
    assert loads(b'{"a": [1, {"b": null}]}') == {"a": [1, {"b": None}]}
    nested = "[" * MAX_JSON_DEPTH + "]" * MAX_JSON_DEPTH
    assert loads(nested)
    for bad in ("[" * (MAX_JSON_DEPTH + 1) + "]" * (MAX_JSON_DEPTH + 1), "[" * 100_000, "NaN", '{"a": Infinity}',
                b'"\xff"'):
        with pytest.raises(ValueError):
            loads(bad)


def test_openapi_states_the_id_range(client):
    spec = client.get("/api/v1/openapi.json").json
    param = next(p for p in spec["paths"]["/api/v1/patients/{patient_id}"]["parameters"] if p["name"] == "patient_id")
    assert param["schema"] == {"type": "integer", "minimum": 1, "maximum": INT32_MAX}
    book = spec["components"]["schemas"]["Book"]["properties"]["visit_type_id"]
    assert book["minimum"] == 1 and book["maximum"] == INT32_MAX


def test_every_schema_module_uses_the_bounded_fields():
    """A schema that imports marshmallow's own fields would skip every bound above."""
    offenders = []
    for path in [*ROOT.glob("hearth/**/*.py"), *ROOT.glob("api/*.py"), *ROOT.glob("portal/*.py")]:
        if path.name == "fields.py" and path.parent.name == "schemas":
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("marshmallow"):
                if node.module == "marshmallow.fields" or any(a.name == "fields" for a in node.names):
                    offenders.append(str(path.relative_to(ROOT)))
            elif isinstance(node, ast.Import) and any(a.name.startswith("marshmallow") for a in node.names):
                offenders.append(str(path.relative_to(ROOT)))
    assert offenders == []


def test_every_api_blueprint_parses_with_the_bounded_parser():
    assert all(isinstance(blp, Blueprint) for blp in blueprints())
