"""Plain data passed between the ingestion and search stages."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

SHARED_SCOPE = "shared"


@dataclass(slots=True)
class Extracted:
    """An article as extraction leaves it: clean text plus whatever metadata the page gave.

    `published` is None when the page does not say; it is never guessed.
    """

    text: str
    title: str | None = None
    url: str | None = None
    published: datetime | None = None
    author: str | None = None
    site: str | None = None
    language: str | None = None
    description: str | None = None
    # Phrases that looked like instructions to a language model (prompt injection), for flagging.
    suspicious: list[str] = field(default_factory=list)


@dataclass(slots=True)
class Article:
    id: int
    url: str
    title: str
    outlet: str
    author: str | None
    published_at: datetime | None
    language: str | None
    text: str
    content_hash: str
    added_by: str
    added_at: datetime
    duplicate_of: int | None = None
    flags: str = ""
    chunk_count: int = 0

    def visible_to(self, scope: str) -> bool:
        """The privacy rule `visibility_sql` applies in queries, for an article already in hand."""
        return self.added_by in (scope, SHARED_SCOPE)


@dataclass(slots=True)
class Chunk:
    id: str
    article_id: int
    seq: int
    text: str


@dataclass(slots=True)
class Hit:
    """One retrieved passage, with the metadata a citation needs."""

    chunk_id: str
    article_id: int
    title: str
    url: str
    outlet: str
    published: datetime | None
    text: str
    score: float
    # Cosine similarity of the query and this chunk's vector: an absolute relevance signal, unlike `score`.
    similarity: float | None = None
    bm25: float | None = None
    # Found while the dense index was down, by keyword search alone.
    keyword_only: bool = False

    def as_dict(self) -> dict[str, object]:
        return {
            "chunk_id": self.chunk_id,
            "article_id": self.article_id,
            "title": self.title,
            "url": self.url,
            "outlet": self.outlet,
            "published": self.published.isoformat() if self.published else None,
            "text": self.text,
            "score": round(self.score, 6),
            "similarity": None if self.similarity is None else round(self.similarity, 4),
        }


@dataclass(slots=True)
class SearchFilters:
    since: datetime | None = None
    until: datetime | None = None
    outlet: str | None = None
    # The chat asking: it sees its own articles and the shared ones. None = everything.
    scope: str | None = None


@dataclass(slots=True)
class ChunkRecord:
    """A chunk with its article's metadata, as search and the dense index need it."""

    chunk_id: str
    article_id: int
    seq: int
    text: str
    title: str
    url: str
    outlet: str
    published: datetime | None
    added_by: str


@dataclass(slots=True)
class Statement:
    article_id: int
    speaker: str
    role: str | None
    text: str
    kind: str  # "quote" | "reported"
    said_on: datetime | None
    sentence: str
    id: int | None = None
    # An unnamed source ("a U.S. official", "officials"): `speaker` is a description, never a name.
    unnamed: bool = False
