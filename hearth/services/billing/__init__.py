"""Statements and payments: the ledger, statements, Stripe payments and webhooks, refunds, guest pay.

Modules: `ledger` (staff posting and balances), `statements` (issuing, the patient's view, PDF),
`payments` (Checkout Sessions, PaymentIntents, settling from Stripe's state), `events` (webhook
storage, the worker's processing, reconcile), `refunds`, `guest` (pay by statement code), and
`stripe_gateway` (the only module that talks to Stripe, through the real SDK).
"""
