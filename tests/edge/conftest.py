"""The scheduling clinic (one practice, provider, visit types, a patient and staff) for the edge tests."""

from tests.scheduling.conftest import clinic, practice_admin  # noqa: F401 - fixtures
