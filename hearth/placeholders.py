"""Fill `{name}` placeholders in texts, and nothing else: no attribute or index access, no conversions.

`str.format` evaluates `{x.__class__.__mro__}` or `{x[0]}` against the values it is given, so a text a
practice (or anyone but the developers) typed must never reach it. `fill` reads the text with the
same grammar but only ever looks a bare name up in the mapping; `problems` says what is wrong with
a text before it is saved. `{{` and `}}` stay literal braces.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from string import Formatter

_PARSER = Formatter()


class PlaceholderError(ValueError):
    """The text uses something other than the allowed bare `{name}` placeholders."""


def _parts(text: str) -> list[tuple[str, str | None, str | None, str | None]]:
    try:
        return list(_PARSER.parse(text))
    except ValueError:  # a lone "{" or "}"
        raise PlaceholderError("a brace without its pair") from None


def _shown(field: str, spec: str | None, conversion: str | None) -> str:
    return "{" + field + (f"!{conversion}" if conversion else "") + (f":{spec}" if spec else "") + "}"


def problems(text: str, allowed: Collection[str]) -> list[str]:
    """What `text` has in braces that is not a plain name in `allowed`, as written ("{" for a lone brace)."""
    try:
        parts = _parts(text)
    except PlaceholderError:
        return ["{" if text.count("{") > text.count("}") else "}"]
    return [_shown(field, spec, conversion) for _literal, field, spec, conversion in parts
            if field is not None and (field not in allowed or not field.isidentifier() or spec or conversion)]


def fill(text: str, values: Mapping[str, object]) -> str:
    """`text` with each `{name}` replaced by `str(values[name])`; PlaceholderError otherwise."""
    out = []
    for literal, field, spec, conversion in _parts(text):
        out.append(literal)
        if field is None:
            continue
        if not field.isidentifier() or spec or conversion or field not in values:
            raise PlaceholderError(f"placeholder not allowed: {{{field}}}")
        out.append(str(values[field]))
    return "".join(out)
