"""Financing offer schemas: the practice's settings (input and output) and what a patient is shown."""

from __future__ import annotations

import re

from marshmallow import ValidationError, validate, validates_schema

from hearth.i18n import _l
from hearth.schemas import fields
from hearth.schemas.base import Schema

DEFERRED_MONTHS = (6, 12, 18, 24)
FIXED_MONTHS = (12, 24, 36, 48, 60)
MAX_CENTS = 10_000_000_00  # $10 million: far above any financed amount
APR = re.compile(r"^\d{1,2}(\.\d{1,2})?$")
PLACES = ("page", "estimate", "statement", "balance", "gfe", "message")


def apr_to_bp(text: str) -> int:
    """"14.9" → 1490 (hundredths of a percent); ValueError unless 0.01–39.99 with at most two decimals."""
    text = text.strip()
    if not APR.match(text):
        raise ValueError(text)
    whole, _, frac = text.partition(".")
    value = int(whole) * 100 + int((frac + "00")[:2])
    if not 1 <= value <= 3999:
        raise ValueError(text)
    return value


class PromotionInputSchema(Schema):
    kind = fields.String(required=True, validate=validate.OneOf(("deferred", "fixed_apr"),
                                                                error=_l("Choose a kind of promotion.")))
    months = fields.Integer(required=True, strict=True)
    apr = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=6),
                        metadata={"description": "Fixed APR in percent, e.g. \"14.90\"; only for fixed_apr"})
    min_amount_cents = fields.Integer(required=True, strict=True, validate=validate.Range(
        min=1, max=MAX_CENTS, error=_l("Enter an amount from $0.01 to $10,000,000.")))

    @validates_schema
    def _check(self, data, **kwargs):
        if data["kind"] == "deferred":
            if data["months"] not in DEFERRED_MONTHS:
                raise ValidationError(str(_l("Choose 6, 12, 18 or 24 months.")), "months")
            data["apr_bp"] = None
        else:
            if data["months"] not in FIXED_MONTHS:
                raise ValidationError(str(_l("Choose 12, 24, 36, 48 or 60 months.")), "months")
            try:
                data["apr_bp"] = apr_to_bp(data.get("apr") or "")
            except ValueError:
                raise ValidationError(str(_l("Enter an APR from 0.01 to 39.99, like 14.90.")), "apr") from None
        data.pop("apr", None)


class OfferInputSchema(Schema):
    provider = fields.String(required=True, validate=validate.Length(max=20))
    link = fields.String(required=True, validate=validate.Length(
        min=1, max=500, error=_l("Enter a link of at most {max} characters.")))
    disclosure = fields.String(required=True, validate=validate.Length(
        min=1, max=4000, error=_l("Paste the provider's disclosure (at most {max} characters).")))
    active = fields.Boolean(load_default=True)
    promotions = fields.List(fields.Nested(PromotionInputSchema), required=True,
                             validate=validate.Length(min=1, max=12, error=_l("Add from 1 to 12 promotions.")))


class PromotionSchema(Schema):
    id = fields.Integer()
    kind = fields.String(validate=validate.OneOf(("deferred", "fixed_apr")))
    months = fields.Integer()
    apr = fields.Method("_apr", allow_none=True, metadata={"type": "string", "description": "APR in percent"})
    min_amount_cents = fields.Integer()

    def _apr(self, promotion) -> str | None:
        bp = promotion.apr_bp
        return None if bp is None else f"{bp // 100}.{bp % 100:02d}"


class OfferSchema(Schema):
    id = fields.Integer()
    provider = fields.String()
    provider_name = fields.Function(lambda o: _provider_name(o.provider), metadata={"type": "string"})
    link = fields.String()
    disclosure = fields.String()
    active = fields.Boolean()
    promotions = fields.List(fields.Nested(PromotionSchema))


def _provider_name(key: str) -> str:
    from hearth.services.financing.providers import provider_name

    return provider_name(key)


class ExampleSchema(Schema):
    kind = fields.String(validate=validate.OneOf(("deferred", "fixed_apr")))
    months = fields.Integer()
    apr = fields.String(allow_none=True)
    monthly_cents = fields.Integer()
    total_cents = fields.Integer()
    min_amount_cents = fields.Integer()


class OfferViewSchema(Schema):
    offer_id = fields.Integer()
    provider_name = fields.String()
    disclosure = fields.String()
    apply_url = fields.String(metadata={"description": "Hearth's counting redirect to the provider's link"})
    examples = fields.List(fields.Nested(ExampleSchema))


class PayOverTimeSchema(Schema):
    amount_cents = fields.Integer()
    subject_to_credit_approval = fields.String()
    offers = fields.List(fields.Nested(OfferViewSchema))


class AmountArgsSchema(Schema):
    amount_cents = fields.Integer(required=True, validate=validate.Range(
        min=1, max=MAX_CENTS, error=_l("Enter an amount from $0.01 to $10,000,000.")))
    place = fields.String(load_default="page", validate=validate.OneOf(PLACES))


class FollowInputSchema(Schema):
    place = fields.String(load_default="page", validate=validate.OneOf(PLACES))


class FollowSchema(Schema):
    url = fields.String(metadata={"description": "The provider's page: open it in the browser, add nothing to it"})


class ClickCountSchema(Schema):
    offer_id = fields.Integer()
    provider_name = fields.String()
    place = fields.String()
    day = fields.Date()
    count = fields.Integer()


DOLLARS = re.compile(r"^\$?\s*(\d{1,3}(,\d{3})+|\d+)(\.\d{1,2})?$")


def parse_dollars(text: str) -> int:
    """"1,200.50" or "$1200.5" → 120050 cents; ValueError for anything else (negative, fractional cents, text)."""
    text = (text or "").strip()
    match = DOLLARS.match(text)
    if not match or len(text) > 20:
        raise ValueError(text)
    whole = int(match.group(1).replace(",", ""))
    frac = (match.group(3) or ".")[1:]
    cents = whole * 100 + int((frac + "00")[:2])
    if not 1 <= cents <= MAX_CENTS:
        raise ValueError(text)
    return cents


class SendOfferSchema(Schema):
    amount_cents = fields.Integer(required=True, strict=True, validate=validate.Range(
        min=1, max=MAX_CENTS, error=_l("Enter an amount from $0.01 to $10,000,000.")))
    thread_id = fields.Id(load_default=None, allow_none=True)


class SentSchema(Schema):
    thread_id = fields.Integer()
