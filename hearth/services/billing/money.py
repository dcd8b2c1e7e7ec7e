"""Money as integer cents: parsing what people type and writing amounts for people."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from hearth.errors import Invalid
from hearth.i18n import _l

MIN_ONLINE_CENTS = 50  # Stripe's smallest card charge in USD
MAX_CENTS = 100_000_000  # $1,000,000: far above any one bill, well inside a 32-bit column
_AMOUNT = re.compile(r"^\$?\s*(\d{1,3}(,\d{3})+|\d+)(\.\d{1,2})?$")


def format_cents(cents: int) -> str:
    """'$1,234.50' (negative amounts as '-$5.00'); the same in English and Spanish for US dollars."""
    sign = "-" if cents < 0 else ""
    cents = abs(cents)
    return f"{sign}${cents // 100:,}.{cents % 100:02d}"


def parse_dollars(text: str, field: str = "amount") -> int:
    """'25', '25.5', '$1,025.50' → cents. Raises Invalid for anything else (negative, 3 decimals, words)."""
    value = (text or "").strip()
    if not _AMOUNT.match(value):
        raise Invalid(_l("Enter an amount in dollars and cents, like 25.00."),
                      fields={field: [_l("Enter an amount in dollars and cents, like 25.00.")]})
    try:
        cents = int(Decimal(value.replace("$", "").replace(",", "").strip()) * 100)
    except InvalidOperation:  # pragma: no cover - the pattern already refused it
        raise Invalid(_l("Enter an amount in dollars and cents, like 25.00.")) from None
    check_cents(cents, field)
    return cents


def check_cents(cents: int, field: str = "amount", *, allow_zero: bool = False) -> int:
    """A whole number of cents from 1 (or 0) to MAX_CENTS; Invalid otherwise."""
    low = 0 if allow_zero else 1
    if isinstance(cents, bool) or not isinstance(cents, int) or not low <= cents <= MAX_CENTS:
        message = _l("Enter an amount from %(low)s to %(high)s.", low=format_cents(low), high=format_cents(MAX_CENTS))
        raise Invalid(message, fields={field: [message]})
    return cents
