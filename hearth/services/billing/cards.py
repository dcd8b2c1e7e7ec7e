"""The home card "You have a bill to pay": the newest statement with money still owed."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from hearth import db
from hearth.i18n import _l
from hearth.models import Statement, User
from hearth.services.acting import Person
from hearth.services.billing import ledger
from hearth.services.billing.money import format_cents
from hearth.services.home_cards import Card, register

LOOK_BACK = 5  # statements checked, newest first (a bounded number of queries)


@register("billing")
def bill_card(user: User, person: Person, now: datetime) -> list[Card]:
    rows = db.session.scalars(select(Statement).where(Statement.patient_id == person.patient.id)
                              .order_by(Statement.id.desc()).limit(LOOK_BACK)).all()
    for statement in rows:
        balance = ledger.totals(statement.id).balance
        if balance > 0:
            title = (_l("You have a bill to pay: %(amount)s", amount=format_cents(balance)) if person.is_self
                     else _l("%(name)s has a bill to pay: %(amount)s", name=person.first_name,
                             amount=format_cents(balance)))
            return [Card("bill_due", str(title), str(_l("View bill")), "billing.statement",
                         params={"statement_id": statement.id}, priority=45)]
    return []
