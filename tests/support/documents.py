"""Documents made on the spot, with the text they hold known exactly: PDFs laid out as printed reports are
(columns, running headers and footers, page numbers, words hyphenated at line ends, justified lines), scans
without a text layer, encrypted PDFs, Word files and zip bombs.

reportlab (a dev dependency) draws the PDFs glyph run by glyph run, so the ground truth is the text before
layout, and every line end, hyphen and header is placed by this module, not guessed at afterwards.
"""

from __future__ import annotations

import io
import re
import zipfile
import zlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

_VOWELS = set("aeiouyAEIOUY")
_PAGE = (595.0, 842.0)  # A4 in points

# A short local news story, written for these tests, that the document tests store and ask about.
HARBOUR_PARAGRAPHS = [
    "The harbour board of Porthaven voted on Tuesday to deepen the northern channel, a project its "
    "chairman Olav Brekke called overdue after two groundings in a single winter.",
    "Dredging is to start in the spring and take about four months. The work will be done at night so "
    "that the ferries to the islands can keep their timetable, the board said in a statement.",
    "Fishermen's associations welcomed the decision but asked for compensation for the weeks in which "
    "their moorings on the eastern quay will have to be moved to the old coal pier.",
    "The cost, estimated at eleven million euros, will be shared between the port, the regional "
    "government and a European fund for coastal infrastructure, according to the plan.",
]


@dataclass
class Layout:
    """How a PDF is laid out. `justify` places every word on its own (no space characters in the file: the
    reader must see the gaps); otherwise each line is one run of text with its spaces."""

    columns: int = 2
    font: str = "Times-Roman"  # a standard font, or "Vera" (a TrueType font embedded as a subset)
    size: float = 9.5
    header: str | None = "The Porthaven Review"
    header_right: str | None = "Special report · March 2025"
    footer: str = "Page {n} of {total}"  # "" for none; {n} and {total} are filled in
    hyphenate: bool = True
    justify: bool = False
    title_size: float = 17.0
    margin: float = 56.0
    gutter: float = 18.0
    indent: float = 10.0
    # Vertical space between paragraphs, in lines (0 = only the first-line indent marks them).
    paragraph_gap: float = 0.4
    # "columns": each column top to bottom, as most producers write; "rows": line by line across the
    # columns, as some do (a reader must then find the columns by where the text stands).
    draw_order: str = "columns"
    # Furniture drawn "last" (after the text, common) or "first".
    furniture_first: bool = False


@dataclass
class Made:
    """A generated PDF and what it says: `title` and `paragraphs` as written, `furniture` the header and
    footer lines it repeats, `split_words` the words broken across lines (without their hyphen) and
    `hard_hyphens` the hyphenated compounds broken at their own hyphen."""

    data: bytes
    title: str
    paragraphs: list[str]
    pages: int
    furniture: list[str] = field(default_factory=list)
    split_words: list[str] = field(default_factory=list)
    hard_hyphens: list[str] = field(default_factory=list)

    @property
    def text(self) -> str:
        return "\n\n".join([self.title, *self.paragraphs])


def _font(layout: Layout) -> tuple[str, str]:
    """The regular and bold font names, registering Vera (shipped with reportlab) when asked for."""
    if layout.font != "Vera":
        bold = {"Times-Roman": "Times-Bold", "Helvetica": "Helvetica-Bold"}.get(layout.font, layout.font)
        return layout.font, bold
    import reportlab
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    fonts = Path(reportlab.__file__).parent / "fonts"
    pdfmetrics.registerFont(TTFont("Vera", str(fonts / "Vera.ttf")))
    pdfmetrics.registerFont(TTFont("VeraBd", str(fonts / "VeraBd.ttf")))
    return "Vera", "VeraBd"


def _break_points(word: str) -> list[int]:
    """Where a word may be hyphenated: after a vowel followed by a consonant, two letters in at least."""
    core = re.match(r"^[A-Za-z]+", word)
    if core is None or len(core.group()) < 6:
        return []
    letters = core.group()
    return [i for i in range(3, len(letters) - 2) if letters[i - 1] in _VOWELS and letters[i] not in _VOWELS]


@dataclass
class _Line:
    words: list[str]
    first: bool  # the first line of a paragraph (indented)
    last: bool  # the last line of a paragraph (never justified)
    gap_before: bool = False


def _wrap(paragraph: str, width: float, measure: object, layout: Layout, made: Made) -> list[_Line]:
    """The paragraph as lines no wider than `width`, words hyphenated at line ends when allowed."""
    from collections.abc import Callable

    assert callable(measure)
    fits: Callable[[str, float], bool] = lambda text, room: measure(text) <= room  # noqa: E731
    words = paragraph.split()
    lines: list[_Line] = []
    current: list[str] = []
    room = width - layout.indent
    i = 0
    while i < len(words):
        word = words[i]
        trial = " ".join([*current, word])
        if fits(trial, room):
            current.append(word)
            i += 1
            continue
        broken = False
        if "-" in word.strip("-") and current is not None:
            head, _, tail = word.partition("-")
            if head and tail and fits(" ".join([*current, head + "-"]), room):
                current.append(head + "-")
                words[i] = tail
                made.hard_hyphens.append(word)
                broken = True
        if not broken and layout.hyphenate:
            for cut in reversed(_break_points(word)):
                if fits(" ".join([*current, word[:cut] + "-"]), room):
                    current.append(word[:cut] + "-")
                    words[i] = word[cut:]
                    made.split_words.append(re.match(r"^[A-Za-z]+", word).group())  # type: ignore[union-attr]
                    broken = True
                    break
        if not current and not broken:  # one word wider than the column: it runs over
            current.append(word)
            i += 1
        lines.append(_Line(current, first=not lines, last=False))
        current = []
        room = width
    if current:
        lines.append(_Line(current, first=not lines, last=True))
    elif lines:
        lines[-1].last = True
    return lines


def layout_pdf(title: str, paragraphs: Sequence[str], layout: Layout | None = None) -> Made:
    """A report: the title across the top of page 1, then the paragraphs flowed through the columns."""
    from reportlab.pdfbase.pdfmetrics import stringWidth
    from reportlab.pdfgen import canvas

    layout = layout or Layout()
    regular, bold = _font(layout)
    made = Made(b"", title, list(paragraphs), 0)
    width, height = _PAGE
    column_width = (width - 2 * layout.margin - (layout.columns - 1) * layout.gutter) / layout.columns
    leading = layout.size * 1.25

    def measure(text: str) -> float:
        return stringWidth(text, regular, layout.size)

    title_lines = [
        " ".join(line.words)
        for line in _wrap(
            title, width - 2 * layout.margin + layout.indent,
            lambda text: stringWidth(text, bold, layout.title_size),
            Layout(hyphenate=False, indent=layout.indent), Made(b"", "", [], 0),
        )
    ]  # fmt: skip
    title_space = layout.title_size * (1.2 * len(title_lines) + 1.0)
    lines: list[_Line] = []
    for para in paragraphs:
        wrapped = _wrap(para, column_width, measure, layout, made)
        if wrapped and lines and layout.paragraph_gap:
            wrapped[0].gap_before = True
        lines.extend(wrapped)

    # Pages are filled first, then drawn: the footer needs the page count.
    top = height - layout.margin - 14
    bottom = layout.margin + 14
    pages: list[list[tuple[int, float, _Line]]] = [[]]
    column, y = 0, top - title_space
    for line in lines:
        step = leading * (1 + layout.paragraph_gap) if line.gap_before else leading
        if y - step < bottom:
            column += 1
            y = top if len(pages) > 1 or column >= layout.columns else top - title_space
            if column >= layout.columns:
                pages.append([])
                column, y = 0, top
            step = leading
        y -= step
        pages[-1].append((column, y, line))

    out = io.BytesIO()
    pdf = canvas.Canvas(out, pagesize=_PAGE, pageCompression=1)
    pdf.setTitle("")
    total = len(pages)
    for n, placed in enumerate(pages, start=1):
        if n == 1:
            pdf.setFont(bold, layout.title_size)
            for row, text in enumerate(title_lines):
                pdf.drawString(layout.margin, top - layout.title_size * (1 + 1.2 * row), text)
        if layout.furniture_first:
            _furniture(pdf, layout, n, total, made)
        if layout.draw_order == "rows":
            placed = sorted(placed, key=lambda item: (-round(item[1], 1), item[0]))
        for column, y, line in placed:
            x = layout.margin + column * (column_width + layout.gutter) + (layout.indent if line.first else 0)
            room = column_width - (layout.indent if line.first else 0)
            _draw_line(pdf, line, x, y, room, regular, layout, measure)
        if not layout.furniture_first:
            _furniture(pdf, layout, n, total, made)
        pdf.showPage()
    pdf.save()
    made.data = out.getvalue()
    made.pages = total
    return made


def _draw_line(
    pdf: object, line: _Line, x: float, y: float, room: float, font: str, layout: Layout, measure: object
) -> None:
    assert callable(measure)
    pdf.setFont(font, layout.size)  # type: ignore[attr-defined]
    if not layout.justify or line.last or len(line.words) < 2:
        pdf.drawString(x, y, " ".join(line.words))  # type: ignore[attr-defined]
        return
    # Justified: each word placed on its own, the slack shared out between the gaps.
    slack = room - sum(measure(w) for w in line.words)
    gap = slack / (len(line.words) - 1)
    for word in line.words:
        pdf.drawString(x, y, word)  # type: ignore[attr-defined]
        x += measure(word) + gap


def _furniture(pdf: object, layout: Layout, n: int, total: int, made: Made) -> None:
    width, height = _PAGE
    small = "Helvetica"
    pdf.setFont(small, 7.5)  # type: ignore[attr-defined]
    if layout.header:
        pdf.drawString(layout.margin, height - layout.margin + 6, layout.header)  # type: ignore[attr-defined]
        made.furniture.append(layout.header)
    if layout.header_right:
        right = width - layout.margin
        header_right = layout.header_right.format(n=n, total=total)
        pdf.drawRightString(right, height - layout.margin + 6, header_right)  # type: ignore[attr-defined]
        made.furniture.append(header_right)
    if layout.header or layout.header_right:
        pdf.line(layout.margin, height - layout.margin + 2, width - layout.margin, height - layout.margin + 2)  # type: ignore[attr-defined]
    if layout.footer:
        footer = layout.footer.format(n=n, total=total)
        pdf.drawCentredString(width / 2, layout.margin - 16, footer)  # type: ignore[attr-defined]
        made.furniture.append(footer)


def scanned_pdf(pages: int = 2) -> bytes:
    """Pages that are pictures of text (as a scanner makes them): no text layer at all."""
    from PIL import Image, ImageDraw
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen import canvas

    out = io.BytesIO()
    pdf = canvas.Canvas(out, pagesize=_PAGE)
    for n in range(pages):
        image = Image.new("L", (600, 840), 255)
        draw = ImageDraw.Draw(image)
        for row in range(30):
            draw.text((40, 40 + row * 24), f"Scanned page {n + 1}, line {row + 1}: harbour works.", fill=0)
        pdf.drawImage(ImageReader(image), 0, 0, width=_PAGE[0], height=_PAGE[1])
        pdf.showPage()
    pdf.save()
    return out.getvalue()


def encrypted_pdf(text: str, user_password: str = "secret") -> bytes:
    """A PDF that needs a password to open (reportlab's standard encryption)."""
    from reportlab.lib import pdfencrypt
    from reportlab.pdfgen import canvas

    out = io.BytesIO()
    pdf = canvas.Canvas(out, pagesize=_PAGE, encrypt=pdfencrypt.StandardEncryption(user_password, "owner"))
    _draw_lines(pdf, [text], rows=40)
    return out.getvalue()


def simple_pdf(pages: Sequence[str], *, title: str = "") -> bytes:
    """One run of text per line, a page per item: for tests that need a readable PDF of a given length."""
    from reportlab.pdfgen import canvas

    out = io.BytesIO()
    pdf = canvas.Canvas(out, pagesize=_PAGE)
    pdf.setTitle(title)
    _draw_lines(pdf, pages, rows=50)
    return out.getvalue()


def _draw_lines(pdf: Any, pages: Sequence[str], *, rows: int) -> None:
    """Each page's lines, one drawn string each, top down; then the file is finished."""
    for page in pages:
        pdf.setFont("Times-Roman", 11)
        for row, line in enumerate(page.splitlines()[:rows]):
            pdf.drawString(56, 780 - row * 14, line)
        pdf.showPage()
    pdf.save()


def docx_bytes(paragraphs: Sequence[str], *, title: str | None = None, heading: str | None = None) -> bytes:
    """A Word file: `title` in its properties, `heading` as a Title-styled first paragraph."""
    import docx

    document = docx.Document()
    if title is not None:
        document.core_properties.title = title
    if heading is not None:
        document.add_paragraph(heading, style="Title")
    for para in paragraphs:
        document.add_paragraph(para)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def docx_bomb(paragraphs: Sequence[str], unpacked_mib: int = 256) -> bytes:
    """A real Word file plus one part of `unpacked_mib` MiB of zeros that packs to a fraction of a MiB."""
    real = zipfile.ZipFile(io.BytesIO(docx_bytes(paragraphs)))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as bomb:
        for info in real.infolist():
            bomb.writestr(info, real.read(info.filename))
        # Written through a stream, a MiB at a time: the bomb is never whole in this process's memory.
        member = zipfile.ZipInfo("word/media/image1.png")
        member.compress_type = zipfile.ZIP_DEFLATED
        with bomb.open(member, "w", force_zip64=True) as part:
            chunk = bytes(1 << 20)
            for _ in range(unpacked_mib):
                part.write(chunk)
    return out.getvalue()


def deflate_ratio(data: bytes) -> float:
    """How much `data` shrinks under deflate (a check that a generated bomb is one)."""
    return len(data) / max(1, len(zlib.compress(data, 9)))
