"""Durable notifications: features enqueue in their transaction, the dispatcher sends after commit.

from hearth import notify
notify.enqueue(key=f"message:{message.id}:to:{user.id}", kind="message", template="new_message",
               user=user, patient=patient, params={"ref": str(message.id)})
"""

from hearth.notify.outbox import cancel, enqueue, shift_out_of_quiet_hours
from hearth.notify.recipients import ACCOUNT_KIND, KINDS, PREFERENCE_KINDS
from hearth.notify.templates import TEMPLATES

__all__ = [
    "ACCOUNT_KIND",
    "KINDS",
    "PREFERENCE_KINDS",
    "TEMPLATES",
    "cancel",
    "enqueue",
    "shift_out_of_quiet_hours",
]
