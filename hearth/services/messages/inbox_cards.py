"""The workspace's "Messages" card: unread and overdue threads per pool (two statements, no patient data)."""

from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_ngettext

from hearth.i18n import _l, current_language
from hearth.models import Practice, User
from hearth.services.messages.inbox import pool_counts
from hearth.services.messages.pools import pool_name
from hearth.services.workspace_cards import CardLine, WorkspaceCard, register


def pool_line(unread: int, overdue: int) -> str:
    text = str(lazy_ngettext("%(num)d unread", "%(num)d unread", unread))
    if overdue:
        text += " · " + str(lazy_ngettext("%(num)d overdue", "%(num)d overdue", overdue))
    return text


@register()
def messages_card(user: User, practice: Practice, now: datetime) -> list[WorkspaceCard]:
    pools = pool_counts(practice.id, now)
    if not pools:
        return []
    unread = sum(p.unread for p in pools)
    overdue = sum(p.overdue for p in pools)
    language = current_language()
    lines = [CardLine(pool_name(p.pool, language), "inbox.index", {"practice_id": practice.id, "pool_id": p.pool.id},
                      note=pool_line(p.unread, p.overdue), alert=bool(p.overdue)) for p in pools]
    label = str(lazy_ngettext("%(num)d unread conversation", "%(num)d unread conversations", unread))
    if overdue:
        label += " · " + str(lazy_ngettext("%(num)d past its reply target", "%(num)d past their reply target",
                                           overdue))
    return [WorkspaceCard("messages", str(_l("Messages")), str(_l("Open the inbox")), "inbox.index",
                          {"practice_id": practice.id}, count=unread, count_label=label, lines=lines,
                          priority=10 if overdue else 15)]
