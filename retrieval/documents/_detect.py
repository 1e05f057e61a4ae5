"""What a file is, told by its first bytes, never by its name: a file called `report.pdf` may be an HTML
page, and a name says nothing a sender cannot change."""

from __future__ import annotations

import io
import re
import zipfile

PDF, DOCX, HTML, TEXT = "pdf", "docx", "html", "text"

_HTML_START = re.compile(
    rb"^(?:\xef\xbb\xbf)?\s*(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html|head|body|meta|title|article|div|p|h1|"
    rb"table|section|main|script|style|link|!--)[\s>/]",
    re.IGNORECASE | re.DOTALL,
)
_BOMS = (b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")


def kind_of(data: bytes) -> str | None:
    """PDF, DOCX, HTML or TEXT, or None for anything else (images, archives, other office files)."""
    head = data[:1024]
    if b"%PDF-" in head:  # the header may follow a few bytes of junk; readers accept that, so do we
        return PDF
    if head.startswith(b"PK\x03\x04"):
        return DOCX if _is_docx(data) else None
    if _HTML_START.match(head):
        return HTML
    if _is_text(data):
        return TEXT
    return None


def _is_docx(data: bytes) -> bool:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return "word/document.xml" in archive.namelist()
    except (zipfile.BadZipFile, OSError, ValueError):
        return False


def _is_text(data: bytes) -> bool:
    sample = data[:65536]
    if sample.startswith(_BOMS[1:]):
        return True  # UTF-16 with its byte order mark
    if b"\x00" in sample:
        return False
    # Text in a legacy encoding (Latin-1, cp1251) is still text, refused later with its own reason;
    # binary files are full of control bytes.
    controls = sum(1 for byte in sample if byte < 32 and byte not in b"\t\n\r\f")
    return controls <= len(sample) // 100


def decode_text(data: bytes) -> str:
    """A text file's characters: UTF-8 (with or without its mark) or UTF-16 with its mark."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    return data.decode("utf-8-sig")
