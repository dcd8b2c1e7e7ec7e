"""The fee schedule (admin) and its CSV import in the CMS tall layout: all or nothing."""

import pytest

from hearth import db
from hearth.errors import Forbidden, Invalid, NotFound
from hearth.models import AllowedAmount, CodeType, FeeScheduleItem, ServiceCategory
from hearth.services.estimates import csv_import, fee_schedule

HEADER = ("description,code|1,code|1|type,setting,standard_charge|gross,standard_charge|discounted_cash,"
          "payer_name,plan_name,standard_charge|negotiated_dollar\n")
CMS_META = "hospital_name,last_updated_on,version\nMain Street Clinic,2026-01-01,3.0.0\n"


def item_data(**kw):
    return {"code_type": CodeType.CPT, "code": "99214", "description": "Longer office visit",
            "category": ServiceCategory.OFFICE_VISIT, "self_pay_cents": 18_000, "gross_charge_cents": 25_000} | kw


def test_admin_adds_and_changes_items(priced):
    practice_id = priced.clinic.practice.id
    item = fee_schedule.save_item(priced.admin, practice_id, item_data(code=" 99214 ", description_es="Consulta larga"))
    assert item.code == "99214" and item.translations == {"es": {"description": "Consulta larga"}}
    changed = fee_schedule.save_item(priced.admin, practice_id, {"self_pay_cents": 17_500, "description_es": ""},
                                     item.id)
    assert changed.self_pay_cents == 17_500 and changed.translations == {}
    with pytest.raises(Invalid) as err:
        fee_schedule.save_item(priced.admin, practice_id, item_data(code="99213"))
    assert "code" in err.value.fields
    with pytest.raises(Invalid):
        fee_schedule.save_item(priced.admin, practice_id, item_data(code="9921"))
    hcpcs = fee_schedule.save_item(priced.admin, practice_id, item_data(code_type=CodeType.HCPCS, code="g0438"))
    assert hcpcs.code == "G0438"
    view = fee_schedule.fee_schedule(priced.admin, practice_id)
    assert [i.code for i in view.items][:3] == ["80053", "99213", "99214"]
    assert [s.item.code for s in view.services[priced.clinic.visit.id]] == ["99213", "80053"]


def test_staff_and_other_admins_are_refused(priced):
    with pytest.raises(Forbidden):
        fee_schedule.fee_schedule(priced.clinic.staff, priced.clinic.practice.id)
    with pytest.raises(Forbidden):
        fee_schedule.save_item(priced.clinic.patient.user, priced.clinic.practice.id, item_data())


def test_visit_type_services_and_allowed_amounts(priced):
    c, admin = priced.clinic, priced.admin
    rows = fee_schedule.set_visit_type_services(admin, c.practice.id, c.visit.id,
                                                [{"fee_item_id": priced.lab.id, "quantity": 2}])
    assert [(r.fee_item_id, r.quantity) for r in rows] == [(priced.lab.id, 2)]
    with pytest.raises(Invalid):
        fee_schedule.set_visit_type_services(admin, c.practice.id, c.visit.id,
                                             [{"fee_item_id": priced.lab.id}, {"fee_item_id": priced.lab.id}])
    row = fee_schedule.save_allowed(admin, c.practice.id, priced.lab.id, "blue cross", "", 7_000)
    assert row.allowed_cents == 7_000
    assert db.session.query(AllowedAmount).filter_by(fee_item_id=priced.lab.id).count() == 1
    fee_schedule.delete_allowed(admin, c.practice.id, priced.lab.id, row.id)
    with pytest.raises(NotFound):
        fee_schedule.delete_allowed(admin, c.practice.id, priced.office.id, row.id)


def test_csv_import_cms_tall_layout(priced):
    c = priced.clinic
    data = (CMS_META + HEADER
            + '"Office visit, established",99213,CPT,outpatient,210.00,125,Blue Cross,PPO Gold,155.50\n'
            + '"Office visit, established",99213,CPT,outpatient,210.00,125,Aetna,,140\n'
            + "Flu shot,90686,CPT,outpatient,45,30,,,\n"
            + "Annual wellness visit,G0438,HCPCS,outpatient,\"1,200.00\",150.00,Medicare,,175.25\n").encode()
    result = csv_import.import_fee_schedule(priced.admin, c.practice.id, data)
    assert (result.added, result.updated, result.allowed) == (2, 1, 3)
    office = db.session.get(FeeScheduleItem, priced.office.id)
    assert (office.description, office.self_pay_cents, office.gross_charge_cents) == (
        "Office visit, established", 12_500, 21_000)
    assert office.translations["es"]["description"] == "Consulta con su proveedor"  # kept
    assert {(a.payer_name, a.plan_name, a.allowed_cents) for a in office.allowed_amounts} == {
        ("Blue Cross", "PPO Gold", 15_550), ("Aetna", "", 14_000)}
    flu = db.session.query(FeeScheduleItem).filter_by(code="90686").one()
    assert flu.category == ServiceCategory.PREVENTIVE
    wellness = db.session.query(FeeScheduleItem).filter_by(code="G0438").one()
    assert wellness.gross_charge_cents == 120_000


@pytest.mark.parametrize(("row", "line_text"), [
    ("Visit,99213,CPT,outpatient,-5,10,,,", "$0 or more"),
    ("Visit,99213,CPT,outpatient,5.005,10,,,", "2 digits"),
    ("Visit,ABC,CPT,outpatient,5,10,,,", "CPT code"),
    ("Visit,99213,NDC,outpatient,5,10,,,", "CPT or HCPCS"),
    (",99213,CPT,outpatient,5,10,,,", "description"),
    ("Visit,99213,CPT,outpatient,,,,,", "cash price"),
    ("Visit,99213,CPT,outpatient,5,10,,PPO,12", "payer name"),
    ("Visit,99213,CPT,outpatient,5,ten,,,", "dollars"),
])
def test_csv_bad_row_imports_nothing(priced, row, line_text):
    c = priced.clinic
    before = db.session.query(FeeScheduleItem).count()
    data = (HEADER + "Flu shot,90686,CPT,outpatient,45,30,,,\n" + row + "\n").encode()
    with pytest.raises(csv_import.CsvRejected) as err:
        csv_import.import_fee_schedule(priced.admin, c.practice.id, data)
    assert [r.line for r in err.value.rows] == [3]
    assert line_text in err.value.rows[0].message
    assert err.value.fields["file"][0].startswith("Line 3:")
    assert db.session.query(FeeScheduleItem).count() == before


def test_csv_conflicting_rows_and_bad_files(priced):
    pid = priced.clinic.practice.id
    data = (HEADER + "Flu shot,90686,CPT,o,45,30,,,\nFlu shot,90686,CPT,o,46,30,,,\n").encode()
    with pytest.raises(csv_import.CsvRejected) as err:
        csv_import.import_fee_schedule(priced.admin, pid, data)
    assert err.value.rows[0].line == 3 and "line 2" in err.value.rows[0].message
    for bad in (b"\xff\xfe\x00garbage", b"a,b,c\n1,2,3\n4,5,6\n", HEADER.encode()):
        with pytest.raises(csv_import.CsvRejected):
            csv_import.import_fee_schedule(priced.admin, pid, bad)
    with pytest.raises(Forbidden):
        csv_import.import_fee_schedule(priced.clinic.staff, pid, (HEADER + "Flu,90686,CPT,o,45,30,,,\n").encode())


def test_category_guess():
    assert csv_import.category_for(CodeType.CPT, "99396") == ServiceCategory.PREVENTIVE
    assert csv_import.category_for(CodeType.CPT, "99213") == ServiceCategory.OFFICE_VISIT
    assert csv_import.category_for(CodeType.CPT, "80053") == ServiceCategory.LAB
    assert csv_import.category_for(CodeType.CPT, "71046") == ServiceCategory.IMAGING
    assert csv_import.category_for(CodeType.CPT, "90837") == ServiceCategory.MENTAL_HEALTH
    assert csv_import.category_for(CodeType.HCPCS, "G0438") == ServiceCategory.PROCEDURE
