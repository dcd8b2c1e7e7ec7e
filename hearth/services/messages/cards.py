"""Home to-do card: unread messages from the care team (count only, never a subject or text)."""

from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_ngettext

from hearth.i18n import _l
from hearth.models import User
from hearth.services.acting import Person
from hearth.services.home_cards import Card, register
from hearth.services.messages.threads import unread_count


@register("messages")
def unread_cards(user: User, person: Person, now: datetime) -> list[Card]:
    count = unread_count(user, person.patient)
    if not count:
        return []
    if person.is_self:
        title = lazy_ngettext("You have %(num)d new message from your care team",
                              "You have %(num)d new messages from your care team", count)
    else:
        title = lazy_ngettext("%(name)s has %(num)d new message from the care team",
                              "%(name)s has %(num)d new messages from the care team", count, name=person.first_name)
    return [Card("messages_unread", str(title), str(_l("Read messages")), "messages.index", priority=15)]
