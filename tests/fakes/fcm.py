"""A local FCM HTTP v1 server: `POST /v1/projects/{p}/messages:send`, the way firebase-admin calls it.

Per-token behaviours reproduce FCM's documented error bodies (google.rpc status with an FcmError
detail), so the real SDK raises its real typed exceptions.
"""

from __future__ import annotations

import json
import re
import threading
import time
from collections.abc import Iterable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

FCM_ERROR_TYPE = "type.googleapis.com/google.firebase.fcm.v1.FcmError"
PATH = re.compile(r"^/v1/projects/(?P<project>[^/]+)/messages:send$")

# name -> (HTTP status, google.rpc status, FCM error code, extra headers)
BEHAVIOURS: dict[str, tuple[int, str, str | None, dict[str, str]]] = {
    "unregistered": (404, "NOT_FOUND", "UNREGISTERED", {}),
    "invalid": (400, "INVALID_ARGUMENT", "INVALID_ARGUMENT", {}),
    "quota": (429, "RESOURCE_EXHAUSTED", "QUOTA_EXCEEDED", {"Retry-After": "120"}),
    "unavailable": (503, "UNAVAILABLE", "UNAVAILABLE", {}),
    "internal": (500, "INTERNAL", "INTERNAL", {}),
}


class FakeFcm:
    """Start with `start()`; `url_template` is what `_MessagingService.FCM_URL` should be set to."""

    def __init__(self) -> None:
        self.messages: list[dict[str, Any]] = []  # every accepted message, as sent
        self.requests: list[dict[str, Any]] = []  # every request, accepted or not
        self._behaviours: dict[str, list[str]] = {}
        self._lock = threading.Lock()
        self._counter = 0
        self.delay = 0.0  # seconds each request takes to answer: a slow provider
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    @property
    def base_url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    @property
    def url_template(self) -> str:
        return self.base_url + "/v1/projects/{0}/messages:send"

    def start(self) -> FakeFcm:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def reset(self) -> None:
        """Forget messages, requests and behaviours (the server is shared across tests)."""
        with self._lock:
            self.messages.clear()
            self.requests.clear()
            self._behaviours.clear()

    def behave(self, token: str, *behaviours: str) -> None:
        """Answer `token` with these behaviours in turn (the last one repeats); "ok" delivers."""
        for b in behaviours:
            if b != "ok" and b not in BEHAVIOURS:
                raise ValueError(f"unknown behaviour {b!r}")
        with self._lock:
            self._behaviours[token] = list(behaviours)

    def tokens(self) -> list[str]:
        with self._lock:
            return [m.get("token") or m.get("fid") for m in self.messages]

    def delivered_to(self, tokens: Iterable[str]) -> list[dict[str, Any]]:
        wanted = set(tokens)
        with self._lock:
            return [m for m in self.messages if (m.get("token") or m.get("fid")) in wanted]

    def _next_behaviour(self, target: str) -> str:
        with self._lock:
            queue = self._behaviours.get(target)
            if not queue:
                return "ok"
            return queue.pop(0) if len(queue) > 1 else queue[0]

    def _accept(self, project: str, message: dict[str, Any]) -> str:
        with self._lock:
            self._counter += 1
            self.messages.append(message)
            return f"projects/{project}/messages/{self._counter}"

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"  # keep-alive, like the real endpoint

            def log_message(self, *args) -> None:  # keep test output quiet
                pass

            def do_POST(self) -> None:
                match = PATH.match(self.path)
                length = int(self.headers.get("Content-Length") or 0)
                body = json.loads(self.rfile.read(length) or b"{}")
                with fake._lock:
                    fake.requests.append({"path": self.path, "body": body})
                if match is None:
                    return self._reply(404, _error(404, "NOT_FOUND", "no such endpoint", None))
                message = body.get("message") or {}
                target = message.get("token") or message.get("fid")
                if not target:
                    return self._reply(
                        400, _error(400, "INVALID_ARGUMENT", "token or fid required", "INVALID_ARGUMENT")
                    )
                behaviour = fake._next_behaviour(target)
                if fake.delay:
                    time.sleep(fake.delay)
                if behaviour == "ok":
                    return self._reply(200, {"name": fake._accept(match["project"], message)})
                status, rpc_status, fcm_code, headers = BEHAVIOURS[behaviour]
                return self._reply(status, _error(status, rpc_status, f"fake {behaviour}", fcm_code), headers)

            def _reply(
                self, status: int, payload: dict[str, Any], headers: dict[str, str] | None = None
            ) -> None:
                data = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json; charset=UTF-8")
                self.send_header("Content-Length", str(len(data)))
                for name, value in (headers or {}).items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(data)

        return Handler


def _error(code: int, status: str, message: str, fcm_code: str | None) -> dict[str, Any]:
    details = [{"@type": FCM_ERROR_TYPE, "errorCode": fcm_code}] if fcm_code else []
    return {"error": {"code": code, "message": message, "status": status, "details": details}}
