#!/usr/bin/env bash
# Lint the /api/v1 OpenAPI document with Redocly CLI's recommended rules (no configuration file: the built-in
# "recommended" set). Exit status 0 means 0 errors; warnings are printed. Redocly is installed once, pinned,
# into .tools/node (not committed) from the npm registry.
#
#   scripts/lint_openapi.sh                # the document the app serves now
#   scripts/lint_openapi.sh openapi.json   # a saved document
set -euo pipefail
cd "$(dirname "$0")/.."
REDOCLY_VERSION=2.77.0
TOOLS=.tools/node
if ! command -v npm >/dev/null; then
  echo "npm is not installed: cannot run @redocly/cli" >&2
  exit 3
fi
if [ "$("$TOOLS/node_modules/.bin/redocly" --version 2>/dev/null)" != "$REDOCLY_VERSION" ]; then
  echo "Installing @redocly/cli@$REDOCLY_VERSION into $TOOLS..." >&2
  npm install --prefix "$TOOLS" --no-audit --no-fund --no-save --silent "@redocly/cli@$REDOCLY_VERSION" >&2
fi
document=${1:-}
if [ -z "$document" ]; then
  document=$(mktemp --suffix .json)
  trap 'rm -f "$document"' EXIT
  .venv/bin/python scripts/openapi_document.py > "$document"
fi
REDOCLY_TELEMETRY=off REDOCLY_SUPPRESS_UPDATE_NOTICE=true "$TOOLS/node_modules/.bin/redocly" lint --format=stylish "$document"
