#!/usr/bin/env bash
# Create .venv and install the pinned requirements (idempotent; quick when nothing changed).
# Says what it does: the first install downloads and builds packages for a few minutes.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  echo "Creating the virtual environment in .venv ($("$PYTHON" --version 2>&1))..."
  "$PYTHON" -m venv .venv
fi
stamp=.venv/.requirements.sha256
want=$(sha256sum requirements.txt | cut -d' ' -f1)
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
  total=$(grep -cE '^[A-Za-z0-9]' requirements.txt || true)
  echo "Installing the $total pinned packages of requirements.txt and their dependencies into .venv"
  echo "(the first time takes a few minutes; later runs skip this step)..."
  # pip's own lines, one per package, as progress; its exit status still decides (pipefail).
  .venv/bin/pip install --disable-pip-version-check --progress-bar off -r requirements.txt \
      2> >(grep -v "is ignored: it is neither" >&2) |
    awk '/^(Collecting|Processing) / {n++; k = split($2, part, "/"); printf "  [%d] %s\n", n, part[k]; fflush()}
         /^Installing collected packages/ {print "  installing the downloaded packages..."; fflush()}
         /^Successfully installed/ {print "  done."; fflush()}'
  echo "$want" > "$stamp"
fi
