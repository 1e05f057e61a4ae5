"""From the lines a PDF reader gives, page by page, to paragraphs of running text.

Printed pages carry what is not the article: running headers and footers (the same line on page after page,
the page number changing), page numbers on their own, and words hyphenated at the end of a line. Readers hand
all of it over as text. Here it goes: lines repeated at the top or bottom of most pages are dropped, page
numbers too, hyphenated words are joined (a compound keeps its hyphen), and lines are joined into
paragraphs. Pure functions on strings, whatever library read the PDF: `bench/documents.py` scores each
library with this step and without it.
"""

from __future__ import annotations

import re
import statistics
from collections import Counter
from collections.abc import Sequence

# Lines looked at for furniture at each end of a page. Readers put a header drawn last at the end of the
# page's text, so both ends are looked at for headers and footers alike.
_EDGE_LINES = 4
_PAGE_NUMBER = re.compile(
    r"^(?:(?:page|p\.|seite|стр\.?|сторінка)\s*)?[-–—(\[]?\s*\d{1,4}\s*[-–—)\]]?"
    r"(?:\s*(?:of|/|из|з)\s*\d{1,4})?$",
    re.IGNORECASE,
)
_ROMAN = re.compile(r"^[ivxlc]{1,6}$", re.IGNORECASE)
# Soft hyphens (U+0002 is what some readers give for one). PDFium writes U+FFFE for any hyphen it finds at
# a line end, a compound's too, so that one is read as a hyphen.
_SOFT = "\u00ad\x02"
_LINE_END_HYPHEN = "\ufffe"
_HYPHENS = "-\u2010\u2011"
_WORD = re.compile(r"[^\W\d_]+(?:[-\u2010\u2011][^\W\d_]+)*")
_TERMINAL = ".!?…:;\"'”’»)]"
# A line this much shorter than the page's usual line ends its paragraph (if it ends a sentence).
_SHORT_LINE = 0.82


def clean_pages(pages: Sequence[str]) -> str:
    """The text of a document's pages as paragraphs separated by blank lines."""
    split = [_lines(page) for page in pages]
    furniture = _repeated_edges(split)
    kept: list[list[str]] = []
    for lines in split:
        kept.append(_without_furniture(lines, furniture))
    vocabulary = _vocabulary(kept)
    kept = [[_rejoin_inside(line, vocabulary) for line in lines] for lines in kept]
    return "\n\n".join(_paragraphs([line for page in kept for line in page], vocabulary))


def _lines(page: str) -> list[str]:
    """The page's lines, stripped; a blank line stays as "" (a block boundary some readers mark)."""
    text = page.replace("\r\n", "\n").replace("\r", "\n").replace("\f", "\n")
    lines = [" ".join(line.split()) for line in text.split("\n")]
    lines = [line[:-1] + "-" if line.endswith(_LINE_END_HYPHEN) else line for line in lines]
    out: list[str] = []
    for line in lines:
        if line or (out and out[-1]):
            out.append(line)
    while out and not out[-1]:
        out.pop()
    return out


def _shape(line: str) -> str:
    """A line with its numbers blanked: "Page 3 of 9" and "Page 4 of 9" are the same furniture."""
    return re.sub(r"\d+", "#", line.casefold())


def _edges(lines: list[str]) -> list[int]:
    filled = [i for i, line in enumerate(lines) if line]
    return sorted(set(filled[:_EDGE_LINES] + filled[-_EDGE_LINES:]))


def _repeated_edges(pages: list[list[str]]) -> set[str]:
    """Shapes of lines found at the top or bottom of at least half the pages (two at least)."""
    if len(pages) < 2:
        return set()
    seen: Counter[str] = Counter()
    for lines in pages:
        seen.update({_shape(lines[i]) for i in _edges(lines)})
    needed = max(2, (len(pages) + 1) // 2)
    return {shape for shape, count in seen.items() if count >= needed and len(shape) <= 160}


def is_page_number(line: str) -> bool:
    line = line.strip()
    return bool(_PAGE_NUMBER.match(line) or _ROMAN.match(line))


def _without_furniture(lines: list[str], furniture: set[str]) -> list[str]:
    edges = set(_edges(lines))
    kept = [
        line
        for i, line in enumerate(lines)
        if not (i in edges and (_shape(line) in furniture or is_page_number(line)))
    ]
    while kept and not kept[0]:
        kept.pop(0)
    return kept


def _vocabulary(pages: list[list[str]]) -> Counter[str]:
    """How often each word occurs in the document, hyphenated compounds as they are written."""
    words: Counter[str] = Counter()
    for lines in pages:
        for line in lines:
            words.update(w.casefold() for w in _WORD.findall(line))
    return words


def _joined(line: str, following: str, vocabulary: Counter[str]) -> str | None:
    """`line` and `following` as one when `line` ends in a word broken by a hyphen; else None."""
    if not line or not following:
        return None
    if line[-1] in _SOFT:
        return line[:-1] + following
    if line[-1] not in _HYPHENS or len(line) < 2 or not following[0].isalpha():
        return None
    if line[-2].isdigit():
        return line + following  # "30-" and "day": a number's compound keeps its hyphen
    if not line[-2].isalpha():
        return None
    head = _WORD.findall(line[:-1])
    tail = _WORD.findall(following)
    if not head or not tail:
        return None
    first, rest = head[-1].casefold(), tail[0].casefold()
    whole, compound = first + rest, f"{first}-{rest}"
    # A compound keeps its hyphen when the document writes it so elsewhere more often than as one word, or
    # its second part is capitalised ("anti-Western"), or its first part is a compound already. Lists of
    # usual first parts ("non", "self", "east") were tried: hyphenation breaks ordinary words after the same
    # letters ("east-ern", "state-ment"), so without a dictionary the document's own usage decides.
    keep = vocabulary[compound] > vocabulary[whole] or (
        not vocabulary[whole] and (following[0].isupper() or "-" in first)
    )
    return line + following if keep else line[:-1] + following


def _rejoin_inside(line: str, vocabulary: Counter[str]) -> str:
    """Words a reader already put back together, with a mark where the hyphen was (pdfium writes U+FFFE
    and drops the line break): joined, or hyphenated again if they are a compound."""
    if _LINE_END_HYPHEN not in line:
        return line
    parts = line.split(_LINE_END_HYPHEN)
    out = parts[0]
    for part in parts[1:]:
        glued = _joined(out + "-", part, vocabulary) if out and part else None
        out = glued if glued is not None else out + part
    return out


def _paragraphs(lines: list[str], vocabulary: Counter[str]) -> list[str]:
    """Lines joined into paragraphs: a blank line ends one, and so does a line clearly shorter than the
    usual one that ends a sentence (the last line of a paragraph), or a short line without a sentence end
    followed by a capital (a heading)."""
    filled = [len(line) for line in lines if line]
    if not filled:
        return []
    usual = statistics.median(filled)
    out: list[str] = []
    current = ""
    for i, line in enumerate(lines):
        if not line:
            following = next((x for x in lines[i + 1 :] if x), "")
            # A sentence that runs on into the next column or page is not a paragraph's end.
            runs_on = current[-1:] not in _TERMINAL and following[:1].islower()
            if current and not runs_on:
                out.append(current)
                current = ""
            continue
        if current:
            glued = _joined(current, line, vocabulary)
            current = glued if glued is not None else f"{current} {line}"
        else:
            current = line
        following = next((x for x in lines[i + 1 : i + 2] if x), "")
        short = len(line) < _SHORT_LINE * usual
        ends = line.rstrip()[-1:] in _TERMINAL
        heading = short and not ends and following[:1].isupper() and line[-1:] not in _HYPHENS + _SOFT + ","
        if short and (ends or heading):
            out.append(current)
            current = ""
    if current:
        out.append(current)
    return out
