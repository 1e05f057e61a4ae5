"""One document's bytes to an article: what it is, its text, its title and date. Runs in the sandbox."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from retrieval.extract import ExtractError, extract_html, extract_text
from retrieval.store import Extracted

from . import _detect
from ._errors import CorruptDocument, DocumentError, DocumentTooLarge, UnsupportedDocument
from ._layout import clean_pages

KIND_NAMES = {
    _detect.PDF: "PDF document",
    _detect.DOCX: "Word document",
    _detect.HTML: "HTML file",
    _detect.TEXT: "text file",
}
_NAME_CHARS = 120


@dataclass(frozen=True, slots=True)
class DocumentLimits:
    """Caps on one document: its size, its pages, what a Word file may unpack to, and what reading it may
    take (memory for the reading process over what it starts with, and seconds)."""

    max_bytes: int = 20_000_000
    max_pages: int = 300
    max_unpacked: int = 200_000_000
    memory_bytes: int = 1 << 30
    seconds: float = 60.0


def clean_name(name: str | None) -> str | None:
    """A file name as a sender gave it, fit to be a title: no folders, no control characters, not too long."""
    if not name:
        return None
    name = unicodedata.normalize("NFC", name).replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C")
    name = " ".join(name.split())
    if len(name) > _NAME_CHARS:
        _stem, dot, suffix = name.rpartition(".")
        keep = suffix if dot and len(suffix) <= 8 else ""
        name = name[: _NAME_CHARS - len(keep) - 2].rstrip() + "…" + (f".{keep}" if keep else "")
    return name or None


def read_document(data: bytes, name: str | None, limits: DocumentLimits) -> Extracted:
    """The article in a document, titled as the document names itself or else by its file name.

    Its date is one the text states (a text file's `date` line, a page's publication metadata), never the
    date a PDF or Word file says it was made: that is when a file was written, often a template's date.

    Raises a DocumentError subclass with a message for the sender.
    """
    if len(data) > limits.max_bytes:
        raise DocumentTooLarge.of(len(data), limits.max_bytes)
    kind = _detect.kind_of(data)
    if kind is None:
        raise UnsupportedDocument()
    file_name = clean_name(name)
    try:
        extracted = _read(kind, data, file_name, limits)
    except ExtractError as exc:
        raise DocumentError(f"no text to store in the {KIND_NAMES[kind]}: {exc}") from exc
    return extracted


def _read(kind: str, data: bytes, file_name: str | None, limits: DocumentLimits) -> Extracted:
    if kind == _detect.HTML:
        return extract_html(data, url=None, fallback_title=file_name)
    if kind == _detect.TEXT:
        try:
            text = _detect.decode_text(data)
        except UnicodeDecodeError as exc:
            raise CorruptDocument("the file is not UTF-8 text") from exc
        return extract_text(text, fallback_title=file_name)
    title: str | None
    if kind == _detect.PDF:
        from ._pdf import read_pdf

        pdf = read_pdf(data, limits.max_pages)
        text, title = clean_pages(pdf.pages), pdf.title
    else:
        from ._docx import read_docx

        docx = read_docx(data, limits.max_unpacked)
        text, title = "\n\n".join(docx.paragraphs), docx.title
    if not text.strip():
        raise DocumentError(f"the {KIND_NAMES[kind]} holds no text")
    return extract_text(text, title=title, fallback_title=file_name)


def needs_own_process(data: bytes) -> bool:
    """Whether the bytes are a PDF or a Word file: parsed by native code, so read in the sandbox."""
    return _detect.kind_of(data) in (_detect.PDF, _detect.DOCX)


def document_kind(data: bytes) -> str | None:
    """What the bytes are, in words ("PDF document"), or None for a type that is not read."""
    kind = _detect.kind_of(data)
    return KIND_NAMES[kind] if kind else None
