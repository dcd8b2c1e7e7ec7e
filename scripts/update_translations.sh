#!/usr/bin/env bash
# Extract every translatable string and merge it into the English and Spanish catalogs.
set -euo pipefail
cd "$(dirname "$0")/.."
.venv/bin/pybabel extract -F babel.cfg -k _l -k lazy_gettext -k lazy_ngettext:1,2 -o translations/messages.pot --no-location --sort-output \
  --project Hearth --copyright-holder "Hearth contributors" .
for lang in en es; do
  if [ -f "translations/$lang/LC_MESSAGES/messages.po" ]; then
    .venv/bin/pybabel update -i translations/messages.pot -d translations -l "$lang" --no-fuzzy-matching
  else
    .venv/bin/pybabel init -i translations/messages.pot -d translations -l "$lang"
  fi
done
