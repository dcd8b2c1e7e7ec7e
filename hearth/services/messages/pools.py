"""Reasons and pools: which shared inbox a patient's reason goes to, and when to expect a reply.

Reasons are fixed (MessageReason); which are offered and where each goes are practice settings
(MessageReasonRoute -> MessagePool). Pool names are practice texts with translations (hearth.texts).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from hearth import db, policy
from hearth.clock import utcnow
from hearth.errors import Invalid
from hearth.i18n import _l
from hearth.models import MessagePool, MessageReason, MessageReasonRoute, Patient, Practice, User
from hearth.services.messages.common import SCOPE
from hearth.services.messages.hours import reply_by
from hearth.texts import localized

# What the patient reads when she picks a reason (labels and hints).
REASON_LABELS = {
    MessageReason.MEDICAL_QUESTION: (_l("A medical question"), _l("Symptoms, a health concern, or care advice")),
    MessageReason.APPOINTMENT: (_l("An appointment"), _l("Questions about a visit you have or need")),
    MessageReason.REFILL: (_l("A refill"), _l("More of a medicine you already take")),
    MessageReason.TEST_RESULTS: (_l("Test results"), _l("Questions about a lab test or scan")),
    MessageReason.BILLING: (_l("Billing or insurance"), _l("A bill, a payment, or your insurance")),
    MessageReason.FORMS: (_l("Forms"), _l("School, work, or other forms and letters")),
    MessageReason.OTHER: (_l("Something else"), _l("Anything not listed above")),
}

# A practice that set nothing gets these pools (demo, tests, a fresh install): name, target, reasons.
DEFAULT_POOLS = (
    ("Nurse line", 2, (MessageReason.MEDICAL_QUESTION, MessageReason.REFILL, MessageReason.TEST_RESULTS),
     {"es": {"name": "Línea de enfermería"}}),
    ("Front desk", 1, (MessageReason.APPOINTMENT, MessageReason.FORMS, MessageReason.OTHER),
     {"es": {"name": "Recepción"}}),
    ("Billing", 3, (MessageReason.BILLING,), {"es": {"name": "Facturación"}}),
)


@dataclass(frozen=True)
class ReasonOption:
    """One reason the patient may pick, with where it goes and when a reply is due if sent now."""

    reason: MessageReason
    label: str
    hint: str
    pool_id: int
    pool_name: str
    reply_target_business_days: int
    reply_by: datetime


def reason_label(reason: MessageReason | str) -> str:
    return REASON_LABELS[MessageReason(reason)][0]


def pool_name(pool: MessagePool, language: str | None) -> str:
    return localized(pool, "name", language) or pool.name


def routes(practice: Practice) -> dict[MessageReason, MessageReasonRoute]:
    """The practice's enabled routes to active pools (one query)."""
    rows = db.session.scalars(select(MessageReasonRoute).join(MessageReasonRoute.pool).where(
        MessageReasonRoute.practice_id == practice.id, MessageReasonRoute.enabled.is_(True),
        MessagePool.active.is_(True))).all()
    return {r.reason: r for r in rows}


def route_for(practice: Practice, reason: MessageReason | str) -> MessageReasonRoute:
    """The route of `reason`; Invalid when the practice does not take messages for it."""
    try:
        wanted = MessageReason(reason)
    except ValueError:
        wanted = None
    route = routes(practice).get(wanted) if wanted else None
    if route is None:
        msg = _l("Choose a reason from the list.")
        raise Invalid(msg, fields={"reason": [msg]})
    return route


def options(practice: Practice, language: str | None, now: datetime | None = None) -> list[ReasonOption]:
    """The reasons the practice offers, in a fixed order, with their reply-by times for a message sent now."""
    now = now or utcnow()
    found = routes(practice)
    result, due_cache = [], {}
    for reason in MessageReason:
        route = found.get(reason)
        if route is None:
            continue
        days = route.pool.reply_target_business_days
        if days not in due_cache:
            due_cache[days] = reply_by(practice, days, now)
        label, hint = REASON_LABELS[reason]
        result.append(ReasonOption(reason, str(label), str(hint), route.pool_id, pool_name(route.pool, language),
                                   days, due_cache[days]))
    return result


@db.transactional
def reasons_for(user: User, patient: Patient, language: str | None = None,
                now: datetime | None = None) -> list[ReasonOption]:
    """The reasons `user` may pick when writing for `patient`, with reply-by times. Raises NotFound."""
    policy.authorize(user, patient, SCOPE, "list", "message_reason")
    return options(patient.practice, language, now)


def ensure_default_pools(practice: Practice) -> list[MessagePool]:
    """Give a practice without pools the default ones and routes (flushes; setup, demo and tests)."""
    existing = db.session.scalars(select(MessagePool).where(MessagePool.practice_id == practice.id)).all()
    if existing:
        return list(existing)
    pools = []
    for name, days, reasons, translations in DEFAULT_POOLS:
        pool = MessagePool(practice_id=practice.id, name=name, reply_target_business_days=days,
                           translations=translations)
        db.session.add(pool)
        db.session.flush()
        for reason in reasons:
            db.session.add(MessageReasonRoute(practice_id=practice.id, reason=reason, pool_id=pool.id))
        pools.append(pool)
    db.session.flush()
    return pools
