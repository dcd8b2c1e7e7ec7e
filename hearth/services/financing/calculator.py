"""Example monthly payments for financing promotions: pure functions, integer cents, Decimal, half up.

Sources (DOMAIN.md, from CareCredit's public terms and calculator):
- deferred interest ("no interest if paid in full within N months"): suggested monthly payment is the
  greater of amount ÷ months and $30; the total of payments is the amount if paid in full in time.
- fixed APR over N months: standard amortization P·r / (1 − (1+r)^−n) with r = APR / 12; the total of
  payments is the rounded monthly payment × n.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, localcontext

MIN_DEFERRED_MONTHLY_CENTS = 3_000  # $30


@dataclass(frozen=True)
class PaymentExample:
    months: int
    monthly_cents: int
    total_cents: int
    apr_bp: int | None  # None: deferred interest


def _cents(value: Decimal) -> int:
    return int(value.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def _check(amount_cents: int, months: int) -> None:
    if not isinstance(amount_cents, int) or amount_cents <= 0:
        raise ValueError("amount_cents must be a positive integer")
    if not isinstance(months, int) or not 1 <= months <= 120:
        raise ValueError("months must be from 1 to 120")


def deferred(amount_cents: int, months: int) -> PaymentExample:
    """Deferred interest: monthly = max(amount ÷ months rounded half up, $30); total = the amount."""
    _check(amount_cents, months)
    monthly = max(_cents(Decimal(amount_cents) / Decimal(months)), MIN_DEFERRED_MONTHLY_CENTS)
    return PaymentExample(months, min(monthly, amount_cents), amount_cents, None)


def fixed_apr(amount_cents: int, apr_bp: int, months: int) -> PaymentExample:
    """Fixed APR (`apr_bp` hundredths of a percent: 14.90 % → 1490) amortized over `months`.

    monthly = P·r / (1 − (1+r)^−n), r = APR / 12, rounded half up to the cent; total = monthly × n.
    A 0 APR divides evenly (never shown as "0 %": the settings refuse it).
    """
    _check(amount_cents, months)
    if not isinstance(apr_bp, int) or apr_bp < 0:
        raise ValueError("apr_bp must be a non-negative integer")
    with localcontext() as ctx:
        ctx.prec = 40
        principal = Decimal(amount_cents)
        if apr_bp == 0:
            monthly = _cents(principal / months)
        else:
            r = Decimal(apr_bp) / Decimal(10_000) / Decimal(12)
            monthly = _cents(principal * r / (1 - (1 + r) ** -months))
    return PaymentExample(months, monthly, monthly * months, apr_bp)
