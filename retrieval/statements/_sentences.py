"""Article text cut into prose paragraphs and sentences, and the quotations inside a sentence masked so the
statement rules never read quoted words as speakers or verbs."""

from __future__ import annotations

import re

from ._speaker_words import INSTITUTION_NOUNS, TITLE_WORDS, plain

MASK = "\x01"
_OPEN_QUOTES = "“„«"
_CLOSE_QUOTES = "”»"
TERMINAL = ".!?…"
_ABBREVIATIONS = frozenset(
    "mr mrs ms dr st gen lt col sgt capt gov sen rep rev prof jr sr inc co corp ltd vs etc no jan feb mar "
    "apr jun jul aug sep sept oct nov dec u.s u.k u.n e.u a.m p.m".split()
)
_COUNTRY_ABBREVIATIONS = frozenset({"u.s", "u.k", "u.n", "e.u"})
# Longer unpunctuated paragraphs are prose cut off by the page, not headlines.
_SHORT_LINE_WORDS = 25


def split_paragraphs(text: str) -> list[str]:
    return [" ".join(p.split()) for p in re.split(r"\n\s*\n", text) if p.strip()]


def is_prose(paragraph: str, title: str) -> bool:
    """Headlines, bylines, header lines and menus are short and carry no sentence-final punctuation."""
    if paragraph == " ".join(title.split()) or len(paragraph.split()) < 4:
        return False
    return _terminated(paragraph) or len(paragraph.split()) > _SHORT_LINE_WORDS


def _terminated(text: str) -> bool:
    tail = text.rstrip()
    if tail[-1] in '"' + _CLOSE_QUOTES + "’":
        return len(tail) > 1 and tail[-2] in TERMINAL + ","
    return tail[-1] in TERMINAL


def split_sentences(paragraph: str) -> list[str]:
    """Split at sentence ends outside quotations; an unbalanced quote falls back to ignoring quotes.
    A cut-off last sentence (a truncated page or teaser) is dropped: its statement would be cut off too."""
    result = _split(paragraph, respect_quotes=True)
    if result is None:
        result = _split(paragraph, respect_quotes=False) or [paragraph]
    if result and not _terminated(result[-1]):
        # A cut-off page may still end with a whole quotation and its attribution ('"…," Hun Manet said,
        # expressing appreciation to …'): that much is kept.
        whole = _QUOTE_THEN_ATTRIBUTION.match(result[-1])
        if whole:
            result[-1] = whole.group() + "."
        else:
            result.pop()
    return result


# How far from the end an unclosed quotation may open and still be taken for one cut off by the page's end.
_UNCLOSED_TAIL = 600
_QUOTE_THEN_ATTRIBUTION = re.compile(
    r".*?[,.!?][\"”]\s+(?:[A-Z][\w.'’-]*\s+){1,4}(?:said|says|added|wrote|told\s+[A-Z]?\w+)\b|"
    r".*?[,.!?][\"”]\s+(?:he|she|they)\s+(?:said|added|wrote)\b"
)


def _split(text: str, *, respect_quotes: bool) -> list[str] | None:
    out: list[str] = []
    start = 0
    inside = False
    open_at = 0
    n = len(text)
    for i, ch in enumerate(text):
        closing = False
        if respect_quotes and ch in _OPEN_QUOTES:
            inside, open_at = True, i
            continue
        if respect_quotes and (ch in _CLOSE_QUOTES or ch == '"'):
            closing = ch != '"' or inside
            inside = not closing
            if not closing:
                open_at = i
                continue
        if inside:
            continue
        if closing:
            ends = i > 0 and text[i - 1] in TERMINAL
            if ends and _starts_sentence(text, i + 1) and not _ATTRIBUTION.match(text, i + 1):
                out.append(text[start : i + 1])
                start = i + 1
            continue
        if ch in TERMINAL and i + 1 < n and text[i + 1] not in '"' + _CLOSE_QUOTES:
            if _starts_sentence(text, i + 1) and not (ch == "." and _abbreviation_before(text, i)):
                out.append(text[start : i + 1])
                start = i + 1
        elif ch in TERMINAL and not respect_quotes and text[i + 1 : i + 2] in ('"', *_CLOSE_QUOTES):
            if not _starts_sentence(text, i + 2):
                continue
            out.append(text[start : i + 2])  # `…reliable." "Over…` when the quotes could not be paired
            start = i + 2
    if inside and (not respect_quotes or len(text) - open_at > _UNCLOSED_TAIL):
        return None
    # A quotation left open by the end of a cut-off text stays inside the last sentence.
    out.append(text[start:])
    return [s.strip() for s in out if s.strip()]


# '"… This is so wasteful!” Trump wrote.': the attribution after a quote that ends with its own "!" or "?".
_ATTRIBUTION = re.compile(
    r"\s+(?!(?:He|She|They|It|We|I|You)\s)(?:[A-Z][\w.'’-]*\s+){1,4}(?:said|says|wrote|writes|added|adds|told|tells|asked|asks|posted|"
    r"continued|tweeted|declared|exclaimed|shouted|replied|insisted)\b"
)


def _starts_sentence(text: str, pos: int) -> bool:
    if pos >= len(text) or not text[pos].isspace():
        return False
    rest = text[pos:].lstrip()
    return bool(rest) and (rest[0].isupper() or rest[0].isdigit() or rest[0] in _OPEN_QUOTES + '"(‘')


def _abbreviation_before(text: str, dot: int) -> bool:
    word = re.search(r"([\w.]+)$", text[:dot])
    if word is None:
        return False
    token = word.group(1).lower()
    if token in _COUNTRY_ABBREVIATIONS:
        # "U.S. President" continues the sentence; "…compared to the U.S. Following his victory" does not.
        following = re.match(r"\s+([\w-]+)((?:\s+[A-Z][\w-]*){0,4})", text[dot + 1 :])
        if following is None:
            return False
        names = [plain(following.group(1)), *(plain(w) for w in following.group(2).split())]
        # "U.S. President", "U.S. Capitol", "U.S. Geological Survey" continue the sentence; "… in the U.S. The
        # next day …" does not.
        return names[0] in TITLE_WORDS | INSTITUTION_NOUNS | _AFTER_COUNTRY or (
            following.group(1)[:1].isupper() and any(n in INSTITUTION_NOUNS for n in names[1:])
        )
    if re.fullmatch(r"(?:[a-z]\.)+[a-z]", token):
        # Initials ("Harvard T.H. Chan School", "George H.W. Bush") run on into a name, not a new sentence.
        following = re.match(r"\s+([A-Z][\w-]*)", text[dot + 1 :])
        return following is not None and following.group(1) not in _SENTENCE_OPENERS
    if token == "x" and re.search(r"\b(?:on|to|via)\s+X$", text[:dot]):
        return False  # "posted on X." is the platform, not an initial
    return token in _ABBREVIATIONS or (len(token) == 1 and token.isalpha())


_AFTER_COUNTRY = frozenset(
    "capitol embassy military forces troops officials citizens economy envoy intelligence district attorney "
    "supreme census mint postal customs border navy marines coast air army soldiers allies".split()
)
_SENTENCE_OPENERS = frozenset(
    "The A An He She It They We I In On At But And This That These Those His Her Its Their There When While "
    "If".split()
)


def quote_spans(sentence: str) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    open_at: int | None = None
    for i, ch in enumerate(sentence):
        if open_at is None and (ch in _OPEN_QUOTES or ch == '"'):
            open_at = i
        elif open_at is not None and (ch in _CLOSE_QUOTES or ch == '"'):
            spans.append((open_at, i + 1))
            open_at = None
    return spans


def mask(sentence: str) -> str:
    chars = list(sentence)
    for start, end in quote_spans(sentence):
        chars[start:end] = MASK * (end - start)
    return "".join(chars)
