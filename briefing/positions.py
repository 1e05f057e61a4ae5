"""How a new statement compares with what the same actor said earlier on the topic: new, repeated, a shift,
or (when none of those can be said with confidence) just the earlier statement for the reader to compare.

The rules, each testable on its own (`tests/briefing/test_positions.py` holds the labelled pairs):

- Two statements make the same point when, once the words that carry their polarity are taken out
  ("never", "not", "rejects", "accepts", "ready to"…), their sentence vectors (the writer's sentence model,
  MiniLM) are close (`SAME_POINT`) and they share a good part of their content words (`SHARED_WORDS`).
  Both conditions: MiniLM alone puts "will never return the regions" close to "will never recognise the
  regions", and word overlap alone cannot see a paraphrase.
- Among the earlier statements that make the same point, the latest one is what the new one is compared
  with: an actor who said A, then not-A, and now A again has shifted back, whatever they said first.
- Its polarity differs from the new one's (an odd number of negations and refusals against an even one):
  a **shift**. The same polarity and close in meaning as a whole (`REPEATED`), or the same words:
  **repeated**.
- Anything else, or no statement making the same point: the closest earlier statement on the topic is cited
  as **earlier**, and the reader judges. No earlier statement on the topic at all: **new**.

Saying "shift" wrongly is worse than not saying it, so the thresholds sit where the labelled pairs show no
false shift, at the price of some shifts reported as "earlier on this topic".
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from briefing.citations import SentenceEmbeddings
from briefing.timeline import same_words
from retrieval.text import STOPWORDS

__all__ = [
    "REPEATED", "SAME_POINT", "SHARED_WORDS", "Comparison", "compare", "polarity", "without_polarity",
]  # fmt: skip

# MiniLM cosines and a content-word share, set on the labelled pairs (see the module docstring).
SAME_POINT = 0.7
SHARED_WORDS = 0.4
REPEATED = 0.7

Verdict = Literal["new", "repeated", "shift", "earlier"]

# Words that turn a position into its opposite. Each occurrence flips the polarity: "will not reject" is a
# yes. Multi-word cues come first so that "rule out" is one cue, not "rule" plus an unknown word.
_NEGATIONS = (
    r"out of the question", r"rul(?:e|es|ed|ing) out", r"no longer", r"not", r"n't", r"never", r"no",
    r"cannot", r"nor", r"neither", r"nothing", r"none", r"nowhere",
    r"reject(?:s|ed|ing)?", r"refus(?:e|es|ed|ing)", r"oppos(?:e|es|ed|ing)", r"den(?:y|ies|ied|ying)",
    r"dismiss(?:es|ed|ing)?", r"impossible", r"unacceptable", r"non-negotiable", r"against",
)  # fmt: skip
# Words that mark a yes without flipping anything: taken out with the negations, so that "rejects the
# ceasefire" and "accepts the ceasefire" are seen to be about the same thing.
_AFFIRMATIONS = (
    r"ready to", r"willing to", r"open to", r"prepared to", r"accept(?:s|ed|ing)?", r"agree(?:s|d|ing)?",
    r"support(?:s|ed|ing)?", r"welcom(?:e|es|ed|ing)", r"endors(?:e|es|ed|ing)", r"possible",
    r"acceptable", r"negotiable",
)  # fmt: skip
_NEGATION = re.compile(r"(?<![\w-])(?:" + "|".join(_NEGATIONS) + r")(?![\w-])", re.IGNORECASE)
_AFFIRMATION = re.compile(r"(?<![\w-])(?:" + "|".join(_AFFIRMATIONS) + r")(?![\w-])", re.IGNORECASE)
# "n't" sticks to its verb ("won't", "doesn't"), so it gets its own pattern.
_CONTRACTED = re.compile(r"n['’]t\b", re.IGNORECASE)
_FIGURE = re.compile(r"\d[\d.,]*\d|\d")


def polarity(text: str) -> int:
    """+1 or -1: whether the statement, read for its negations and refusals, says yes or no."""
    flips = len(_NEGATION.findall(text)) + len(_CONTRACTED.findall(text))
    return -1 if flips % 2 else 1


def without_polarity(text: str) -> str:
    """The statement with the words that carry its polarity taken out: what it is about."""
    text = _CONTRACTED.sub("", text.replace("won't", "will").replace("can't", "can"))
    text = _NEGATION.sub(" ", text)
    return " ".join(_AFFIRMATION.sub(" ", text).split())


def _stem(word: str) -> str:
    return word[:5]


def _content(text: str) -> set[str]:
    return {_stem(w) for w in re.findall(r"\w+", text.lower()) if w not in STOPWORDS and len(w) > 2}


def shared_words(a: str, b: str) -> float:
    """The share of content words (stems) two statements have in common, polarity words left out."""
    ca, cb = _content(without_polarity(a)), _content(without_polarity(b))
    return len(ca & cb) / len(ca | cb) if ca and cb else 0.0


@dataclass(frozen=True, slots=True)
class Comparison:
    """The verdict, and which earlier statement (its index in the list given to `compare`) it rests on."""

    verdict: Verdict
    earlier: int | None = None
    similarity: float = 0.0


async def compare(
    new: str,
    earlier: Sequence[tuple[str, datetime | None]],
    embeddings: SentenceEmbeddings,
) -> Comparison:
    """Compare `new` with `earlier` statements (text and date) of the same actor on the same topic."""
    if not earlier:
        return Comparison("new")
    texts = [text for text, _ in earlier]
    whole = await embeddings.vectors([new, *texts])
    bare = await embeddings.vectors([without_polarity(t) or t for t in [new, *texts]])
    meaning = [float(v) for v in whole[1:] @ whole[0]]
    point = [float(v) for v in bare[1:] @ bare[0]]
    words = [shared_words(new, text) for text in texts]
    same_point = [
        i for i in range(len(texts))
        if (point[i] >= SAME_POINT and words[i] >= SHARED_WORDS) or _repeats(new, texts[i], meaning[i])
    ]  # fmt: skip
    if same_point:
        latest = max(same_point, key=lambda i: (_when(earlier[i][1]), i))
        flipped = polarity(texts[latest]) != polarity(new)
        if flipped and point[latest] >= SAME_POINT and words[latest] >= SHARED_WORDS:
            return Comparison("shift", latest, point[latest])
        if not flipped and _repeats(new, texts[latest], meaning[latest]):
            return Comparison("repeated", latest, meaning[latest])
        return Comparison("earlier", latest, meaning[latest])
    closest = max(range(len(texts)), key=lambda i: (meaning[i], _when(earlier[i][1])))
    return Comparison("earlier", closest, meaning[closest])


def _repeats(new: str, old: str, cosine: float) -> bool:
    """The same words, or close in meaning with the same figures: "50 percent" is not "100 percent"."""
    if same_words(new, old):
        return True
    return cosine >= REPEATED and set(_FIGURE.findall(new)) == set(_FIGURE.findall(old))


def _when(value: datetime | None) -> float:
    return value.timestamp() if value is not None else float("-inf")
