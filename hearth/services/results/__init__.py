"""Test results (FHIR DiagnosticReport + Observation): recording, release, reading, trends, preferences."""
