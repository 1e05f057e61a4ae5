"""The index side of ingestion: embedding stored articles into the dense index, and keeping the two in
step (finishing articles a crash left half-done, re-indexing, re-reading statements, forgetting).

`Ingestor` builds on this with the intake of new articles.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from retrieval.chunking import Chunker, passage_for_embedding
from retrieval.dedupe import bands, shingles
from retrieval.embed import Embedder
from retrieval.fetch import Fetcher
from retrieval.priority import Priority
from retrieval.store import (
    Article,
    ChunkRecord,
    DenseEntry,
    DenseIndex,
    DenseIndexError,
    Library,
    Statement,
    statement_texts,
)
from retrieval.text import passage_sentences

from ._prepared import article_languages, passage_languages, readable_text
from ._workers import ExtractionWorkers, shared_workers

if TYPE_CHECKING:
    import numpy as np

log = logging.getLogger(__name__)

REINDEX_BATCH_CHUNKS = 256
# Sentences are short (a passage holds seven or eight): this many go to the model per bulk step, about the
# tokens of one bulk batch of passages, so a question still waits at most one such step for the model.
SENTENCE_STEP = 64
# Hashing, shingling or reading statements of the longest article the fetcher lets in takes seconds; a step
# far past that is a worker stuck on something, and is stopped.
BULK_STEP_TIMEOUT = 120.0

StatementExtractor = Callable[[Article], list[Statement]]


class IndexUpkeep:
    def __init__(
        self,
        library: Library,
        index: DenseIndex,
        embedder: Embedder,
        fetcher: Fetcher | None = None,
        *,
        chunker: Chunker | None = None,
        extract_timeout: float = 20.0,
        statement_extractor: StatementExtractor | None = None,
        priority: Priority | None = None,
        max_passages: int | None = None,
        workers: ExtractionWorkers | None = None,
    ) -> None:
        self.library = library
        self.index = index
        self.embedder = embedder
        self.fetcher = fetcher
        # Leave headroom under the model window for the title line prepended when embedding.
        self.chunker = chunker or Chunker(
            embedder.count_tokens, max_tokens=min(200, embedder.max_tokens - 40)
        )
        self.extract_timeout = extract_timeout
        self.statement_extractor = statement_extractor
        # Questions go first: every CPU-heavy step below waits its turn (see retrieval.priority).
        self.priority = priority or Priority()
        self.max_passages = max_passages
        self.workers = workers or shared_workers()
        #: Statement extractions that failed in this process (the article kept what it had).
        self.statement_failures = 0
        self._write_lock = asyncio.Lock()

    @property
    def sentence_model(self) -> Embedder:
        """The model the writer and the citation check compare sentences with (MiniLM in the ensemble)."""
        return self.embedder.sentence_model()

    def _pieces(self, text: str) -> list[str]:
        return [c.text for c in self.chunker.split(text)]

    async def reextract_statements(self) -> tuple[int, int]:
        """Extract every stored article's statements again (replacing the old ones), after the extractor
        changed.
        Returns how many articles were read and how many of those failed; one that fails keeps its old
        statements and is logged."""
        done, failed_before = 0, self.statement_failures
        for article_id in await self.library.indexed_article_ids():
            article = await self.library.get_article(article_id)
            if article is not None:
                await self._extract_statements(article)
                done += 1
        return done, self.statement_failures - failed_before

    async def _languages(self, pieces: list[str], article_language: str | None) -> list[str]:
        """The passages' languages, detected in a worker; left undetected (NULL, for `fill_languages` at the
        next start) if that fails: a language is worth less than the article."""
        try:
            await self.priority.bulk_turn()
            return await self.workers.run(
                passage_languages, pieces, article_language, timeout=BULK_STEP_TIMEOUT
            )
        except Exception as exc:
            log.warning("language detection failed: %s", exc)
            return []

    async def fill_languages(self) -> int:
        """Detect the language of stored passages that have none (a library from before passages had one),
        and their articles' from their text. Returns how many articles were done."""
        done = 0
        for article_id in await self.library.articles_without_language():
            article = await self.library.get_article(article_id)
            if article is None:
                continue
            records = await self.library.article_chunks(article_id)
            try:
                await self.priority.bulk_turn()
                language, found = await self.workers.run(
                    article_languages, readable_text(article), article.title, article.language,
                    [r.text for r in records], timeout=BULK_STEP_TIMEOUT,
                )  # fmt: skip
            except Exception as exc:
                log.warning("language detection failed on article %s: %s", article_id, exc)
                continue
            await self.library.set_languages(
                article_id, language, [(r.chunk_id, lang) for r, lang in zip(records, found, strict=True)]
            )
            done += 1
        return done

    async def _extract_statements(self, article: Article) -> int:
        if self.statement_extractor is None:
            return 0
        # What addresses a model is not news: nobody's "statement" may come from planted instructions.
        article = dataclasses.replace(article, text=readable_text(article))
        try:
            await self.priority.bulk_turn()
            found = await self.workers.run(self.statement_extractor, article, timeout=BULK_STEP_TIMEOUT)
            stored = await self.library.add_statements(found, replace=article.id)
        except Exception as exc:  # statements are a bonus; the article stays
            log.warning("statement extraction failed on article %s: %s", article.id, exc)
            self.statement_failures += 1
            return 0
        await self.store_statement_vectors(article.id)
        return stored

    async def store_statement_vectors(self, article_id: int) -> int:
        """Embed what a stance timeline compares for each of the article's statements (its words, sentence
        and title) and store it with the statement, as `store_sentences` does for passages."""
        model = self.sentence_model
        if not model.local:
            return 0
        try:
            todo = await self.library.statements_without_vectors(model.id, article_id)
            if not todo:
                return 0
            texts = [statement_texts(s, title) for s, title in todo]
            vectors = await self._embed([t for group in texts for t in group], model, SENTENCE_STEP)
            rows, offset = [], 0
            for (statement, title), group in zip(todo, texts, strict=True):
                rows.append((statement, title, vectors[offset : offset + len(group)]))
                offset += len(group)
            return await self.library.put_statement_vectors(model.id, rows)
        except Exception as exc:
            log.warning("could not store the statement vectors of article %s: %s", article_id, exc)
            return 0

    @staticmethod
    def _entries(records: Sequence[ChunkRecord]) -> list[DenseEntry]:
        return [
            DenseEntry(
                chunk_id=r.chunk_id,
                article_id=r.article_id,
                published_ts=int(r.published.timestamp()) if r.published else None,
                outlet=r.outlet,
                scope=r.added_by,
            )
            for r in records
        ]

    async def _index_article(self, article: Article, vectors: object) -> None:
        import numpy as np

        assert isinstance(vectors, np.ndarray)
        records = await self.library.article_chunks(article.id)
        await self.index.upsert(self._entries(records), vectors)
        await self.store_sentences(records)
        await self.library.mark_indexed(article.id)

    async def store_sentences(self, records: Sequence[ChunkRecord]) -> int:
        """Embed the sentences of these passages with the sentence model and store them beside the chunks,
        so answers read them instead of embedding them (`SentenceVectorTable`). Only with a model that runs
        here: through an API, the answers that need a passage embed its sentences (and store them). A cache:
        on failure the article is stored all the same. Returns how many passages got their vectors."""
        model = self.sentence_model
        if not model.local or not records:
            return 0
        per_chunk = [passage_sentences(r.text) for r in records]
        try:
            flat = [s for sentences in per_chunk for s in sentences]
            vectors = await self._embed(flat, model, SENTENCE_STEP)
            rows, offset = [], 0
            for record, sentences in zip(records, per_chunk, strict=True):
                rows.append((record.chunk_id, record.text, vectors[offset : offset + len(sentences)]))
                offset += len(sentences)
            return await self.library.put_sentence_vectors(model.id, rows)
        except Exception as exc:
            log.warning("could not store the sentence vectors of %s passages: %s", len(records), exc)
            return 0

    # ---- repair -----------------------------------------------------------------------------------------

    async def _embed(
        self, texts: list[str], model: Embedder | None = None, step: int | None = None
    ) -> np.ndarray:
        """Passages (by default; or sentences, with `model` and `step`) embedded a few at a time, each step
        after any question in flight: a question never queues behind a whole article (or a reindex batch)
        for the model."""
        import numpy as np

        model = model or self.embedder
        step = max(1, step or model.bulk_batch)
        parts = []
        for start in range(0, len(texts), step):
            await self.priority.bulk_turn()
            parts.append(await model.embed(texts[start : start + step]))
        return np.vstack(parts) if parts else np.zeros((0, model.dim), dtype=np.float32)

    async def _embed_records(self, article: Article) -> object:
        records = await self.library.article_chunks(article.id)
        return await self._embed([passage_for_embedding(article.title, r.text) for r in records])

    async def resume(self) -> int:
        """Finish articles a crash left stored but unindexed, and copies unlinked from a forgotten twin.
        Returns how many were completed."""
        done = 0
        for article_id in await self.library.pending_articles():
            done += await self._complete(article_id)
        return done

    async def _complete(self, article_id: int) -> int:
        """Embed and index one stored, unindexed article; one without passages is cut into them first."""
        article = await self.library.get_article(article_id)
        if article is None:
            return 0
        try:
            if article.chunk_count == 0:
                pieces = await asyncio.to_thread(self._pieces, readable_text(article))
                marks = await asyncio.to_thread(lambda: bands(shingles(article.text)))
                languages = await self._languages(pieces, article.language)
                await self.library.set_passages(article.id, pieces, marks, languages)
            vectors = await self._embed_records(article)
            await self._extract_statements(article)
            await self._index_article(article, vectors)
            return 1
        except Exception as exc:
            log.warning("could not finish indexing article %s: %s", article_id, exc)
            return 0

    async def reindex(
        self,
        progress: Callable[[int, int], None] | None = None,
        *,
        only_missing: bool = False,
        reset: bool = True,
        into: str | None = None,
    ) -> int:
        """Rebuild the dense index from the library. Returns the number of chunks embedded.

        `reset` builds a new collection and puts it in place of the old one only once it is complete: the
        cure for damaged vectors or a corrupt HNSW segment, and the old index keeps serving until then, or
        for good if embedding fails half-way. `into` gives the new collection another name than the old one
        (vectors of a new embedder build), and the old one is then dropped. Without `reset`, vectors are
        upserted over what is there and stray ones removed; `only_missing` then re-embeds only the articles
        whose vectors are not all present.
        """
        import numpy as np

        target = await self.index.shadow() if reset else self.index
        present = set() if reset else await self.index.chunk_ids()
        wanted: set[str] = set()
        # An article another process is storing has its vectors written before it is marked indexed: they
        # are not strays. Read after the snapshot above and before the indexed list below, so an article
        # marked indexed in between is in one of the two.
        for article_id in await self.library.pending_articles() if present else []:
            wanted.update(r.chunk_id for r in await self.library.article_chunks(article_id))
        todo: list[list[ChunkRecord]] = []
        for records in (await self.library.indexed_chunks()).values():
            wanted.update(r.chunk_id for r in records)
            if not (only_missing and all(r.chunk_id in present for r in records)):
                todo.append(records)
        await self.index.delete_chunks(sorted(present - wanted))
        # Stored sentence vectors stay valid through a rebuild (the same passages, the same sentence model,
        # and a row that no longer lines up with its passage is never read): only the missing are embedded.
        sentences = self.sentence_model
        have = await self.library.sentence_vector_chunks(sentences.id) if sentences.local else set()
        total = done = 0
        while done < len(todo):
            # Several articles per embedder call and per index write, as ingest_many does.
            group: list[list[ChunkRecord]] = []
            while done < len(todo) and (not group or sum(len(r) for r in group) < REINDEX_BATCH_CHUNKS):
                group.append(todo[done])
                done += 1
            texts = [passage_for_embedding(r.title, r.text) for records in group for r in records]
            vectors = await self._embed(texts)
            entries = [e for records in group for e in self._entries(records)]
            try:
                await target.upsert(entries, np.asarray(vectors))
            except Exception as exc:
                if target is self.index:
                    raise
                raise DenseIndexError(
                    f"the rebuild stopped, its new collection is gone (another rebuild started?): {exc}"
                ) from exc
            await self.store_sentences([r for records in group for r in records if r.chunk_id not in have])
            for records in group:
                await self.store_statement_vectors(records[0].article_id)
            total += len(texts)
            if progress:
                progress(done, len(todo))
        if reset:
            await self.index.take_over(target, name=into)
            # Vectors of a sentence model no longer in use go with the old index.
            await self.library.drop_sentence_vectors(keep_model=sentences.id)
            # Another process sharing a Chroma server may have stored or forgotten articles in the old
            # collection while this ran; this pass adds the missing, removes the strays and finishes pending
            # articles.
            return total + await self.reindex(only_missing=True, reset=False)
        await self.resume()
        return total

    async def forget(self, article_id: int) -> bool:
        """Remove an article: text, passages, vectors and statements.

        Near-duplicates filed under it (each in a scope that could see it) lose the passages they were
        searched through, so they become articles of their own and stay searchable where they belong.
        """
        await self.index.delete_article(article_id)
        gone, copies = await self.library.delete_with_copies(article_id)
        for copy_id in copies:
            await self._complete(copy_id)
        return gone
