"""Import a fee schedule from a CSV in the CMS hospital standard-charges "tall" layout.

Source: CMS hospital price transparency (github CMSgov/hospital-price-transparency, v2/v3 tall CSV):
one row per service and payer/plan, with the columns `description`, `code|1`, `code|1|type`,
`standard_charge|gross`, `standard_charge|discounted_cash`, `payer_name`, `plan_name`,
`standard_charge|negotiated_dollar` (plain headers such as "code", "code type", "gross charge",
"discounted cash price", "payer name", "plan name", "negotiated dollar amount" work too). The
hospital's own metadata rows above the header are skipped.

All or nothing: every row is checked first; any bad row is reported by its line number in the file
and nothing is imported. Dollars are read with Decimal into cents (no negatives, no fractions of a
cent). Existing services keep their category and Spanish description; new ones get a category
from the code's range; allowed amounts are added or replaced per payer and plan, others are kept.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field

from sqlalchemy import select

from hearth import db
from hearth.errors import Invalid
from hearth.i18n import _l
from hearth.models import AllowedAmount, CodeType, FeeScheduleItem, ServiceCategory, User
from hearth.services.estimates import fee_schedule
from hearth.services.estimates.money import BadAmount, dollars_to_cents

MAX_ROWS = 20_000
MAX_REPORTED = 20
COLUMNS = {
    "description": ("description",),
    "code": ("code|1", "code"),
    "code_type": ("code|1|type", "code type", "code_type"),
    "gross": ("standard_charge|gross", "gross charge", "gross_charge"),
    "cash": ("standard_charge|discounted_cash", "discounted cash price", "discounted_cash_price", "discounted cash"),
    "payer": ("payer_name", "payer name", "payer"),
    "plan": ("plan_name", "plan name", "plan"),
    "negotiated": ("standard_charge|negotiated_dollar", "negotiated dollar amount", "negotiated_dollar_amount",
                   "negotiated dollar"),
}
REQUIRED = ("description", "code", "code_type")
NO_HEADER = _l("No header row found: the file needs description, code and code type columns.")


@dataclass
class RowError:
    line: int
    message: str


class CsvRejected(Invalid):
    """The file had bad rows; `rows` says which (line numbers count from 1, the header included)."""

    def __init__(self, rows: list[RowError]):
        self.rows = rows
        lines = [str(_l("Line %(line)s: %(problem)s", line=r.line, problem=r.message)) for r in rows[:MAX_REPORTED]]
        message = str(_l("Nothing was imported. Fix these rows and try again."))
        super().__init__(message, fields={"file": lines})


@dataclass
class ParsedItem:
    code_type: CodeType
    code: str
    description: str
    gross_cents: int | None
    cash_cents: int
    line: int
    allowed: dict[tuple[str, str], tuple[str, str, int]] = field(default_factory=dict)


@dataclass
class ImportResult:
    added: int
    updated: int
    allowed: int


def category_for(code_type: CodeType, code: str) -> ServiceCategory:
    """A first guess at a service's category from its CPT range (the admin can change it)."""
    if code_type != CodeType.CPT or not code[:5].isdigit():
        return ServiceCategory.PROCEDURE
    n = int(code[:5])
    if 99381 <= n <= 99429 or 90460 <= n <= 90749:  # preventive visits, vaccines
        return ServiceCategory.PREVENTIVE
    if 99202 <= n <= 99499:
        return ServiceCategory.OFFICE_VISIT
    if 90785 <= n <= 90899:
        return ServiceCategory.MENTAL_HEALTH
    if 80000 <= n <= 89999:
        return ServiceCategory.LAB
    if 70000 <= n <= 79999:
        return ServiceCategory.IMAGING
    return ServiceCategory.PROCEDURE


def _header_map(row: list[str]) -> dict[str, int] | None:
    cells = [c.strip().lower() for c in row]
    found = {}
    for key, names in COLUMNS.items():
        for i, cell in enumerate(cells):
            if cell in names:
                found[key] = i
                break
    return found if all(k in found for k in REQUIRED) else None


def _amount(text: str, errors: list[RowError], line: int, what) -> int | None:
    if not text.strip():
        return None
    try:
        return dollars_to_cents(text)
    except BadAmount as exc:
        errors.append(RowError(line, f"{what}: {exc.message}"))
        return None


def _parse_row(cells: list[str], cols: dict[str, int], line: int, errors: list[RowError]):
    def cell(key: str) -> str:
        i = cols.get(key)
        return cells[i].strip() if i is not None and i < len(cells) else ""

    before = len(errors)
    description, raw_type = cell("description"), cell("code_type").upper()
    if not description or len(description) > 300:
        errors.append(RowError(line, str(_l("Give a description of at most 300 characters."))))
    code = None
    if raw_type not in CodeType.__members__:
        errors.append(RowError(line, str(_l("The code type must be CPT or HCPCS."))))
    else:
        code = fee_schedule.normalize_code(CodeType(raw_type), cell("code"))
        if code is None:
            errors.append(RowError(line, str(fee_schedule.BAD_CODE)))
    gross = _amount(cell("gross"), errors, line, _l("Gross charge"))
    cash = _amount(cell("cash"), errors, line, _l("Discounted cash price"))
    negotiated = _amount(cell("negotiated"), errors, line, _l("Negotiated dollar amount"))
    payer, plan = cell("payer"), cell("plan")
    if cash is None and gross is None and len(errors) == before:
        errors.append(RowError(line, str(_l("Give the discounted cash price or the gross charge."))))
    if len(payer) > 120 or len(plan) > 120:
        errors.append(RowError(line, str(_l("Keep payer and plan names under 120 characters."))))
    if (plan or negotiated is not None) and not payer and len(errors) == before:
        errors.append(RowError(line, str(_l("Give the payer name for a negotiated amount."))))
    if len(errors) > before or code is None:
        return None
    return CodeType(raw_type), code, description, gross, cash if cash is not None else gross, payer, plan, negotiated


def parse(data: bytes) -> list[ParsedItem]:
    """The file's services with their allowed amounts, or CsvRejected naming every bad line."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise CsvRejected([RowError(1, str(_l("Save the file as CSV (UTF-8) and try again.")))]) from None
    if "\x00" in text:
        raise CsvRejected([RowError(1, str(_l("Save the file as CSV (UTF-8) and try again.")))])
    reader = csv.reader(io.StringIO(text))
    cols, errors, items = None, [], {}
    try:
        for cells in reader:
            line = reader.line_num
            if cols is None:
                cols = _header_map(cells)
                if cols is None and line >= 3:
                    raise CsvRejected([RowError(line, str(NO_HEADER))])
                continue
            if not any(c.strip() for c in cells):
                continue
            if len(items) > MAX_ROWS or line > MAX_ROWS * 2:
                raise CsvRejected([RowError(line, str(_l("The file is too long: at most 20,000 rows.")))])
            parsed = _parse_row(cells, cols, line, errors)
            if parsed is None:
                continue
            code_type, code, description, gross, cash, payer, plan, negotiated = parsed
            item = items.get((code_type, code))
            if item is None:
                item = items[(code_type, code)] = ParsedItem(code_type, code, description, gross, cash, line)
            elif (item.description, item.gross_cents, item.cash_cents) != (description, gross, cash):
                errors.append(RowError(line, str(_l(
                    "The description or prices differ from line %(line)s for the same code.", line=item.line))))
            if payer and negotiated is not None:
                key = (fee_schedule.payer_key(payer), fee_schedule.payer_key(plan))
                if key in item.allowed and item.allowed[key][2] != negotiated:
                    errors.append(RowError(line, str(_l("This payer and plan are listed twice with other amounts."))))
                item.allowed[key] = (payer, plan, negotiated)
    except csv.Error:
        errors.append(RowError(reader.line_num, str(_l("This line is not valid CSV (check the quotes)."))))
    if cols is None:
        errors.append(RowError(1, str(NO_HEADER)))
    if errors:
        raise CsvRejected(errors)
    if not items:
        raise CsvRejected([RowError(2, str(_l("The file has no services.")))])
    return list(items.values())


@db.transactional
def import_fee_schedule(user: User, practice_id: int, data: bytes) -> ImportResult:
    """Add or update the practice's services and allowed amounts from a CMS tall CSV, all or nothing.
    Forbidden unless admin; CsvRejected (an Invalid) with the bad lines."""
    fee_schedule._admin(user, practice_id)
    parsed = parse(data)
    existing = {(i.code_type, i.code): i for i in db.session.scalars(
        select(FeeScheduleItem).where(FeeScheduleItem.practice_id == practice_id))}
    added = updated = allowed = 0
    for p in parsed:
        item = existing.get((p.code_type, p.code))
        if item is None:
            item = FeeScheduleItem(practice_id=practice_id, code_type=p.code_type, code=p.code, translations={},
                                   category=category_for(p.code_type, p.code))
            db.session.add(item)
            added += 1
        else:
            updated += 1
        item.description, item.gross_charge_cents, item.self_pay_cents = p.description, p.gross_cents, p.cash_cents
        db.session.flush()
        rows = {(a.payer_key, a.plan_key): a for a in db.session.scalars(
            select(AllowedAmount).where(AllowedAmount.fee_item_id == item.id))}
        for (pkey, plkey), (payer, plan, cents) in p.allowed.items():
            row = rows.get((pkey, plkey))
            if row is None:
                row = AllowedAmount(fee_item_id=item.id, payer_key=pkey, plan_key=plkey)
                db.session.add(row)
            row.payer_name, row.plan_name, row.allowed_cents = payer, plan, cents
            allowed += 1
    db.session.flush()
    return ImportResult(added, updated, allowed)
