"""Which paragraphs are prose, which sentences are whole (the splitting itself is `retrieval.text`'s), and the
quotations inside a sentence masked so the statement rules never read quoted words as speakers or verbs."""

from __future__ import annotations

import re

from retrieval.text import CLOSE_QUOTES, OPEN_QUOTES, TERMINAL, split_sentences

MASK = "\x01"
# Longer unpunctuated paragraphs are prose cut off by the page, not headlines.
_SHORT_LINE_WORDS = 25


def is_prose(paragraph: str, title: str) -> bool:
    """Headlines, bylines, header lines and menus are short and carry no sentence-final punctuation."""
    if paragraph == " ".join(title.split()) or len(paragraph.split()) < 4:
        return False
    return _terminated(paragraph) or len(paragraph.split()) > _SHORT_LINE_WORDS


def _terminated(text: str) -> bool:
    tail = text.rstrip()
    if tail[-1] in '"' + CLOSE_QUOTES + "’":
        return len(tail) > 1 and tail[-2] in TERMINAL + ","
    return tail[-1] in TERMINAL


def statement_sentences(paragraph: str) -> list[str]:
    """The paragraph's sentences, less a cut-off last one (a truncated page or teaser): its statement would be
    cut off too."""
    result = split_sentences(paragraph, truncated=True) or [paragraph]
    if result and not _terminated(result[-1]):
        # A cut-off page may still end with a whole quotation and its attribution ('"…," Hun Manet said,
        # expressing appreciation to …'): that much is kept.
        whole = _QUOTE_THEN_ATTRIBUTION.match(result[-1])
        if whole:
            result[-1] = whole.group() + "."
        else:
            result.pop()
    return result


_QUOTE_THEN_ATTRIBUTION = re.compile(
    r".*?[,.!?][\"”]\s+(?:[A-Z][\w.'’-]*\s+){1,4}(?:said|says|added|wrote|told\s+[A-Z]?\w+)\b|"
    r".*?[,.!?][\"”]\s+(?:he|she|they)\s+(?:said|added|wrote)\b"
)


def quote_spans(sentence: str) -> list[tuple[int, int]]:
    """The quotations of a sentence, marks included. Inside «…» the marks of a nested quotation („…“, or «…»
    again) belong to it; „ closes on “."""
    spans: list[tuple[int, int]] = []
    open_at: int | None = None
    depth = 0
    for i, ch in enumerate(sentence):
        if open_at is None:
            if ch in OPEN_QUOTES or ch == '"':
                open_at, depth = i, 0
            continue
        opener = sentence[open_at]
        if opener == "«" and ch == "«":
            depth += 1
        elif opener == "«" and ch == "»" and depth:
            depth -= 1
        elif (
            (opener == "«" and ch == "»")
            or (opener == "„" and ch in "“”")
            or (opener not in "«„" and (ch in CLOSE_QUOTES or ch == '"'))
        ):
            spans.append((open_at, i + 1))
            open_at = None
    return spans


def mask(sentence: str) -> str:
    chars = list(sentence)
    for start, end in quote_spans(sentence):
        chars[start:end] = MASK * (end - start)
    return "".join(chars)
