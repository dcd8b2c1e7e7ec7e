"""The one way staff pages search patients: by the start of any name word (accents, case and punctuation
ignored: "lopez" finds López, "obrien" O'Brien), by MRN prefix or the MRN's digits, or by date of birth.

`conditions` says which patients match; `word_page` finds a page of them in list order through the per-word
name index (`patient_name_word`) so that a common prefix costs what a rare one does.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from sqlalchemy import (
    ARRAY,
    Select,
    String,
    and_,
    bindparam,
    exists,
    func,
    literal_column,
    or_,
    select,
    text,
    true,
    union,
)

from hearth import db
from hearth.models import Patient, PatientNameWord
from hearth.textfold import fold

# Digits typed alone match anywhere in the MRN from this many on (fewer would match half the practice).
MIN_MRN_DIGITS = 3


def _escape(text: str) -> str:
    return re.sub(r"([\\%_])", r"\\\1", text)


def _starts_a_word(word: str):
    return or_(Patient.search_name.like(f"{_escape(word)}%", escape="\\"),
               Patient.search_name.like(f"% {_escape(word)}%", escape="\\"))


def _other_options(query: str, dates: list[date] | None) -> list:
    """The search's tests that are not about name words: MRN prefix or digits, date of birth."""
    options = []
    if dates:
        options.append(Patient.date_of_birth.in_(dates))
    typed = query.strip()
    if typed:
        options.append(Patient.mrn.ilike(_escape(typed) + "%", escape="\\"))  # trigram-indexed on PostgreSQL
    if typed.isdigit() and len(typed) >= MIN_MRN_DIGITS:  # "000101" finds HFM-000101
        options.append(Patient.mrn.like(f"%{typed}%"))
    return options


def conditions(query: str, dates: list[date] | None = None) -> list:
    """[] for an empty search, else one condition: every word starts a name word, or the MRN
    starts with the text (or holds it, for 3 or more digits), or the date of birth is one of `dates`."""
    options = []
    words = fold(query).split()
    if words:
        options.append(and_(*[_starts_a_word(w) for w in words]))
    options = [*([Patient.date_of_birth.in_(dates)] if dates else []), *options,
               *_other_options(query, None)]
    return [or_(*options)] if options else []


# Past this many distinct name words starting with the searched prefix ("a", "s"), the per-word plan would read
# too many short lists; such a prefix matches so many patients that walking the name index finds a page at once.
MAX_WORDS = 300

_DICTIONARY = text("""
WITH RECURSIVE found(word) AS (
    SELECT (SELECT word FROM patient_name_word WHERE practice_id = :practice AND word >= :low AND word < :high
            ORDER BY word LIMIT 1)
    UNION ALL
    SELECT (SELECT word FROM patient_name_word WHERE practice_id = :practice AND word > found.word
            AND word < :high ORDER BY word LIMIT 1)
    FROM found WHERE found.word IS NOT NULL
)
SELECT word FROM found WHERE word IS NOT NULL LIMIT :most
""")


def _next_prefix(prefix: str) -> str | None:
    """The smallest string after every string starting with `prefix` (code point order, which both databases'
    byte-wise comparison of UTF-8 follows)."""
    last = ord(prefix[-1])
    return prefix[:-1] + chr(last + 1) if last < 0x10FFFF else None


def dictionary(practice_id: int, prefix: str, most: int) -> list[str]:
    """Up to `most` distinct name words of the practice starting with `prefix`, by a skip scan of
    ix_patient_name_word_page (one index probe per word, however many patients share it)."""
    high = _next_prefix(prefix)
    if high is None:
        return []
    return list(db.session.scalars(_DICTIONARY, {"practice": practice_id, "low": prefix, "high": high,
                                                 "most": most}))


@dataclass
class WordPage:
    """A page of the search's matches by way of the per-word index: `ids` (at most the page, in list order) and
    `count_rows` (the matches, each once, for a bounded count of at most `bound` + 1 rows)."""

    ids: Select
    count_rows: Select


def word_page(practice_id: int, query: str, dates: list[date] | None, offset: int, limit: int,
              bound: int) -> WordPage | None:
    """The page `offset`..`offset + limit` of the search in list order (family name, given name, id), and its
    matches for counting, or None when the search has no name word or its prefix is too common (then the
    caller walks the name index with `conditions`).

    The longest searched word drives: for each distinct name word it starts (`dictionary`), the first
    `offset + limit` patients with that word in list order, an index range of ix_patient_name_word_page
    (the other searched words tested on each patient's `search_name` as it goes); the MRN and date-of-birth
    tests add their own first rows; the page is the first of their union. Same patients, same order as
    `conditions` sorted, at a cost set by the number of distinct words and the page.
    """
    words = fold(query).split()
    if not words:
        return None
    driver = max(words, key=len)
    others = [w for w in words if w != driver]
    if any(_next_prefix(w) is None for w in words):
        return None
    found = dictionary(practice_id, driver, MAX_WORDS + 1)
    if len(found) > MAX_WORDS:
        return None
    want = offset + limit
    word = PatientNameWord.__table__  # Core columns: cheaper to build than the ORM's, and cached by shape
    if db.is_postgres():
        # One fixed-shape statement whatever the number of words: the words as an array, a LATERAL range each.
        words_in = func.unnest(bindparam("found_words", found, type_=ARRAY(String))).table_valued("word")
        words_in = words_in.render_derived(name="found_words", with_types=False)

    def per_word(rows: int, ordered: bool) -> list[Select]:
        def ranged(match) -> Select:
            stmt = select(word.c.patient_id.label("id"), word.c.family_name, word.c.given_name).where(
                word.c.practice_id == practice_id, match)
            for other in others:  # her other words, by the (patient_id, word) key: index-only, no patient row
                also = word.alias()
                stmt = stmt.where(exists().where(also.c.patient_id == word.c.patient_id, also.c.word >= other,
                                                 also.c.word < _next_prefix(other)))
            if ordered:
                stmt = stmt.order_by(word.c.family_name, word.c.given_name, word.c.patient_id)
            return stmt.limit(rows)

        if not found:
            return []
        if db.is_postgres():
            each = ranged(word.c.word == words_in.c.word).lateral("each_word")
            return [select(each.c.id, each.c.family_name, each.c.given_name).select_from(words_in)
                    .join(each, true())]
        return [ranged(word.c.word == w).subquery().select() for w in found]

    def rest(rows: int, ordered: bool) -> Select | None:
        options = _other_options(query, dates)
        if not options:
            return None
        stmt = select(Patient.id, Patient.family_name, Patient.given_name).where(
            Patient.practice_id == practice_id, or_(*options))
        if ordered:
            stmt = stmt.order_by(Patient.family_name, Patient.given_name, Patient.id)
        return stmt.limit(rows)

    def candidates(rows: int, ordered: bool):
        parts = per_word(rows, ordered)
        other = rest(rows, ordered)
        if other is not None:
            parts.append(other.subquery().select())
        if not parts:  # nothing can match: an empty result of the right shape
            return select(Patient.id, Patient.family_name, Patient.given_name).where(literal_column("1") == 0)
        # UNION (not ALL): a patient found by two words, or by a word and her MRN, counts once.
        return union(*parts) if len(parts) > 1 else parts[0]

    page = candidates(want, True).subquery()
    ids = (select(page.c.id).order_by(page.c.family_name, page.c.given_name, page.c.id)
           .limit(limit).offset(offset))
    counted = candidates(bound + 1, False).subquery()
    return WordPage(ids, select(counted.c.id))
