"""An extracted article made ready to store: its address, title, outlet, hash and shingles, and the text
that may become passages. `prepare` runs in the extraction workers, so it takes and returns plain data."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from retrieval.dedupe import bands, content_hash, overlap, shingles
from retrieval.extract import _injection, without_instructions
from retrieval.store import (
    Article,
    Extracted,
)
from retrieval.urls import canonical_url, host_of, title_from_url

NEAR_DUPLICATE_OVERLAP = 0.85
MIN_WORDS = 12
# What a folder is searched for. A file named on its own is read whatever its name: its bytes tell its type.
FILE_SUFFIXES = (".html", ".htm", ".txt", ".md", ".pdf", ".docx")
# The article flag for text that addresses a language model.
SUSPICIOUS = "suspicious-instructions"


def passage_text(item: Extracted) -> str:
    """The text that becomes searchable passages: without paragraphs that address a language model.

    Such paragraphs stay in the stored article (which is flagged), but no writer reads, quotes or cites them:
    otherwise a model that obeyed one could cite the paragraph itself as support for what it was told to say.
    """
    return without_instructions(item.text) if item.suspicious else item.text


def readable_text(article: Article) -> str:
    """A stored article's text as statements and digests may use it: `passage_text`'s rule, for an article
    already stored (flagged as SUSPICIOUS when it held such paragraphs)."""
    return without_instructions(article.text) if SUSPICIOUS in (article.flags or "") else article.text


def read_with_url(file: Path) -> tuple[bytes, str]:
    """The file's bytes and its file:// URL. Both touch the disk, so callers run this in a thread."""
    return file.read_bytes(), file.resolve().as_uri()


@dataclass(slots=True)
class IngestResult:
    """What happened to one input. `status`: added | duplicate | near_duplicate | failed."""

    source: str
    status: str
    article: Article | None = None
    chunks: int = 0
    reason: str | None = None
    duplicate_of: Article | None = None
    statements: int = 0

    @property
    def ok(self) -> bool:
        return self.status != "failed"


@dataclass(slots=True)
class _Pending:
    source: str
    extracted: Extracted
    added_by: str
    url: str
    outlet: str
    title: str
    hash: str
    bands: list[int]
    shingles: set[int]
    searchable: str  # the text passages are cut from: `passage_text`
    pieces: list[str] = field(default_factory=list)


def _article_files(path: Path) -> list[Path] | None:
    """The article files at `path`: itself, or those in the tree below it, sorted; None if it is neither."""
    if path.is_dir():
        return sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in FILE_SUFFIXES)
    return [path] if path.is_file() else None


def _twins(a: _Pending, b: _Pending) -> bool:
    """Whether `a` would be a duplicate or near-duplicate of `b` once `b` is stored."""
    if a.url == b.url or a.hash == b.hash:
        return True
    shared_band = not set(a.bands).isdisjoint(b.bands)
    return shared_band and overlap(a.shingles, b.shingles) >= NEAR_DUPLICATE_OVERLAP


def prepare(item: Extracted, source: str, added_by: str) -> _Pending | IngestResult:
    """An extracted item made ready to store: its address, title, outlet, hash and shingles. Bulk work that
    takes a while on a long text: ingestors run it in their worker processes."""
    text = (item.text or "").strip()
    searchable = passage_text(item)
    if len(text.split()) < MIN_WORDS or len(searchable.split()) < MIN_WORDS:
        return IngestResult(source, "failed", reason="too little article text to store")
    url = canonical_url(item.url) if item.url else f"text:{content_hash(text)[:16]}"
    title = (item.title or "").strip()
    if not title and (title := title_from_url(item.url, text) or ""):
        # A derived title is read like any other: a slug can carry planted instructions too.
        item.suspicious = [*item.suspicious, *_injection.find(title)]
    title = title or text.split("\n", 1)[0][:90]
    outlet = (item.site or "").strip() or host_of(url) or "unknown"
    marks = shingles(text)
    return _Pending(
        source=source, extracted=item, added_by=added_by, url=url, outlet=outlet, title=title,
        hash=content_hash(text), bands=bands(marks), shingles=marks, searchable=searchable,
    )  # fmt: skip
