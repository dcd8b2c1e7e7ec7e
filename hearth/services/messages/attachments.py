"""Message attachments: up to 5 files, 10 MB each, 25 MB together; PDF, JPEG, PNG, HEIC by content.

Files are checked and cleaned by hearth.files (type from the bytes, photos re-encoded without EXIF,
HEIC -> JPEG) and all of a message's files are checked before any is stored, so a bad one leaves
nothing behind. Downloads go through `open_attachment`, which asks the policy (the thread's
confidential flag included, and notes' files only for staff) and writes the audit log.

Files are written before the commit (a row needs its key): a rolled-back use case deletes the files it
wrote (`_discard`), so a failure leaves no file without its row.

A message held back by the urgent-word page keeps its files "staged": stored already, named by a
signed token (bound to the user, valid for an hour) that the page sends back with "Send anyway".
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from flask import current_app, has_app_context
from sqlalchemy import event, select
from sqlalchemy.orm import Session, contains_eager

from hearth import claims, db, files, policy
from hearth.errors import Forbidden, Invalid, NotFound
from hearth.i18n import _l
from hearth.models import Message, MessageAttachment, MessageThread, Patient, User
from hearth.security import signing
from hearth.services.messages.common import SCOPE, load_thread

MB = 1024 * 1024
MAX_FILES = 5
MAX_FILE_BYTES = 10 * MB
MAX_TOTAL_BYTES = 25 * MB
# The largest upload request worth reading: 5 files of 10 MB and the form (routes set it for themselves).
MAX_UPLOAD_REQUEST = MAX_FILES * MAX_FILE_BYTES + MB
WRITTEN = "message_files_written"  # session.info: keys stored in the current transaction
STAGE_SALT = "message-files"
STAGE_SECONDS = 3600


@dataclass(frozen=True)
class Upload:
    """One file as it arrived: the sender's name for it and its bytes (read up to 10 MB + 1)."""

    filename: str
    data: bytes


@dataclass(frozen=True)
class Staged:
    """A checked file already stored, waiting for its message."""

    key: str
    filename: str
    content_type: str
    size: int


def _invalid(message) -> Invalid:
    return Invalid(str(message), fields={"files": [str(message)]})


def _upload(item) -> Upload | Staged:
    if isinstance(item, Upload | Staged):
        return item
    if isinstance(item, tuple):
        return Upload(str(item[0] or ""), bytes(item[1]))
    return Upload(str(getattr(item, "filename", "") or ""), bytes(item.data))


def accept(items: Sequence) -> list[files.AcceptedFile | Staged]:
    """Check a message's files (count, each file, the total). Raises Invalid on "files" naming the file."""
    uploads = [_upload(i) for i in items]
    if len(uploads) > MAX_FILES:
        raise _invalid(_l("You can attach up to %(n)s files.", n=MAX_FILES))
    accepted: list[files.AcceptedFile | Staged] = []
    for upload in uploads:
        if isinstance(upload, Staged):
            accepted.append(upload)
            continue
        try:
            accepted.append(files.accept_upload(upload.data, upload.filename, max_bytes=MAX_FILE_BYTES))
        except files.FileRejected as exc:
            name = upload.filename.rsplit("/", 1)[-1][:80] or str(_l("A file"))
            raise _invalid(_l("%(name)s: %(problem)s", name=name, problem=exc.message)) from None
    try:  # the sizes as sent: what the patient chose must fit, whatever cleaning saves
        files.check_total([u.size if isinstance(u, Staged) else len(u.data) for u in uploads],
                          max_files=MAX_FILES, max_total=MAX_TOTAL_BYTES)
    except files.FileRejected as exc:
        raise _invalid(exc.message) from None
    return accepted


def attach(message: Message, items: Sequence) -> list[MessageAttachment]:
    """Check, store and link `items` to `message` (flushes). Raises Invalid (nothing stored then)."""
    accepted = accept(items)
    store = files.storage()
    rows = []
    for item in accepted:
        if isinstance(item, Staged):
            key, name, content_type, size = item.key, item.filename, item.content_type, item.size
        else:
            key, name, content_type, size = store.put(item.data), item.filename, item.content_type, item.size
            db.session.info.setdefault(WRITTEN, []).append(key)
        row = MessageAttachment(message_id=message.id, storage_key=key, filename=name, content_type=content_type,
                                size_bytes=size)
        db.session.add(row)
        rows.append(row)
    db.session.flush()
    return rows


def stage(user: User, items: Sequence) -> str:
    """Check and store files for a message not sent yet; returns the signed token naming them ("" for none).
    Raises Invalid."""
    accepted = accept(items)
    if not accepted:
        return ""
    store = files.storage()
    listed = []
    for item in accepted:
        if isinstance(item, Staged):
            listed.append([item.key, item.filename, item.content_type, item.size])
        else:
            listed.append([store.put(item.data), item.filename, item.content_type, item.size])
    return signing.dumps(current_app.secret_key, STAGE_SALT, {"u": user.id, "f": listed})


def unstage(user: User, token: str | None) -> list[Staged]:
    """The files a staging token names, for `user` only. Raises Invalid (forged, another user's, expired)."""
    if not token:
        return []
    payload = signing.loads(current_app.secret_key, STAGE_SALT, token, STAGE_SECONDS, invalid=Invalid)
    if not isinstance(payload, dict) or payload.get("u") != user.id:
        raise _invalid(_l("Please attach your files again."))
    return [Staged(str(k), str(n), str(t), int(s)) for k, n, t, s in payload.get("f", [])][:MAX_FILES]


@db.transactional
def open_attachment(user: User, patient: Patient, thread_id: int, attachment_id: int
                    ) -> tuple[MessageAttachment, bytes]:
    """The attachment and its bytes, for a reader of the thread (audited as "download").

    Raises NotFound (no access, another thread's file, a note's file for the patient's side, or the
    stored file is gone).
    """
    thread: MessageThread = load_thread(patient, thread_id)
    granted = policy.authorize(user, patient, SCOPE, "download", "message_attachment", attachment_id,
                               confidential=thread.confidential)
    row = db.session.scalar(select(MessageAttachment).join(Message).where(
        MessageAttachment.id == attachment_id, Message.thread_id == thread.id)
        .options(contains_eager(MessageAttachment.message)))
    if row is None or (row.message.internal and granted.relation != "staff"):
        raise NotFound()
    try:
        data = files.storage().read(row.storage_key)
    except FileNotFoundError:
        raise NotFound() from None
    return row, data


@db.transactional
def add_to_message(user: User, patient: Patient, thread_id: int, message_id: int, items: Sequence
                   ) -> list[MessageAttachment]:
    """Attach files to a message `user` wrote (the API's multipart upload after a JSON message).

    The message's files together keep the limits (5 files, 25 MB). Raises NotFound (no access, not in
    this thread), Forbidden (someone else's message), Invalid (files; nothing stored then).
    """
    thread = load_thread(patient, thread_id)
    policy.authorize(user, patient, SCOPE, "attach", "message", message_id, confidential=thread.confidential)
    claims.lock(Message, message_id)  # two uploads at once cannot pass the limits together
    message = db.session.get(Message, message_id)
    if message is None or message.thread_id != thread.id:
        raise NotFound()
    if message.author_user_id != user.id:
        raise Forbidden()
    if not items:
        raise _invalid(_l("Choose at least one file."))
    earlier = [Staged(a.storage_key, a.filename, a.content_type, a.size_bytes) for a in message.attachments]
    accept(earlier + [_upload(i) for i in items])  # the limits, counting what is there already
    return attach(message, items)


@event.listens_for(Session, "after_commit")
def _kept(sess: Session) -> None:
    sess.info.pop(WRITTEN, None)


@event.listens_for(Session, "after_rollback")
def _discard(sess: Session) -> None:
    """Delete the files a rolled-back transaction stored (their rows never existed)."""
    keys = sess.info.pop(WRITTEN, None)
    if not keys or not has_app_context():
        return
    store = files.storage()
    for key in keys:
        store.delete(key)
