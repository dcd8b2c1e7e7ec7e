"""Indexes the care team's inbox needs beyond the messaging model's own (hearth/models/messages.py).

Declared here, on the messaging tables, so the inbox's owner adds them without editing that model:
- the reason filter, within a practice's not-yet-closed threads;
- "assigned to me" across the practice, most pressing first (owner, status, due).
"""

from __future__ import annotations

from sqlalchemy import Index

from hearth.models.messages import MessageThread

Index("ix_message_thread_practice_reason_status", MessageThread.practice_id, MessageThread.reason,
      MessageThread.status)
Index("ix_message_thread_owner_status_due", MessageThread.owner_user_id, MessageThread.status, MessageThread.due_at)
