"""Which money pages a staff member may open from a patient's chart, so the chart never shows a link
that answers "forbidden": insurance (coverage) for any staff of the practice, billing for front desk
and admins (`ledger.BILLING_ROLES`), sending financing offers for the roles `financing.messaging` allows."""

from __future__ import annotations

from dataclasses import dataclass

from hearth import policy
from hearth.models import User
from hearth.services.billing.ledger import BILLING_ROLES
from hearth.services.financing.messaging import STAFF as FINANCING_SENDERS


@dataclass(frozen=True)
class MoneyLinks:
    coverage: bool
    billing: bool
    financing: bool


def for_staff(user: User, practice_id: int) -> MoneyLinks:
    """The user's money links at the practice (no audit: reads only her own roles)."""
    roles = policy.practice_roles(user, practice_id)
    return MoneyLinks(coverage=bool(roles), billing=bool(roles & BILLING_ROLES),
                      financing=bool(roles & FINANCING_SENDERS))
