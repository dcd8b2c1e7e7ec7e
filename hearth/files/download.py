"""A stored file served to the one person allowed: always as a download, never rendered by the browser."""

from __future__ import annotations

from urllib.parse import quote

from flask import Response


def download_response(data: bytes, filename: str, content_type: str) -> Response:
    """`Content-Disposition: attachment` (an uploaded PDF or picture never runs as a page of ours),
    `nosniff`, no caching (a shared computer's cache keeps nothing), and a sandboxing CSP."""
    ascii_name = filename.encode("ascii", "replace").decode().replace("?", "_").replace('"', "")
    response = Response(data, content_type=content_type)
    response.headers["Content-Disposition"] = (
        f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename)}"
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "no-store"
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
