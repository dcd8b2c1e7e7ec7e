"""What every Good Faith Estimate says, in the reader's language (45 CFR 149.610(c)(1)(vii)-(x)).

The four statements: more items may be needed; this is only an estimate; the right to start
patient-provider dispute resolution when the bill is $400 or more above the estimate, within 120
days of the bill; the GFE is not a contract.
"""

from __future__ import annotations

from hearth.i18n import _l
from hearth.models import GoodFaithEstimate

DISPUTE_THRESHOLD_CENTS = 40_000
DISPUTE_DAYS = 120
CMS_HELP = "www.cms.gov/nosurprises"
CMS_PHONE = "1-800-985-3059"


def statements(gfe: GoodFaithEstimate | None = None) -> list[str]:
    """The four required statements, in the current language."""
    return [
        str(_l("There may be other items or services we recommend for you or that you need. They are not in "
               "this estimate and may be scheduled separately.")),
        str(_l("This is only an estimate. Your actual items, services or charges may be different.")),
        str(_l("You have the right to start a dispute if your bill is $400 or more above this Good Faith "
               "Estimate. You must start it within 120 days of the date on your bill. To learn how, visit "
               "%(site)s or call %(phone)s.", site=CMS_HELP, phone=CMS_PHONE)),
        str(_l("This Good Faith Estimate is not a contract. It does not require you to get the items or services "
               "listed.")),
    ]


def keep_this() -> str:
    return str(_l("Save or print this Good Faith Estimate. You may need it if your bill is higher."))
