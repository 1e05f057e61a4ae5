"""Storage: the SQLite library (source of truth), the Chroma dense index rebuilt from it, and the
records both hold."""

from ._feeds import MAX_ITEM_ATTEMPTS, FeedRecord, FollowRecord
from ._index import DenseEntry, DenseIndex, DenseIndexError, IndexMismatchError, collection_name
from ._library import Library, LibraryError
from ._records import SHARED_SCOPE, Article, ChunkRecord, Extracted, Hit, SearchFilters, Statement
from ._sentence_vectors import round_vectors, statement_texts
from ._sql import speaker_key
from ._sqlite import SqliteStore

__all__ = [
    "MAX_ITEM_ATTEMPTS",
    "SHARED_SCOPE",
    "Article",
    "ChunkRecord",
    "DenseEntry",
    "DenseIndex",
    "DenseIndexError",
    "Extracted",
    "FeedRecord",
    "FollowRecord",
    "Hit",
    "IndexMismatchError",
    "Library",
    "LibraryError",
    "SearchFilters",
    "SqliteStore",
    "Statement",
    "collection_name",
    "round_vectors",
    "speaker_key",
    "statement_texts",
]
