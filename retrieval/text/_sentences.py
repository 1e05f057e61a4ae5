"""Paragraphs and sentences of news text.

A sentence ends at `.`, `!`, `?` or `…` before whitespace and something that can open a sentence (a capital
letter of any script, a digit, an opening quote or bracket). What stays inside a sentence:
- quotations: `He said "No. Never." and left` is one sentence; a quote closing on `!` or `?` and followed by
  its attribution (`"Stop!" Smith shouted.`) too;
- abbreviations and initials: `Mr.`, `Sen.`, `Feb. 27`, `No. 5`, `John F. Kennedy`, `George H.W. Bush`;
- a country abbreviation before a name: `U.S. Geological Survey`, where `… in the U.S. The next day` ends;
- a decimal number or a run of dots that no space follows.
Closing brackets and single quotes after the full stop, and `[n]` citation markers after those, stay with the
sentence they close.
"""

from __future__ import annotations

import re

TERMINAL = ".!?…"
OPEN_QUOTES = "“„«"
CLOSE_QUOTES = "”»"
# After a sentence's last mark: closing brackets and single quotes (not tracked as quotations, since `’` is
# also the apostrophe), then any `[n]` markers citing the sentence.
_TAIL = re.compile(r"[)\]’']*(?:[ \t]*\[\d+\])*")
_PARAGRAPH_BREAK = re.compile(r"\n\s*\n")

_ABBREVIATIONS = frozenset(
    "mr mrs ms dr st gen lt col sgt capt gov sen rep rev prof jr sr inc co corp ltd vs etc "
    "jan feb mar apr jun jul aug sep sept oct nov dec".split()
)
# "No. 5" is a number; "No. Not again." is an answer.
_BEFORE_NUMBER = frozenset({"no", "nos"})
_COUNTRIES = frozenset({"u.s", "u.k", "u.n", "e.u"})
# Capitalised words that open a sentence and never go on a name or an institution: after "U.S." or "H.W."
# one of them starts a new sentence ("… in the U.S. The next day"),
# anything else continues the name ("U.S. Immigration and Customs Enforcement", "George H.W. Bush").
_OPENERS = frozenset(
    """The A An He She It They We I You In On At But And Or So Yet This That These Those His Her Its Their Our
    My Your There Here When While If As After Before Since Until From For By With Without During Meanwhile
    However Instead Then Now Also Still Many Most Some More Such Each Every Both No Not Even Only Who What
    Why How Where Which Unfortunately""".split()
)
# Longest way back an unclosed quotation may open and still be taken for one the text's end cut off.
_UNCLOSED_TAIL = 600
# '"… This is so wasteful!” Trump wrote.': the attribution after a quote that ends with its own "!" or "?".
_ATTRIBUTION = re.compile(
    r"\s+(?!(?:He|She|They|It|We|I|You)\s)(?:[A-Z][\w.'’-]*\s+){1,4}(?:said|says|wrote|writes|added|adds|told|tells|"
    r"asked|asks|posted|continued|tweeted|declared|exclaimed|shouted|replied|insisted)\b"
)


def paragraphs(text: str, *, keep_lines: bool = False) -> list[str]:
    """The text's paragraphs (blocks between blank lines), each on one line with its spaces collapsed;
    `keep_lines` keeps the line breaks inside a block (each line stripped), for rules that read lines."""
    blocks = (block.strip() for block in _PARAGRAPH_BREAK.split(text))
    if keep_lines:
        return ["\n".join(line.strip() for line in block.split("\n")) for block in blocks if block]
    return [" ".join(block.split()) for block in blocks if block]


def split_sentences(text: str) -> list[str]:
    """The sentences of a paragraph (or any text), stripped; the last one may be unfinished."""
    return [text[start:end] for start, end in sentence_spans(text)]


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """Where each sentence of `text` starts and ends, surrounding whitespace excluded."""
    # Quotations are respected when they pair up. One left open long before the end is a stray mark (an inch
    # sign, a typo), and the text is read again as if it had no quotes.
    ends = _ends(text, respect_quotes=True)
    if ends is None:
        ends = _ends(text, respect_quotes=False) or []
    spans = []
    start = 0
    for end in [*ends, len(text)]:
        piece = text[start:end]
        if piece.strip():
            lead = len(piece) - len(piece.lstrip())
            spans.append((start + lead, start + len(piece.rstrip())))
        start = end
    return spans


def ends_sentence(text: str) -> bool:
    """Whether `text` ends as a sentence does: on a full stop, `!`, `?` or `…`, perhaps inside a quotation and
    before closing brackets or citation markers."""
    tail = _CLOSING_RUN.sub("", text)
    return bool(tail) and tail[-1] in TERMINAL


_CLOSING_RUN = re.compile(r"(?:[\s)\]’'\"”»]|\[\d+\])+$")


def _ends(text: str, *, respect_quotes: bool) -> list[int] | None:
    """The offsets just after each sentence but the last; None when a quotation stays open (see above)."""
    out: list[int] = []
    inside = False
    open_at = 0
    n = len(text)
    for mark in _MARKS.finditer(text):
        i, ch = mark.start(), mark.group()
        closing = False
        if respect_quotes and ch in OPEN_QUOTES:
            inside, open_at = True, i
            continue
        if respect_quotes and (ch in CLOSE_QUOTES or ch == '"'):
            closing = ch != '"' or inside
            inside = not closing
            if not closing:
                open_at = i
                continue
        if inside:
            continue
        if closing:
            end = _after_tail(text, i + 1)
            if i > 0 and text[i - 1] in TERMINAL and _starts_sentence(text, end):
                if not _ATTRIBUTION.match(text, i + 1):
                    out.append(end)
            continue
        if ch not in TERMINAL or i + 1 >= n:
            continue
        if text[i + 1] in '"' + CLOSE_QUOTES:
            # `…reliable." "Over…` with quotes that could not be paired: the quote closes this sentence.
            if not respect_quotes and _starts_sentence(text, i + 2):
                out.append(i + 2)
            continue
        end = _after_tail(text, i + 1)
        if _starts_sentence(text, end) and not (ch == "." and _abbreviation_before(text, i)):
            out.append(end)
    if inside and (not respect_quotes or n - open_at > _UNCLOSED_TAIL):
        return None
    # A quotation left open by the end of a cut-off text stays inside the last sentence.
    return out


def _after_tail(text: str, pos: int) -> int:
    match = _TAIL.match(text, pos)
    return match.end() if match else pos


def _starts_sentence(text: str, pos: int) -> bool:
    following = _NEXT_CHAR.match(text, pos)
    if following is None:
        return False
    first = following.group(1)
    return first.isupper() or first.isdigit() or first in OPEN_QUOTES + '"‘(['


# Every pattern below is matched in place (`pattern.match(text, pos)`, or searched in a short window before
# the full stop): slicing the text at each full stop made a long paragraph take quadratic time.
_MARKS = re.compile(f"[{re.escape(OPEN_QUOTES + CLOSE_QUOTES + TERMINAL)}\"]")
_NEXT_CHAR = re.compile(r"\s+(\S)")
_TOKEN_BEFORE = re.compile(r"[\w.]+$")
_TOKEN_WINDOW = 40  # longer than any abbreviation or run of initials
_INITIALS = re.compile(r"(?:[^\W\d_]\.)+[^\W\d_]")
_NEXT_WORD = re.compile(r"\s+([\w-]+)")
_NEXT_DIGIT = re.compile(r"\s+\d")
_ON_X = re.compile(r"\b(?:on|to|via)\s+X$")


def _abbreviation_before(text: str, dot: int) -> bool:
    """Whether the full stop at `dot` closes an abbreviation inside the sentence rather than the sentence."""
    word = _TOKEN_BEFORE.search(text, max(0, dot - _TOKEN_WINDOW), dot)
    if word is None:
        return False
    token = word.group().lower()
    if token in _COUNTRIES or _INITIALS.fullmatch(token):
        # "U.S.", "H.W.", "a.m.": the sentence goes on unless a word that opens sentences follows.
        following = _NEXT_WORD.match(text, dot + 1)
        return following is not None and following.group(1) not in _OPENERS
    if token in _BEFORE_NUMBER:
        return _NEXT_DIGIT.match(text, dot + 1) is not None
    if token == "x" and _ON_X.search(text, max(0, dot - 8), dot):
        return False  # "posted on X." is the platform, not an initial
    return token in _ABBREVIATIONS or (len(token) == 1 and token.isalpha())
