"""Attachments: limits, types by content, photos cleaned, authorized and audited downloads."""

import pytest
from sqlalchemy import func, select

from hearth import db, files
from hearth.clock import utcnow
from hearth.errors import Invalid, NotFound
from hearth.models import AuditEvent, GrantKind, Message, MessageAttachment, MessageThread
from hearth.services.messages import attachments, post_message
from hearth.services.messages.attachments import MB, Upload
from tests.factories import make_grant, make_user
from tests.messages.files import EXECUTABLE, GPS_IFD, PDF, exif_of, heic, jpeg_with_gps, png
from tests.messages.helpers import make_clinic, make_teen, start


@pytest.fixture(autouse=True)
def _storage(app, tmp_path):
    app.config["FILE_STORAGE_DIR"] = str(tmp_path / "uploads")
    yield
    app.config.pop("FILE_STORAGE_DIR", None)


def rows():
    return (db.session.scalar(select(func.count()).select_from(MessageThread)),
            db.session.scalar(select(func.count()).select_from(MessageAttachment)))


def test_photo_loses_its_gps_and_heic_becomes_jpeg():
    c = make_clinic()
    thread = start(c.patient.user, c.patient, files=[Upload("IMG_1.jpg", jpeg_with_gps()),
                                                     Upload("IMG_2.HEIC", heic()), Upload("scan.pdf", PDF)])
    photo, converted, pdf = thread.messages[0].attachments
    assert GPS_IFD in exif_of(jpeg_with_gps())
    data = files.storage().read(photo.storage_key)
    assert GPS_IFD not in exif_of(data) and 0x010F not in exif_of(data)
    assert (converted.content_type, converted.filename) == ("image/jpeg", "IMG_2.jpg")
    assert files.storage().read(converted.storage_key)[:3] == b"\xff\xd8\xff"
    assert (pdf.content_type, files.storage().read(pdf.storage_key)) == ("application/pdf", PDF)


@pytest.mark.parametrize(("uploads", "says"), [
    ([Upload("huge.jpg", b"\xff\xd8\xff" + b"0" * (30 * MB))], "up to 10 MB"),
    ([Upload("invoice.pdf", EXECUTABLE)], "Please send a PDF or a photo"),
    ([Upload("empty.png", b"")], "empty"),
    ([Upload(f"p{i}.png", png()) for i in range(6)], "up to 5 files"),
    ([Upload(f"big{i}.pdf", PDF + b"0" * (9 * MB)) for i in range(3)], "All files together can be up to 25 MB"),
])
def test_bad_files_get_a_clear_message_and_change_nothing(uploads, says, tmp_path):
    c = make_clinic()
    before = rows()
    with pytest.raises(Invalid) as caught:
        start(c.patient.user, c.patient, files=uploads)
    assert says in " ".join(caught.value.fields["files"])
    assert rows() == before
    assert not any((tmp_path / "uploads").rglob("*")) if (tmp_path / "uploads").exists() else True


def test_download_is_authorized_and_audited_and_notes_files_stay_with_staff():
    c = make_clinic()
    thread = start(c.patient.user, c.patient, files=[Upload("a.png", png())])
    (att,) = thread.messages[0].attachments
    row, data = attachments.open_attachment(c.patient.user, c.patient, thread.id, att.id)
    assert data[:4] == b"\x89PNG"
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.resource_type == "message_attachment",
                                                      AuditEvent.action == "download")) is not None
    stranger = make_clinic()
    with pytest.raises(NotFound):
        attachments.open_attachment(stranger.patient.user, c.patient, thread.id, att.id)
    note = post_message(c.nurse, thread.id, "fax copy", internal=True, files=[Upload("fax.pdf", PDF)])
    (fax,) = db.session.get(Message, note.id).attachments
    assert attachments.open_attachment(c.nurse, c.patient, thread.id, fax.id)[1] == PDF
    with pytest.raises(NotFound):
        attachments.open_attachment(c.patient.user, c.patient, thread.id, fax.id)


def test_a_confidential_threads_files_are_hidden_from_the_guardian():
    c = make_clinic()
    teen = make_teen(c.practice, utcnow().date())
    mother = make_user()
    make_grant(patient=teen, caregiver=mother, kind=GrantKind.GUARDIAN)
    db.session.commit()
    thread = start(teen.user, teen, confidential=True, files=[Upload("a.png", png())])
    (att,) = thread.messages[0].attachments
    with pytest.raises(NotFound):
        attachments.open_attachment(mother, teen, thread.id, att.id)


def test_staged_files_survive_the_urgent_page_for_their_owner_only():
    c = make_clinic()
    token = attachments.stage(c.patient.user, [Upload("a.png", png())])
    staged = attachments.unstage(c.patient.user, token)
    thread = start(c.patient.user, c.patient, files=staged, body="chest pain", warning_shown=True)
    assert [a.filename for a in thread.messages[0].attachments] == ["a.png"]
    with pytest.raises(Invalid):
        attachments.unstage(make_user(), token)
    with pytest.raises(Invalid):
        attachments.unstage(c.patient.user, token + "x")
