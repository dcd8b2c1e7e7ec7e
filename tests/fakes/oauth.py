"""A local OAuth 2.0 token endpoint for Google service accounts: `POST /token` answers a bearer token.

It counts the requests, so tests can see how often a worker fetched a token. The JWT assertion the
SDK signs is not verified (the fake has no key); google-auth's own code builds and sends it.
"""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class FakeOAuth:
    def __init__(self, expires_in: int = 3600) -> None:
        self.expires_in = expires_in
        self.requests = 0
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05},
                                        daemon=True)

    @property
    def token_uri(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}/token"

    def start(self) -> FakeOAuth:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def _handler(self):
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 - http.server's naming
                self.rfile.read(int(self.headers.get("Content-Length") or 0))
                with fake._lock:
                    fake.requests += 1
                    token = f"fake-access-token-{fake.requests}"
                body = json.dumps({"access_token": token, "expires_in": fake.expires_in,
                                   "token_type": "Bearer"}).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *_args):
                pass

        return Handler


def service_account_file(path, token_uri: str, project_id: str = "hearth-test") -> str:
    """Write a service-account JSON with a freshly generated RSA key (never a real account); returns its path."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                            serialization.NoEncryption()).decode()
    info = {"type": "service_account", "project_id": project_id, "private_key_id": "test-key",
            "private_key": pem, "client_email": f"push@{project_id}.iam.gserviceaccount.com",
            "client_id": "1", "token_uri": token_uri}
    path.write_text(json.dumps(info))
    return str(path)
