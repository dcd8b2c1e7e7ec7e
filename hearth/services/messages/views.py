"""Threads and messages as plain data for pages and API responses (the patient's side).

Built from what the services loaded (no query here); notes never get this far for the patient's
side. `file_url(thread_id, attachment_id)` is given by the caller (portal and API links differ).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from hearth.models import Message, MessageThread, ThreadStatus
from hearth.services.messages import display, pools
from hearth.services.messages.text import render


def unread_for_patient(thread: MessageThread) -> bool:
    return thread.patient_read_at is None and thread.first_staff_reply_at is not None


def thread_summary(thread: MessageThread, language: str | None) -> dict[str, Any]:
    return {
        "id": thread.id,
        "patient_id": thread.patient_id,
        "subject": thread.subject,
        "reason": thread.reason.value,
        "reason_label": str(pools.reason_label(thread.reason)),
        "pool_name": pools.pool_name(thread.pool, language),
        "status": thread.status.value,
        "status_label": display.status_label(thread.status),
        "confidential": thread.confidential,
        "unread": unread_for_patient(thread),
        "message_count": thread.message_count,
        "created_at": thread.created_at,
        "last_message_at": thread.last_message_at,
        "reply_by": thread.due_at if thread.status == ThreadStatus.OPEN else None,
        "closed_at": thread.closed_at,
    }


def message_data(message: Message, thread: MessageThread, file_url: Callable[[int, int], str]) -> dict[str, Any]:
    return {
        "id": message.id,
        "author_name": display.author_name(message, thread),
        "author_relation": message.author_relation.value,
        "from_care_team": display.from_care_team(message),
        "body": message.body,
        "html": render(message.body),
        "urgent": message.urgent,
        "created_at": message.created_at,
        "read_by_care_team_at": message.read_by_staff_at,
        "read_by_patient_at": message.read_by_patient_at,
        "attachments": [{"id": a.id, "filename": a.filename, "content_type": a.content_type,
                         "size_bytes": a.size_bytes, "download_url": file_url(thread.id, a.id)}
                        for a in message.attachments],
    }


def thread_data(thread: MessageThread, messages: list[Message], language: str | None,
                file_url: Callable[[int, int], str]) -> dict[str, Any]:
    return {**thread_summary(thread, language), "messages": [message_data(m, thread, file_url) for m in messages]}
