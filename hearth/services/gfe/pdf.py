"""A Good Faith Estimate as a PDF (fpdf2), in English or Spanish.

The font is DejaVu Sans (any name prints, accents and all) when the system has it, else Helvetica
with characters outside Latin-1 replaced. The PDF holds what the stored estimate says, nothing more.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from babel.dates import format_date
from babel.numbers import format_currency
from flask_babel import force_locale
from fpdf import FPDF
from fpdf.enums import XPos, YPos

from hearth.i18n import _l
from hearth.models import GoodFaithEstimate
from hearth.services.gfe.wording import keep_this, statements

FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")
LANGUAGES = ("en", "es")


def money(cents: int, language: str) -> str:
    return format_currency(Decimal(cents) / 100, "USD", locale=language)


class _Doc(FPDF):
    def __init__(self):
        super().__init__(format="Letter")
        self.set_margins(18, 16, 18)
        self.set_auto_page_break(True, 16)
        self.written: list[str] = []
        self.unicode = (FONT_DIR / "DejaVuSans.ttf").exists()
        if self.unicode:
            self.add_font("body", "", str(FONT_DIR / "DejaVuSans.ttf"))
            self.add_font("body", "B", str(FONT_DIR / "DejaVuSans-Bold.ttf"))
            self.family = "body"
        else:
            self.family = "helvetica"

    def text_(self, value: str) -> str:
        self.written.append(value)  # what the document says, for tests (the PDF's text is font-encoded)
        return value if self.unicode else value.encode("latin-1", "replace").decode("latin-1")

    def para(self, value: str, *, size: float = 10, bold: bool = False, gap: float = 1.5) -> None:
        self.set_font(self.family, "B" if bold else "", size)
        self.multi_cell(0, size * 0.5, self.text_(value), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.ln(gap)

    def pair(self, label: str, value: str) -> None:
        self.set_font(self.family, "B", 10)
        self.multi_cell(0, 5, self.text_(f"{label}: ") + self.text_(value or "—"), new_x=XPos.LMARGIN,
                        new_y=YPos.NEXT)


def render(gfe: GoodFaithEstimate, language: str) -> bytes:
    """The estimate as PDF bytes in `language` ("en" or "es"; anything else is English)."""
    return bytes(document(gfe, language).output())


def document(gfe: GoodFaithEstimate, language: str) -> _Doc:
    """The laid-out document (its `written` texts say what it holds)."""
    language = language if language in LANGUAGES else "en"
    with force_locale(language):
        return _document(gfe, language)


def _document(gfe: GoodFaithEstimate, language: str) -> _Doc:
    doc = _Doc()
    doc.set_title(str(_l("Good Faith Estimate")))
    doc.set_lang(language)
    doc.add_page()
    doc.para(str(_l("Good Faith Estimate")), size=18, bold=True, gap=1)
    doc.para(str(_l("For people who do not have insurance or who are not using insurance.")), gap=3)
    doc.pair(str(_l("Patient")), gfe.patient_name)
    doc.pair(str(_l("Date of birth")), format_date(gfe.patient_birth_date, "long", locale=language))
    doc.pair(str(_l("Estimate number")), str(gfe.id))
    doc.pair(str(_l("Issued")), format_date(gfe.issued_at.date(), "long", locale=language))
    doc.ln(2)
    doc.pair(str(_l("Primary service")), gfe.primary_service + (f" ({gfe.primary_service_code})"
                                                                  if gfe.primary_service_code else ""))
    doc.pair(str(_l("Scheduled date")), format_date(gfe.scheduled_on, "long", locale=language)
             if gfe.scheduled_on else str(_l("Not scheduled yet")))
    doc.pair(str(_l("Diagnosis codes")), gfe.diagnosis_codes or str(_l("None given")))
    doc.ln(3)
    for provider in gfe.providers:
        title = _l("Convening provider") if provider.convening else _l("Co-provider or facility")
        doc.para(f"{title}: {provider.name}", size=12, bold=True, gap=0.5)
        tin_label, state_label, location_label = _l("Tax ID (TIN)"), _l("State"), _l("Location")
        doc.para(f"NPI: {provider.npi or '—'} · {tin_label}: {provider.tin or '—'} · "
                 f"{state_label}: {provider.state or '—'}", gap=0.5)
        doc.para(f"{location_label}: {provider.location or '—'}", gap=2)
        _items(doc, provider.items, language)
    doc.set_font(doc.family, "B", 12)
    total_label = _l("Total estimated charges")
    doc.cell(0, 8, doc.text_(f"{total_label}: {money(gfe.total_cents, language)}"),
             new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    doc.ln(2)
    doc.pair(str(_l("Items or services to be scheduled separately")),
             gfe.separately_scheduled or str(_l("None expected")))
    doc.ln(3)
    doc.para(str(_l("Please know")), size=12, bold=True, gap=1)
    for sentence in statements(gfe):
        doc.para(f"• {sentence}", gap=1.5)
    if gfe.contact:
        questions_label = _l("Questions about this estimate")
        doc.para(f"{questions_label}: {gfe.contact}", gap=1.5)
    doc.para(keep_this(), bold=True)
    return doc


def _items(doc: _Doc, items, language: str) -> None:
    widths = (24, 88, 14, 48)
    headers = (_l("Code"), _l("Item or service"), _l("Qty"), _l("Expected charge"))
    doc.set_font(doc.family, "B", 9)
    for width, header in zip(widths, headers, strict=True):
        doc.cell(width, 6, doc.text_(str(header)), border="B")
    doc.ln()
    doc.set_font(doc.family, "", 9)
    for item in items:
        code = f"{item.code_type or ''} {item.code or ''}".strip() or "—"
        y = doc.get_y()
        doc.cell(widths[0], 6, doc.text_(code))
        x = doc.get_x()
        doc.multi_cell(widths[1], 6, doc.text_(item.description + (f" (Dx {item.diagnosis_codes})"
                                                                   if item.diagnosis_codes else "")))
        bottom = doc.get_y()
        doc.set_xy(x + widths[1], y)
        doc.cell(widths[2], 6, doc.text_(str(item.quantity)))
        doc.cell(widths[3], 6, doc.text_(money(item.charge_cents, language)), align="R")
        doc.set_xy(doc.l_margin, max(bottom, y + 6))
    if not items:
        doc.para(str(_l("No items listed.")))
    doc.ln(3)
