"""What an upload really is, from its bytes, and a clean copy of it.

The name and the declared type of an upload are the sender's word; the first bytes are not. The type
is read from the content (`filetype`, magic numbers); photos are decoded and encoded again by Pillow,
which leaves their metadata behind (EXIF with GPS position and device, XMP, comments) and turns HEIC,
what iPhones send, into JPEG that every browser shows. PDFs are kept byte for byte (re-writing them
could change what a patient signed) but must start as a PDF does.
"""

from __future__ import annotations

import io
import re
import unicodedata
from dataclasses import dataclass

import filetype
import pillow_heif
from PIL import Image, ImageOps, UnidentifiedImageError

from hearth.i18n import lazy_gettext as _l

pillow_heif.register_heif_opener()

MB = 1024 * 1024
# kind -> (content type, extension of the stored copy)
KINDS: dict[str, tuple[str, str]] = {
    "pdf": ("application/pdf", "pdf"),
    "jpeg": ("image/jpeg", "jpg"),
    "png": ("image/png", "png"),
    "heic": ("image/jpeg", "jpg"),  # re-encoded as JPEG
}
_SNIFFED = {"application/pdf": "pdf", "image/jpeg": "jpeg", "image/png": "png", "image/heic": "heic",
            "image/heif": "heic", "image/avif": "heic"}
MAX_PIXELS = 40_000_000  # a 10 MB file can still be a 100,000 x 100,000 decompression bomb


class FileRejected(ValueError):
    """An upload that cannot be kept; `code` for programs, `message` (translated) for people."""

    def __init__(self, code: str, message: object) -> None:
        super().__init__(str(message))
        self.code = code
        self.message = message


@dataclass(frozen=True)
class AcceptedFile:
    content_type: str
    extension: str
    data: bytes
    filename: str

    @property
    def size(self) -> int:
        return len(self.data)


def _kind(data: bytes) -> str | None:
    guessed = filetype.guess_mime(data[:8192])
    return _SNIFFED.get(guessed or "")


def clean_filename(filename: str, extension: str) -> str:
    """A name safe in a Content-Disposition header and on any disk, with the real type's extension."""
    name = unicodedata.normalize("NFC", filename or "").replace("\\", "/").rsplit("/", 1)[-1]
    stem = name.rsplit(".", 1)[0] if "." in name else name
    stem = re.sub(r"[\x00-\x1f\x7f\"<>:|?*;]+", "", stem).strip(" .")[:80]
    return f"{stem or 'file'}.{extension}"


def _reencode(data: bytes, kind: str) -> bytes:
    """Decode and encode again: pixels only, upright (EXIF orientation applied), no metadata kept."""
    try:
        with Image.open(io.BytesIO(data)) as image:
            if image.width * image.height > MAX_PIXELS:
                raise FileRejected("too_large", _l("This picture is too large. Please send a smaller one."))
            image = ImageOps.exif_transpose(image)
            out = io.BytesIO()
            if kind == "png":
                clean = Image.new(image.mode if image.mode in ("RGB", "RGBA", "L", "LA", "P") else "RGBA",
                                  image.size)
                if image.mode == "P":
                    clean.putpalette(image.getpalette() or [])
                clean.paste(image)
                clean.save(out, "PNG", optimize=False)
            else:
                image.convert("RGB").save(out, "JPEG", quality=88, optimize=False)
            return out.getvalue()
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError) as exc:
        if isinstance(exc, FileRejected):
            raise
        raise FileRejected("unreadable", _l("We could not read this picture. Please try another one.")) from exc


def accept_upload(data: bytes, filename: str, *, kinds: tuple[str, ...] = ("pdf", "jpeg", "png", "heic"),
                  max_bytes: int = 10 * MB) -> AcceptedFile:
    """Check one upload and return the copy to store.

    `data` is the whole file (callers read at most `max_bytes + 1` bytes); `kinds` names what this
    place takes (keys of KINDS). Raises FileRejected: "empty", "too_large" (over `max_bytes`, or an
    image of more than 40 megapixels), "unsupported_type" (content is none of `kinds`, whatever the
    name says), "unreadable" (an image Pillow cannot decode).
    """
    if not data:
        raise FileRejected("empty", _l("This file is empty."))
    if len(data) > max_bytes:
        raise FileRejected("too_large", _l("Each file can be up to %(mb)s MB.", mb=max_bytes // MB))
    kind = _kind(data)
    if kind is None or kind not in kinds:
        raise FileRejected("unsupported_type", _l("Please send a PDF or a photo (JPEG, PNG or HEIC).")
                           if "pdf" in kinds else _l("Please send a photo (JPEG, PNG or HEIC)."))
    content_type, extension = KINDS[kind]
    if kind == "pdf":
        if not data.startswith(b"%PDF-"):
            raise FileRejected("unsupported_type", _l("Please send a PDF or a photo (JPEG, PNG or HEIC)."))
        clean = data
    else:
        clean = _reencode(data, kind)
    return AcceptedFile(content_type, extension, clean, clean_filename(filename, extension))


def check_total(sizes: list[int], *, max_files: int = 5, max_total: int = 25 * MB) -> None:
    """Limits for one message's files together. Raises FileRejected "too_many" or "too_large_total"."""
    if len(sizes) > max_files:
        raise FileRejected("too_many", _l("You can attach up to %(n)s files.", n=max_files))
    if sum(sizes) > max_total:
        raise FileRejected("too_large_total", _l("All files together can be up to %(mb)s MB.", mb=max_total // MB))
