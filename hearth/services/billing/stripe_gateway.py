"""The one adapter to Stripe, through the real `stripe` SDK (v16, `StripeClient`).

Settings (app config, else the environment): STRIPE_SECRET_KEY, STRIPE_WEBHOOK_SECRET, and
STRIPE_API_BASE (only to point the SDK at a local fake in tests). Without a secret key online
payment is off: no pay button, and the statement says how else to pay. Card data never reaches
Hearth: the portal sends people to Stripe Checkout, the app confirms a PaymentIntent itself.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

import stripe

KEYS = ("STRIPE_SECRET_KEY", "STRIPE_WEBHOOK_SECRET", "STRIPE_API_BASE", "STRIPE_PUBLISHABLE_KEY")
CURRENCY = "usd"


def setting(config: Mapping[str, Any] | None, key: str) -> str:
    value = (config or {}).get(key)
    return str(value) if value else os.environ.get(key, "")


def enabled(config: Mapping[str, Any] | None) -> bool:
    """Whether online payment is configured (a secret key and a webhook secret)."""
    return bool(setting(config, "STRIPE_SECRET_KEY") and setting(config, "STRIPE_WEBHOOK_SECRET"))


def as_dict(obj: Any) -> dict[str, Any]:
    """A StripeObject as a plain dict (v16 objects are not dicts)."""
    return obj.to_dict() if hasattr(obj, "to_dict") else dict(obj)


class StripeGateway:
    """Thin calls Hearth makes to Stripe; every create carries the caller's idempotency key."""

    def __init__(self, secret_key: str, *, api_base: str = "", webhook_secret: str = "", timeout: int = 20):
        kwargs: dict[str, Any] = {"max_network_retries": 1}
        if api_base:
            kwargs["base_addresses"] = {"api": api_base}
        kwargs["http_client"] = stripe.RequestsClient(timeout=timeout)
        self.client = stripe.StripeClient(secret_key, **kwargs)
        self.webhook_secret = webhook_secret

    @classmethod
    def from_config(cls, config: Mapping[str, Any] | None) -> StripeGateway | None:
        """The gateway for these settings, or None when online payment is off."""
        if not enabled(config):
            return None
        return cls(setting(config, "STRIPE_SECRET_KEY"), api_base=setting(config, "STRIPE_API_BASE"),
                   webhook_secret=setting(config, "STRIPE_WEBHOOK_SECRET"))

    def create_checkout_session(self, *, amount_cents: int, description: str, success_url: str, cancel_url: str,
                                metadata: dict[str, str], idempotency_key: str, email: str | None = None) -> dict:
        params: dict[str, Any] = {
            "mode": "payment",
            "line_items": [{"quantity": 1, "price_data": {"currency": CURRENCY, "unit_amount": amount_cents,
                                                          "product_data": {"name": description}}}],
            "success_url": success_url,
            "cancel_url": cancel_url,
            "metadata": metadata,
            "payment_intent_data": {"metadata": metadata},
        }
        if email:
            params["customer_email"] = email
        session = self.client.v1.checkout.sessions.create(params, {"idempotency_key": idempotency_key})
        return as_dict(session)

    def create_payment_intent(self, *, amount_cents: int, description: str, metadata: dict[str, str],
                              idempotency_key: str) -> dict:
        intent = self.client.v1.payment_intents.create(
            {"amount": amount_cents, "currency": CURRENCY, "description": description, "metadata": metadata,
             "automatic_payment_methods": {"enabled": True}},
            {"idempotency_key": idempotency_key})
        return as_dict(intent)

    def retrieve_session(self, session_id: str) -> dict:
        return as_dict(self.client.v1.checkout.sessions.retrieve(session_id))

    def retrieve_payment_intent(self, intent_id: str) -> dict:
        return as_dict(self.client.v1.payment_intents.retrieve(intent_id))

    def retrieve_event(self, event_id: str) -> dict:
        return as_dict(self.client.v1.events.retrieve(event_id))

    def create_refund(self, *, payment_intent: str, amount_cents: int, idempotency_key: str,
                      metadata: dict[str, str]) -> dict:
        refund = self.client.v1.refunds.create(
            {"payment_intent": payment_intent, "amount": amount_cents, "metadata": metadata},
            {"idempotency_key": idempotency_key})
        return as_dict(refund)

    def list_refunds(self, payment_intent: str) -> list[dict]:
        page = self.client.v1.refunds.list({"payment_intent": payment_intent, "limit": 100})
        return [as_dict(r) for r in page.data]

    def create_customer(self, *, email: str | None, metadata: dict[str, str], idempotency_key: str) -> dict:
        params: dict[str, Any] = {"metadata": metadata}
        if email:
            params["email"] = email
        return as_dict(self.client.v1.customers.create(params, {"idempotency_key": idempotency_key}))

    def create_setup_session(self, *, customer: str, success_url: str, cancel_url: str, metadata: dict[str, str],
                             idempotency_key: str) -> dict:
        """Checkout in setup mode: the payer saves a card for the plan's monthly charges (nothing charged)."""
        session = self.client.v1.checkout.sessions.create(
            {"mode": "setup", "customer": customer, "currency": CURRENCY, "payment_method_types": ["card"],
             "success_url": success_url, "cancel_url": cancel_url, "metadata": metadata,
             "setup_intent_data": {"metadata": metadata}},
            {"idempotency_key": idempotency_key})
        return as_dict(session)

    def retrieve_setup_intent(self, setup_intent_id: str) -> dict:
        return as_dict(self.client.v1.setup_intents.retrieve(setup_intent_id))

    def charge_saved_card(self, *, amount_cents: int, customer: str, payment_method: str, description: str,
                          metadata: dict[str, str], idempotency_key: str) -> dict:
        """An off-session PaymentIntent confirmed at once on the saved card (a plan's monthly charge).

        A decline raises stripe.CardError; the intent is then left requiring a payment method.
        """
        intent = self.client.v1.payment_intents.create(
            {"amount": amount_cents, "currency": CURRENCY, "customer": customer, "payment_method": payment_method,
             "off_session": True, "confirm": True, "description": description, "metadata": metadata},
            {"idempotency_key": idempotency_key})
        return as_dict(intent)

    def construct_event(self, payload: bytes, signature: str | None) -> dict:
        """The verified event. Raises stripe.SignatureVerificationError (bad or stale signature) or ValueError."""
        event = stripe.Webhook.construct_event(payload, signature, self.webhook_secret)
        return as_dict(event)
