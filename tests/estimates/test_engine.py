"""Table-driven tests of the pure estimate engine (DOMAIN.md "Patient cost estimates")."""

from decimal import Decimal

import pytest

from hearth.services.estimates.engine import PlanRules, Remaining, ServiceLine, estimate, percent_of

L = ServiceLine
PLAN_20 = PlanRules(deductible_cents=200_000, coinsurance_percent=Decimal(20), oop_max_cents=500_000)
COPAY_PLAN = PlanRules(
    deductible_cents=100_000, coinsurance_percent=Decimal(20), copays_cents={"office_visit": 3_000},
    oop_max_cents=400_000,
)

# (name, lines, plan, remaining, [(patient, plan) per line], deductible left after, oop left after)
CASES = [
    ("worked example", [L(150_000, "procedure")], PLAN_20, Remaining(100_000, 400_000),
     [(110_000, 40_000)], 0, 290_000),
    ("deductible met mid-visit", [L(60_000, "lab"), L(80_000, "procedure")], PLAN_20, Remaining(100_000, None),
     [(60_000, 0), (40_000 + 8_000, 32_000)], 0, None),
    ("oop max reached on the second line", [L(50_000, "procedure"), L(100_000, "procedure")], PLAN_20,
     Remaining(40_000, 60_000), [(40_000 + 2_000, 8_000), (18_000, 82_000)], 0, 0),
    ("after the oop max nothing more", [L(10_000, "lab")], PLAN_20, Remaining(0, 0), [(0, 10_000)], 0, 0),
    ("copay only", [L(15_000, "office_visit")], COPAY_PLAN, Remaining(100_000, 400_000),
     [(3_000, 12_000)], 100_000, 397_000),
    ("copay larger than allowed", [L(2_000, "office_visit")], COPAY_PLAN, Remaining(100_000, None),
     [(2_000, 0)], 100_000, None),
    ("copay counts toward deductible",
     [L(15_000, "office_visit"), L(10_000, "lab")],
     PlanRules(deductible_cents=5_000, coinsurance_percent=Decimal(10), copays_cents={"office_visit": 3_000},
               copay_counts_toward_deductible=True),
     Remaining(5_000, None), [(3_000, 12_000), (2_000 + 800, 7_200)], 0, None),
    ("copay then deductible", [L(15_000, "office_visit"), L(10_000, "lab")], COPAY_PLAN, Remaining(5_000, None),
     [(3_000, 12_000), (5_000 + 1_000, 4_000)], 0, None),
    ("copay capped by oop", [L(15_000, "office_visit")], COPAY_PLAN, Remaining(0, 1_000), [(1_000, 14_000)], 0, 0),
    ("uncovered service", [L(8_000, "lab", covered=False), L(10_000, "lab")], PLAN_20, Remaining(0, 100),
     [(8_000, 0), (100, 9_900)], 0, 0),
    ("0 % coinsurance", [L(50_000, "procedure")], PlanRules(coinsurance_percent=Decimal(0)), Remaining(10_000, None),
     [(10_000, 40_000)], 0, None),
    ("100 % coinsurance", [L(50_000, "procedure")], PlanRules(coinsurance_percent=Decimal(100)),
     Remaining(10_000, 30_000), [(30_000, 20_000)], 0, 0),
    ("self-pay", [L(12_000, "office_visit"), L(2_500, "lab")], None, Remaining(100_000, 400_000),
     [(12_000, 0), (2_500, 0)], 0, None),
    ("rounding half up per line", [L(1_005, "lab"), L(1_005, "lab")], PlanRules(coinsurance_percent=Decimal(10)),
     Remaining(0, None), [(101, 904), (101, 904)], 0, None),
    ("fractional percent", [L(999, "lab")], PlanRules(coinsurance_percent=Decimal("12.5")), Remaining(0, None),
     [(125, 874)], 0, None),
    ("nothing", [], PLAN_20, Remaining(100, 100), [], 100, 100),
]


@pytest.mark.parametrize(("lines", "plan", "remaining", "shares", "ded_after", "oop_after"),
                         [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_estimate_table(lines, plan, remaining, shares, ded_after, oop_after):
    result = estimate(lines, plan, remaining)
    assert [(s.patient_cents, s.plan_cents) for s in result.lines] == shares
    for line, share in zip(lines, result.lines, strict=True):
        assert share.patient_cents + share.plan_cents == line.amount_cents
        assert 0 <= share.patient_cents <= line.amount_cents
        assert share.copay_cents + share.deductible_cents + share.coinsurance_cents == (
            share.patient_cents if share.covered else 0)
    assert result.patient_cents == sum(p for p, _ in shares)
    assert result.plan_cents == sum(p for _, p in shares)
    assert result.allowed_cents == sum(line.amount_cents for line in lines)
    assert result.deductible_remaining_cents == ded_after
    assert result.oop_remaining_cents == oop_after
    assert result.self_pay is (plan is None)


def test_worked_example_breakdown():
    share = estimate([L(150_000, "procedure")], PLAN_20, Remaining(100_000, None)).lines[0]
    assert (share.deductible_cents, share.coinsurance_cents, share.copay_cents) == (100_000, 10_000, 0)


def test_oop_cap_is_flagged():
    result = estimate([L(50_000, "procedure"), L(100_000, "procedure")], PLAN_20, Remaining(40_000, 60_000))
    assert [s.oop_capped for s in result.lines] == [False, True]


@pytest.mark.parametrize(("amount", "percent", "expected"), [(5, Decimal(10), 1), (4, Decimal(10), 0),
                                                              (15, Decimal(10), 2), (100, Decimal("33.333"), 33)])
def test_percent_of_rounds_half_up(amount, percent, expected):
    assert percent_of(amount, percent) == expected


@pytest.mark.parametrize(("lines", "plan", "remaining"), [
    ([L(-1)], None, Remaining()),
    ([L(1)], PlanRules(coinsurance_percent=Decimal(101)), Remaining()),
    ([L(1)], PlanRules(coinsurance_percent=Decimal(-1)), Remaining()),
    ([L(1)], PlanRules(), Remaining(-5, None)),
    ([L(1)], PlanRules(copays_cents={"lab": -1}), Remaining()),
])
def test_bad_input_raises(lines, plan, remaining):
    with pytest.raises(ValueError):
        estimate(lines, plan, remaining)
