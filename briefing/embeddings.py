"""Sentence vectors, embedded once: the offline writer, the citation check and its clause check, the stance
service and the digest all compare the same passage sentences.

Two layers: the last few thousand sentences in memory, and, with a library, the vectors stored beside each
passage and each statement (computed at ingestion, or by the first answer that needed them; see
`retrieval.store.SentenceVectorTable`). Those are read by the id of a passage search returned, or of a
statement the stance timeline found, for the asking scope: an answer only ever reads rows of what its own
scope can see.
"""

from __future__ import annotations

import asyncio
import logging
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Hashable, Mapping, Sequence
from typing import Protocol, TypeVar

import numpy as np

from retrieval.embed import Embedder
from retrieval.priority import answering
from retrieval.store import Hit, Statement, round_vectors, statement_texts
from retrieval.text import passage_sentences

log = logging.getLogger(__name__)

K = TypeVar("K", bound=Hashable)


class SentenceVectorStore(Protocol):
    """Where passages' and statements' sentence vectors are kept (the library)."""

    async def sentence_vectors(
        self, model: str, dim: int, passages: Mapping[str, str]
    ) -> dict[str, np.ndarray]: ...

    async def put_sentence_vectors(self, model: str, rows: Sequence[tuple[str, str, np.ndarray]]) -> int: ...

    async def statement_vectors(
        self, model: str, dim: int, statements: Mapping[int, Sequence[str]]
    ) -> dict[int, np.ndarray]: ...

    async def put_statement_vectors(
        self, model: str, rows: Sequence[tuple[Statement, str, np.ndarray]]
    ) -> int: ...


class SentenceEmbeddings:
    """The embedder behind a cache of the last `capacity` sentences' vectors, and the stored vectors of
    passages and statements when a `store` is given.

    Every vector comes back rounded to half precision, the precision they are stored in, so a sentence gets
    the same numbers whether it was read from the library or embedded just now: answers do not depend on
    what happened to be stored.
    """

    def __init__(
        self, embedder: Embedder, *, capacity: int = 4096, store: SentenceVectorStore | None = None
    ) -> None:
        self.embedder = embedder
        self.store = store
        self._cache: OrderedDict[str, np.ndarray] = OrderedDict()
        self._capacity = capacity
        self._kept: dict[tuple[str, ...], np.ndarray] = {}
        self._keeping: dict[tuple[str, ...], asyncio.Task[np.ndarray]] = {}
        # Texts being embedded now, each with the batch that embeds it and whether a question started it.
        # Answers that start together (a bot just started, twenty chats asking about the same news) need the
        # same sentences: the later ones wait for that batch instead of embedding them again.
        self._pending: dict[str, tuple[asyncio.Task[dict[str, np.ndarray]], bool]] = {}

    async def vectors(self, texts: list[str]) -> np.ndarray:
        # What the cache holds now: a batch awaited below may let another answer push these out.
        found = {t: self._cache[t] for t in texts if t in self._cache}
        missing = [t for t in dict.fromkeys(texts) if t not in found]
        question = answering()
        # A question never waits for a batch of background work (a watch check), which runs at ingestion's
        # lower priority; background work may wait for a question's.
        joined = {
            t: p[0] for t in missing if (p := self._pending.get(t)) is not None and (p[1] or not question)
        }
        batches = {id(task): task for task in joined.values()}
        new = [t for t in missing if t not in joined]
        if new:
            task = asyncio.ensure_future(self._embed(new))
            for text in new:
                self._pending[text] = (task, question)
            batches[id(task)] = task
        for task in batches.values():
            # Shielded: an answer given up on (its chat's update cancelled) must not fail the others' wait.
            found.update(await asyncio.shield(task))
        for text in texts:
            if text in self._cache:
                self._cache.move_to_end(text)
        out = np.stack([found[t] for t in texts]) if texts else None
        self._trim()
        if out is None:
            return np.zeros((0, self.embedder.dim), dtype=np.float32)
        return out

    async def _embed(self, texts: list[str]) -> dict[str, np.ndarray]:
        task = asyncio.current_task()
        try:
            fresh = round_vectors(await self.embedder.embed(texts))
        finally:
            for text in texts:
                if self._pending.get(text, (None,))[0] is task:
                    del self._pending[text]
        vectors = dict(zip(texts, fresh, strict=True))
        self._cache.update(vectors)
        return vectors

    async def own(self, text: str) -> np.ndarray:
        """The vector of words a user typed (a question, a stance topic), embedded for this call alone: never
        cached nor joined to another answer's batch. Shared, a chat could time its own question to learn
        that another chat had just asked the same words (as search's question vectors, kept per chat)."""
        return round_vectors(await self.embedder.embed([text]))[0]

    async def kept(self, texts: Sequence[str]) -> np.ndarray:
        """The vectors of a fixed list of texts (the stance topic table's names), embedded at the first call
        and kept for the life of this object, out of the cache's reach: an answer that reads thousands of
        sentences must not push them out, or the next stance question pays for all of them again. Callers
        that come while the first is embedding them wait for it (the table is 156 names: each stance
        question of a bot just started embedded it again)."""
        key = tuple(texts)
        found = self._kept.get(key)
        if found is not None:
            return found
        task = self._keeping.get(key)
        if task is None:
            task = asyncio.ensure_future(self._embed_kept(key))
            self._keeping[key] = task
        return await asyncio.shield(task)

    async def _embed_kept(self, key: tuple[str, ...]) -> np.ndarray:
        try:
            found = np.zeros((0, self.embedder.dim), dtype=np.float32)
            if key:
                found = round_vectors(await self.embedder.embed(list(key)))
        finally:
            self._keeping.pop(key, None)
        self._kept[key] = found
        return found

    async def passages(self, hits: Sequence[Hit]) -> None:
        """Have the vectors of these passages' sentences ready: from memory, else from the library, else
        embedded now and stored for the next answer. Afterwards `vectors` of those sentences costs nothing,
        as long as fewer than `capacity` sentences are asked for in between."""
        units = {hit.chunk_id: passage_sentences(hit.text) for hit in hits}
        texts = {hit.chunk_id: hit.text for hit in hits}
        model = self.embedder

        async def read(store: SentenceVectorStore, keys: list[str]) -> dict[str, np.ndarray]:
            return await store.sentence_vectors(model.id, model.dim, {k: texts[k] for k in keys})

        async def write(store: SentenceVectorStore, rows: list[tuple[str, np.ndarray]]) -> None:
            await store.put_sentence_vectors(model.id, [(k, texts[k], v) for k, v in rows])

        await self._ready(units, read, write)

    async def statements(self, statements: Sequence[tuple[Statement, str]]) -> None:
        """The same for statements (with their article's title): their words, sentence and title."""
        units = {s.id: statement_texts(s, title) for s, title in statements if s.id is not None}
        by_id = {s.id: (s, title) for s, title in statements}
        model = self.embedder

        async def read(store: SentenceVectorStore, keys: list[int]) -> dict[int, np.ndarray]:
            return await store.statement_vectors(model.id, model.dim, {k: units[k] for k in keys})

        async def write(store: SentenceVectorStore, rows: list[tuple[int, np.ndarray]]) -> None:
            await store.put_statement_vectors(model.id, [(*by_id[k], v) for k, v in rows])

        await self._ready(units, read, write)

    async def _ready(
        self,
        units: Mapping[K, list[str]],
        read: Callable[[SentenceVectorStore, list[K]], Awaitable[dict[K, np.ndarray]]],
        write: Callable[[SentenceVectorStore, list[tuple[K, np.ndarray]]], Awaitable[None]],
    ) -> None:
        wanted = [key for key, texts in units.items() if any(t not in self._cache for t in texts)]
        stored: dict[K, np.ndarray] = {}
        if wanted and self.store is not None:
            try:
                stored = await read(self.store, wanted)
            except Exception as exc:  # a cache: without it the sentences are embedded as before
                log.warning("could not read stored sentence vectors: %s", exc)
        for key, vectors in stored.items():
            for text, vector in zip(units[key], vectors, strict=True):
                if text not in self._cache:
                    self._cache[text] = vector
        todo = [key for key in wanted if key not in stored]
        if todo:
            computed = await self.vectors([t for key in todo for t in units[key]])
            if self.store is not None:
                rows, offset = [], 0
                for key in todo:
                    rows.append((key, computed[offset : offset + len(units[key])]))
                    offset += len(units[key])
                try:
                    await write(self.store, rows)
                except Exception as exc:  # a cache: the answer goes on without storing them
                    log.warning("could not store sentence vectors: %s", exc)
        for texts in units.values():
            for text in texts:
                if text in self._cache:
                    self._cache.move_to_end(text)
        self._trim()

    def _trim(self) -> None:
        while len(self._cache) > self._capacity:
            self._cache.popitem(last=False)
