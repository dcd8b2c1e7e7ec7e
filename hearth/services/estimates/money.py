"""Dollar amounts typed by people or found in files, read exactly into integer cents."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from hearth.i18n import _l

MAX_CENTS = 2**31 - 1  # an Integer column
_DOLLARS = re.compile(r"^\$?\s*([0-9][0-9,]*(?:\.[0-9]*)?|\.[0-9]+)$")

NOT_AMOUNT = _l("Enter an amount in dollars, like 110 or 110.50.")
NEGATIVE = _l("Enter an amount of $0 or more.")
FRACTION = _l("Enter whole cents, at most 2 digits after the point.")
TOO_BIG = _l("Enter a smaller amount.")


class BadAmount(ValueError):
    """`message` is a translated lazy string saying what to type instead."""

    def __init__(self, message):
        super().__init__(str(message))
        self.message = message


def dollars_to_cents(text: str | int | Decimal | None) -> int:
    """"1,234.5" → 123450. Raises BadAmount for text that is not a dollar amount, a negative amount,
    a fraction of a cent or more than an Integer column holds. Decimal arithmetic: never a float."""
    raw = str(text if text is not None else "").strip()
    if raw.startswith("-") or raw.startswith("$-"):
        raise BadAmount(NEGATIVE)
    match = _DOLLARS.match(raw)
    if not match or ("," in match.group(1) and not re.fullmatch(r"[0-9]{1,3}(,[0-9]{3})*(\.[0-9]*)?", match.group(1))):
        raise BadAmount(NOT_AMOUNT)
    try:
        value = Decimal(match.group(1).replace(",", ""))
    except InvalidOperation:
        raise BadAmount(NOT_AMOUNT) from None
    cents = value * 100
    if cents != cents.to_integral_value():
        raise BadAmount(FRACTION)
    if cents > MAX_CENTS:
        raise BadAmount(TOO_BIG)
    return int(cents)


def cents_to_dollars(cents: int | None) -> str:
    """12345 → "123.45" (for form fields; pages use the `money` filter)."""
    if cents is None:
        return ""
    return f"{cents // 100}.{cents % 100:02d}"
