"""The money glue tests reuse the billing world (a completed visit, staff, the fake Stripe)."""

from tests.billing.conftest import _stripe_server, fake_stripe, gateway, world  # noqa: F401  (fixtures)
