"""Uploads are judged by their bytes, cleaned of metadata, and stored under names no one can guess."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from hearth import files

GPS_TAG = 0x8825


def _jpeg_with_gps() -> bytes:
    image = Image.new("RGB", (64, 48), (200, 30, 30))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x0110] = "Phone 15"  # Model
    exif[GPS_TAG] = {1: "N", 2: (40.0, 26.0, 46.0), 3: "W", 4: (79.0, 58.0, 56.0)}
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif)
    return out.getvalue()


def _heic() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (32, 32), (0, 120, 200)).save(out, "HEIF")
    return out.getvalue()


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGBA", (8, 8), (0, 0, 0, 128)).save(out, "PNG")
    return out.getvalue()


PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
ELF = b"\x7fELF\x02\x01\x01" + b"\x00" * 200


def test_photo_loses_gps_and_device_data():
    original = _jpeg_with_gps()
    assert GPS_TAG in Image.open(io.BytesIO(original)).getexif()
    accepted = files.accept_upload(original, "IMG_0001.JPG")
    cleaned = Image.open(io.BytesIO(accepted.data))
    assert accepted.content_type == "image/jpeg" and accepted.filename == "IMG_0001.jpg"
    assert not cleaned.getexif() and b"PhoneMaker" not in accepted.data and b"Exif" not in accepted.data


def test_heic_becomes_jpeg():
    accepted = files.accept_upload(_heic(), "photo.heic")
    assert accepted.content_type == "image/jpeg" and accepted.filename == "photo.jpg"
    assert Image.open(io.BytesIO(accepted.data)).format == "JPEG"


def test_png_and_pdf_accepted():
    assert files.accept_upload(_png(), "x.png").content_type == "image/png"
    pdf = files.accept_upload(PDF, "report.pdf")
    assert pdf.content_type == "application/pdf" and pdf.data == PDF


@pytest.mark.parametrize(("data", "name", "code"), [
    (ELF, "results.pdf", "unsupported_type"),  # an executable named .pdf
    (b"<html><script>alert(1)</script></html>", "photo.jpg", "unsupported_type"),
    (b"", "empty.pdf", "empty"),
    (b"%PDF-" + b"0" * (10 * files.checks.MB), "big.pdf", "too_large"),
    (b"\xff\xd8\xff\xe0" + b"\x00" * 100, "broken.jpg", "unreadable"),
])
def test_refusals_by_content(data, name, code):
    with pytest.raises(files.FileRejected) as caught:
        files.accept_upload(data, name)
    assert caught.value.code == code and str(caught.value.message)


def test_pdf_refused_where_only_photos_are_taken():
    with pytest.raises(files.FileRejected) as caught:
        files.accept_upload(PDF, "card.jpg", kinds=("jpeg", "png", "heic"))
    assert caught.value.code == "unsupported_type"


def test_limits_for_one_message():
    files.check_total([10 * files.checks.MB] * 2)
    with pytest.raises(files.FileRejected, match="5"):
        files.check_total([1] * 6)
    with pytest.raises(files.FileRejected) as caught:
        files.check_total([10 * files.checks.MB] * 3)
    assert caught.value.code == "too_large_total"


@pytest.mark.parametrize("name", ['../../etc/passwd', 'a"b;c.pdf', "C:\\Users\\x\\scan.PDF", "\x00.pdf", ""])
def test_filenames_are_cleaned(name):
    cleaned = files.checks.clean_filename(name, "pdf")
    assert cleaned.endswith(".pdf") and "/" not in cleaned and '"' not in cleaned and "\x00" not in cleaned


def test_storage_round_trip_and_random_names(app, tmp_path):
    store = files.LocalStorage(tmp_path)
    key = store.put(b"hello")
    assert len(key) == 32 and store.read(key) == b"hello" and key != store.put(b"hello")
    store.delete(key)
    with pytest.raises(FileNotFoundError):
        store.read(key)
    with pytest.raises(FileNotFoundError):
        store.read("../../secret_key")
    with app.app_context():
        assert isinstance(files.storage(), files.LocalStorage)


def test_download_is_never_rendered(app):
    with app.test_request_context():
        response = files.download_response(b"%PDF-", "Résultat \"final\".pdf", "application/pdf")
    assert response.headers["Content-Disposition"].startswith('attachment; filename="R_sultat final.pdf"')
    assert "filename*=UTF-8''R%C3%A9sultat" in response.headers["Content-Disposition"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Cache-Control"] == "no-store"
