"""A small local fake of the Stripe REST endpoints Hearth calls, for the real `stripe` SDK.

Form-encoded requests (`a[b][0][c]=v`), JSON answers shaped like Stripe's, `Idempotency-Key`
replays the first answer. Endpoints: checkout sessions (create, retrieve), payment intents
(create, retrieve), refunds (create, list by payment_intent), events (retrieve). A hosted
"checkout page" at /checkout/<id> with a Pay button completes the session and redirects to its
success URL, as Stripe's would. Test helpers complete, expire or fail objects and return the
events Stripe would send; `signed(event, secret)` gives the payload and Stripe-Signature header.
"""

from __future__ import annotations

import html
import itertools
import json
import re
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import stripe

_KEY = re.compile(r"\[([^\]]*)\]")


def decode_form(body: str) -> dict[str, Any]:
    """Stripe's form encoding back to nested dicts and lists."""
    out: dict[str, Any] = {}
    for key, value in parse_qsl(body, keep_blank_values=True):
        head = key.split("[", 1)[0]
        parts = [head, *_KEY.findall(key)]
        node: Any = out
        for i, part in enumerate(parts):
            last = i == len(parts) - 1
            nxt_is_index = not last and parts[i + 1].isdigit()
            if isinstance(node, list):
                idx = int(part)
                while len(node) <= idx:
                    node.append(None)
                if last:
                    node[idx] = value
                else:
                    if node[idx] is None:
                        node[idx] = [] if nxt_is_index else {}
                    node = node[idx]
            else:
                if last:
                    node[part] = value
                else:
                    node = node.setdefault(part, [] if nxt_is_index else {})
    return out


def signed(event: dict, secret: str, timestamp: int | None = None) -> tuple[bytes, str]:
    """The webhook body and its Stripe-Signature header, signed like Stripe signs them."""
    payload = json.dumps(event)
    header = stripe.WebhookSignature.generate_signature_header(payload, secret, timestamp=timestamp or int(time.time()))
    return payload.encode(), header


class FakeStripe:
    def __init__(self) -> None:
        self.sessions: dict[str, dict] = {}
        self.intents: dict[str, dict] = {}
        self.refunds: dict[str, dict] = {}
        self.events: dict[str, dict] = {}
        self.customers: dict[str, dict] = {}
        self.setup_intents: dict[str, dict] = {}
        self.decline_next = 0  # decline this many off-session charges (card_declined)
        self.requests: list[tuple[str, str, str | None]] = []  # (method, path, idempotency key)
        self.fail_next = 0  # answer this many API calls with a 500
        self._replies: dict[str, tuple[int, dict]] = {}
        self._ids = itertools.count(1)
        self._lock = threading.RLock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05},
                                        daemon=True)

    @property
    def base_url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def settings(self, webhook_secret: str = "whsec_test_secret") -> dict[str, str]:
        return {"STRIPE_SECRET_KEY": "sk_test_fake", "STRIPE_WEBHOOK_SECRET": webhook_secret,
                "STRIPE_API_BASE": self.base_url}

    def start(self) -> FakeStripe:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    # ---- objects -------------------------------------------------------------------------------
    def _id(self, prefix: str) -> str:
        return f"{prefix}_test_{next(self._ids):06d}"

    def _event(self, event_type: str, obj: dict) -> dict:
        event = {"id": self._id("evt"), "object": "event", "type": event_type, "created": int(time.time()),
                 "livemode": False, "api_version": "2024-06-20", "data": {"object": json.loads(json.dumps(obj))}}
        self.events[event["id"]] = event
        return event

    def _intent(self, amount: int, metadata: dict, status: str = "requires_payment_method") -> dict:
        pid = self._id("pi")
        intent = {"id": pid, "object": "payment_intent", "amount": amount, "amount_received": 0, "currency": "usd",
                  "status": status, "metadata": metadata, "client_secret": f"{pid}_secret_x", "latest_charge": None}
        self.intents[pid] = intent
        return intent

    def complete_session(self, session_id: str) -> list[dict]:
        """The payer paid on the checkout page: the events Stripe sends (completed, then intent succeeded).

        A setup-mode session saves a card instead (a SetupIntent with a payment method): one event.
        """
        with self._lock:
            session = self.sessions[session_id]
            if session["status"] == "complete":
                return []
            if session.get("mode") == "setup":
                seti = {"id": self._id("seti"), "object": "setup_intent", "status": "succeeded",
                        "customer": session.get("customer"), "payment_method": self._id("pm"),
                        "metadata": session.get("metadata") or {}}
                self.setup_intents[seti["id"]] = seti
                session.update(status="complete", setup_intent=seti["id"])
                return [self._event("checkout.session.completed", self._public(session))]
            intent = self._intent(session["amount_total"], session.get("pi_metadata") or {}, "succeeded")
            intent["amount_received"] = intent["amount"]
            intent["latest_charge"] = self._id("ch")
            session.update(status="complete", payment_status="paid", payment_intent=intent["id"])
            return [self._event("checkout.session.completed", self._public(session)),
                    self._event("payment_intent.succeeded", intent)]

    def expire_session(self, session_id: str) -> dict:
        with self._lock:
            session = self.sessions[session_id]
            session["status"] = "expired"
            return self._event("checkout.session.expired", self._public(session))

    def succeed_intent(self, intent_id: str) -> dict:
        with self._lock:
            intent = self.intents[intent_id]
            intent.update(status="succeeded", amount_received=intent["amount"], latest_charge=self._id("ch"))
            return self._event("payment_intent.succeeded", intent)

    def fail_intent(self, intent_id: str) -> dict:
        with self._lock:
            intent = self.intents[intent_id]
            intent["status"] = "requires_payment_method"
            return self._event("payment_intent.payment_failed", intent)

    def last_event(self, event_type: str) -> dict:
        return [e for e in self.events.values() if e["type"] == event_type][-1]

    @staticmethod
    def _public(session: dict) -> dict:
        return {k: v for k, v in session.items() if k != "pi_metadata"}

    # ---- the API -------------------------------------------------------------------------------
    def _api(self, method: str, path: str, query: dict, form: dict) -> tuple[int, dict]:
        with self._lock:
            if self.fail_next > 0:
                self.fail_next -= 1
                return 500, {"error": {"type": "api_error", "message": "fake outage"}}
            parts = path.strip("/").split("/")
            if method == "POST" and path == "/v1/customers":
                customer = {"id": self._id("cus"), "object": "customer", "email": form.get("email"),
                            "metadata": form.get("metadata") or {}}
                self.customers[customer["id"]] = customer
                return 200, customer
            if method == "GET" and parts[:2] == ["v1", "setup_intents"] and len(parts) == 3:
                seti = self.setup_intents.get(parts[2])
                return (200, seti) if seti else self._missing(parts[2])
            if method == "POST" and path == "/v1/checkout/sessions" and form.get("mode") == "setup":
                sid = self._id("cs")
                session = {"id": sid, "object": "checkout.session", "url": f"{self.base_url}/checkout/{sid}",
                           "status": "open", "payment_status": "no_payment_required", "amount_total": None,
                           "mode": "setup", "customer": form.get("customer"), "setup_intent": None,
                           "success_url": form.get("success_url"), "cancel_url": form.get("cancel_url"),
                           "metadata": form.get("metadata") or {}, "payment_intent": None}
                self.sessions[sid] = session
                return 200, self._public(session)
            if method == "POST" and path == "/v1/payment_intents" and form.get("confirm") == "true":
                intent = self._intent(int(form["amount"]), form.get("metadata") or {})
                intent.update(customer=form.get("customer"), payment_method=form.get("payment_method"))
                if self.decline_next > 0:
                    self.decline_next -= 1
                    return 402, {"error": {"type": "card_error", "code": "card_declined",
                                           "decline_code": "insufficient_funds", "message": "Your card was declined.",
                                           "payment_intent": intent}}
                intent.update(status="succeeded", amount_received=intent["amount"], latest_charge=self._id("ch"))
                self._event("payment_intent.succeeded", intent)
                return 200, intent
            if method == "POST" and path == "/v1/checkout/sessions":
                sid = self._id("cs")
                item = form["line_items"][0]
                amount = int(item["price_data"]["unit_amount"])
                session = {"id": sid, "object": "checkout.session", "url": f"{self.base_url}/checkout/{sid}",
                           "status": "open", "payment_status": "unpaid", "amount_total": amount, "currency": "usd",
                           "mode": form.get("mode"), "success_url": form.get("success_url"),
                           "cancel_url": form.get("cancel_url"), "metadata": form.get("metadata") or {},
                           "payment_intent": None,
                           "pi_metadata": (form.get("payment_intent_data") or {}).get("metadata") or {}}
                self.sessions[sid] = session
                return 200, self._public(session)
            if method == "GET" and parts[:3] == ["v1", "checkout", "sessions"] and len(parts) == 4:
                session = self.sessions.get(parts[3])
                return (200, self._public(session)) if session else self._missing(parts[3])
            if method == "POST" and path == "/v1/payment_intents":
                return 200, self._intent(int(form["amount"]), form.get("metadata") or {})
            if method == "GET" and parts[:2] == ["v1", "payment_intents"] and len(parts) == 3:
                intent = self.intents.get(parts[2])
                return (200, intent) if intent else self._missing(parts[2])
            if method == "POST" and path == "/v1/refunds":
                intent = self.intents.get(form.get("payment_intent", ""))
                if intent is None or intent["status"] != "succeeded":
                    return self._missing(form.get("payment_intent", ""))
                refund = {"id": self._id("re"), "object": "refund", "amount": int(form["amount"]),
                          "payment_intent": intent["id"], "status": "succeeded", "currency": "usd",
                          "metadata": form.get("metadata") or {}}
                self.refunds[refund["id"]] = refund
                total = sum(r["amount"] for r in self.refunds.values() if r["payment_intent"] == intent["id"])
                self._event("charge.refunded", {"id": intent["latest_charge"], "object": "charge",
                                                "payment_intent": intent["id"], "amount_refunded": total})
                return 200, refund
            if method == "GET" and path == "/v1/refunds":
                data = [r for r in self.refunds.values() if r["payment_intent"] == query.get("payment_intent")]
                return 200, {"object": "list", "data": data, "has_more": False, "url": "/v1/refunds"}
            if method == "GET" and parts[:2] == ["v1", "events"] and len(parts) == 3:
                event = self.events.get(parts[2])
                return (200, event) if event else self._missing(parts[2])
            return 404, {"error": {"type": "invalid_request_error", "message": f"Unrecognized request URL {path}"}}

    @staticmethod
    def _missing(ident: str) -> tuple[int, dict]:
        return 404, {"error": {"type": "invalid_request_error", "code": "resource_missing",
                               "message": f"No such object: '{ident}'"}}

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args) -> None:
                pass

            def _send(self, status: int, body: bytes, content_type: str, headers: dict | None = None) -> None:
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                for name, value in (headers or {}).items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(body)

            def _handle(self, method: str) -> None:
                parts = urlsplit(self.path)
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length).decode() if length else ""
                if parts.path.startswith("/checkout/"):
                    return self._checkout_page(method, parts.path)
                key = self.headers.get("Idempotency-Key")
                fake.requests.append((method, parts.path, key))
                with fake._lock:
                    if key and key in fake._replies:
                        status, answer = fake._replies[key]
                    else:
                        status, answer = fake._api(method, parts.path, dict(parse_qsl(parts.query)), decode_form(body))
                        if key and status < 500:
                            fake._replies[key] = (status, answer)
                self._send(status, json.dumps(answer).encode(), "application/json", {"Request-Id": "req_fake"})

            def _checkout_page(self, method: str, path: str) -> None:
                sid = path.split("/")[2]
                session = fake.sessions.get(sid)
                if session is None:
                    return self._send(404, b"no such session", "text/plain")
                if method == "POST":
                    fake.complete_session(sid)
                    return self._send(303, b"", "text/plain", {"Location": session["success_url"]})
                amount = session["amount_total"] or 0
                page = (f"<!doctype html><html lang='en'><head><title>Fake Checkout</title>"
                        f"<meta name='viewport' content='width=device-width'></head><body><main>"
                        f"<h1>Pay ${amount // 100}.{amount % 100:02d}</h1>"
                        f"<form method='post' action='/checkout/{html.escape(sid)}'>"
                        f"<button type='submit'>Pay now</button></form></main></body></html>")
                self._send(200, page.encode(), "text/html; charset=utf-8")

            def do_GET(self) -> None:
                self._handle("GET")

            def do_POST(self) -> None:
                self._handle("POST")

        return Handler
