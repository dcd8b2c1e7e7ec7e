"""/api/v1 test results: the patient's list, report, trend and release choices; the care team's record,
correct, comment, who viewed, and the practice's list of results waiting for a comment."""

from __future__ import annotations

from api.blueprint import Blueprint
from api.security import BEARER, actor, token_required
from hearth.models import ResultCategory
from hearth.policy import load_patient
from hearth.schemas.results import (
    AwaitingResultPageSchema,
    ReleasePreferencesSchema,
    ResultCommentSchema,
    ResultCorrectionSchema,
    ResultDetailSchema,
    ResultInputSchema,
    ResultItemSchema,
    ResultPageArgsSchema,
    ResultPageSchema,
    ResultSettingsSchema,
    ResultTrendSchema,
    ResultViewSchema,
    TrendUnitArgsSchema,
)
from hearth.services.results import preferences, reading, recording, staff

blp = Blueprint("api_results", __name__, url_prefix="/api/v1", description="Test results")
ITEM = "/patients/<int:patient_id>/results/<int:report_id>"


@blp.route("/patients/<int:patient_id>/results", methods=["GET"])
@blp.arguments(ResultPageArgsSchema, location="query")
@blp.response(200, ResultPageSchema)
@blp.doc(security=BEARER)
@token_required
def list_results(args, patient_id: int):
    """Released results, newest collection first (staff of the practice also see unreleased ones)."""
    return reading.list_reports(actor(), load_patient(patient_id), page=args["page"], per_page=args["per_page"])


@blp.route("/patients/<int:patient_id>/results", methods=["POST"])
@blp.arguments(ResultInputSchema)
@blp.response(201, ResultItemSchema)
@blp.doc(security=BEARER)
@token_required
def record_result(data, patient_id: int):
    """Record a report with its observations (practice staff); released at once unless the patient waits
    for a comment for this category. The same `client_key` again returns the report already recorded."""
    return reading.item_of(recording.record(actor(), patient_id, data))


@blp.route(ITEM, methods=["GET"])
@blp.response(200, ResultDetailSchema)
@blp.doc(security=BEARER)
@token_required
def get_result(patient_id: int, report_id: int):
    """One report with its values, the clinician's comment and earlier versions (audited: staff see who opened it)."""
    return reading.get_report(actor(), load_patient(patient_id), report_id)


@blp.route(ITEM + "/corrections", methods=["POST"])
@blp.arguments(ResultCorrectionSchema)
@blp.response(200, ResultItemSchema)
@blp.alt_response(409, description="Someone corrected the report since `version`")
@blp.doc(security=BEARER)
@token_required
def correct_result(data, patient_id: int, report_id: int):
    """Record a corrected version (practice staff); the earlier version and its values are kept."""
    report = recording.correct(actor(), patient_id, report_id, data, expected_version=data["version"],
                               reason=data["reason"])
    return reading.item_of(report)


@blp.route(ITEM + "/comment", methods=["PUT"])
@blp.arguments(ResultCommentSchema)
@blp.response(200, ResultItemSchema)
@blp.doc(security=BEARER)
@token_required
def comment_result(data, patient_id: int, report_id: int):
    """A clinician's plain-language comment (providers); releases a result held for a comment."""
    return reading.item_of(recording.comment(actor(), patient_id, report_id, data["comment"]))


@blp.route(ITEM + "/views", methods=["GET"])
@blp.response(200, ResultViewSchema(many=True))
@blp.doc(security=BEARER)
@token_required
def list_result_views(patient_id: int, report_id: int):
    """Whether and when the patient or a caregiver opened the report, from the audit log (practice staff)."""
    return staff.report_views(actor(), patient_id, report_id)


@blp.route("/patients/<int:patient_id>/result-trends/<code>", methods=["GET"])
@blp.arguments(TrendUnitArgsSchema, location="query")
@blp.response(200, ResultTrendSchema)
@blp.doc(security=BEARER)
@token_required
def get_result_trend(args, patient_id: int, code: str):
    """One test (LOINC `code`) in one unit over time, oldest first; other units are named, never mixed in."""
    return reading.trend(actor(), load_patient(patient_id), code[:20], args["unit"])


@blp.route("/patients/<int:patient_id>/result-release-preferences", methods=["GET"])
@blp.response(200, ReleasePreferencesSchema)
@blp.doc(security=BEARER)
@token_required
def get_release_preferences(patient_id: int):
    """Per category: results show at once (the default) or after a clinician's comment."""
    return preferences.get(actor(), load_patient(patient_id))


@blp.route("/patients/<int:patient_id>/result-release-preferences", methods=["PUT"])
@blp.arguments(ReleasePreferencesSchema)
@blp.response(200, ReleasePreferencesSchema)
@blp.doc(security=BEARER)
@token_required
def put_release_preferences(data, patient_id: int):
    """The patient's choice per category (403 for caregivers and staff); categories not given keep theirs.
    Back to "at once" releases that category's held results now."""
    choices = {ResultCategory(i["category"]): i["wait_for_comment"] for i in data["items"]}
    return preferences.put(actor(), load_patient(patient_id), choices)


@blp.route("/practices/<int:practice_id>/results/awaiting-comment", methods=["GET"])
@blp.arguments(ResultPageArgsSchema, location="query")
@blp.response(200, AwaitingResultPageSchema)
@blp.doc(security=BEARER)
@token_required
def list_results_awaiting_comment(args, practice_id: int):
    """Results without a clinician's comment, oldest report first, with who of the patient's side opened each."""
    return staff.awaiting_comment(actor(), practice_id, page=args["page"], per_page=args["per_page"])


@blp.route("/practices/<int:practice_id>/result-settings", methods=["GET"])
@blp.response(200, ResultSettingsSchema)
@blp.doc(security=BEARER)
@token_required
def get_result_settings(practice_id: int):
    """The result categories the practice keeps from a teen's guardians without her consent (staff)."""
    return {"confidential_for_teens": sorted(staff.confidential_settings(actor(), practice_id))}


@blp.route("/practices/<int:practice_id>/result-settings", methods=["PUT"])
@blp.arguments(ResultSettingsSchema)
@blp.response(200, ResultSettingsSchema)
@blp.doc(security=BEARER)
@token_required
def put_result_settings(data, practice_id: int):
    """Choose those categories (practice admins)."""
    return {"confidential_for_teens": sorted(staff.set_confidential(actor(), practice_id,
                                                                    data["confidential_for_teens"]))}
