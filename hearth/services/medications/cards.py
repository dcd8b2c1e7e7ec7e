"""The staff workspace's "pending refills" card: how many refill requests wait, and the oldest few.

Registers with `hearth.services.workspace_cards` (the inbox's workspace) when that module exists: add
"hearth.services.medications.cards" to its CARD_MODULES. A count and one short list: a bounded
number of statements whatever the practice's size.
"""

from __future__ import annotations

import importlib.util
from datetime import datetime

from flask_babel import lazy_ngettext
from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from hearth import db
from hearth.i18n import _l
from hearth.models import Patient, Practice, RefillRequest, RefillRequestLine, RefillStatus, User
from hearth.services.medications.queue import pending_count

LINES = 5


def oldest_pending(practice_id: int, limit: int = LINES) -> list[RefillRequest]:
    """The practice's oldest waiting refill requests, with patient and medications loaded."""
    return list(db.session.scalars(
        select(RefillRequest).join(RefillRequest.patient)
        .where(RefillRequest.status == RefillStatus.REQUESTED, Patient.practice_id == practice_id)
        .options(joinedload(RefillRequest.patient),
                 selectinload(RefillRequest.lines).joinedload(RefillRequestLine.medication))
        .order_by(RefillRequest.created_at, RefillRequest.id).limit(limit)))


def pending_refills_card(user: User, practice: Practice, now: datetime) -> list:
    """The card (a list of one `WorkspaceCard`) for staff of `practice`; the caller checked the role."""
    from hearth.services.workspace_cards import CardLine, WorkspaceCard

    count = pending_count(practice.id)
    lines = [CardLine(text=f"{r.patient.full_name}: {', '.join(ln.medication.label for ln in r.lines)}",
                      target="refill_queue.answer", params={"patient_id": r.patient_id, "request_id": r.id},
                      at=r.created_at, note=str(_l("Renewal")) if r.is_renewal else None)
             for r in oldest_pending(practice.id)]
    return [WorkspaceCard(kind="pending_refills", title=str(_l("Pending refills")),
                          action_label=str(_l("Open the refill queue")), target="refill_queue.index",
                          params={"practice": practice.id}, count=count,
                          count_label=str(lazy_ngettext("%(num)d waiting", "%(num)d waiting", count)),
                          lines=lines, empty_text=str(_l("No refill requests are waiting.")), priority=30)]


if importlib.util.find_spec("hearth.services.workspace_cards") is not None:  # the workspace exists
    from hearth.services.workspace_cards import register

    register()(pending_refills_card)
