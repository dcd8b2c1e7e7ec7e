"""Text folded for searching: lower case, no accents, words split on anything but letters and digits.

"José Núñez-García" and "jose nunez garcia" fold alike, so staff find patients however they type.
"""

from __future__ import annotations

import re
import unicodedata

_NOT_WORD = re.compile(r"[\W_]+")


def fold(text: str | None) -> str:
    decomposed = unicodedata.normalize("NFKD", text or "")
    plain = "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()
    return _NOT_WORD.sub(" ", plain).strip()
