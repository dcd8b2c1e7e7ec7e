"""A local Twilio-compatible SMS endpoint: `POST /2010-04-01/Accounts/{sid}/Messages.json`."""

from __future__ import annotations

import base64
import json
import re
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs

PATH = re.compile(r"^/2010-04-01/Accounts/(?P<sid>[^/]+)/Messages\.json$")

# name -> (HTTP status, Twilio error code, message, extra headers)
BEHAVIOURS: dict[str, tuple[int, int, str, dict[str, str]]] = {
    "invalid_number": (400, 21211, "The 'To' number is not a valid phone number.", {}),
    "rate_limited": (429, 20429, "Too Many Requests", {"Retry-After": "90"}),
    "unavailable": (503, 20500, "Service unavailable", {}),
}


class FakeSms:
    def __init__(self, account_sid: str = "ACtest", auth_token: str = "secret") -> None:
        self.account_sid = account_sid
        self.auth_token = auth_token
        self.messages: list[dict[str, str]] = []
        self.delay = 0.0  # seconds each accepted message takes to answer: a slow provider
        self._behaviours: dict[str, list[str]] = {}
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    @property
    def base_url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def settings(self, sender: str = "+15550000000") -> dict[str, str]:
        return {
            "SMS_API_BASE": self.base_url,
            "SMS_ACCOUNT_SID": self.account_sid,
            "SMS_AUTH_TOKEN": self.auth_token,
            "SMS_FROM": sender,
        }

    def start(self) -> FakeSms:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def behave(self, to: str, *behaviours: str) -> None:
        """Answer messages to `to` with these behaviours in turn (the last repeats); "ok" delivers."""
        with self._lock:
            self._behaviours[to] = list(behaviours)

    def _next(self, to: str) -> str:
        with self._lock:
            queue = self._behaviours.get(to)
            if not queue:
                return "ok"
            return queue.pop(0) if len(queue) > 1 else queue[0]

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"  # keep-alive, like the real endpoint

            def log_message(self, *args) -> None:
                pass

            def do_POST(self) -> None:
                match = PATH.match(self.path)
                if match is None or match["sid"] != fake.account_sid:
                    return self._reply(404, {"code": 20404, "message": "Not found", "status": 404})
                expected = base64.b64encode(f"{fake.account_sid}:{fake.auth_token}".encode()).decode()
                if self.headers.get("Authorization") != f"Basic {expected}":
                    return self._reply(401, {"code": 20003, "message": "Authenticate", "status": 401})
                length = int(self.headers.get("Content-Length") or 0)
                form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
                behaviour = fake._next(form.get("To", ""))
                if behaviour != "ok":
                    status, code, message, headers = BEHAVIOURS[behaviour]
                    return self._reply(status, {"code": code, "message": message, "status": status}, headers)
                with fake._lock:
                    fake.messages.append(form)  # delivered on receipt, as a real provider would
                    sid = f"SM{len(fake.messages):032d}"
                if fake.delay:
                    time.sleep(fake.delay)
                return self._reply(
                    201,
                    {
                        "sid": sid,
                        "status": "queued",
                        "to": form.get("To"),
                        "from": form.get("From"),
                        "body": form.get("Body"),
                    },
                )

            def _reply(
                self, status: int, payload: dict[str, Any], headers: dict[str, str] | None = None
            ) -> None:
                data = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                for name, value in (headers or {}).items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(data)

        return Handler
