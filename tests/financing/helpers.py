"""Financing test data: a practice's CareCredit offer with the usual promotions."""

from __future__ import annotations

from hearth import db
from hearth.models import FinancingOffer, FinancingPromotion, Practice
from hearth.models.financing import PromotionKind

DISCLOSURE = "Subject to credit approval. Minimum monthly payments required. See carecredit.com for details."
LINK = "https://www.carecredit.com/go/ABC123/"


def make_offer(*, practice: Practice, provider: str = "carecredit", link: str = LINK, active: bool = True,
               promotions=(("deferred", 12, None, 20_000), ("fixed_apr", 24, 1490, 100_000),
                           ("fixed_apr", 60, 1690, 250_000))) -> FinancingOffer:
    offer = FinancingOffer(practice_id=practice.id, provider=provider, link=link, disclosure=DISCLOSURE,
                           active=active)
    offer.promotions = [FinancingPromotion(position=i, kind=PromotionKind(k), months=m, apr_bp=apr,
                                           min_amount_cents=minimum)
                        for i, (k, m, apr, minimum) in enumerate(promotions)]
    db.session.add(offer)
    db.session.flush()
    return offer
