#!/usr/bin/env bash
# Vendor the U.S. Web Design System (compiled CSS/JS, and only the fonts and images its CSS or our pages use)
# into static/vendor/uswds-<version>/, so running Hearth never needs npm. Usage: scripts/vendor_uswds.sh [version]
set -euo pipefail
VERSION="${1:-3.14.0}"
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
DEST="$ROOT/static/vendor/uswds-$VERSION"
TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT

echo "Installing @uswds/uswds@$VERSION into a temporary folder..."
(cd "$TMP" && npm init -y >/dev/null && npm install --no-audit --no-fund --silent "@uswds/uswds@$VERSION")
SRC="$TMP/node_modules/@uswds/uswds"
DIST="$SRC/dist"

rm -rf "$DEST"
mkdir -p "$DEST/css" "$DEST/js"
cp "$DIST/css/uswds.min.css" "$DEST/css/"
cp "$DIST/js/uswds.min.js" "$DEST/js/"
cp "$SRC/LICENSE.md" "$DEST/LICENSE.md"

# Every font and image the stylesheet refers to (the hero photo excepted: no page uses it) ...
refs=$(grep -o 'url(\.\./[^)]*)' "$DIST/css/uswds.min.css" | sed 's/^url(\.\.\///; s/)$//' | sort -u | grep -v '^img/hero')
# ... and the icons Hearth's own CSS and templates use.
refs="$refs
$(printf 'img/usa-icons/%s.svg\n' home event notifications menu more_horiz person directions check_circle mail)"
for ref in $refs; do
  mkdir -p "$DEST/$(dirname "$ref")"
  cp "$DIST/$ref" "$DEST/$ref"
done

cat > "$DEST/VERSION" <<NOTE
@uswds/uswds $VERSION (https://designsystem.digital.gov), vendored by scripts/vendor_uswds.sh.
Contents: dist/css/uswds.min.css, dist/js/uswds.min.js, the fonts and images that stylesheet refers to
(except img/hero.jpg), and a few icons from dist/img/usa-icons used by static/css/hearth.css.
License: public domain (CC0) for the U.S. Government's work; the fonts are SIL OFL 1.1 and the Material
icons Apache 2.0: see LICENSE.md beside this file.
NOTE
echo "Vendored USWDS $VERSION into ${DEST#$ROOT/} ($(du -sh "$DEST" | cut -f1))."
