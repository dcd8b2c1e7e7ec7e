"""Uploaded files: checked by content, photos cleaned, stored outside the web root, served as downloads.

Shared by message attachments and insurance-card photos. Use:

    accepted = files.accept_upload(data, filename)            # raises files.FileRejected
    key = files.storage().put(accepted.data)                   # random name
    files.download_response(files.storage().read(key), accepted.filename, accepted.content_type)
"""

from hearth.files.checks import KINDS, AcceptedFile, FileRejected, accept_upload, check_total
from hearth.files.download import download_response
from hearth.files.storage import LocalStorage, Storage, storage

__all__ = [
    "KINDS",
    "AcceptedFile",
    "FileRejected",
    "LocalStorage",
    "Storage",
    "accept_upload",
    "check_total",
    "download_response",
    "storage",
]
