"""Keeping `patient_name_word` (the staff search's per-word name index) in step with `patient`.

Every ORM insert or update of a patient's name or practice calls `replace` in the same flush
(hearth/models/patient.py events); loaders that write `patient` rows without the ORM (COPY, Core bulk inserts:
bench/data_size.py, bench/http_seed.py) call `refill` in their own transaction. A row per distinct word of
`search_name`, so a word matches exactly when the search's `search_name LIKE 'w%' OR LIKE '% w%'` would.
"""

from __future__ import annotations

from sqlalchemy import delete, insert, select, text

from hearth.models.patient import Patient, PatientNameWord


def words(search_name: str | None) -> list[str]:
    """The distinct words of a folded name, in order."""
    return sorted(set((search_name or "").split()))


def replace(connection, patient_id: int, practice_id: int, search_name: str | None, given_name: str,
            family_name: str, *, new: bool = False) -> None:
    """One patient's rows, rewritten (a rename can drop, add or re-sort words)."""
    if not new:
        connection.execute(delete(PatientNameWord).where(PatientNameWord.patient_id == patient_id))
    rows = [{"patient_id": patient_id, "word": w, "practice_id": practice_id, "family_name": family_name,
             "given_name": given_name} for w in words(search_name)]
    if rows:
        connection.execute(insert(PatientNameWord), rows)


# One statement for any number of patients on PostgreSQL (the same as migration 0014j's backfill).
REFILL_POSTGRES = """
INSERT INTO patient_name_word (patient_id, word, practice_id, family_name, given_name)
SELECT DISTINCT p.id, w.word, p.practice_id, p.family_name, p.given_name
FROM patient p CROSS JOIN LATERAL unnest(string_to_array(p.search_name, ' ')) AS w(word)
WHERE w.word <> '' {where}
"""


def refill(connection, patient_ids: list[int] | None = None) -> None:
    """Rebuild the rows of `patient_ids` (None: every patient) from `patient`, for bulk loaders."""
    if patient_ids is None:
        connection.execute(delete(PatientNameWord))
    else:
        connection.execute(delete(PatientNameWord).where(PatientNameWord.patient_id.in_(patient_ids)))
    if connection.dialect.name == "postgresql":
        where = "" if patient_ids is None else "AND p.id = ANY(:ids)"
        connection.execute(text(REFILL_POSTGRES.format(where=where)),
                           {} if patient_ids is None else {"ids": list(patient_ids)})
        return
    stmt = select(Patient.id, Patient.practice_id, Patient.search_name, Patient.given_name, Patient.family_name)
    if patient_ids is not None:
        stmt = stmt.where(Patient.id.in_(patient_ids))
    rows = [{"patient_id": pid, "word": w, "practice_id": practice, "family_name": family, "given_name": given}
            for pid, practice, name, given, family in connection.execute(stmt) for w in words(name)]
    if rows:
        connection.execute(insert(PatientNameWord), rows)
