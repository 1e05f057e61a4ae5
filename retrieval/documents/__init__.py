"""Documents sent or given to the bot (PDF, Word .docx, HTML, text) become articles: the type is told by the
file's bytes, the text read in a child process with caps on memory and time, page furniture and hyphenation
taken out of PDFs, and the title taken from the document or else its file name."""

from ._errors import (
    CorruptDocument,
    DocumentCrashed,
    DocumentError,
    DocumentTimeout,
    DocumentTooLarge,
    EncryptedDocument,
    ScannedDocument,
    TooManyPages,
    UnsafeDocument,
    UnsupportedDocument,
)
from ._read import KIND_NAMES, DocumentLimits, clean_name, document_kind, needs_own_process, read_document
from ._sandbox import read_limited

__all__ = [
    "KIND_NAMES",
    "CorruptDocument",
    "DocumentCrashed",
    "DocumentError",
    "DocumentLimits",
    "DocumentTimeout",
    "DocumentTooLarge",
    "EncryptedDocument",
    "ScannedDocument",
    "TooManyPages",
    "UnsafeDocument",
    "UnsupportedDocument",
    "clean_name",
    "document_kind",
    "needs_own_process",
    "read_document",
    "read_limited",
]
