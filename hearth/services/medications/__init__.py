"""Medications and refill requests: the patient's list, saved pharmacies, refill requests, the staff
queue and refill-due reminders.

Modules: `common` (loading and checks), `meds` (the list; staff add, change, stop), `pharmacies`,
`refills` (the patient's requests), `queue` (staff decisions), `reminders` (the periodic job),
`cards` (the workspace card), `demo`. Every use case asks `hearth.policy` (scope `medications`),
which writes the audit event; staff-only acts also need a clinical role at the patient's practice.
"""
