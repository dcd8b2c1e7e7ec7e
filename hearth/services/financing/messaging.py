"""Staff send a patient the practice's financing offers for an amount, as a secure message.

The message is written in the patient's language with the same truth-in-lending wording as the
portal (both sides of deferred interest, monthly payment, total of payments and term, "subject to
credit approval", the provider's disclosure) and a link to the "Pay over time" page, whose apply
buttons count clicks as place "message". The notification says only that a message came (messages).
"""

from __future__ import annotations

from decimal import Decimal

from babel.numbers import format_currency, format_decimal
from flask_babel import force_locale

from hearth import db, policy
from hearth.errors import Invalid
from hearth.i18n import _l
from hearth.models import MessageThread, Patient, StaffRole, User
from hearth.services.financing.offers import offers_for
from hearth.services.messages.posting import post_message
from hearth.services.messages.threads import start_thread

STAFF = frozenset({StaffRole.ADMIN, StaffRole.STAFF, StaffRole.PROVIDER})
REASON = "billing"


def _money(cents: int, language: str) -> str:
    return format_currency(Decimal(cents) / 100, "USD", locale=language)


def _apr(apr: str, language: str) -> str:
    number = format_decimal(Decimal(apr), format="#,##0.00", locale=language)
    return f"{number}\u00a0%" if language == "es" else f"{number}%"


def offer_text(patient: Patient, amount_cents: int, link: str) -> tuple[str, str]:
    """(subject, body) in the patient's language; Invalid when no offer's minimum is reached."""
    found = offers_for(patient.practice_id, amount_cents)
    if not found:
        raise Invalid(_l("No financing offer reaches this amount."),
                      fields={"amount_cents": [_l("No financing offer reaches this amount.")]})
    language = patient.preferred_language if patient.preferred_language in ("en", "es") else "en"
    with force_locale(language):
        lines = [str(_l("You can ask a lender for a plan to pay %(amount)s over time. These are examples.",
                        amount=_money(amount_cents, language)))]
        for offer in found:
            lines.append("")
            lines.append(offer.provider_name)
            for ex in offer.examples:
                if ex.kind == "deferred":
                    lines.append("• " + str(_l("No interest if paid in full within %(months)s months.",
                                               months=ex.months)) + " " +
                                 str(_l("Interest is charged from the purchase date if the balance is not paid in "
                                        "full within %(months)s months.", months=ex.months)))
                else:
                    lines.append("• " + str(_l("%(apr)s APR for %(months)s months", apr=_apr(ex.apr, language),
                                               months=ex.months)))
                lines.append("  " + " · ".join((
                    str(_l("Monthly payment: %(amount)s", amount=_money(ex.monthly_cents, language))),
                    str(_l("Total of payments: %(amount)s", amount=_money(ex.total_cents, language))),
                    str(_l("Term: %(months)s months", months=ex.months)))))
            lines.append(str(_l("Subject to credit approval.")))
            lines.append(offer.disclosure)
        lines.append("")
        lines.append(str(_l("See the plans and apply: %(link)s", link=link)))
        return str(_l("Ways to pay over time")), "\n".join(lines)


@db.transactional
def send_offer(user: User, patient: Patient, amount_cents: int, *, link: str, thread_id: int | None = None,
               client_key: str | None = None) -> MessageThread:
    """Message the patient the offers for `amount_cents`: in thread `thread_id`, else a new billing thread.

    Staff of the patient's practice only (Forbidden). Raises Invalid (no offer reaches the amount),
    NotFound (a thread that is not the patient's), as messages' post_message/start_thread otherwise.
    """
    policy.require_practice_role(user, patient.practice_id, STAFF)
    subject, body = offer_text(patient, amount_cents, link)
    if thread_id is not None:
        message = post_message(user, thread_id, body, patient_id=patient.id, client_key=client_key)
        return message.thread
    return start_thread(user, patient, reason=REASON, subject=subject, body=body, client_key=client_key)
