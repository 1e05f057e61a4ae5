"""Why a document cannot be stored, in words for the person who sent it."""

from __future__ import annotations

from retrieval.errors import BriefbotError


class DocumentError(BriefbotError):
    """A document that cannot be read; the message says why and what to do."""

    default = "the document could not be read"

    def __init__(self, message: str | None = None) -> None:
        super().__init__(message or self.default)


class UnsupportedDocument(DocumentError):
    default = "this kind of file is not read: send a PDF, a Word file (.docx), an HTML page or a text file"


class DocumentTooLarge(DocumentError):
    def __init__(self, size: int, limit: int, what: str = "the file") -> None:
        super().__init__(
            f"{what} is too large: {_mb(size)} (the limit is {_mb(limit)}, MAX_DOCUMENT_BYTES)"
        )


class TooManyPages(DocumentError):
    def __init__(self, pages: int, limit: int) -> None:
        super().__init__(f"the PDF has {pages:,} pages; the limit is {limit:,} (MAX_DOCUMENT_PAGES)")


class EncryptedDocument(DocumentError):
    default = "the document is protected by a password: send a copy without one"


class ScannedDocument(DocumentError):
    default = (
        "the PDF has no text layer (a scan, or pages of pictures): it would need OCR, which is not done "
        "here. Send a PDF with selectable text"
    )


class CorruptDocument(DocumentError):
    default = "the file is damaged or not what its type says: it could not be read"


class UnsafeDocument(DocumentError):
    default = "the file unpacks to far more than its size (a zip bomb?): it was not opened"


def _mb(size: int) -> str:
    return f"{size / 1_000_000:.1f} MB" if size >= 100_000 else f"{size / 1000:.0f} kB"
