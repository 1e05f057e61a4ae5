"""PDF pages to text with pypdfium2 (PDFium, the PDF engine of Chromium: BSD-3 and Apache-2.0).

PDFium gives the text runs of a page with their boxes, in the order the file draws them. Most files draw in
reading order, but not all: some write two columns line by line across the page. So the runs are put in
reading order here by where they stand, with a recursive XY cut: a region is split at its widest empty band,
across (between blocks) or down (between columns), and the parts are read top to bottom, left to right.
`bench/documents.py` measures this against PDFium's own order and against the other libraries.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ._errors import (
    CorruptDocument,
    EncryptedDocument,
    ScannedDocument,
    TooManyPages,
)

# Fewer characters than this on average per page: a scan, or pages of pictures.
_MIN_CHARS_PER_PAGE = 20
# Titles that tools write when the author wrote none.
_PLACEHOLDER_TITLE = re.compile(
    r"^(?:untitled|unknown|none|title|document\d*|slide \d+|powerpoint presentation|microsoft word - .*|"
    r".*\.(?:docx?|pdf|odt|rtf|txt|html?|indd|tex|pages|xlsx?|pptx?))$",
    re.IGNORECASE,
)
# In type sizes: characters on one baseline closer than _WORD_GAP are one stretch of text (a justified line
# is drawn word by word, with wide gaps); an empty band at least _GUTTER wide, top to bottom of a region,
# separates columns.
_WORD_GAP = 1.0
_GUTTER = 1.1
# A gutter has lines of text on both sides; words that happen to leave gaps at one place in a few justified
# lines do not make columns.
_MIN_COLUMN_ROWS = 3
# Between lines of text the empty band is a fraction of the type size; between blocks (a headline and the
# text, the text and a footer) it is wider. Where lines stand side by side and no gutter is certain, only
# such a band is cut across, and otherwise the file's own order is kept.
_BLOCK_GAP = 1.0


@dataclass(slots=True)
class PdfText:
    pages: list[str]
    title: str | None


@dataclass(slots=True)
class _Segment:
    """Characters on one baseline with no wide gap between them: a line of one column, or part of it."""

    left: float
    right: float
    bottom: float
    top: float
    baseline: float
    size: float
    text: str
    order: int  # where the file draws it


def read_pdf(data: bytes, max_pages: int) -> PdfText:
    """The text of every page, the title the file names and its creation date.

    Raises EncryptedDocument, CorruptDocument, TooManyPages (before any page is read) or ScannedDocument.
    """
    import pypdfium2 as pdfium

    try:
        doc = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        if "password" in str(exc).lower():
            raise EncryptedDocument() from exc
        raise CorruptDocument() from exc
    try:
        count = len(doc)
        if count > max_pages:
            raise TooManyPages.of(count, max_pages)
        if count == 0:
            raise CorruptDocument()
        pages: list[str] = []
        seen_title: str | None = None
        for i in range(count):
            page = doc[i]
            try:
                text, segments = _page_text(page)
            finally:
                page.close()
            pages.append(text)
            if i == 0:
                seen_title = visible_title(segments)
        if sum(len("".join(p.split())) for p in pages) < _MIN_CHARS_PER_PAGE * count:
            raise ScannedDocument()
        meta = doc.get_metadata_dict(skip_empty=True)
        return PdfText(pages, _title(meta.get("Title")) or seen_title)
    finally:
        doc.close()


def page_texts(data: bytes) -> list[str]:
    """Every page's text, in reading order (for the benchmark)."""
    return read_pdf(data, max_pages=10_000).pages


def _title(value: str | None) -> str | None:
    if not value:
        return None
    title = " ".join(value.replace("\x00", "").split())
    if len(title) < 3 or _PLACEHOLDER_TITLE.match(title):
        return None
    return title[:300]


def _page_text(page: object) -> tuple[str, list[_Segment]]:
    """The page's text in reading order, and its segments (for the title)."""
    import ctypes

    import pypdfium2.raw as pdfium_c

    textpage = page.get_textpage()  # type: ignore[attr-defined]
    try:
        count = textpage.count_chars()
        text = textpage.get_text_range(0, count)
        if len(text) != count:  # characters outside the BMP: no index to box mapping; PDFium's order
            return text, []
        handle = textpage.raw
        left, right, bottom, top = (ctypes.c_double() for _ in range(4))
        x, y = ctypes.c_double(), ctypes.c_double()
        segments: list[_Segment] = []
        current: _Segment | None = None
        spaced = False
        for i, char in enumerate(text):
            if char in "\r\n":
                current, spaced = None, False
                continue
            if char.isspace():
                spaced = current is not None
                continue
            pdfium_c.FPDFText_GetCharBox(handle, i, left, right, bottom, top)
            pdfium_c.FPDFText_GetCharOrigin(handle, i, x, y)
            size = pdfium_c.FPDFText_GetFontSize(handle, i) or (top.value - bottom.value) or 1.0
            if (
                current is not None
                and abs(y.value - current.baseline) < 0.3 * size
                and -0.5 * size <= left.value - current.right < _WORD_GAP * size
            ):
                current.text += (" " if spaced else "") + char
                current.right = max(current.right, right.value)
                current.bottom, current.top = min(current.bottom, bottom.value), max(current.top, top.value)
                current.size = max(current.size, size)
            else:
                current = _Segment(
                    left.value, right.value, bottom.value, top.value, y.value, size, char, len(segments)
                )
                segments.append(current)
            spaced = False
    finally:
        textpage.close()
    if not segments:
        return "", []
    return _reading_text(segments), segments


def _reading_text(segments: list[_Segment]) -> str:
    """Segments in reading order: a space between those on one line, a line break between lines, and a
    blank line where a block ends (a wider gap, a change of type size, a new column)."""
    size = _body_size(segments)
    ordered = _xy_cut(segments, size)
    out: list[str] = []
    previous: _Segment | None = None
    for seg in ordered:
        if previous is not None:
            drop = previous.baseline - seg.baseline
            if abs(drop) < 0.3 * size and seg.left >= previous.right - size:
                out.append(" ")
            elif drop < 0 or drop > 1.75 * size or abs(seg.size - previous.size) > 0.15 * size:
                out.append("\n\n")
            else:
                out.append("\n")
        out.append(seg.text)
        previous = seg
    return "".join(out)


def _body_size(segments: list[_Segment]) -> float:
    """The type size most of the page's characters are set in."""
    weights: dict[float, int] = {}
    for seg in segments:
        key = round(seg.size, 1)
        weights[key] = weights.get(key, 0) + len(seg.text)
    return max(weights, key=lambda k: weights[k]) or 1.0


def visible_title(segments: list[_Segment]) -> str | None:
    """The headline set in the largest type on the first page, if it stands out from the body text."""
    if not segments:
        return None
    body = _body_size(segments)
    largest = max(seg.size for seg in segments)
    if largest < 1.3 * body:
        return None
    lines = [seg for seg in segments if seg.size >= 0.95 * largest]
    lines.sort(key=lambda seg: (-seg.baseline, seg.left))
    title = " ".join(" ".join(seg.text for seg in lines).split())
    return title if 2 <= len(title.split()) <= 30 else None


def _gaps(spans: list[tuple[float, float]]) -> list[tuple[float, float]]:
    """The empty stretches between the union of `spans` (start, end), as (start, end), in order."""
    spans = sorted(spans)
    gaps = []
    reach = spans[0][1]
    for start, end in spans[1:]:
        if start > reach:
            gaps.append((reach, start))
        reach = max(reach, end)
    return gaps


def _rows(segments: list[_Segment], size: float) -> int:
    return len({round(seg.baseline / (0.5 * size)) for seg in segments})


def _xy_cut(segments: list[_Segment], size: float) -> list[_Segment]:
    """Segments in reading order: a region is cut down the middle at a gutter (an empty band at least
    _GUTTER type sizes wide, top to bottom, with lines of text on both sides), else across at its widest
    empty band; the parts are read left before right, top before bottom."""
    if len(segments) <= 1:
        return segments
    across = _gaps([(-seg.top, -seg.bottom) for seg in segments])
    down = [g for g in _gaps([(seg.left, seg.right) for seg in segments]) if g[1] - g[0] >= _GUTTER * size]
    for gap in sorted(down, key=lambda g: g[0] - g[1]):
        widest_across = max((b - a for a, b in across), default=0.0)
        if gap[1] - gap[0] < widest_across:
            break
        first = [seg for seg in segments if seg.right <= gap[0]]
        second = [seg for seg in segments if seg.right > gap[0]]
        if min(_rows(first, size), _rows(second, size)) >= _MIN_COLUMN_ROWS:
            return _xy_cut(first, size) + _xy_cut(second, size)
    widest = max(across, key=lambda g: g[1] - g[0], default=None)
    if widest is not None and (
        widest[1] - widest[0] >= _BLOCK_GAP * size or not _side_by_side(segments, size)
    ):
        cut = widest[0]
        first = [seg for seg in segments if -seg.bottom <= cut]
        second = [seg for seg in segments if -seg.bottom > cut]
        return _xy_cut(first, size) + _xy_cut(second, size)
    if _side_by_side(segments, size):
        # Columns without a gutter wide enough to be sure of: the file's own order is the better guess.
        return sorted(segments, key=lambda seg: seg.order)
    return sorted(segments, key=lambda seg: (-round(seg.baseline / (0.5 * size)), seg.left))


def _side_by_side(segments: list[_Segment], size: float) -> bool:
    """Whether two segments stand on one line apart (columns, or a table), not one above the other."""
    rows: dict[int, int] = {}
    for seg in segments:
        key = round(seg.baseline / (0.5 * size))
        rows[key] = rows.get(key, 0) + 1
    return any(count > 1 for count in rows.values())
