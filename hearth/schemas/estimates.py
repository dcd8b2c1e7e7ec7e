"""Schemas of the fee schedule, coverage and estimates, shared by the portal forms and the API.

The API speaks integer cents (`*_cents`, never fractions, never negative); portal forms take dollars
(`Dollars`: "110", "110.50", "$1,234.56"), read exactly into cents.
"""

from __future__ import annotations

from decimal import Decimal

from marshmallow import ValidationError, post_load, pre_load, validate

from hearth.i18n import _l
from hearth.models import CodeType, ServiceCategory, SubscriberRelationship
from hearth.schemas import fields
from hearth.schemas.base import Schema
from hearth.schemas.patients import blank_to_none
from hearth.services.estimates.money import BadAmount, dollars_to_cents

CATEGORIES = [c.value for c in ServiceCategory]
PERCENT = _l("Enter a percent from 0 to 100.")
NOT_NEGATIVE = _l("Enter a whole number of cents, 0 or more.")


def Cents(**kwargs) -> fields.Integer:  # noqa: N802 - a field factory
    """Money in integer cents, 0 or more (strict: 1.5 is refused, not rounded)."""
    return fields.Integer(strict=True, validate=validate.Range(min=0, error=NOT_NEGATIVE), **kwargs)


class Dollars(fields.String):
    """A dollar amount typed in a form, loaded as integer cents."""

    def _deserialize(self, value, attr, data, **kwargs):
        text = super()._deserialize(value, attr, data, **kwargs)
        try:
            return dollars_to_cents(text)
        except BadAmount as exc:
            raise ValidationError(str(exc.message)) from None


CODE_TYPE = fields.String(validate=validate.OneOf([c.value for c in CodeType]))


class AllowedAmountSchema(Schema):
    id = fields.Integer(dump_only=True)
    payer_name = fields.String(required=True, validate=validate.Length(min=1, max=120))
    plan_name = fields.String(load_default="", validate=validate.Length(max=120))
    allowed_cents = Cents(required=True)


class FeeItemSchema(Schema):
    id = fields.Integer(dump_only=True)
    code_type = fields.String(required=True, validate=validate.OneOf([c.value for c in CodeType]))
    code = fields.String(required=True, validate=validate.Length(min=1, max=12))
    description = fields.String(required=True, validate=validate.Length(min=1, max=300))
    description_es = fields.String(allow_none=True, validate=validate.Length(max=300))
    category = fields.String(required=True, validate=validate.OneOf(CATEGORIES))
    self_pay_cents = Cents(required=True)
    gross_charge_cents = Cents(allow_none=True, load_default=None)
    active = fields.Boolean(load_default=True)
    allowed_amounts = fields.List(fields.Nested(AllowedAmountSchema), dump_only=True)

    @pre_load
    def _blanks(self, data, **kwargs):
        return blank_to_none(data, ("description_es",))

    @post_load
    def _enums(self, data, **kwargs):
        if "code_type" in data:
            data["code_type"] = CodeType(data["code_type"])
        if "category" in data:
            data["category"] = ServiceCategory(data["category"])
        return data


class FeeItemPatchSchema(FeeItemSchema):
    """Some of a service's fields (the API's PATCH)."""


def fee_item_out(item) -> dict:
    return {**{k: getattr(item, k) for k in ("id", "code", "description", "self_pay_cents", "gross_charge_cents",
                                             "active", "allowed_amounts")},
            "code_type": item.code_type.value, "category": item.category.value,
            "description_es": ((item.translations or {}).get("es") or {}).get("description")}


class FeeItemFormSchema(FeeItemSchema):
    """The admin form: prices in dollars."""

    self_pay_cents = Dollars(required=True, data_key="self_pay")
    gross_charge_cents = Dollars(allow_none=True, load_default=None, data_key="gross_charge")

    @pre_load
    def _blank_money(self, data, **kwargs):
        return blank_to_none(data, ("gross_charge", "description_es"))


class AllowedFormSchema(AllowedAmountSchema):
    allowed_cents = Dollars(required=True, data_key="allowed")


class VisitServiceSchema(Schema):
    fee_item_id = fields.Id(required=True)
    quantity = fields.Integer(load_default=1, validate=validate.Range(min=1, max=99))


class VisitTypeServicesSchema(Schema):
    services = fields.List(fields.Nested(VisitServiceSchema), required=True, validate=validate.Length(max=20))


class ImportResultSchema(Schema):
    added = fields.Integer()
    updated = fields.Integer()
    allowed = fields.Integer()


class FeeScheduleSchema(Schema):
    items = fields.List(fields.Nested(FeeItemSchema))
    visit_types = fields.List(fields.Dict(values=fields.Raw()))


TEXT40 = validate.Length(max=40)


class InsuranceSchema(Schema):
    payer_name = fields.String(required=True, validate=validate.Length(min=1, max=120))
    plan_name = fields.String(allow_none=True, validate=validate.Length(max=120))
    member_id = fields.String(allow_none=True, validate=TEXT40)
    group_id = fields.String(allow_none=True, validate=TEXT40)
    subscriber_name = fields.String(allow_none=True, validate=validate.Length(max=200))
    subscriber_relationship = fields.String(allow_none=True,
                                            validate=validate.OneOf([r.value for r in SubscriberRelationship]))

    @pre_load
    def _blanks(self, data, **kwargs):
        return blank_to_none(data, ("payer_name", "plan_name", "member_id", "group_id", "subscriber_name",
                                    "subscriber_relationship"))

    @post_load
    def _enum(self, data, **kwargs):
        if data.get("subscriber_relationship"):
            data["subscriber_relationship"] = SubscriberRelationship(data["subscriber_relationship"])
        return data


class BenefitsSchema(Schema):
    deductible_cents = Cents()
    coinsurance_percent = fields.Float(allow_nan=False, validate=validate.Range(min=0, max=100, error=PERCENT))
    copays = fields.Dict(keys=fields.String(validate=validate.OneOf(CATEGORIES)), values=Cents())
    copay_counts_toward_deductible = fields.Boolean()
    oop_max_cents = Cents(allow_none=True)
    deductible_met_cents = Cents()
    oop_met_cents = Cents()
    uncovered_categories = fields.List(fields.String(validate=validate.OneOf(CATEGORIES)),
                                       validate=validate.Length(max=len(CATEGORIES)))

    @post_load
    def _bp(self, data, **kwargs):
        if "coinsurance_percent" in data:
            percent = Decimal(str(data.pop("coinsurance_percent")))
            if percent != percent.quantize(Decimal("0.01")):
                raise ValidationError({"coinsurance_percent": [str(_l("Enter a percent from 0 to 100."))]})
            data["coinsurance_bp"] = int(percent * 100)
        return data


class BenefitsFormSchema(BenefitsSchema):
    """The portal form: dollars, a percent, one copay field per category."""

    deductible_cents = Dollars(data_key="deductible", load_default=0)
    oop_max_cents = Dollars(data_key="oop_max", allow_none=True, load_default=None)
    deductible_met_cents = Dollars(data_key="deductible_met", load_default=0)
    oop_met_cents = Dollars(data_key="oop_met", load_default=0)
    copays = fields.Dict(keys=fields.String(validate=validate.OneOf(CATEGORIES)), values=Dollars())


class CoverageSchema(Schema):
    kind = fields.Function(lambda c: c.kind.value, metadata={"type": "string", "enum": ["insurance", "self_pay"]})
    payer_name = fields.String(allow_none=True)
    plan_name = fields.String(allow_none=True)
    member_id = fields.String(allow_none=True)
    group_id = fields.String(allow_none=True)
    subscriber_name = fields.String(allow_none=True)
    subscriber_relationship = fields.Function(
        lambda c: c.subscriber_relationship.value if c.subscriber_relationship else None, allow_none=True,
        metadata={"type": "string"})
    card_front = fields.Function(lambda c: bool(c.card_front_key), metadata={"type": "boolean"})
    card_back = fields.Function(lambda c: bool(c.card_back_key), metadata={"type": "boolean"})
    deductible_cents = fields.Integer()
    coinsurance_percent = fields.Function(lambda c: c.coinsurance_bp / 100, metadata={"type": "number"})
    copays = fields.Dict(values=fields.Integer())
    copay_counts_toward_deductible = fields.Boolean()
    oop_max_cents = fields.Integer(allow_none=True)
    deductible_met_cents = fields.Integer()
    oop_met_cents = fields.Integer()
    uncovered_categories = fields.List(fields.String(allow_none=True))
    benefits_updated_at = fields.AwareDateTime(allow_none=True)
    verified_at = fields.AwareDateTime(allow_none=True)
    verified_by = fields.Function(lambda c: c.verified_by.display_name if c.verified_by else None, allow_none=True,
                                  metadata={"type": "string"})
    updated_at = fields.AwareDateTime()


class CoverageViewSchema(Schema):
    coverage = fields.Nested(CoverageSchema, allow_none=True)
    deductible_remaining_cents = fields.Integer()
    oop_remaining_cents = fields.Integer(allow_none=True)


class EstimateLineSchema(Schema):
    code_type = fields.String()
    code = fields.String()
    description = fields.String()
    category = fields.String()
    quantity = fields.Integer()
    amount_cents = fields.Integer()
    amount_source = fields.String()
    covered = fields.Boolean()
    patient_cents = fields.Integer()
    plan_cents = fields.Integer()
    copay_cents = fields.Integer()
    deductible_cents = fields.Integer()
    coinsurance_cents = fields.Integer()
    oop_capped = fields.Boolean()


class EstimateSchema(Schema):
    id = fields.Integer(allow_none=True)
    created_at = fields.AwareDateTime(allow_none=True)
    visit_type_id = fields.Integer(allow_none=True)
    appointment_id = fields.Integer(allow_none=True)
    basis = fields.String()
    payer_name = fields.String(allow_none=True)
    plan_name = fields.String(allow_none=True)
    lines = fields.List(fields.Nested(EstimateLineSchema))
    allowed_cents = fields.Integer()
    patient_cents = fields.Integer()
    plan_cents = fields.Integer()
    deductible_remaining_cents = fields.Integer()
    oop_remaining_cents = fields.Integer(allow_none=True)
    coinsurance_percent = fields.Float()
    benefits_updated_at = fields.AwareDateTime(allow_none=True)
    verified = fields.Boolean()
    notice = fields.String()
    financing_offers_url = fields.String(allow_none=True, metadata={
        "description": "GET it (with the bearer token) for financing offers for `patient_cents` "
                       "(`/patients/{id}/financing-offers?amount_cents=&place=estimate`); null when no offer applies"})


class EstimatePageSchema(Schema):
    items = fields.List(fields.Nested(EstimateSchema))
    page = fields.Integer()
    per_page = fields.Integer()
    total = fields.Integer()


class EstimateRequestSchema(Schema):
    """Either a visit type, or chosen services."""

    visit_type_id = fields.Integer(validate=validate.Range(min=1))
    services = fields.List(fields.Nested(VisitServiceSchema), validate=validate.Length(min=1, max=20))

    @post_load
    def _one(self, data, **kwargs):
        if bool(data.get("visit_type_id")) == bool(data.get("services")):
            message = str(_l("Choose a kind of visit or one or more services."))
            raise ValidationError({"visit_type_id": [message]})
        return data


class AttachSchema(Schema):
    appointment_id = fields.Integer(required=True, validate=validate.Range(min=1))
