"""Storage: the SQLite library (source of truth), the Chroma dense index rebuilt from it, and the
records both hold."""

from ._index import DenseEntry, DenseIndex, DenseIndexError, IndexMismatchError, collection_name
from ._library import Library, LibraryError
from ._records import SHARED_SCOPE, Article, ChunkRecord, Extracted, Hit, SearchFilters, Statement
from ._sql import speaker_key
from ._sqlite import SqliteStore

__all__ = [
    "SHARED_SCOPE",
    "Article",
    "ChunkRecord",
    "DenseEntry",
    "DenseIndex",
    "DenseIndexError",
    "Extracted",
    "Hit",
    "IndexMismatchError",
    "Library",
    "LibraryError",
    "SearchFilters",
    "SqliteStore",
    "Statement",
    "collection_name",
    "speaker_key",
]
