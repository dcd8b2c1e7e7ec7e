"""Print the /api/v1 OpenAPI document as the app serves it, without a server or a database file.

    .venv/bin/python scripts/openapi_document.py > openapi.json
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from hearth.app import create_app  # noqa: E402


def main() -> None:
    app = create_app({"DATABASE_URL": "sqlite://", "SECRET_KEY": "openapi-document", "TESTING": True})
    with app.test_client() as client:
        response = client.get("/api/v1/openapi.json")
    json.dump(response.get_json(), sys.stdout, indent=2)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
