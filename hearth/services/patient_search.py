"""The one way staff pages search patients: by the start of any name word (accents and case ignored),
by MRN prefix, or by date of birth."""

from __future__ import annotations

import re
from datetime import date

from sqlalchemy import and_, func, or_

from hearth.models import Patient
from hearth.textfold import fold


def _escape(text: str) -> str:
    return re.sub(r"([\\%_])", r"\\\1", text)


def conditions(query: str, dates: list[date] | None = None) -> list:
    """[] for an empty search, else one condition: every word starts a name word, or the MRN
    starts with the text, or the date of birth is one of `dates`."""
    options = []
    if dates:
        options.append(Patient.date_of_birth.in_(dates))
    words = fold(query).split()
    if words:
        options.append(and_(*[
            or_(Patient.search_name.like(f"{_escape(w)}%", escape="\\"),
                Patient.search_name.like(f"% {_escape(w)}%", escape="\\"))
            for w in words
        ]))
    if query.strip():
        options.append(func.lower(Patient.mrn).like(_escape(query.strip().lower()) + "%", escape="\\"))
    return [or_(*options)] if options else []
