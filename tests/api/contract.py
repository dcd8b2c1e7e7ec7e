"""Every response an API test receives is checked against the served OpenAPI document: the status must be
declared for that operation, the media type declared for that status, and the body valid for its schema."""

from __future__ import annotations

import re
from functools import lru_cache

from flask.testing import FlaskClient
from openapi_schema_validator import OAS30Validator

PREFIX = "/api/v1/"
DOCUMENT_PATH = "/api/v1/openapi.json"


class ContractError(AssertionError):
    pass


@lru_cache(maxsize=4)
def _compiled(document_id: int, document_json: str) -> dict:
    import json

    document = _nullable_refs_for_validation(json.loads(document_json))
    operations = {}
    for template, item in document["paths"].items():
        pattern = re.compile("^" + re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(template)) + "$")
        for method, operation in item.items():
            if method != "parameters":
                operations[(method, template)] = (pattern, operation)
    return {"document": document, "operations": operations}


def _nullable_refs_for_validation(node):
    """`allOf: [$ref], nullable: true` means "the type or null" to OpenAPI 3.0 generators; the JSON Schema
    validator applies the referenced schema to null as well, so spell the same meaning as anyOf for it (the
    document itself writes `anyOf: [$ref, NULL]`, api/openapi.py, which needs no rewriting)."""
    if isinstance(node, dict):
        node = {k: _nullable_refs_for_validation(v) for k, v in node.items()}
        if node.get("nullable") and len(node.get("allOf", [])) == 1 and "$ref" in node["allOf"][0]:
            node["anyOf"] = [node.pop("allOf")[0], {"nullable": True, "enum": [None]}]
            node.pop("nullable")
            node.pop("type", None)
        return node
    if isinstance(node, list):
        return [_nullable_refs_for_validation(v) for v in node]
    return node


def find_operation(contract: dict, method: str, path: str) -> tuple[str, dict] | None:
    for (op_method, template), (pattern, operation) in contract["operations"].items():
        if op_method == method and pattern.match(path):
            return template, operation
    return None


def check(contract: dict, method: str, path: str, response) -> None:
    """Raise ContractError when `response` contradicts the document for `method path`."""
    document = contract["document"]
    found = find_operation(contract, method.lower(), path)
    if found is None:
        if response.status_code in (404, 405):  # a route that does not exist, answered as a Problem
            return
        raise ContractError(f"{method} {path} is not in the document")
    template, operation = found
    declared = operation["responses"].get(str(response.status_code))
    if declared is None:
        raise ContractError(f"{method} {template} answered {response.status_code}, which it does not declare "
                            f"(declared: {sorted(operation['responses'])})")
    if "$ref" in declared:
        declared = document["components"]["responses"][declared["$ref"].rsplit("/", 1)[1]]
    content = declared.get("content") or {}
    body = response.get_data()
    if not content:
        if body:
            raise ContractError(f"{method} {template} {response.status_code} declares no body but sent {body[:80]!r}")
        return
    mimetype = response.mimetype
    if mimetype not in content:
        raise ContractError(f"{method} {template} {response.status_code} sent {mimetype}, declared {list(content)}")
    schema = content[mimetype].get("schema")
    if schema is None or not mimetype.endswith("json"):
        return
    validator = OAS30Validator({**schema, "components": document["components"]})
    errors = sorted(validator.iter_errors(response.get_json()), key=lambda e: list(e.absolute_path))
    if errors:
        lines = [f"{'/'.join(map(str, e.absolute_path)) or '(body)'}: {e.message}" for e in errors[:5]]
        raise ContractError(f"{method} {template} {response.status_code} body does not match its schema:\n"
                            + "\n".join(lines))


class ContractClient(FlaskClient):
    """A Flask test client that checks each /api/v1 response against the OpenAPI document."""

    def open(self, *args, **kwargs):
        response = super().open(*args, **kwargs)
        request = response.request
        path = request.path
        if path.startswith(PREFIX) and path != DOCUMENT_PATH and request.method not in ("HEAD", "OPTIONS"):
            check(contract_for(self.application), request.method, path, response)
        return response


def contract_for(app) -> dict:
    import json

    document = app.extensions["hearth_api"].document()
    return _compiled(id(app), json.dumps(document, sort_keys=True))
