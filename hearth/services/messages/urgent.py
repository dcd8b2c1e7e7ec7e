"""Urgent-word detection: does a message mention an emergency (lists in urgent_terms)?

Used before sending (the 911 / 988 page) and when saving (the thread is flagged urgent for staff,
the topics found are recorded). Matching is on word stems over folded text, every language's list.
"""

from __future__ import annotations

import re
from functools import cache

from hearth.services.messages.urgent_terms import URGENT_TOPICS
from hearth.textfold import fold

_APOSTROPHES = re.compile(r"['\u2019\u02bc`]")


def words(text: str) -> list[str]:
    """Folded words: lower case, no accents or apostrophes ("Can't" -> "cant", "Desmayé" -> "desmaye")."""
    return fold(_APOSTROPHES.sub("", text or "")).split()


@cache
def _phrases() -> tuple[tuple[str, tuple[str, ...]], ...]:
    found = []
    for topic, data in URGENT_TOPICS.items():
        for phrases in data["phrases"].values():
            for phrase in phrases:
                found.append((topic, tuple(words(phrase))))
    return tuple(found)


def urgent_topics(*texts: str) -> list[str]:
    """The emergency topics `texts` mention, in URGENT_TOPICS order (empty when none)."""
    tokens = [w for text in texts for w in (words(text) + ["\x00"])]  # no phrase spans two texts
    hits: set[str] = set()
    for topic, stems in _phrases():
        if topic in hits or not stems:
            continue
        n = len(stems)
        for i in range(len(tokens) - n + 1):
            if all(tokens[i + k].startswith(stems[k]) for k in range(n)):
                hits.add(topic)
                break
    return [t for t in URGENT_TOPICS if t in hits]


def is_crisis(topics: list[str]) -> bool:
    """True when a mental-health crisis line (988) applies to these topics."""
    return any(URGENT_TOPICS[t].get("crisis") for t in topics if t in URGENT_TOPICS)


def topic_labels(topics_text: str | None) -> list[str]:
    """Labels (translated when shown) of the topics stored as "a,b" on a thread or message."""
    return [URGENT_TOPICS[t]["label"] for t in (topics_text or "").split(",") if t in URGENT_TOPICS]
