"""The medication API tests check every /api/v1 response against the OpenAPI document, as tests/api does."""

from __future__ import annotations

import pytest

from tests.api.contract import ContractClient


@pytest.fixture(autouse=True)
def _responses_match_the_document(app, monkeypatch):
    monkeypatch.setattr(app, "test_client_class", ContractClient)
