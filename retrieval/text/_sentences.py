"""Paragraphs and sentences of news text.

A sentence ends at `.`, `!`, `?` or `…` before whitespace and something that can open a sentence (a capital
letter of any script, a digit, an opening quote or bracket). What stays inside a sentence:
- quotations: `He said "No. Never." and left` is one sentence; a quote closing on `!` or `?` and followed by
  its attribution (`"Stop!" Smith shouted.`) too;
- abbreviations and initials: `Mr.`, `Sen.`, `Feb. 27`, `No. 5`, `John F. Kennedy`, `George H.W. Bush`;
- a country abbreviation before a name: `U.S. Geological Survey`, where `… in the U.S. The next day` ends;
- a decimal number or a run of dots that no space follows;
- in Russian and Ukrainian: `„…“` and quotations nested in `«…»` (`«… „…“ …»`, `«… «…» …»`),
  abbreviations (`им.`, `ул.`, `тыс. руб.`, `т. е.`, `2027 г.`) unless a word that opens sentences follows
  (`… в 2024 г. Он`), initials (`В. В. Ильин`).
A dash that opens a line of dialogue after a full stop starts a sentence (`… — сказал он. — Решение
принято.`).
Closing brackets and single quotes after the full stop, and `[n]` citation markers after those, stay with the
sentence they close.
"""

from __future__ import annotations

import functools
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
# one of them starts a new sentence ("… in the U.S. The next day"), anything else continues the name
# ("U.S. Immigration and Customs Enforcement", "George H.W. Bush").
_OPENERS = frozenset(
    """The A An He She It They We I You In On At But And Or So Yet This That These Those His Her Its Their
    Our My Your There Here When While If As After Before Since Until From For By With Without During
    Meanwhile However Instead Then Now Also Still Many Most Some More Such Each Every Both No Not Even
    Only Who What Why How Where Which Unfortunately""".split()
)
# Russian and Ukrainian abbreviations that go on into the sentence (`им. Горького`, `5 тыс. руб.`), and the
# words that, capitalised after one of them or after a lower-case single letter (`2024 г.`), open a new one.
_CYRILLIC_ABBREVIATIONS = frozenset(
    """им ім ул вул пер просп пл обл кв д тыс тис руб грн коп долл млн млрд трлн гг рр вв проф акад доц ген
    полк св стр см напр пр ст пос смт пгт чел мин ч др т.е т.д т.п т.к т.н т.зв""".split()
)
_CYRILLIC_OPENERS = frozenset(
    """Он Она Оно Они Это Этот Эта Эти Тот Та Те В Во На По Но И А Как Так При После До Для С Со Из За О Об
    Его Ее Её Их Мы Я Вы Там Здесь Однако Кроме Также Тогда Сейчас Теперь Ранее Позже Напомним Кстати
    Впрочем Поэтому Він Вона Воно Вони Це Цей Ця Ці Той У Але І Й Під Із Зі Про Її Їх Тут Проте Тепер
    Раніше Нагадаємо Водночас Тому Отже""".split()
)
_CYRILLIC_LOWER = re.compile(r"[а-яёіїєґ]")
# '… в четверг. — Эта команда …': a line of dialogue opened by a dash and a Cyrillic capital.
_DIALOGUE_DASH = re.compile(r"\s+[—–]\s+[А-ЯЁІЇЄҐ]")
# Longest way back an unclosed quotation may open and still be taken for one a truncated text's end cut off.
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


def split_sentences(text: str, *, truncated: bool = False) -> list[str]:
    """The sentences of a paragraph (or any text), stripped; the last one may be unfinished.

    `truncated` says the text may stop mid-sentence (a page cut off, a teaser): a quotation still open near
    its end then runs to the end as one sentence. Otherwise an unclosed quotation is a slip (a model's, a
    writer's) and its mark is ignored."""
    return [text[start:end] for start, end in sentence_spans(text, truncated=truncated)]


def text_sentences(text: str) -> list[str]:
    """The sentences of every paragraph of a text, in order."""
    return [s for para in paragraphs(text) for s in split_sentences(para)]


def passage_sentences(text: str) -> list[str]:
    """What a passage is compared by, sentence by sentence: its sentences, or the whole text when it has none
    (a passage of whitespace-free fragments). The writer, the citation check and the stored sentence vectors
    all cut a passage this way, so a vector stored for it lines up with what they ask for."""
    return list(_passage_sentences(text))


# Every answer cuts each of its passages several times (writer, citation check, sentence vectors), and the
# same passages come back answer after answer: the cut depends on the text alone.
@functools.lru_cache(maxsize=1024)
def _passage_sentences(text: str) -> tuple[str, ...]:
    return tuple(text_sentences(text) or [text])


def sentence_spans(text: str, *, truncated: bool = False) -> list[tuple[int, int]]:
    """Where each sentence of `text` starts and ends, surrounding whitespace excluded."""
    spans = []
    start = 0
    for end in [*_ends(text, truncated), len(text)]:
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


def _ends(text: str, truncated: bool) -> list[int]:
    """The offsets just after each sentence but the last."""
    quotes, cut_off = _quotations(text, truncated)
    opens = {start for start, _ in quotes}
    closes = {end for _, end in quotes}
    out: list[int] = []
    spans = iter(quotes)
    span = next(spans, None)
    for mark in _MARKS.finditer(text):
        i = mark.start()
        if cut_off is not None and i > cut_off:
            break  # inside a quotation the text's end cut off: one sentence to the end
        while span is not None and span[1] < i:
            span = next(spans, None)
        if i in closes:
            end = _after_tail(text, i + 1)
            ends = text[i - 1] in TERMINAL and _starts_sentence(text, end)
            if ends and not _ATTRIBUTION.match(text, i + 1):
                out.append(end)
            continue
        if mark.group() not in TERMINAL or (span is not None and span[0] < i < span[1]) or i + 1 >= len(text):
            continue
        after = i + 1
        if text[after] in _QUOTE_CHARS:
            if after in closes or after in opens:
                continue  # the quotation's own close decides (above)
            after += 1  # a stray quote mark after the full stop goes with the sentence it ends
        end = _after_tail(text, after)
        starts = _starts_sentence(text, end) or bool(_DIALOGUE_DASH.match(text, end))
        if starts and not (mark.group() == "." and _abbreviation_before(text, i)):
            out.append(end)
    return out


def _quotations(text: str, truncated: bool) -> tuple[list[tuple[int, int]], int | None]:
    """The quotations as (opening mark, closing mark) offsets, and where one opens that the end cuts off.

    Curly and guillemet marks say which way they face; a straight one is read by its neighbours: after a
    space and before a word it opens, after a word and before a space or punctuation it closes. A mark that
    closes nothing is a stray (an inch sign, a quotation that began in an earlier chunk); an opening mark
    while one is already open means the earlier one never closed, except right after a finished sentence:
    there it closes (`… the world.' "Previous winners …`, quoted paragraphs run together). A quotation still
    open at the end counts as cut off by it only in a truncated text and when it opens near the end;
    otherwise its mark is a stray.
    """
    quotes: list[tuple[int, int]] = []
    open_at: int | None = None
    depth = 0  # guillemets opened inside an open guillemet quotation
    for mark in _QUOTE_MARK.finditer(text):
        i, ch = mark.start(), mark.group()
        if open_at is not None and text[open_at] == "«":
            # Russian and Ukrainian nest „…“ (or, on the web, «…» again) inside «…»: the inner marks are part
            # of the quotation, and only the guillemet that matches the first one closes it.
            if ch == "«":
                depth += 1
            elif ch == "»" and depth:
                depth -= 1
            elif ch == "»":
                quotes.append((open_at, i))
                open_at = None
            continue
        if open_at is not None and text[open_at] == "„" and ch == "“":
            quotes.append((open_at, i))  # „…“: the low mark opens, the high one closes
            open_at = None
            continue
        facing = _facing(text, i) if ch == '"' else ("open" if ch in OPEN_QUOTES else "close")
        if facing == "open" and ch == '"' and open_at is not None:
            facing = "close" if _AFTER_SENTENCE.search(text, max(0, i - 8), i) else "open"
        if facing == "open" or (open_at is None and facing != "close"):
            open_at = i
        elif open_at is not None:
            quotes.append((open_at, i))
            open_at = None
    if open_at is not None and (not truncated or len(text) - open_at > _UNCLOSED_TAIL):
        open_at = None
    return quotes, open_at


def _facing(text: str, i: int) -> str | None:
    before = text[i - 1] if i else " "
    after = text[i + 1] if i + 1 < len(text) else " "
    if (before.isspace() or before in "([{—–-/") and not after.isspace():
        return "open"
    if not before.isspace() and (after.isspace() or after in ".,;:!?)]}—–-…'’"):
        return "close"
    return None


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
_QUOTE_CHARS = OPEN_QUOTES + CLOSE_QUOTES + '"'
_QUOTE_MARK = re.compile(f"[{re.escape(_QUOTE_CHARS)}]")
_MARKS = re.compile(f"[{re.escape(_QUOTE_CHARS + TERMINAL)}]")
_NEXT_CHAR = re.compile(r"\s+(\S)")
_AFTER_SENTENCE = re.compile(r"[.!?…][)\]’']*\s+$")
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
    if token in _CYRILLIC_ABBREVIATIONS or (len(token) == 1 and _CYRILLIC_LOWER.fullmatch(word.group())):
        # "им. Горького", "5 тыс. руб. на", "в 2027 г. в области": on, unless "Он", "В", "Це" … follows.
        following = _NEXT_WORD.match(text, dot + 1)
        return following is None or following.group(1) not in _CYRILLIC_OPENERS
    if token in _COUNTRIES or _INITIALS.fullmatch(token):
        # "U.S.", "H.W.", "a.m.", "т.е.": the sentence goes on unless a word that opens sentences follows.
        following = _NEXT_WORD.match(text, dot + 1)
        return following is not None and following.group(1) not in _OPENERS | _CYRILLIC_OPENERS
    if token in _BEFORE_NUMBER:
        return _NEXT_DIGIT.match(text, dot + 1) is not None
    if token == "x" and _ON_X.search(text, max(0, dot - 8), dot):
        return False  # "posted on X." is the platform, not an initial
    return token in _ABBREVIATIONS or (len(token) == 1 and token.isalpha())
