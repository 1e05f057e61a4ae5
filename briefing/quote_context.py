"""Statements that mean nothing on their own, and the sentence that gives them their meaning.

"This is undeniable and non-negotiable," said right after the regions were called "an inseparable part" of
Russia, is a position only with that sentence; alone it is noise. A statement leans on what came before when
it is short and either opens with a word that points back ("this", "that", "it", "such") and names nothing,
or has no content of its own: no name, no figure and fewer than three content words ("We will not blink",
"Everything is on the table"). Such a statement is shown with the sentence before it (page furniture
skipped), or with the headline when it opens the article; it is never shown alone. Picking among several
earlier sentences by closeness in meaning was tried and dropped: a bare quote is too short for its
embedding to tell which sentence it answers ("called the conditions 'very simple'" scored 0.06 with the
sentence that set them out).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from retrieval.statements import opens_with_verb

__all__ = [
    "LEAN_MAX_WORDS", "Context", "context_before", "has_own_content", "leans", "proper_nouns",
    "sentence_before",
]  # fmt: skip

# Longer statements carry enough of their own, whatever their first word.
LEAN_MAX_WORDS = 12
_MIN_CONTENT_WORDS = 3

_POINTS_BACK = frozenset("this that it these those such they them which so".split())
_PERSONAL = frozenset("he she his her both".split())
_FUNCTION_WORDS = frozenset(
    """about above after again against also although always another anyone anything because been before
    being below between both cannot could does doing done down during each either else even ever every
    everyone everything from further have having here into itself just least less like made make many might
    more most much must neither never none nothing once only other others ours ourselves over same shall
    should since some someone something soon still such than that their theirs them then there these they
    thing things this those though through today under unless until upon very want were what when where
    whether which while whom whose will with within without would your yours already really quite rather
    enough there's it's that's isn't aren't wasn't won't don't doesn't didn't can't""".split()
)
_FURNITURE = re.compile(
    r"\b(?:advertisement|read more|read next|subscribe|sign up|click here|follow (?:us|our)|join us|"
    r"newsletter|all rights reserved|cookie|share this)\b",
    re.IGNORECASE,
)
_WORD = re.compile(r"[\w'’-]+")


def _words(text: str) -> list[str]:
    return _WORD.findall(text)


def _capitalised(text: str) -> list[tuple[str, bool]]:
    """Capitalised words, each with whether it opens a sentence (where any word is capitalised)."""
    out = []
    for match in re.finditer(r"[A-Z][\w'’-]*", text):
        before = text[: match.start()].rstrip(" \"'“”‘’«»()[]")
        out.append((match.group(0), not before or before[-1] in ".!?:;"))
    return out


def proper_nouns(text: str) -> frozenset[str]:
    """Words an article capitalises inside its sentences (lowercased): its names. "Expectations" opening a
    quote is not one of them; "Kyiv" is, because the article also writes it mid-sentence."""
    return frozenset(
        word.lower()
        for word, opens in _capitalised(text)
        if not opens and word != "I" and word.lower() not in _FUNCTION_WORDS | _POINTS_BACK
    )


def _named(text: str, names: frozenset[str]) -> bool:
    """A name of its own: a capitalised word inside the sentence, or one that opens it and is a name."""
    return any(
        word != "I" and (not opens or word.lower() in names) for word, opens in _capitalised(text)
    )


def has_own_content(text: str, names: frozenset[str] = frozenset()) -> bool:
    """A name, a figure, or at least three content words: enough to say what the statement is about.
    `names` are the proper nouns of the article, so a name opening the statement counts too."""
    if _named(text, names) or re.search(r"\d", text):
        return True
    content = [w for w in _words(text.lower()) if len(w) >= 4 and w not in _FUNCTION_WORDS]
    return len(content) >= _MIN_CONTENT_WORDS


def leans(text: str, names: frozenset[str] = frozenset()) -> bool:
    """Whether a statement's words need the sentence before them to mean anything (`names`: the article's
    proper nouns, see `proper_nouns`)."""
    body = text.strip(" “”\"'‘’")
    if opens_with_verb(body):
        body = body.split(" ", 1)[1] if " " in body else ""  # "called the conditions 'very simple'"
    words = _words(body)
    if not words:
        return True
    if len(words) > LEAN_MAX_WORDS:
        return False
    if words[0].lower() in _POINTS_BACK:
        # "This is a victory for Ukraine" says what it is about; "This is impossible" does not.
        return not (_named(body, names) or re.search(r"\d", body))
    return not has_own_content(body, names)


@dataclass(frozen=True, slots=True)
class Context:
    """What a statement leans on: `index` of the sentence before it in the article (None for the headline),
    and the text to show, which starts one sentence earlier when that sentence itself points back."""

    text: str
    index: int | None


def context_before(sentences: list[str], at: int | None, title: str) -> Context | None:
    """The sentence before the statement's sentence (`at`), skipping page furniture; the headline when there
    is none. "He spoke a day before the summit." says nothing of what "the conditions" were, so a sentence
    that opens by pointing back brings the one before it along."""
    before = _prose_before(sentences, at) if at is not None else []
    if not before:
        return Context(title, None) if title.strip() else None
    index, text = before[0]
    if len(before) > 1 and _points_back(text):
        text = f"{before[1][1]} {text}"
    return Context(text, index)


def sentence_before(sentences: list[str], at: int) -> int | None:
    """Where the prose sentence before the one at `at` is (page furniture skipped), if any."""
    before = _prose_before(sentences, at, limit=1)
    return before[0][0] if before else None


def _prose_before(sentences: list[str], at: int, limit: int = 2) -> list[tuple[int, str]]:
    out: list[tuple[int, str]] = []
    for i in range(at - 1, -1, -1):
        sentence = sentences[i]
        if _FURNITURE.search(sentence) or len(_words(sentence)) < 4:
            continue
        out.append((i, sentence))
        if len(out) == limit:
            break
    return out


def _points_back(sentence: str) -> bool:
    words = _words(sentence)
    return bool(words) and words[0].lower() in _POINTS_BACK | _PERSONAL
