#!/usr/bin/env bash
# The whole test suite: lint, then every test on SQLite and, when TEST_DATABASE_URL names
# PostgreSQL, again on PostgreSQL. Browser tests run when Chromium is installed (required in CI).
set -euo pipefail
cd "$(dirname "$0")"
scripts/bootstrap.sh
.venv/bin/ruff check .
.venv/bin/python scripts/compile_translations.py
echo "== tests on SQLite"
xdist=(-n "${PYTEST_WORKERS:-2}" --dist loadgroup)
env -u TEST_DATABASE_URL HEARTH_REQUIRE_POSTGRES=0 .venv/bin/pytest "${xdist[@]}" "$@"
if [ -n "${TEST_DATABASE_URL:-}" ]; then
  echo "== tests on PostgreSQL ($TEST_DATABASE_URL)"
  .venv/bin/pytest "${xdist[@]}" "$@"
elif [ "${HEARTH_REQUIRE_POSTGRES:-0}" = "1" ]; then
  echo "HEARTH_REQUIRE_POSTGRES=1 but TEST_DATABASE_URL is not set" >&2
  exit 1
fi
