"""Demo medications and pharmacies (idempotent): one medication due for a refill, one controlled, one with
no refills left (a renewal), one stopped, and a waiting request in the staff queue."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from hearth import db
from hearth.clock import utcnow
from hearth.models import (
    ControlledSchedule,
    Medication,
    MedicationStatus,
    Patient,
    Pharmacy,
    Practice,
    Provider,
    RefillRequest,
    RefillRequestLine,
)
from hearth.services.medications.common import local_today

# mrn → [(name, strength, form, instructions, quantity, refills, days since last fill, supply days,
#          schedule, stopped)]
MEDICATIONS = {
    "HFM-000101": [  # Emily Carter, the demo patient
        ("Lisinopril", "10 mg", "tablet", "Take 1 tablet by mouth every morning.", 30, 2, 25, 30, None, False),
        ("Atorvastatin", "20 mg", "tablet", "Take 1 tablet by mouth at bedtime.", 90, 0, 60, 90, None, False),
        ("Alprazolam", "0.5 mg", "tablet", "Take 1 tablet by mouth as needed for anxiety.", 30, 1, 10, 30,
         ControlledSchedule.IV, False),
        ("Amoxicillin", "500 mg", "capsule", "Take 1 capsule 3 times a day for 10 days.", 30, 0, 200, 10, None,
         True),
    ],
    "HFM-000102": [  # María García (reads Spanish)
        ("Losartan", "50 mg", "tablet", "Take 1 tablet by mouth once a day.", 30, 4, 24, 30, None, False),
    ],
    "HFM-000105": [  # Margaret Brooks (her daughter's grant covers medications)
        ("Metformin", "500 mg", "tablet", "Take 1 tablet by mouth twice a day with meals.", 60, 3, 20, 30, None,
         False),
        ("Levothyroxine", "50 mcg", "tablet", "Take 1 tablet every morning before breakfast.", 30, 5, 5, 30, None,
         False),
    ],
    "HFM-000110": [  # Robert Johnson: his request waits in the staff queue
        ("Amlodipine", "5 mg", "tablet", "Take 1 tablet by mouth once a day.", 30, 1, 27, 30, None, False),
    ],
}
PHARMACIES = [("Main Street Pharmacy", "12 Main Street, Springfield, NY 10001", "+15550102001"),
              ("Riverside Drug", "400 River Road, Springfield, NY 10001", "+15550102002")]


def seed_medications(practice: Practice) -> None:
    """Add the demo medications, pharmacies and one waiting request, unless the practice has medications."""
    patients = {p.mrn: p for p in db.session.scalars(
        select(Patient).where(Patient.practice_id == practice.id, Patient.mrn.in_(MEDICATIONS)))}
    if not patients or db.session.scalar(select(Medication.id).join(Medication.patient)
                                         .where(Patient.practice_id == practice.id).limit(1)) is not None:
        return
    now = utcnow()
    for mrn, rows in MEDICATIONS.items():
        patient = patients.get(mrn)
        if patient is None:
            continue
        today = local_today(patient, now)
        prescriber = db.session.get(Provider, patient.primary_provider_id) if patient.primary_provider_id else None
        meds = []
        for name, strength, form, text, quantity, refills, ago, days, schedule, stopped in rows:
            med = Medication(patient_id=patient.id, name=name, strength=strength, form=form, instructions=text,
                             prescriber_id=prescriber.id if prescriber else None, quantity=quantity,
                             refills_left=refills, last_filled_on=today - timedelta(days=ago), supply_days=days,
                             controlled_schedule=schedule,
                             status=MedicationStatus.STOPPED if stopped else MedicationStatus.ACTIVE,
                             stopped_at=now if stopped else None, created_at=now, changed_at=now)
            db.session.add(med)
            meds.append(med)
        pharmacies = [Pharmacy(patient_id=patient.id, name=n, address=a, phone=ph, preferred=i == 0)
                      for i, (n, a, ph) in enumerate(PHARMACIES)]
        db.session.add_all(pharmacies)
        db.session.flush()
        if mrn == "HFM-000110":
            request = RefillRequest(patient_id=patient.id, pharmacy_id=pharmacies[0].id,
                                    requested_by_user_id=patient.user_id, created_at=now - timedelta(hours=20))
            request.lines = [RefillRequestLine(medication_id=meds[0].id, last_filled_on=meds[0].last_filled_on,
                                               renewal=False, pending=True)]
            db.session.add(request)
    db.session.flush()
