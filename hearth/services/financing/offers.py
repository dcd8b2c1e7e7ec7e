"""Financing offers: the practice's settings (admins), what a patient is shown, and counted link clicks.

Nothing about a patient's credit is asked, stored or sent: a patient only follows the practice's own
link, and the click is counted per offer, place and day (no patient id in the count).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import selectinload

from hearth import db, policy
from hearth.clock import utcnow
from hearth.errors import Invalid, NotFound
from hearth.models import FinancingClick, FinancingOffer, FinancingPromotion, Patient, Practice, StaffRole, User
from hearth.models.financing import PromotionKind
from hearth.services.financing import calculator
from hearth.services.financing.providers import PROVIDERS, link_error, provider_name

log = logging.getLogger(__name__)

ADMINS = frozenset({StaffRole.ADMIN})
STAFF = frozenset({StaffRole.ADMIN, StaffRole.STAFF, StaffRole.PROVIDER})
SCOPE = "billing"
COUNT_DAYS = 90


@dataclass(frozen=True)
class Example:
    """One promotion worked out for an amount (all cents; apr as "14.90", None for deferred interest)."""

    kind: str
    months: int
    apr: str | None
    monthly_cents: int
    total_cents: int
    min_amount_cents: int


@dataclass(frozen=True)
class OfferView:
    offer_id: int
    provider_name: str
    disclosure: str
    examples: list[Example]


def apr_text(apr_bp: int) -> str:
    return f"{apr_bp // 100}.{apr_bp % 100:02d}"


def _load(practice_id: int, offer_id: int) -> FinancingOffer:
    offer = db.session.get(FinancingOffer, offer_id)
    if offer is None or offer.practice_id != practice_id:
        raise NotFound()
    return offer


def _practice_offers(practice_id: int, *, active_only: bool) -> list[FinancingOffer]:
    query = (select(FinancingOffer).where(FinancingOffer.practice_id == practice_id)
             .options(selectinload(FinancingOffer.promotions)).order_by(FinancingOffer.id))
    if active_only:
        query = query.where(FinancingOffer.active.is_(True))
    return list(db.session.scalars(query))


@db.transactional
def list_offers(user: User, practice_id: int) -> list[FinancingOffer]:
    """Every offer of the practice with its promotions; Forbidden unless `user` is one of its admins."""
    policy.require_practice_role(user, practice_id, ADMINS)
    return _practice_offers(practice_id, active_only=False)


@db.transactional
def get_offer(user: User, practice_id: int, offer_id: int) -> FinancingOffer:
    """One offer; Forbidden for non-admins, NotFound when it is not the practice's."""
    policy.require_practice_role(user, practice_id, ADMINS)
    return _load(practice_id, offer_id)


@db.transactional
def save_offer(user: User, practice_id: int, data: dict[str, Any], offer_id: int | None = None) -> FinancingOffer:
    """Add (offer_id None) or replace an offer from OfferInputSchema data.

    Raises Forbidden (not an admin), NotFound (not the practice's offer), Invalid (a link that is not
    https on one of the provider's known hosts, with a sentence saying which hosts).
    """
    policy.require_practice_role(user, practice_id, ADMINS)
    error = link_error(data["provider"], data["link"])
    if error:
        field = "provider" if data["provider"] not in PROVIDERS else "link"
        raise Invalid(error, fields={field: [error]})
    offer = FinancingOffer(practice_id=practice_id) if offer_id is None else _load(practice_id, offer_id)
    offer.provider = data["provider"]
    offer.link = data["link"].strip()
    offer.disclosure = data["disclosure"].strip()
    offer.active = data.get("active", True)
    offer.promotions = [
        FinancingPromotion(position=i, kind=PromotionKind(p["kind"]), months=p["months"], apr_bp=p.get("apr_bp"),
                           min_amount_cents=p["min_amount_cents"])
        for i, p in enumerate(sorted(data["promotions"], key=lambda p: (p["kind"], p["months"])))
    ]
    db.session.add(offer)
    db.session.flush()
    offer_ref = offer.id
    db.after_commit(lambda: log.info("financing offer %s of practice %s saved by user %s", offer_ref, practice_id,
                                     user.id))
    return offer


@db.transactional
def delete_offer(user: User, practice_id: int, offer_id: int) -> None:
    """Remove an offer (its click counts go with it); Forbidden for non-admins, NotFound otherwise."""
    policy.require_practice_role(user, practice_id, ADMINS)
    db.session.delete(_load(practice_id, offer_id))


def offers_for(practice: Practice | int, amount_cents: int) -> list[OfferView]:
    """The practice's active offers with a worked example for each promotion whose minimum `amount_cents` reaches.

    Pure reading of settings (no patient data, no authorization): callers that show it for a
    patient authorize their own page. Offers with no reachable promotion are left out.
    """
    if not isinstance(amount_cents, int) or amount_cents <= 0:
        return []
    return offer_views(active_offers(practice), amount_cents)


def active_offers(practice: Practice | int) -> list[FinancingOffer]:
    """The practice's active offers with their promotions (two statements), for offer_views.

    A list that shows offers for many amounts (the saved estimates) loads them once with this
    rather than calling offers_for per row, which would run two statements per row.
    """
    return _practice_offers(practice if isinstance(practice, int) else practice.id, active_only=True)


def offer_views(active: list[FinancingOffer], amount_cents: int) -> list[OfferView]:
    """offers_for over offers already loaded by active_offers (no statement)."""
    if not isinstance(amount_cents, int) or amount_cents <= 0:
        return []
    views = []
    for offer in active:
        examples = []
        for promo in offer.promotions:
            if amount_cents < promo.min_amount_cents:
                continue
            if promo.kind == PromotionKind.DEFERRED:
                ex = calculator.deferred(amount_cents, promo.months)
                examples.append(Example("deferred", promo.months, None, ex.monthly_cents, ex.total_cents,
                                        promo.min_amount_cents))
            else:
                ex = calculator.fixed_apr(amount_cents, promo.apr_bp or 0, promo.months)
                examples.append(Example("fixed_apr", promo.months, apr_text(promo.apr_bp or 0), ex.monthly_cents,
                                        ex.total_cents, promo.min_amount_cents))
        if examples:
            views.append(OfferView(offer.id, provider_name(offer.provider), offer.disclosure, examples))
    return views


@db.transactional
def pay_over_time(user: User, patient: Patient, amount_cents: int) -> list[OfferView]:
    """The offers the patient's practice makes for `amount_cents` (the "Pay over time" page).

    Needs the billing scope for a caregiver; NotFound otherwise.
    """
    policy.authorize(user, patient, SCOPE, "view", "financing_offer")
    return offers_for(patient.practice_id, amount_cents)


@db.transactional
def follow(user: User, patient: Patient, offer_id: int, place: str) -> str:
    """Count one click on the offer's link from `place` today (UTC) and return the link to send the browser to.

    The count is one conditional statement (no read-then-write), so parallel clicks all count.
    Raises NotFound (no access, or not an active offer of the patient's practice).
    """
    policy.authorize(user, patient, SCOPE, "follow", "financing_offer", offer_id)
    offer = db.session.get(FinancingOffer, offer_id)
    if offer is None or offer.practice_id != patient.practice_id or not offer.active:
        raise NotFound()
    count(offer.id, place, utcnow().date())
    return offer.link


def count(offer_id: int, place: str, day: date) -> None:
    """Add one to the (offer, place, day) count: an UPDATE, else an INSERT that adds on conflict."""
    bumped = db.session.execute(
        update(FinancingClick).where(FinancingClick.offer_id == offer_id, FinancingClick.place == place,
                                     FinancingClick.day == day).values(count=FinancingClick.count + 1))
    if bumped.rowcount:
        return
    dialect = postgresql if db.is_postgres() else sqlite
    insert = dialect.insert(FinancingClick).values(offer_id=offer_id, place=place, day=day, count=1)
    db.session.execute(insert.on_conflict_do_update(index_elements=["offer_id", "place", "day"],
                                                    set_={"count": FinancingClick.count + 1}))


@dataclass(frozen=True)
class ClickCount:
    offer_id: int
    provider_name: str
    place: str
    day: date
    count: int


@db.transactional
def click_counts(user: User, practice_id: int, days: int = COUNT_DAYS) -> list[ClickCount]:
    """Clicks per offer, place and day over the last `days` days, latest first; Forbidden for non-admins."""
    policy.require_practice_role(user, practice_id, ADMINS)
    since = utcnow().date() - timedelta(days=days)
    rows = db.session.execute(
        select(FinancingClick, FinancingOffer.provider).join(FinancingOffer)
        .where(FinancingOffer.practice_id == practice_id, FinancingClick.day >= since)
        .order_by(FinancingClick.day.desc(), FinancingClick.offer_id, FinancingClick.place)).all()
    return [ClickCount(c.offer_id, provider_name(p), c.place, c.day, c.count) for c, p in rows]
