"""SMS text in the GSM 03.38 alphabet (GSM-7) where the words allow it, so a message is billed as 160-character
segments rather than 70-character UCS-2 ones: one character outside the alphabet (Babel's U+202F in "9:00 AM",
a curly quote, an "ó") turns the whole message into UCS-2.

Spaces and punctuation become their plain forms, and letters GSM-7 lacks become the nearest it has ("ó" ->
"o"; "é", "ñ", "ü", "¿" and "¡" are in it). A text that would still need UCS-2 (a name in another script)
is sent with its letters untouched: spelling is not given up for nothing.
"""

from __future__ import annotations

# GSM 03.38 basic set and the extension table (each extension character takes two septets).
BASIC = set(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
EXTENSION = set("^{}\\[~]|€\f")
ALPHABET = BASIC | EXTENSION

SPACES = {"\u202f": " ", "\u00a0": " ", "\u2009": " ", "\u2007": " ", "\u200a": " ", "\u2002": " ", "\u2003": " "}
PUNCTUATION = {"\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201c": '"', "\u201d": '"', "\u201e": '"',
               "\u2013": "-", "\u2014": "-", "\u2212": "-", "\u2026": "...", "\u00b7": "-", "\u2022": "-"}
LETTERS = {"á": "a", "í": "i", "ó": "o", "ú": "u", "â": "a", "ê": "e", "î": "i", "ô": "o", "û": "u", "ë": "e",
           "ï": "i", "ã": "a", "õ": "o", "ç": "Ç", "Á": "A", "Í": "I", "Ó": "O", "Ú": "U", "È": "E", "Ê": "E",
           "À": "A", "Â": "A", "Ô": "O", "Ì": "I", "Ò": "O", "Ù": "U", "Ã": "A", "Õ": "O"}


def is_gsm7(text: str) -> bool:
    return all(ch in ALPHABET for ch in text)


def fit(text: str) -> str:
    """`text` in GSM-7 when only spacing, punctuation and accents stand in the way; else with plain spacing."""
    plain = "".join(SPACES.get(ch, ch) for ch in text)
    plain = "".join(PUNCTUATION.get(ch, ch) for ch in plain)
    if is_gsm7(plain):
        return plain
    folded = "".join(LETTERS.get(ch, ch) for ch in plain)
    return folded if is_gsm7(folded) else plain
