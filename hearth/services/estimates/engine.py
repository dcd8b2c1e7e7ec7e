"""The patient-cost estimate engine: a pure function, no database and no Flask.

Source of the rules: /work/shared/DOMAIN.md "Patient cost estimates" and issue 10. All money is
integer US cents; the coinsurance rate is a Decimal percent (20 means 20 %).

Inputs
    lines      the visit's services in the order they are applied, each a ``ServiceLine``:
               ``amount_cents`` (the allowed, i.e. contracted, amount for the patient's payer and
               plan; for uncovered or self-pay services the amount the patient is charged, usually
               the practice's self-pay price), ``category`` (e.g. "office_visit", "lab"; it selects
               a copay) and ``covered`` (False: the plan pays nothing for it).
    plan       the plan's rules (``PlanRules``), or None for a self-pay patient.
    remaining  what is left of the deductible and of the out-of-pocket maximum today
               (``Remaining``; ``oop_cents=None`` means the plan has no maximum).

Rules, per covered line, carrying the accumulators from one line to the next:
    1. the category has a copay: the patient owes the copay (never more than the allowed amount);
       it lowers the remaining deductible only when the plan says copays count toward it;
    2. otherwise the patient owes what is left of the deductible (up to the allowed amount), then
       the coinsurance percent of the rest, rounded to the cent half up (one rounding per line);
    3. the patient's share of the line is capped by what is left of the out-of-pocket maximum
       (copay first, then deductible, then coinsurance, so the parts still add up); everything the
       patient pays on a covered line counts toward that maximum;
    4. the plan pays the rest of the allowed amount.
Uncovered lines (and every line of a self-pay patient) cost the patient their full amount; they do
not count toward the deductible or the out-of-pocket maximum and the plan pays nothing.

Output: an ``EstimateResult`` with one ``LineShare`` per input line (same order) and the totals,
plus what remains of the deductible and the out-of-pocket maximum after the visit.
Errors: ``ValueError`` on a negative amount or a coinsurance percent outside 0..100.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

__all__ = ["EstimateResult", "LineShare", "PlanRules", "Remaining", "ServiceLine", "estimate", "percent_of"]


@dataclass(frozen=True)
class ServiceLine:
    amount_cents: int
    category: str = "office_visit"
    covered: bool = True
    label: str = ""  # a free label carried to the output (a code, a description)


@dataclass(frozen=True)
class PlanRules:
    deductible_cents: int = 0
    coinsurance_percent: Decimal = Decimal(0)
    copays_cents: Mapping[str, int] = field(default_factory=dict)
    copay_counts_toward_deductible: bool = False
    oop_max_cents: int | None = None


@dataclass(frozen=True)
class Remaining:
    deductible_cents: int = 0
    oop_cents: int | None = None  # None: no out-of-pocket maximum


@dataclass(frozen=True)
class LineShare:
    label: str
    category: str
    amount_cents: int
    covered: bool
    patient_cents: int
    plan_cents: int
    copay_cents: int = 0
    deductible_cents: int = 0
    coinsurance_cents: int = 0
    oop_capped: bool = False  # the out-of-pocket maximum lowered the patient's share


@dataclass(frozen=True)
class EstimateResult:
    lines: tuple[LineShare, ...]
    allowed_cents: int
    patient_cents: int
    plan_cents: int
    deductible_remaining_cents: int
    oop_remaining_cents: int | None
    self_pay: bool


def percent_of(amount_cents: int, percent: Decimal) -> int:
    """`percent` % of `amount_cents`, rounded to the cent half up."""
    return int((Decimal(amount_cents) * Decimal(percent) / 100).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def _check(lines: Sequence[ServiceLine], plan: PlanRules | None, remaining: Remaining) -> None:
    if any(line.amount_cents < 0 for line in lines):
        raise ValueError("negative service amount")
    if remaining.deductible_cents < 0 or (remaining.oop_cents is not None and remaining.oop_cents < 0):
        raise ValueError("negative remaining amount")
    if plan is not None:
        if not Decimal(0) <= Decimal(plan.coinsurance_percent) <= Decimal(100):
            raise ValueError("coinsurance percent outside 0..100")
        if any(v < 0 for v in plan.copays_cents.values()) or plan.deductible_cents < 0:
            raise ValueError("negative plan amount")


def _take(wanted: int, oop_left: int | None) -> tuple[int, int | None]:
    """What the patient pays of `wanted` under the out-of-pocket room left, and the room after."""
    if oop_left is None:
        return wanted, None
    paid = min(wanted, oop_left)
    return paid, oop_left - paid


def estimate(lines: Sequence[ServiceLine], plan: PlanRules | None, remaining: Remaining) -> EstimateResult:
    """Each line's patient and plan share, in cents, applying the lines in order (see module doc)."""
    _check(lines, plan, remaining)
    deductible_left = remaining.deductible_cents if plan is not None else 0
    oop_left = remaining.oop_cents if plan is not None else None
    out: list[LineShare] = []
    for line in lines:
        amount = line.amount_cents
        if plan is None or not line.covered:
            out.append(LineShare(line.label, line.category, amount, False, amount, 0))
            continue
        copay = deductible = coinsurance = 0
        if line.category in plan.copays_cents:
            wanted = min(plan.copays_cents[line.category], amount)
            copay, oop_left = _take(wanted, oop_left)
            if plan.copay_counts_toward_deductible:
                deductible_left -= min(copay, deductible_left)
        else:
            wanted_deductible = min(deductible_left, amount)
            wanted_coinsurance = percent_of(amount - wanted_deductible, plan.coinsurance_percent)
            wanted = wanted_deductible + wanted_coinsurance
            deductible, oop_left = _take(wanted_deductible, oop_left)
            deductible_left -= deductible
            coinsurance, oop_left = _take(wanted_coinsurance, oop_left)
        patient = copay + deductible + coinsurance
        out.append(
            LineShare(
                line.label, line.category, amount, True, patient, amount - patient,
                copay, deductible, coinsurance, oop_capped=patient < wanted,
            )
        )
    return EstimateResult(
        lines=tuple(out),
        allowed_cents=sum(s.amount_cents for s in out),
        patient_cents=sum(s.patient_cents for s in out),
        plan_cents=sum(s.plan_cents for s in out),
        deductible_remaining_cents=deductible_left,
        oop_remaining_cents=oop_left,
        self_pay=plan is None,
    )
