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


_JOINED = re.compile(r"[\w]+(?:[^\w\s]+[\w]+)+")


def search_key(*names: str | None) -> str:
    """The folded words of `names`, plus each name written with punctuation run together.

    "Sean O'Brien" gives "sean o brien obrien" and "Núñez-García" gives "nunez garcia nunezgarcia",
    so both "o'brien", "brien" and "obrien" find her.
    """
    words = fold(" ".join(n or "" for n in names))
    joined = []
    for name in names:
        for part in _JOINED.findall(name or ""):
            squashed = fold(part).replace(" ", "")
            if squashed and squashed not in joined:
                joined.append(squashed)
    return " ".join([words, *joined]).strip() if words else ""
