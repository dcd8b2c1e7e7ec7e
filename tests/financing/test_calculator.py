import pytest

from hearth.services.financing import calculator
from hearth.services.financing.providers import link_error


@pytest.mark.parametrize(("amount", "apr_bp", "months", "monthly", "total"), [
    (300_000, 1490, 24, 14_532, 348_768),  # $3,000 at 14.90 % over 24 months: $145.32
    (500_000, 1690, 60, 12_399, 743_940),  # $5,000 at 16.90 % over 60 months: $123.99
    (100_000, 1200, 12, 8_885, 106_620),  # $1,000 at 12 %: 88.8488 → $88.85
    (120_000, 0, 12, 10_000, 120_000),
])
def test_fixed_apr_amortizes(amount, apr_bp, months, monthly, total):
    example = calculator.fixed_apr(amount, apr_bp, months)
    assert (example.monthly_cents, example.total_cents, example.months) == (monthly, total, months)


@pytest.mark.parametrize(("amount", "months", "monthly"), [
    (120_000, 12, 10_000),  # $1,200 deferred over 12 months: $100.00
    (50_000, 24, 3_000),  # $20.83 a month is below the $30 floor
    (100_000, 6, 16_667),  # 166.666… rounds half up
    (100_001, 2, 50_001),  # 500.005 → 500.01 (half up, not banker's)
    (2_000, 6, 2_000),  # never more than the amount itself
])
def test_deferred_is_the_greater_of_amount_over_months_and_30(amount, months, monthly):
    example = calculator.deferred(amount, months)
    assert (example.monthly_cents, example.total_cents, example.apr_bp) == (monthly, amount, None)


@pytest.mark.parametrize("bad", [0, -100, 1.5, "100"])
def test_bad_amounts_are_refused(bad):
    with pytest.raises(ValueError):
        calculator.deferred(bad, 12)
    with pytest.raises(ValueError):
        calculator.fixed_apr(bad, 1490, 12)


@pytest.mark.parametrize(("provider", "link", "ok"), [
    ("carecredit", "https://www.carecredit.com/go/ABC123/", True),
    ("carecredit", "https://www.carecredit.com/go/ABC123/?sitecode=x", True),
    ("sunbit", "https://apply.sunbit.com/oak-clinic", True),
    ("cherry", "https://pay.withcherry.com/oak-clinic", True),
    ("carecredit", "http://www.carecredit.com/go/ABC123/", False),
    ("carecredit", "https://www.carecredit.com.evil.test/go/", False),
    ("carecredit", "https://evil.test/?u=www.carecredit.com", False),
    ("carecredit", "https://user@www.carecredit.com/go/", False),
    ("carecredit", "https://www.carecredit.com:8443/go/", False),
    ("carecredit", "https://apply.sunbit.com/oak", False),
    ("carecredit", "javascript:alert(1)", False),
    ("nobody", "https://www.carecredit.com/go/ABC123/", False),
])
def test_links_must_be_https_on_the_providers_hosts(provider, link, ok):
    assert (link_error(provider, link) is None) is ok


def test_unknown_host_message_names_the_hosts():
    message = link_error("sunbit", "https://example.com/x")
    assert "apply.sunbit.com" in message and "Sunbit" in message
