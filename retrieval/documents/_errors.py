"""Why a document cannot be stored, in words for the person who sent it.

Each error crosses from the reading process to the bot by pickling, so every class is built from its message
alone; the classmethods write the messages that carry figures.
"""

from __future__ import annotations

from retrieval.errors import BriefbotError


class DocumentError(BriefbotError):
    """A document that cannot be read; the message says why and what to do."""

    default = "the document could not be read"

    def __init__(self, message: str | None = None) -> None:
        super().__init__(message or self.default)

    def __reduce__(self) -> tuple[type[DocumentError], tuple[str]]:
        return type(self), (str(self),)


class UnsupportedDocument(DocumentError):
    default = "this kind of file is not read: send a PDF, a Word file (.docx), an HTML page or a text file"


class DocumentTooLarge(DocumentError):
    @classmethod
    def of(
        cls, size: int, limit: int, what: str = "the file", setting: str = "MAX_DOCUMENT_BYTES"
    ) -> DocumentTooLarge:
        return cls(f"{what} is too large: {_mb(size)} (the limit is {_mb(limit)}, {setting})")


class TooManyPages(DocumentError):
    @classmethod
    def of(cls, pages: int, limit: int) -> TooManyPages:
        return cls(f"the PDF has {pages:,} pages; the limit is {limit:,} (MAX_DOCUMENT_PAGES)")


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


class DocumentTimeout(DocumentError):
    @classmethod
    def of(cls, seconds: float) -> DocumentTimeout:
        return cls(f"reading the document took longer than {seconds:g}s: it was stopped")


class DocumentCrashed(DocumentError):
    default = "the document could not be read: reading it needed more memory than allowed, or failed"


def _mb(size: int) -> str:
    return f"{size / 1_000_000:.1f} MB" if size >= 100_000 else f"{size / 1000:.0f} kB"
