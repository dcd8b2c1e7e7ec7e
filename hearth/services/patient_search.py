"""The one way staff pages search patients: by the start of any name word (accents, case and punctuation
ignored: "lopez" finds López, "obrien" O'Brien), by MRN prefix or the MRN's digits, or by date of birth."""

from __future__ import annotations

import re
from datetime import date

from sqlalchemy import and_, or_

from hearth.models import Patient
from hearth.textfold import fold

# Digits typed alone match anywhere in the MRN from this many on (fewer would match half the practice).
MIN_MRN_DIGITS = 3


def _escape(text: str) -> str:
    return re.sub(r"([\\%_])", r"\\\1", text)


def conditions(query: str, dates: list[date] | None = None) -> list:
    """[] for an empty search, else one condition: every word starts a name word, or the MRN
    starts with the text (or holds it, for 3 or more digits), or the date of birth is one of `dates`."""
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
    text = query.strip()
    if text:
        options.append(Patient.mrn.ilike(_escape(text) + "%", escape="\\"))  # trigram-indexed on PostgreSQL
    if text.isdigit() and len(text) >= MIN_MRN_DIGITS:  # "000101" finds HFM-000101
        options.append(Patient.mrn.like(f"%{text}%"))
    return [or_(*options)] if options else []
