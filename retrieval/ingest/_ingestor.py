"""Ingestion: fetch or read, extract, dedupe, chunk, embed, store in the library, then in the dense index.

Order matters for crash safety: vectors are computed before anything is written, the library row is written
with `indexed = 0`, the dense index is upserted (idempotent ids), and only then is the article marked indexed.
Search ignores unindexed rows, and `resume()` finishes them after a crash.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Sequence
from datetime import datetime
from functools import partial
from pathlib import Path

from retrieval.chunking import passage_for_embedding
from retrieval.dedupe import overlap, shingles
from retrieval.documents import (
    DocumentCrashed,
    DocumentError,
    DocumentLimits,
    DocumentTimeout,
    DocumentTooLarge,
    document_kind,
    needs_own_process,
    read_document,
    read_limited,
)
from retrieval.embed import EmbeddingError
from retrieval.extract import ExtractError, extract_html, extract_text
from retrieval.fetch import FetchError
from retrieval.store import (
    SHARED_SCOPE,
    Article,
    ChunkRecord,
    DenseIndexError,
    Extracted,
    LibraryError,
)
from retrieval.urls import canonical_url, same_site

from ._prepared import (
    NEAR_DUPLICATE_OVERLAP,
    SUSPICIOUS,
    IngestResult,
    _article_files,
    _Pending,
    _twins,
    prepare,
    read_with_url,
)
from ._upkeep import BULK_STEP_TIMEOUT, REINDEX_BATCH_CHUNKS, IndexUpkeep

log = logging.getLogger(__name__)

# A folder is stored in batches of this many articles, or fewer once their text nears REINDEX_BATCH_CHUNKS
# passages (a passage is at most 200 tokens, about 150 words). Embedders re-batch internally (8 texts local,
# 64 over an API) and a Chroma upsert costs about the same for dozens of articles as for one, so bigger
# batches gain little, while they delay progress reports and widen what one failed embedder call fails.
FOLDER_BATCH_ARTICLES = 32
FOLDER_BATCH_WORDS = REINDEX_BATCH_CHUNKS * 150
# Documents read at once, each in a process of its own that may take DocumentLimits.memory_bytes.
PARALLEL_DOCUMENTS = 2


class Ingestor(IndexUpkeep):
    """Intake: links, texts, documents, files and folders become stored, indexed articles."""

    # Set by the composition root from the settings (MAX_DOCUMENT_BYTES and the rest).
    document_limits = DocumentLimits()
    _document_slots: asyncio.Semaphore | None = None

    # ---- entry points -----------------------------------------------------------------------------------

    async def ingest_url(self, url: str, *, added_by: str = SHARED_SCOPE) -> IngestResult:
        if self.fetcher is None:
            return IngestResult(url, "failed", reason="fetching links is not configured")
        try:
            # Checked before anything is looked up: a refused link never learns what is stored.
            self.fetcher.check(url)
            canon = canonical_url(url)
        except FetchError as exc:
            return IngestResult(url, "failed", reason=str(exc))
        except ValueError as exc:
            return IngestResult(url, "failed", reason=f"not a valid URL: {exc}")
        existing = await self.library.find_by_url(canon, scope=added_by)
        if existing is not None:
            return self._already(url, existing)
        extracted = await self.read_url(url)
        if isinstance(extracted, IngestResult):
            return extracted
        return (await self.ingest_many([extracted], added_by=added_by, sources=[url]))[0]

    async def read_url(self, url: str) -> Extracted | IngestResult:
        """The article at `url`, fetched and extracted but not stored (for any scope yet); or why not (a
        failed result). Followed feeds read an item's page once, then store it for each follower."""
        if self.fetcher is None:
            return IngestResult(url, "failed", reason="fetching links is not configured")
        try:
            page = await self.fetcher.fetch(url)
        except FetchError as exc:
            return IngestResult(url, "failed", reason=str(exc))
        if page.content_type == "text/plain":
            job = partial(extract_text, page.text(), url=page.final_url)
        else:
            job = partial(extract_html, page.body, url=page.final_url)
        extracted = await self._extract(url, job)
        if isinstance(extracted, IngestResult):
            return extracted
        # Known by where it was fetched from: the page's own canonical address counts only on that site.
        if not extracted.url or not same_site(extracted.url, page.final_url):
            extracted.url = page.final_url
        return extracted

    async def ingest_text(
        self,
        text: str,
        *,
        url: str | None = None,
        title: str | None = None,
        published: datetime | None = None,
        outlet: str | None = None,
        added_by: str = SHARED_SCOPE,
    ) -> IngestResult:
        """Raw text, e.g. a forwarded Telegram post; the caller supplies whatever metadata it knows."""
        extracted = await self.read_text(text, url=url, title=title, published=published, outlet=outlet)
        if isinstance(extracted, IngestResult):
            return extracted
        return (await self.ingest_many([extracted], added_by=added_by, sources=[url or "text"]))[0]

    async def read_text(
        self,
        text: str,
        *,
        url: str | None = None,
        title: str | None = None,
        published: datetime | None = None,
        outlet: str | None = None,
    ) -> Extracted | IngestResult:
        """Raw text read as an article (cleaned, checked for planted instructions) but not stored yet."""
        extracted = await self._extract(
            url or "text", partial(extract_text, text, url=url, title=title, published=published)
        )
        if isinstance(extracted, IngestResult):
            return extracted
        if outlet:
            extracted.site = outlet
        return extracted

    async def ingest_path(
        self,
        path: Path,
        *,
        added_by: str = SHARED_SCOPE,
        progress: Callable[[IngestResult], None] | None = None,
        on_total: Callable[[int], None] | None = None,
    ) -> list[IngestResult]:
        """A file, or a directory searched recursively for .html/.htm/.txt/.md files.

        `on_total` hears how many files were found, before the first is read (a progress bar's length).

        Files are read and extracted one by one but stored in batches through `ingest_many`, so a folder
        costs an embedder call and an index write per batch, not per file. Results are in file order, one
        per file; `progress` gets each in that order, once the file's batch is done.
        """
        path = Path(path)
        files = await asyncio.to_thread(_article_files, path)  # a walk of a whole tree takes a while
        if files is None:
            return [IngestResult(str(path), "failed", reason="no such file or directory")]
        if not files:
            reason = "no .pdf, .docx, .html, .htm, .txt or .md files in this folder"
            return [IngestResult(str(path), "failed", reason=reason)]
        if on_total:
            on_total(len(files))
        results: list[IngestResult | None] = [None] * len(files)
        reported = 0
        batch: list[tuple[int, Extracted]] = []
        words = 0

        def report() -> None:
            nonlocal reported
            while reported < len(results) and (done := results[reported]) is not None:
                if progress:
                    progress(done)
                reported += 1

        async def flush() -> None:
            nonlocal words
            if batch:
                sources = [str(files[pos]) for pos, _ in batch]
                stored = await self.ingest_many([x for _, x in batch], added_by=added_by, sources=sources)
                for (pos, _), result in zip(batch, stored, strict=True):
                    results[pos] = result
                batch.clear()
                words = 0
            report()

        for pos, file in enumerate(files):
            item = await self.read_file(file)
            if isinstance(item, IngestResult):
                results[pos] = item
                report()
                continue
            batch.append((pos, item))
            words += len(item.text.split())
            if len(batch) >= FOLDER_BATCH_ARTICLES or words >= FOLDER_BATCH_WORDS:
                await flush()
        await flush()
        return [r if r is not None else IngestResult("?", "failed", reason="internal error") for r in results]

    async def ingest_file(self, file: Path, *, added_by: str = SHARED_SCOPE) -> IngestResult:
        item = await self.read_file(file)
        if isinstance(item, IngestResult):
            return item
        return (await self.ingest_many([item], added_by=added_by, sources=[str(file)]))[0]

    async def read_file(self, file: Path) -> Extracted | IngestResult:
        """One file read and extracted, not yet stored; or why it cannot be (a failed result). Its bytes
        tell what it is (PDF, Word, HTML or text), whatever its name says."""
        source = str(file)
        try:
            size = await asyncio.to_thread(lambda: file.stat().st_size)
            if size > self.document_limits.max_bytes:
                # Refused before it is read into memory.
                reason = str(DocumentTooLarge.of(size, self.document_limits.max_bytes))
                return IngestResult(source, "failed", reason=reason)
            raw, file_url = await asyncio.to_thread(read_with_url, file)
        except OSError as exc:
            return IngestResult(source, "failed", reason=f"cannot read file: {exc.strerror or exc}")
        extracted = await self.read_document(raw, file.name, source=source)
        if isinstance(extracted, IngestResult):
            return extracted
        if not extracted.url:
            extracted.url = file_url
            extracted.site = extracted.site or "local file"
        return extracted

    async def read_document(self, data: bytes, name: str | None, *, source: str) -> Extracted | IngestResult:
        """A document's bytes read under `document_limits`; or why not.

        PDF and Word files go to a process of their own with a memory cap (their parsers are native code
        fed untrusted files). HTML and text are read by the extraction workers, as fetched pages are: a
        folder of a thousand text files must not start a thousand processes.
        """
        limits = self.document_limits
        if not needs_own_process(data):
            await self.priority.bulk_turn()
            try:
                return await self.workers.run(read_document, data, name, limits, timeout=limits.seconds)
            except TimeoutError:
                return IngestResult(source, "failed", reason=str(DocumentTimeout.of(limits.seconds)))
            except DocumentError as exc:
                return IngestResult(source, "failed", reason=str(exc))
            except Exception as exc:  # WorkerCrashed included: the next job gets a new worker
                log.warning("reading %s crashed: %s", source, type(exc).__name__)
                return IngestResult(source, "failed", reason=str(DocumentCrashed()))
        if self._document_slots is None:
            self._document_slots = asyncio.Semaphore(PARALLEL_DOCUMENTS)
        async with self._document_slots:
            await self.priority.bulk_turn()
            try:
                return await asyncio.to_thread(read_limited, data, name, limits)
            except DocumentError as exc:
                return IngestResult(source, "failed", reason=str(exc))

    async def ingest_document(
        self,
        data: bytes,
        name: str | None,
        *,
        added_by: str = SHARED_SCOPE,
        url: str | None = None,
        outlet: str | None = None,
        published: datetime | None = None,
    ) -> IngestResult:
        """A document sent to the bot: stored under its own title or else its file name; `url`, `outlet`
        and `published` are what the caller knows of where it came from (a channel it was forwarded from)."""
        source = name or "document"
        extracted = await self.read_document(data, name, source=source)
        if isinstance(extracted, IngestResult):
            return extracted
        extracted.url = url
        extracted.site = outlet or document_kind(data) or "document"
        extracted.published = extracted.published or published
        return (await self.ingest_many([extracted], added_by=added_by, sources=[source]))[0]

    async def _extract(self, source: str, job: Callable[[], Extracted]) -> Extracted | IngestResult:
        """`job` (a picklable call of an extraction function) in a worker process, which the time limit
        kills: a page that keeps the extractor busy for minutes gets its card, and its core back."""
        await self.priority.bulk_turn()
        try:
            return await self.workers.run(job, timeout=self.extract_timeout)
        except TimeoutError:
            # :g, not :.0f, so a sub-second limit does not read "longer than 0s".
            return IngestResult(
                source, "failed", reason=f"extraction took longer than {self.extract_timeout:g}s"
            )
        except ExtractError as exc:
            return IngestResult(source, "failed", reason=str(exc) or "no article text found")
        except Exception as exc:  # WorkerCrashed included: the next job gets a new worker
            log.warning("extraction crashed on %s: %s", source, type(exc).__name__)
            return IngestResult(source, "failed", reason="the page could not be read as an article")

    @staticmethod
    def _already(source: str, existing: Article) -> IngestResult:
        """The adder can see this article already (its own, or shared): nothing is stored or granted."""
        return IngestResult(source, "duplicate", article=existing, chunks=existing.chunk_count)

    # ---- the batch pipeline -----------------------------------------------------------------------------

    async def ingest_many(
        self,
        items: Sequence[Extracted],
        *,
        added_by: str = SHARED_SCOPE,
        sources: Sequence[str] | None = None,
    ) -> list[IngestResult]:
        """Ingest already-extracted articles; embedding is batched across them for throughput."""
        sources = list(sources) if sources is not None else [i.url or i.title or "text" for i in items]
        results: list[IngestResult | None] = [None] * len(items)
        pending: list[tuple[int, _Pending]] = []
        for pos, (item, source) in enumerate(zip(items, sources, strict=True)):
            # Hashing and shingling a long text takes a while: off the event loop, after any question.
            await self.priority.bulk_turn()
            prepared = await self.workers.run(prepare, item, source, added_by, timeout=BULK_STEP_TIMEOUT)
            if isinstance(prepared, IngestResult):
                results[pos] = prepared
                continue
            # Twins inside one batch are caught by the re-check under the write lock in _write_row.
            existing = await self.library.find_existing(prepared.url, prepared.hash, scope=added_by)
            if existing is not None:
                results[pos] = self._already(source, existing)
                continue
            pending.append((pos, prepared))

        to_index: list[tuple[int, _Pending]] = []
        first_round: list[_Pending] = []
        later: list[tuple[int, _Pending]] = []
        for pos, p in pending:
            if any(_twins(p, q) for q in first_round):
                # Its twin is earlier in this batch and not in the library yet: it waits for a second round,
                # so it ends as a duplicate or linked copy of the twin, as it would had it come on its own.
                later.append((pos, p))
                continue
            first_round.append(p)
            twin = await self._near_duplicate(p)
            if twin is not None:
                results[pos] = await self._store_near_duplicate(p, twin)
            else:
                await self.priority.bulk_turn()
                p.pieces = await asyncio.to_thread(self._pieces, p.searchable)
                if self.max_passages is not None and len(p.pieces) > self.max_passages:
                    results[pos] = IngestResult(p.source, "failed", reason=self._too_long(len(p.pieces)))
                    continue
                to_index.append((pos, p))

        stored: list[tuple[int, _Pending, Article, object]] = []
        for pos, p, vectors in await self._embed_pending(to_index, results):
            row = await self._write_row(p)
            if isinstance(row, IngestResult):
                results[pos] = row
            else:
                stored.append((pos, p, row, vectors))
        for pos, result in await self._index_batch(stored):
            results[pos] = result
        if later:
            again = await self.ingest_many(
                [p.extracted for _, p in later], added_by=added_by, sources=[p.source for _, p in later]
            )
            for (pos, _), result in zip(later, again, strict=True):
                results[pos] = result
        return [r if r is not None else IngestResult("?", "failed", reason="internal error") for r in results]

    async def _embed_pending(
        self, items: list[tuple[int, _Pending]], results: list[IngestResult | None]
    ) -> list[tuple[int, _Pending, object]]:
        """Each article's chunk vectors, from one embedder call for the whole batch.

        If that call fails, each article is embedded on its own, so an input an API rejects (too long, say)
        fails its own article, not the batch. Two other failures in a row mean the endpoint itself is
        failing: the articles left fail with its reason, without a call each.
        """
        out: list[tuple[int, _Pending, object]] = []
        fresh: list[tuple[int, _Pending]] = []
        for pos, p in items:
            reused = await self._vectors_of_copy(p)
            if reused is not None:
                out.append((pos, p, reused))
            else:
                fresh.append((pos, p))
        texts = [passage_for_embedding(p.title, piece) for _, p in fresh for piece in p.pieces]
        if not texts:
            return out
        try:
            vectors = await self._embed(texts)
        except EmbeddingError as exc:
            if len(fresh) == 1:
                results[fresh[0][0]] = IngestResult(fresh[0][1].source, "failed", reason=str(exc))
                return out
            return out + await self._embed_one_by_one(fresh, results, str(exc))
        offset = 0
        for pos, p in fresh:
            out.append((pos, p, vectors[offset : offset + len(p.pieces)]))
            offset += len(p.pieces)
        return out

    async def _vectors_of_copy(self, p: _Pending) -> object | None:
        """The vectors of an indexed article with this very text and title, if the dense index has them all.

        Another scope's copy of the same page gets its own row, passages and vectors; when the text, title
        and passages are identical, so are the vectors, and they are copied rather than computed again.
        Nothing of the other copy is shown: its vectors only.
        """
        import numpy as np

        twin = await self.library.indexed_copy(p.hash, p.title)
        if twin is None:
            return None
        records = await self.library.article_chunks(twin.id)
        if [r.text for r in records] != p.pieces:
            return None
        try:
            found = await self.index.vectors([r.chunk_id for r in records])
        except DenseIndexError:
            return None
        if len(found) != len(records):
            return None
        return np.vstack([found[r.chunk_id] for r in records])

    async def _embed_one_by_one(
        self, items: list[tuple[int, _Pending]], results: list[IngestResult | None], reason: str
    ) -> list[tuple[int, _Pending, object]]:
        out: list[tuple[int, _Pending, object]] = []
        misses = 0
        for pos, p in items:
            if misses >= 2:
                results[pos] = IngestResult(p.source, "failed", reason=reason)
                continue
            try:
                vectors = await self._embed([passage_for_embedding(p.title, x) for x in p.pieces])
            except EmbeddingError as exc:
                results[pos] = IngestResult(p.source, "failed", reason=str(exc))
                # A refused input shows the endpoint answering; only other failures count towards "down".
                misses, reason = (0, reason) if exc.rejected_input else (misses + 1, str(exc))
                continue
            misses = 0
            out.append((pos, p, vectors))
        return out

    async def _near_duplicate(self, p: _Pending) -> Article | None:
        """A near-duplicate the adder can already see. One in another scope is no twin: filing the new copy
        under it would show the adder that scope's text, title and address."""
        for candidate in await self.library.candidates_by_bands(p.bands, scope=p.added_by):
            theirs = await asyncio.to_thread(shingles, candidate.text)
            if overlap(p.shingles, theirs) >= NEAR_DUPLICATE_OVERLAP:
                return candidate
        return None

    def _too_long(self, passages: int) -> str:
        return (
            f"the article is too long to store: {passages} passages (about {passages * 150:,} words); "
            f"the limit is {self.max_passages} (MAX_PASSAGES_PER_ARTICLE)"
        )

    def _flags(self, p: _Pending) -> str:
        return SUSPICIOUS if p.extracted.suspicious else ""

    async def _store_near_duplicate(self, p: _Pending, twin: Article) -> IngestResult:
        async with self._write_lock:
            try:
                article = await self.library.add_article(
                    url=p.url, title=p.title, outlet=p.outlet, author=p.extracted.author,
                    published_at=p.extracted.published, language=p.extracted.language, text=p.extracted.text,
                    content_hash=p.hash, added_by=p.added_by, duplicate_of=twin.id, flags=self._flags(p),
                )  # fmt: skip
            except LibraryError:
                existing = await self.library.find_existing(p.url, p.hash, scope=p.added_by)
                if existing is None:
                    raise
                return self._already(p.source, existing)
        return IngestResult(p.source, "near_duplicate", article=article, duplicate_of=twin)

    async def _write_row(self, p: _Pending) -> Article | IngestResult:
        """The library row and its chunks, still invisible to search (`indexed = 0`)."""
        async with self._write_lock:
            existing = await self.library.find_existing(p.url, p.hash, scope=p.added_by)
            if existing is not None:
                return self._already(p.source, existing)
            try:
                return await self.library.add_article(
                    url=p.url, title=p.title, outlet=p.outlet, author=p.extracted.author,
                    published_at=p.extracted.published, language=p.extracted.language,
                    text=p.extracted.text, content_hash=p.hash, added_by=p.added_by, chunks=p.pieces,
                    bands=p.bands, flags=self._flags(p),
                )  # fmt: skip
            except LibraryError:
                # Another process (the CLI beside the bot) stored the same link or text since the check
                # above: the schema's uniqueness caught it, and it is a duplicate like any other.
                existing = await self.library.find_existing(p.url, p.hash, scope=p.added_by)
                if existing is None:
                    raise
                return self._already(p.source, existing)

    async def _index_batch(
        self, stored: list[tuple[int, _Pending, Article, object]]
    ) -> list[tuple[int, IngestResult]]:
        """Upsert the vectors of several stored articles at once, then mark each indexed.

        One dense-index write per batch instead of one per article: a Chroma upsert costs about as much for
        one article as for dozens. If the batch write fails, each article is tried alone, so one bad article
        is rolled back without taking the others with it.
        """
        import numpy as np

        if not stored:
            return []
        records: list[ChunkRecord] = []
        for _, _, article, _ in stored:
            records.extend(await self.library.article_chunks(article.id))
        try:
            joined = np.vstack([np.asarray(v) for _, _, _, v in stored])
            await self.index.upsert(self._entries(records), joined)
            batch_ok = True
        except Exception as exc:  # any failure: fall back to one article at a time below
            log.warning("batch index write failed (%s); indexing articles one by one", exc)
            batch_ok = False
        if batch_ok:
            # Before the articles become visible: the first answer that cites them finds their sentences.
            await self.store_sentences(records)
        out: list[tuple[int, IngestResult]] = []
        for pos, p, article, vectors in stored:
            try:
                # Statements before the article becomes visible: a crash in between leaves it pending, and
                # resume() extracts them again (replacing), so no indexed article ever lacks them.
                statements = await self._extract_statements(article)
                if batch_ok:
                    await self.library.mark_indexed(article.id)
                else:
                    await self._index_article(article, vectors)
            except Exception as exc:  # roll back so nothing is half-stored
                log.warning("indexing article %s failed: %s", article.id, exc)
                await self.library.delete_article(article.id)
                with contextlib.suppress(Exception):
                    await self.index.delete_article(article.id)
                reason = f"could not index the article: {exc}"
                out.append((pos, IngestResult(p.source, "failed", reason=reason)))
                continue
            stored_article = await self.library.get_article(article.id) or article
            result = IngestResult(
                p.source, "added", article=stored_article, chunks=len(p.pieces), statements=statements
            )
            out.append((pos, result))
        return out
