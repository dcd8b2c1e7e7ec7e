"""Password rules after NIST SP 800-63B: length and a blocklist, no composition rules.

A password is the only secret of most patient accounts (two-factor sign-in is optional for
them), so SP 800-63B's floor for single-factor passwords applies: at least 12 characters
(15 in revision 4), up to 128 so that passphrases fit. Any character is allowed, spaces and
emoji included; text is NFKC-normalized first so the same passphrase typed on two keyboards
hashes the same. There are no "one digit, one symbol" rules, which make passwords harder to
remember without making them harder to guess. What is refused: common passwords (and a common
word with a few digits or symbols added), the person's own email or name, and a password that
is only repeated or sequential characters ("aaaaaaaaaaaa", "123456789012").
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache
from pathlib import Path

from hearth.i18n import _l

MIN_LENGTH = 12
MAX_LENGTH = 128
_LIST = Path(__file__).with_name("common_passwords.txt")
# Runs a repeated or sequential password is made of: a-z, digits, keyboard rows and columns.
_SEQUENCES = ("abcdefghijklmnopqrstuvwxyz", "0123456789", "qwertyuiopasdfghjklzxcvbnm", "qazwsxedcrfvtgbyhnujmikolp",
              "1qaz2wsx3edc4rfv5tgb6yhn7ujm8ik9ol0p", "1q2w3e4r5t6y7u8i9o0p")
# A common word padded with up to this many digits or symbols ("password1234!") is still common.
_PADDING = re.compile(r"^[\W\d_]{0,4}(?P<core>.+?)[\W\d_]{0,6}$")

TOO_SHORT = _l("Use at least %(count)d characters. A few unrelated words make a strong passphrase that is "
               "easy to remember.", count=MIN_LENGTH)
TOO_LONG = _l("Use at most %(count)d characters.", count=MAX_LENGTH)
TOO_COMMON = _l("This password is too common and easy to guess. Choose another one.")
HAS_EMAIL = _l("Do not use your email address in your password.")
HAS_NAME = _l("Do not use your name in your password.")
PATTERN = _l("Do not use only repeated or sequential characters, such as “aaaaaaaaaaaa” or “123456789012”.")


def normalize(password: str) -> str:
    """The form a password is checked and hashed in (NFKC), so equivalent input matches."""
    return unicodedata.normalize("NFKC", password)


@cache
def common_passwords() -> frozenset[str]:
    """The blocklist: the most common passwords from public breach lists, lower-cased."""
    return frozenset(line.strip() for line in _LIST.read_text(encoding="utf-8").splitlines() if line.strip())


def check(password: str, *, email: str | None = None, name: str | None = None) -> list[str]:
    """Reasons `password` is refused, as messages for the person (an empty list means it is fine)."""
    text = normalize(password or "")
    length = len(text)  # code points, as SP 800-63B counts them
    if length < MIN_LENGTH:
        return [str(TOO_SHORT)]
    if length > MAX_LENGTH:
        return [str(TOO_LONG)]
    lowered = text.casefold()
    problems = []
    if _is_common(lowered):
        problems.append(TOO_COMMON)
    elif _is_pattern(lowered):
        problems.append(PATTERN)
    if email and _contains_email(lowered, email):
        problems.append(HAS_EMAIL)
    if name and _contains_name(lowered, name):
        problems.append(HAS_NAME)
    return [str(p) for p in problems]


def _is_common(lowered: str) -> bool:
    common = common_passwords()
    squashed = re.sub(r"\s+", "", lowered)
    if lowered in common or squashed in common:
        return True
    match = _PADDING.match(squashed)
    core = match.group("core") if match else squashed
    return len(core) >= 4 and core in common


def _is_pattern(lowered: str) -> bool:
    """True when the whole password is one short unit repeated, or a run along a sequence."""
    text = re.sub(r"\s+", "", lowered)
    for size in range(1, len(text) // 2 + 1):
        unit = text[:size]
        if (unit * (len(text) // size + 1))[: len(text)] == text:
            return True
    for sequence in _SEQUENCES:
        for seq in (sequence, sequence[::-1]):
            if text in seq * (len(text) // len(seq) + 2):
                return True
    return False


def _contains_email(lowered: str, email: str) -> bool:
    local = email.casefold().split("@", 1)[0].split("+", 1)[0]
    parts = {local, *re.split(r"[._\-]+", local)}
    squashed = re.sub(r"[\s._\-]+", "", lowered)
    return any(len(part) >= 4 and (part in lowered or part in squashed) for part in parts)


def _contains_name(lowered: str, name: str) -> bool:
    words = [w for w in re.split(r"[\s.,'\-]+", normalize(name).casefold()) if w]
    squashed = re.sub(r"[\s._\-]+", "", lowered)
    joined = "".join(words)
    # Short given names ("Ana", "Lee") are too common inside words to refuse on their own.
    return any(len(word) >= 4 and word in lowered for word in words) or (len(joined) >= 4 and joined in squashed)
