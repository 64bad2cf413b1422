"""Which words carry meaning: English stopwords, and how rare each word stem is in news text.

Rarity is an inverse document frequency from ``idf.json`` (built by ``scripts/train_idf.py``):
sharing "Gornal" with a claim says far more than sharing "forces".
"""

from __future__ import annotations

import json
import math
from functools import cache
from pathlib import Path

STOPWORDS = frozenset(
    (
        "a", "an", "the", "of", "in", "on", "at", "to", "for", "from", "by", "with", "about",
        "as", "into", "over", "under", "after", "before", "during", "and", "or", "but", "if",
        "then", "than", "that", "this", "these", "those", "it", "its", "it's", "is", "are",
        "was", "were", "be", "been", "being", "has", "have", "had", "do", "does", "did", "will",
        "would", "can", "could", "should", "may", "might", "must", "shall", "not", "no", "yes",
        "so", "such", "there", "their", "they", "them", "he", "she", "his", "her", "him", "we",
        "our", "you", "your", "i", "me", "my", "who", "whom", "whose", "which", "what", "when",
        "where", "why", "how", "all", "any", "each", "every", "some", "most", "more", "other",
        "only", "own", "same", "very", "just", "also", "up", "down", "out", "off", "again",
        "further", "once", "here", "both", "few", "nor", "too", "s", "t", "says", "said", "say",
        "new", "one", "two", "via", "amid", "against", "between", "through", "while", "who's",
        "has", "been", "year", "years", "time", "times", "now", "still",
    )
)  # fmt: skip

_IDF_TABLE = Path(__file__).with_name("idf.json")  # built by scripts/train_idf.py


@cache
def _document_frequencies() -> tuple[int, dict[str, int]]:
    try:
        data = json.loads(_IDF_TABLE.read_text(encoding="utf-8"))
    except FileNotFoundError:  # without the table every word weighs the same
        return 1, {}
    return int(data["documents"]), data["df"]


def rarity(stem_: str) -> float:
    """Inverse document frequency of a stem, scaled to 0..1 (1 = rarer than anything counted)."""
    documents, df = _document_frequencies()
    top = math.log(documents + 1)
    return math.log((documents + 1) / (df.get(stem_, 0) + 1)) / top if top else 1.0
