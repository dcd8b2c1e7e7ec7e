"""The practice's fee schedule (admin): services with codes, plain-language descriptions, categories and
prices; the services each visit type usually involves; allowed amounts per payer and plan.

Not patient data, so no audit events. Money in integer cents.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.orm import selectinload

from hearth import db, policy
from hearth.errors import Invalid, NotFound
from hearth.i18n import _l
from hearth.models import (
    AllowedAmount,
    CodeType,
    FeeScheduleItem,
    ServiceCategory,
    StaffRole,
    User,
    VisitType,
    VisitTypeService,
)
from hearth.textfold import fold

ADMINS = frozenset({StaffRole.ADMIN})
CODE_PATTERNS = {
    # CPT: five digits, or four digits and F/T/U (category II/III and PLA codes)
    CodeType.CPT: re.compile(r"^[0-9]{4}[0-9FTU]$"),
    # HCPCS Level II: a letter and four digits
    CodeType.HCPCS: re.compile(r"^[A-V][0-9]{4}$"),
}
BAD_CODE = _l("Enter a 5-character CPT code (like 99213) or a HCPCS code (a letter and 4 digits, like G0438).")
DUPLICATE_CODE = _l("This code is already in the fee schedule.")
ITEM_FIELDS = ("code_type", "code", "description", "category", "self_pay_cents", "gross_charge_cents", "active")


@dataclass
class FeeScheduleView:
    items: list[FeeScheduleItem]
    visit_types: list[VisitType]
    services: dict[int, list[VisitTypeService]]  # visit_type_id → services in order


def normalize_code(code_type: CodeType | str, code: str) -> str | None:
    """The code upper-cased and checked against its type's shape, or None when it does not fit."""
    code = (code or "").strip().upper()
    pattern = CODE_PATTERNS.get(CodeType(code_type))
    return code if pattern and pattern.match(code) else None


def payer_key(name: str | None) -> str:
    """How payer and plan names are matched: case, accents and punctuation ignored."""
    return fold(name)[:120]


def _admin(user: User, practice_id: int) -> None:
    policy.require_practice_role(user, practice_id, ADMINS)


def _item(practice_id: int, item_id: int) -> FeeScheduleItem:
    item = db.session.get(FeeScheduleItem, item_id)
    if item is None or item.practice_id != practice_id:
        raise NotFound()
    return item


@db.transactional
def fee_schedule(user: User, practice_id: int) -> FeeScheduleView:
    """The practice's fee schedule by code, its visit types and their usual services. Forbidden unless admin."""
    _admin(user, practice_id)
    items = list(db.session.scalars(
        select(FeeScheduleItem).where(FeeScheduleItem.practice_id == practice_id)
        .options(selectinload(FeeScheduleItem.allowed_amounts))
        .order_by(FeeScheduleItem.code_type, FeeScheduleItem.code)))
    visit_types = list(db.session.scalars(
        select(VisitType).where(VisitType.practice_id == practice_id, VisitType.active.is_(True))
        .order_by(VisitType.name)))
    services: dict[int, list[VisitTypeService]] = {vt.id: [] for vt in visit_types}
    if visit_types:
        for row in db.session.scalars(
                select(VisitTypeService).where(VisitTypeService.visit_type_id.in_(list(services)))
                .options(selectinload(VisitTypeService.item))
                .order_by(VisitTypeService.position, VisitTypeService.id)):
            services[row.visit_type_id].append(row)
    return FeeScheduleView(items, visit_types, services)


@db.transactional
def get_item(user: User, practice_id: int, item_id: int) -> FeeScheduleItem:
    """One fee schedule item with its allowed amounts. Forbidden unless admin; NotFound."""
    _admin(user, practice_id)
    return _item(practice_id, item_id)


def _apply(item: FeeScheduleItem, data: dict[str, Any]) -> None:
    for key in ITEM_FIELDS:
        if key in data:
            setattr(item, key, data[key])
    if "description_es" in data:
        translations = {k: dict(v) for k, v in (item.translations or {}).items()}
        if data["description_es"]:
            translations.setdefault("es", {})["description"] = data["description_es"]
        else:
            translations.get("es", {}).pop("description", None)
        item.translations = {k: v for k, v in translations.items() if v}


@db.transactional
def save_item(user: User, practice_id: int, data: dict[str, Any], item_id: int | None = None) -> FeeScheduleItem:
    """Add (item_id None) or change a fee schedule item. Forbidden unless admin; NotFound; Invalid for a code
    that does not fit its type or is already listed."""
    _admin(user, practice_id)
    item = _item(practice_id, item_id) if item_id is not None else FeeScheduleItem(
        practice_id=practice_id, category=ServiceCategory.OFFICE_VISIT, translations={})
    code_type = data.get("code_type", item.code_type)
    code = normalize_code(code_type, data.get("code", item.code))
    if code is None:
        raise Invalid(str(BAD_CODE), fields={"code": [str(BAD_CODE)]})
    data = {**data, "code": code}
    clash = db.session.scalar(select(FeeScheduleItem.id).where(
        FeeScheduleItem.practice_id == practice_id, FeeScheduleItem.code_type == CodeType(code_type),
        FeeScheduleItem.code == code))
    if clash is not None and clash != item_id:
        raise Invalid(str(DUPLICATE_CODE), fields={"code": [str(DUPLICATE_CODE)]})
    _apply(item, data)
    db.session.add(item)
    db.session.flush()
    return item


@db.transactional
def delete_item(user: User, practice_id: int, item_id: int) -> None:
    """Remove a service from the fee schedule (and from the visit types that listed it)."""
    _admin(user, practice_id)
    db.session.delete(_item(practice_id, item_id))


@db.transactional
def set_visit_type_services(user: User, practice_id: int, visit_type_id: int,
                            services: list[dict[str, int]]) -> list[VisitTypeService]:
    """Replace the services a visit type usually involves, in the given order ({fee_item_id, quantity}).
    Forbidden unless admin; NotFound for another practice's visit type; Invalid for an unknown or repeated item."""
    _admin(user, practice_id)
    visit_type = db.session.get(VisitType, visit_type_id)
    if visit_type is None or visit_type.practice_id != practice_id:
        raise NotFound()
    ids = [s["fee_item_id"] for s in services]
    known = set(db.session.scalars(select(FeeScheduleItem.id).where(
        FeeScheduleItem.practice_id == practice_id, FeeScheduleItem.id.in_(ids)))) if ids else set()
    if len(set(ids)) != len(ids) or set(ids) - known:
        message = str(_l("Choose each service from the fee schedule once."))
        raise Invalid(message, fields={"services": [message]})
    db.session.execute(delete(VisitTypeService).where(VisitTypeService.visit_type_id == visit_type_id))
    rows = [VisitTypeService(visit_type_id=visit_type_id, fee_item_id=s["fee_item_id"],
                             quantity=s.get("quantity") or 1, position=i) for i, s in enumerate(services)]
    db.session.add_all(rows)
    db.session.flush()
    return rows


@db.transactional
def save_allowed(user: User, practice_id: int, item_id: int, payer_name: str, plan_name: str | None,
                 allowed_cents: int) -> AllowedAmount:
    """Set the allowed amount of one payer (and plan; blank = all its plans) for a service (upsert)."""
    _admin(user, practice_id)
    item = _item(practice_id, item_id)
    pkey, plkey = payer_key(payer_name), payer_key(plan_name)
    if not pkey:
        message = str(_l("Enter the insurance company's name."))
        raise Invalid(message, fields={"payer_name": [message]})
    row = db.session.scalar(select(AllowedAmount).where(
        AllowedAmount.fee_item_id == item.id, AllowedAmount.payer_key == pkey, AllowedAmount.plan_key == plkey))
    if row is None:
        row = AllowedAmount(fee_item_id=item.id, payer_key=pkey, plan_key=plkey)
        db.session.add(row)
    row.payer_name, row.plan_name, row.allowed_cents = payer_name.strip(), (plan_name or "").strip(), allowed_cents
    db.session.flush()
    return row


@db.transactional
def delete_allowed(user: User, practice_id: int, item_id: int, allowed_id: int) -> None:
    """Remove one payer's allowed amount. Forbidden unless admin; NotFound."""
    _admin(user, practice_id)
    row = db.session.get(AllowedAmount, allowed_id)
    if row is None or row.fee_item_id != _item(practice_id, item_id).id:
        raise NotFound()
    db.session.delete(row)


def count_items(practice_id: int) -> int:
    return db.session.scalar(select(func.count()).select_from(FeeScheduleItem)
                             .where(FeeScheduleItem.practice_id == practice_id)) or 0
