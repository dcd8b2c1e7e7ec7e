"""The statement as a PDF (fpdf2, core Helvetica: latin-1 covers English and Spanish).

Same words as the statement page, in the language asked for; text outside latin-1 (a name in
another script) is replaced rather than failing.
"""

from __future__ import annotations

from flask_babel import force_locale, format_date

from hearth.i18n import _l
from hearth.services.billing.money import format_cents
from hearth.services.billing.statements import StatementView, dispute_notice


def _t(text: object) -> str:
    return str(text).encode("latin-1", "replace").decode("latin-1")


def render(view: StatementView, lang: str = "en", *, online: bool = False) -> bytes:
    """The statement PDF bytes in `lang` ("en" or "es")."""
    from fpdf import FPDF

    lang = lang if lang in ("en", "es") else "en"
    with force_locale(lang):
        pdf = FPDF(format="Letter")
        pdf.set_auto_page_break(auto=True, margin=15)
        pdf.add_page()
        width = pdf.w - pdf.l_margin - pdf.r_margin
        st = view.statement
        pdf.set_font("Helvetica", "B", 16)
        pdf.multi_cell(width, 8, _t(view.practice_name), new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("Helvetica", "", 11)
        pdf.multi_cell(width, 6, _t(_l("Statement for %(name)s", name=f"{view.patient.given_name} "
                                                                    f"{view.patient.family_name}")),
                       new_x="LMARGIN", new_y="NEXT")
        for label, value in ((_l("Statement date"), format_date(st.issued_on, "long")),
                             (_l("Due date"), format_date(st.due_on, "long")),
                             (_l("Statement code"), st.code)):
            pdf.multi_cell(width, 6, _t(f"{label}: {value}"), new_x="LMARGIN", new_y="NEXT")
        pdf.ln(3)
        pdf.set_font("Helvetica", "B", 14)
        pdf.multi_cell(width, 8, _t(_l("Amount due: %(amount)s", amount=format_cents(max(view.balance_cents, 0)))),
                       new_x="LMARGIN", new_y="NEXT")
        for item in view.over_estimate:
            pdf.ln(2)
            pdf.set_font("Helvetica", "B", 11)
            pdf.multi_cell(width, 6, _t(_l("This bill is more than your estimate")), new_x="LMARGIN", new_y="NEXT")
            pdf.set_font("Helvetica", "", 10)
            for sentence in dispute_notice(item, lambda d: format_date(d, "long")):
                pdf.multi_cell(width, 5, _t(sentence), new_x="LMARGIN", new_y="NEXT")
        for visit in view.visits:
            pdf.ln(2)
            pdf.set_font("Helvetica", "B", 12)
            pdf.multi_cell(width, 7, _t(_l("Visit on %(date)s", date=format_date(visit.service_date, "long"))),
                           new_x="LMARGIN", new_y="NEXT")
            for line in visit.lines:
                pdf.set_font("Helvetica", "B", 11)
                pdf.multi_cell(width, 6, _t(f"{line.description} ({line.code}): {format_cents(line.charge_cents)}"),
                               new_x="LMARGIN", new_y="NEXT")
                pdf.set_font("Helvetica", "", 10)
                for reason in line.reasons:
                    pdf.multi_cell(width, 5, _t(reason), new_x="LMARGIN", new_y="NEXT")
                pdf.multi_cell(width, 5, _t(_l("Your share: %(amount)s", amount=format_cents(line.patient_cents))),
                               new_x="LMARGIN", new_y="NEXT")
        pdf.ln(3)
        pdf.set_font("Helvetica", "", 11)
        totals = view.totals
        for label, cents in ((_l("Charges"), totals.charges), (_l("Paid by insurance"), -totals.insurance_paid),
                             (_l("Taken off by the practice"), -totals.adjustments),
                             (_l("Your payments"), -totals.patient_paid), (_l("Refunds"), totals.refunded)):
            if cents:
                pdf.multi_cell(width, 6, _t(f"{label}: {format_cents(cents)}"), new_x="LMARGIN", new_y="NEXT")
        pdf.ln(3)
        pdf.multi_cell(width, 5, _t(how_to_pay(view, online)), new_x="LMARGIN", new_y="NEXT")
        return bytes(pdf.output())


def how_to_pay(view: StatementView, online: bool) -> str:
    """The ways to pay, in words (online only when Stripe is set up)."""
    code = view.statement.code
    if online:
        return str(_l("Pay online in Hearth, or as a guest with the code %(code)s and your date of birth. You can "
                      "also mail a check with the code %(code)s written on it, or call us.", code=code))
    return str(_l("To pay, mail a check with the code %(code)s written on it, or call us to pay by phone.",
                  code=code))
