"""Words that carry a claim's meaning: stopwords out, a crude stem for the rest. Shared by the citation check,
its clause test and the offline writer."""

from __future__ import annotations

import functools
import re

from retrieval.text import STOPWORDS

_WORD = re.compile(r"\w+", re.UNICODE)


def stem(word: str) -> str:
    """A deliberately crude stemmer, enough to match "annexed", "annexes", "annexation" and "annex"."""
    word = word.lower().removesuffix("'s").removesuffix("’s")
    if word.isdigit():
        return word
    for suffix in ("ations", "ation", "ings", "ing", "edly", "ed", "ies", "ly", "s"):
        if len(word) - len(suffix) >= 3 and word.endswith(suffix):
            if suffix == "s" and word.endswith(("ss", "us", "is")):
                break
            word = word[: -len(suffix)] + ("y" if suffix == "ies" else "")
            break
    if len(word) > 3 and word.endswith("e"):
        word = word[:-1]
    if len(word) > 3 and word[-1] == word[-2] and word[-1] not in "aeiou":
        word = word[:-1]
    return word


def content_words(text: str) -> set[str]:
    """Stemmed words that carry meaning: no stopwords, numbers kept."""
    return set(_content_words(text))


# An answer reads the same passages and titles several times (the relevance gate, the writer, the citation
# check), and the next question often the same ones again: their words are worked out once.
@functools.lru_cache(maxsize=4096)
def _content_words(text: str) -> frozenset[str]:
    out: set[str] = set()
    for token in _WORD.findall(text.lower()):
        if token in STOPWORDS or (len(token) < 3 and not token.isdigit()):
            continue
        out.add(stem(token))
    return frozenset(out)
