"""Words that carry a claim's meaning: stopwords out, a crude stem for the rest. Shared by the citation check,
its clause test and the offline writer."""

from __future__ import annotations

import re

_WORD = re.compile(r"\w+", re.UNICODE)
STOPWORDS = frozenset(
    """a about above after again against all also am an and any are as at be because been before being
    below between both but by can could did do does doing down during each few for from further had
    has have having he her here hers herself him himself his how i if in into is it its itself just
    me more most my myself no nor not now of off on once only or other our ours out over own same
    she should so some such than that the their theirs them themselves then there these they this
    those through to too under until up very was we were what when where which while who whom why
    will with would you your yours said says say told according also would could one two new last
    week year years day days mr ms mrs since still yet however""".split()
)


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
    out: set[str] = set()
    for token in _WORD.findall(text.lower()):
        if token in STOPWORDS or (len(token) < 3 and not token.isdigit()):
            continue
        out.add(stem(token))
    return out
