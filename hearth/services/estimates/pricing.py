"""From a patient and a visit type (or chosen services) to an estimate: the engine's input and answer.

No policy here: callers authorize (saved.py for the portal and API; the GFE issues its own). Amounts
come from, in order: the allowed amount for the patient's payer and plan, for the payer's other
plans (a blank plan), else the practice's gross charge ("standard price"), else its self-pay price.
Self-pay patients, and patients with no coverage on file, get the self-pay price.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from hearth import db
from hearth.models import (
    AllowedAmount,
    Coverage,
    CoverageKind,
    FeeScheduleItem,
    Patient,
    VisitType,
    VisitTypeService,
)
from hearth.services.estimates import engine
from hearth.services.estimates.coverage import current
from hearth.services.estimates.fee_schedule import payer_key

INSURANCE, SELF_PAY, NO_COVERAGE = "insurance", "self_pay", "no_coverage"


@dataclass(frozen=True)
class EstimateLine:
    fee_item_id: int | None
    code_type: str
    code: str
    description: str
    translations: dict[str, dict[str, str]]
    category: str
    quantity: int
    amount_cents: int
    amount_source: str  # "allowed" | "standard" | "self_pay"
    covered: bool
    patient_cents: int = 0
    plan_cents: int = 0
    copay_cents: int = 0
    deductible_cents: int = 0
    coinsurance_cents: int = 0
    oop_capped: bool = False

    def text(self, language: str | None) -> str:
        """The plain-language description in `language` when the practice gave one."""
        return ((self.translations or {}).get(language or "") or {}).get("description") or self.description


@dataclass(frozen=True)
class Estimate:
    """What a visit will likely cost the patient, with everything it was computed from (cents)."""

    patient_id: int
    visit_type_id: int | None
    basis: str  # INSURANCE | SELF_PAY | NO_COVERAGE
    lines: tuple[EstimateLine, ...]
    allowed_cents: int
    patient_cents: int
    plan_cents: int
    payer_name: str | None = None
    plan_name: str | None = None
    plan: dict[str, Any] = field(default_factory=dict)  # the plan's rules as given to the engine
    deductible_remaining_cents: int = 0  # before this visit
    oop_remaining_cents: int | None = None  # before this visit; None: no maximum
    benefits_updated_at: datetime | None = None
    verified: bool = False
    id: int | None = None
    created_at: datetime | None = None
    appointment_id: int | None = None

    @property
    def has_services(self) -> bool:
        return bool(self.lines)

    @property
    def uses_standard_prices(self) -> bool:
        return self.basis == INSURANCE and any(line.amount_source == "standard" for line in self.lines)

    @property
    def coinsurance_percent(self) -> Decimal:
        return Decimal(self.plan.get("coinsurance_bp", 0)) / 100


def _allowed(item: FeeScheduleItem, coverage: Coverage) -> tuple[int, str]:
    pkey, plkey = payer_key(coverage.payer_name), payer_key(coverage.plan_name)
    by_key: dict[tuple[str, str], AllowedAmount] = {(a.payer_key, a.plan_key): a for a in item.allowed_amounts}
    found = by_key.get((pkey, plkey)) or by_key.get((pkey, ""))
    if found is not None:
        return found.allowed_cents, "allowed"
    if item.gross_charge_cents is not None:
        return item.gross_charge_cents, "standard"
    return item.self_pay_cents, "self_pay"


def plan_rules(coverage: Coverage) -> dict[str, Any]:
    return {
        "deductible_cents": coverage.deductible_cents,
        "coinsurance_bp": coverage.coinsurance_bp,
        "copays": dict(coverage.copays or {}),
        "copay_counts_toward_deductible": coverage.copay_counts_toward_deductible,
        "oop_max_cents": coverage.oop_max_cents,
        "uncovered_categories": list(coverage.uncovered_categories or []),
    }


def compute(patient: Patient, items: list[tuple[FeeScheduleItem, int]], visit_type_id: int | None) -> Estimate:
    """The estimate for `items` ((fee item, quantity) in order) with the patient's coverage as it is now."""
    coverage = current(patient)
    basis = NO_COVERAGE if coverage is None else (
        SELF_PAY if coverage.kind == CoverageKind.SELF_PAY else INSURANCE)
    plan = plan_rules(coverage) if basis == INSURANCE else {}
    uncovered = set(plan.get("uncovered_categories", []))
    inputs: list[EstimateLine] = []
    for item, quantity in items:
        unit, source = _allowed(item, coverage) if basis == INSURANCE else (item.self_pay_cents, "self_pay")
        inputs.append(EstimateLine(item.id, item.code_type.value, item.code, item.description,
                                   dict(item.translations or {}), item.category.value, quantity, unit * quantity,
                                   source, basis == INSURANCE and item.category.value not in uncovered))
    remaining = engine.Remaining()
    rules = None
    if basis == INSURANCE:
        remaining = engine.Remaining(
            max(0, coverage.deductible_cents - coverage.deductible_met_cents),
            None if coverage.oop_max_cents is None else max(0, coverage.oop_max_cents - coverage.oop_met_cents))
        rules = engine.PlanRules(coverage.deductible_cents, Decimal(coverage.coinsurance_bp) / 100,
                                 dict(coverage.copays or {}), coverage.copay_counts_toward_deductible,
                                 coverage.oop_max_cents)
    result = engine.estimate([engine.ServiceLine(li.amount_cents, li.category, li.covered, li.code) for li in inputs],
                             rules, remaining)
    lines = tuple(
        EstimateLine(**{**li.__dict__, "covered": share.covered, "patient_cents": share.patient_cents,
                        "plan_cents": share.plan_cents, "copay_cents": share.copay_cents,
                        "deductible_cents": share.deductible_cents, "coinsurance_cents": share.coinsurance_cents,
                        "oop_capped": share.oop_capped})
        for li, share in zip(inputs, result.lines, strict=True))
    return Estimate(
        patient_id=patient.id, visit_type_id=visit_type_id, basis=basis, lines=lines,
        allowed_cents=result.allowed_cents, patient_cents=result.patient_cents, plan_cents=result.plan_cents,
        payer_name=coverage.payer_name if basis == INSURANCE else None,
        plan_name=coverage.plan_name if basis == INSURANCE else None, plan=plan,
        deductible_remaining_cents=remaining.deductible_cents, oop_remaining_cents=remaining.oop_cents,
        benefits_updated_at=coverage.benefits_updated_at if basis == INSURANCE else None,
        verified=bool(coverage and coverage.verified_at and basis == INSURANCE),
    )


def visit_type_items(visit_type: VisitType) -> list[tuple[FeeScheduleItem, int]]:
    """The active services a visit type usually involves, in order, with their quantities."""
    rows = db.session.scalars(
        select(VisitTypeService).where(VisitTypeService.visit_type_id == visit_type.id)
        .options(selectinload(VisitTypeService.item).selectinload(FeeScheduleItem.allowed_amounts))
        .order_by(VisitTypeService.position, VisitTypeService.id))
    return [(row.item, row.quantity) for row in rows if row.item.active]


def estimate_for_visit_type(patient: Patient, visit_type: VisitType) -> Estimate:
    """The patient's likely cost for a visit type's usual services (not saved, not authorized: the caller
    does both). An estimate with no lines when the practice has not priced the visit type."""
    return compute(patient, visit_type_items(visit_type), visit_type.id)
