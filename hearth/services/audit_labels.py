"""Human, translatable words for the access log: what was done, by whom, from where."""

from __future__ import annotations

import ipaddress

from hearth.i18n import _l
from hearth.labels import label

# Whole phrases for the (action, resource) pairs Hearth writes, so translators see full sentences.
PHRASES = {
    ("view", "home"): _l("Opened the home page summary"),
    ("view", "patient"): _l("Opened the patient record"),
    ("list", "patient"): _l("Viewed the practice's patient list"),
    ("list", "workspace"): _l("Viewed the care team's work list"),
    ("view", "profile"): _l("Viewed contact details"),
    ("update", "profile"): _l("Changed contact details"),
    ("view", "access_log"): _l("Viewed who accessed the record"),
    ("view", "appointment"): _l("Viewed an appointment"),
    ("view", "appointments"): _l("Viewed appointments"),
    ("view", "next_visit"): _l("Opened the next visit on the home page"),
    ("create", "appointment"): _l("Booked an appointment"),
    ("book", "appointment"): _l("Booked an appointment"),
    ("cancel", "appointment"): _l("Cancelled an appointment"),
    ("reschedule", "appointment"): _l("Rescheduled an appointment"),
    ("confirm", "appointment"): _l("Confirmed an appointment"),
    ("override_overlap", "appointment"): _l("Booked an appointment at the same time as another"),
    ("view", "calendar_preference"): _l("Viewed what calendar files show"),
    ("update", "calendar_preference"): _l("Changed what calendar files show"),
    ("view", "messages"): _l("Viewed messages"),
    ("view", "message"): _l("Read a message"),
    ("create", "message"): _l("Sent a message"),
    ("send", "message"): _l("Sent a message"),
    ("add", "pharmacy"): _l("Added a pharmacy"),
    ("change", "pharmacy"): _l("Changed a pharmacy"),
    ("remove", "pharmacy"): _l("Removed a pharmacy"),
    ("list", "pharmacy"): _l("Viewed pharmacies"),
    ("view", "pharmacy"): _l("Viewed a pharmacy"),
    ("list", "medication"): _l("Viewed medications"),
    ("view", "medication"): _l("Viewed a medication"),
    ("list", "refill_request"): _l("Viewed refill requests"),
    ("view", "refill_request"): _l("Viewed a refill request"),
    ("view_form", "refill_request"): _l("Opened the refill request form"),
    ("request", "refill_request"): _l("Asked for a refill"),
    ("start", "message_thread"): _l("Started a conversation"),
    ("attach", "message"): _l("Attached a file to a message"),
    ("estimate", "cost_estimate"): _l("Got a cost estimate"),
    ("list", "cost_estimate"): _l("Viewed cost estimates"),
    ("read", "cost_estimate"): _l("Viewed a cost estimate"),
    ("update", "cost_estimate"): _l("Linked a cost estimate to a visit"),
    ("read", "fee_schedule"): _l("Viewed prices"),
    ("list", "good_faith_estimate"): _l("Viewed Good Faith Estimates"),
    ("request", "good_faith_estimate"): _l("Asked for a Good Faith Estimate"),
    ("view", "financing_offer"): _l("Viewed ways to pay over time"),
    ("follow", "financing_offer"): _l("Opened a financing application link"),
    ("list", "message_thread"): _l("Viewed messages"),
    ("view", "message_thread"): _l("Read a message"),
    ("create", "message_thread"): _l("Sent a message"),
    ("reply", "message_thread"): _l("Sent a message"),
    ("internal_note", "message_thread"): _l("Wrote a care team note"),
    ("mark_read", "message_thread"): _l("Read a message"),
    ("close", "message_thread"): _l("Closed a conversation"),
    ("set_confidential", "message_thread"): _l("Changed who can see a conversation"),
    ("list", "message_reason"): _l("Started writing a message"),
    ("download", "message_attachment"): _l("Opened a file sent with a message"),
    ("view", "medications"): _l("Viewed medications"),
    ("view", "results"): _l("Viewed test results"),
    ("view", "result"): _l("Viewed a test result"),
    ("list", "result"): _l("Viewed test results"),
    ("create", "result"): _l("Added a test result"),
    ("correct", "result"): _l("Corrected a test result"),
    ("comment", "result"): _l("Commented on a test result"),
    ("view", "result_trend"): _l("Viewed a test result over time"),
    ("view", "result_views"): _l("Checked who opened a test result"),
    ("view", "result_preferences"): _l("Viewed when test results show"),
    ("update", "result_preferences"): _l("Changed when test results show"),
    ("view", "results_awaiting"): _l("Viewed the results waiting for a comment"),
    ("update", "result_settings"): _l("Changed which results are kept private for teens"),
    ("view", "billing"): _l("Viewed billing"),
    ("view", "estimate"): _l("Viewed a cost estimate"),
    ("create", "estimate"): _l("Prepared a cost estimate"),
    ("pay", "invoice"): _l("Made a payment"),
    ("view", "statement"): _l("Viewed a bill"),
    ("download", "statement"): _l("Downloaded a bill"),
    ("create", "statement"): _l("Sent a bill"),
    ("pay", "statement"): _l("Started a payment"),
    ("view", "receipt"): _l("Viewed a receipt"),
    ("create", "charge"): _l("Added a charge"),
    ("create", "insurance_payment"): _l("Added an insurance payment"),
    ("create", "payment"): _l("Recorded a payment"),
    ("refund", "payment"): _l("Refunded a payment"),
    ("create", "payment_plan"): _l("Set up a payment plan"),
    ("view", "caregivers"): _l("Viewed caregivers"),
    ("create", "caregiver_grant"): _l("Invited a caregiver"),
    ("invite", "caregiver_grant"): _l("Invited a caregiver"),
    ("revoke", "caregiver_grant"): _l("Removed a caregiver's access"),
    ("update", "caregiver_grant"): _l("Changed a caregiver's access"),
    ("accept", "caregiver_grant"): _l("Accepted caregiver access"),
    ("consent", "caregiver_grant"): _l("Gave consent to a caregiver"),
    ("withdraw_consent", "caregiver_grant"): _l("Withdrew consent for a caregiver"),
    ("decline", "caregiver_grant"): _l("Declined caregiver access"),
    ("resend", "caregiver_grant"): _l("Sent a caregiver invitation again"),
    ("view", "caregiver_grant"): _l("Viewed a caregiver's access"),
    ("view", "caregiver_activity"): _l("Viewed what a caregiver did"),
    ("list", "appointment"): _l("Viewed appointments"),
    ("check_in", "appointment"): _l("Checked in online"),
    ("export", "appointment"): _l("Saved an appointment to a calendar"),
    ("join", "appointment"): _l("Joined a video visit"),
    ("search", "slots"): _l("Looked for open times"),
    ("search", "visit_types"): _l("Looked at the kinds of visits"),
    ("list", "waitlist"): _l("Viewed the waitlist"),
    ("join_waitlist", "waitlist"): _l("Joined the waitlist"),
    ("leave_waitlist", "waitlist"): _l("Left the waitlist"),
    ("book_offer", "waitlist"): _l("Booked an earlier time from the waitlist"),
    ("view", "schedule"): _l("Viewed the practice schedule"),
}

# Fallbacks for pairs without a phrase: "Viewed · Appointments".
ACTIONS = {
    "view": _l("Viewed"),
    "create": _l("Created"),
    "update": _l("Changed"),
    "delete": _l("Deleted"),
    "export": _l("Exported"),
    "print": _l("Printed"),
    "download": _l("Downloaded"),
    "send": _l("Sent"),
    "list": _l("Viewed"),
    "search": _l("Searched"),
    "book": _l("Booked"),
    "cancel": _l("Cancelled"),
    "confirm": _l("Confirmed"),
    "invite": _l("Invited"),
    "revoke": _l("Removed"),
}

RESOURCES = {
    "patient": _l("Patient record"),
    "profile": _l("Contact details"),
    "access_log": _l("Access log"),
    "appointment": _l("Appointment"),
    "appointments": _l("Appointments"),
    "message": _l("Message"),
    "messages": _l("Messages"),
    "medications": _l("Medications"),
    "results": _l("Test results"),
    "result": _l("Test result"),
    "billing": _l("Billing"),
    "invoice": _l("Invoice"),
    "estimate": _l("Cost estimate"),
    "caregiver_grant": _l("Caregiver access"),
    "caregivers": _l("Caregivers"),
    "caregiver_activity": _l("Caregiver activity"),
    "document": _l("Document"),
    "waitlist": _l("Waitlist"),
    "slots": _l("Open times"),
    "visit_types": _l("Kinds of visits"),
    "schedule": _l("Schedule"),
    "home": _l("Home page"),
}

ROLES = {
    "provider": _l("Provider"),
    "staff": _l("Staff"),
    "admin": _l("Practice admin"),
}

SCOPES = {
    "appointments": _l("Appointments"),
    "messages": _l("Messages"),
    "medications": _l("Medications"),
    "results": _l("Test results"),
    "billing": _l("Billing"),
}

GRANT_KINDS = {
    "proxy": _l("Invited by the patient"),
    "guardian": _l("Parent or guardian"),
}


def describe(action: str, resource_type: str) -> str:
    """A readable label for an audit event; unknown codes fall back to the words we have."""
    phrase = PHRASES.get((action, resource_type))
    if phrase is not None:
        return str(phrase)
    if action.startswith("status:") and resource_type == "appointment":  # staff moved a visit along
        return str(_l("Marked the visit %(status)s", status=label("appointment_status", action[7:])))
    verb = ACTIONS.get(action, action.replace("_", " ").capitalize())
    noun = RESOURCES.get(resource_type, resource_type.replace("_", " "))
    return f"{verb} · {noun}"


def role_label(role: str) -> str:
    return str(ROLES.get(role, role))


def scope_label(scope: str) -> str:
    return str(SCOPES.get(scope, scope))


def short_ip(ip: str | None) -> str:
    """The network part of an address (IPv4 /24, IPv6 /48): enough to recognise, not to locate."""
    if not ip:
        return ""
    try:
        address = ipaddress.ip_address(ip)
    except ValueError:
        return ""
    if address.version == 4:
        return ".".join(ip.split(".")[:3]) + ".*"
    network = ipaddress.ip_network(f"{address}/48", strict=False)
    return f"{network.network_address.compressed.rstrip(':')}:…"
