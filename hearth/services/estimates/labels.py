"""Words patients and staff read for the codes of this area (service categories, coverage kinds, ...)."""

from __future__ import annotations

from hearth.i18n import _l

CATEGORY_LABELS = {
    "office_visit": _l("Office visits"),
    "preventive": _l("Preventive care"),
    "specialist": _l("Specialist visits"),
    "mental_health": _l("Mental health"),
    "lab": _l("Lab tests"),
    "imaging": _l("X-rays and scans"),
    "procedure": _l("Procedures"),
}
RELATIONSHIP_LABELS = {
    "self": _l("The patient"),
    "spouse": _l("The patient's spouse or partner"),
    "child": _l("The patient's parent"),  # FHIR "child": the patient is the plan holder's child
    "parent": _l("The patient's child"),
    "other": _l("Someone else"),
}
SOURCE_LABELS = {
    "allowed": _l("your plan's rate"),
    "standard": _l("our standard price"),
    "self_pay": _l("our self-pay price"),
}

NOTICE_INSURED = _l("This is an estimate, not a bill. What you pay could change if your care team does more or "
                    "other care, if other claims reach your plan first, or if your plan or benefits differ from "
                    "what we have on file.")
NOTICE_SELF_PAY = _l("This is an estimate, not a bill. What you pay could change if your care team does more or "
                     "other care during the visit.")


def notice(basis: str) -> str:
    """The plain words every estimate carries: it is an estimate, and what could change it."""
    return str(NOTICE_INSURED if basis == "insurance" else NOTICE_SELF_PAY)
