"""The booking review shows the financing offers under the estimate once the estimate reaches an offer's
minimum, and nothing when it does not."""

from __future__ import annotations

from hearth import db
from tests.conftest import login
from tests.estimates.conftest import priced  # noqa: F401  (fixture)
from tests.estimates.test_portal import _review
from tests.financing.helpers import make_offer
from tests.scheduling.conftest import clinic  # noqa: F401  (fixture)


def test_booking_review_shows_offers_under_the_estimate(client, priced):  # noqa: F811
    c = priced.clinic
    login(client, c.patient.user)
    html = _review(client, c)[1].get_data(as_text=True)
    assert "$110.00" in html and "Subject to credit approval." not in html  # no offer yet
    make_offer(practice=c.practice, promotions=(("deferred", 12, None, 10_000), ("deferred", 6, None, 50_000)))
    db.session.commit()
    html = _review(client, c)[1].get_data(as_text=True)
    assert "Subject to credit approval." in html and "place=estimate" in html
    assert "No interest if paid in full within 12 months." in html and "Monthly payment: $30.00" in html
    assert "within 6 months" not in html  # $110 is below that promotion's $500 minimum
