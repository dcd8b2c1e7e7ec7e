"""Home card: a Good Faith Estimate issued in the last 14 days for a visit still ahead ("Your estimate is ready")."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select

from hearth import db
from hearth.i18n import _l
from hearth.models import GoodFaithEstimate, User
from hearth.services.acting import Person
from hearth.services.home_cards import Card, register

RECENT = timedelta(days=14)


@register("billing")
def gfe_cards(user: User, person: Person, now: datetime) -> list[Card]:
    gfe = db.session.scalar(
        select(GoodFaithEstimate).where(GoodFaithEstimate.patient_id == person.patient.id,
                                        GoodFaithEstimate.issued_at >= now - RECENT,
                                        (GoodFaithEstimate.scheduled_on.is_(None))
                                        | (GoodFaithEstimate.scheduled_on >= now.date()))
        .order_by(GoodFaithEstimate.issued_at.desc()).limit(1))
    if gfe is None:
        return []
    title = _l("Your Good Faith Estimate is ready") if person.is_self else \
        _l("%(name)s's Good Faith Estimate is ready")
    return [Card("gfe_ready", str(title) % {"name": person.first_name}, str(_l("See the estimate")), "gfe.detail",
                 {"estimate_id": gfe.id}, priority=60)]
