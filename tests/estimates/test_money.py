import pytest

from hearth.services.estimates.money import BadAmount, cents_to_dollars, dollars_to_cents


@pytest.mark.parametrize(("text", "cents"), [("110", 11000), ("110.5", 11050), ("$1,234.56", 123456), ("0", 0),
                                             (".99", 99), ("0.10", 10), (" 12.00 ", 1200), ("1.50", 150)])
def test_dollars_to_cents(text, cents):
    assert dollars_to_cents(text) == cents


@pytest.mark.parametrize("text", ["", "abc", "-5", "$-5", "1.005", "1.2.3", "1e3", "12,34", "NaN", "99999999999"])
def test_bad_amounts_refused(text):
    with pytest.raises(BadAmount):
        dollars_to_cents(text)


def test_cents_to_dollars():
    assert cents_to_dollars(11005) == "110.05"
    assert cents_to_dollars(None) == ""
