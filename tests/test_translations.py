"""Every user-facing string is extracted and translated into Spanish."""

import subprocess
import sys
from pathlib import Path

from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent


def _ids(catalog) -> set[str]:
    return {m.id if isinstance(m.id, str) else m.id[0] for m in catalog if m.id}


def test_catalog_is_up_to_date_with_the_code(tmp_path):
    pot = tmp_path / "messages.pot"
    subprocess.run(
        [sys.executable, "-m", "babel.messages.frontend", "extract", "-F", "babel.cfg", "-k", "_l",
         "-k", "lazy_gettext", "-o", str(pot), "--no-location", "."],
        cwd=ROOT, check=True, capture_output=True,
    )
    with pot.open("rb") as f:
        wanted = _ids(read_po(f))
    with (ROOT / "translations" / "es" / "LC_MESSAGES" / "messages.po").open("rb") as f:
        spanish = read_po(f)
    missing = sorted(wanted - _ids(spanish))
    assert not missing, f"strings not in the Spanish catalog (run scripts/update_translations.sh): {missing[:20]}"


def test_every_spanish_string_is_translated():
    with (ROOT / "translations" / "es" / "LC_MESSAGES" / "messages.po").open("rb") as f:
        catalog = read_po(f)
    untranslated = [m.id for m in catalog if m.id and (m.fuzzy or not (m.string if isinstance(m.string, str)
                                                                        else all(m.string)))]
    assert not untranslated, f"{len(untranslated)} untranslated: {untranslated[:20]}"
