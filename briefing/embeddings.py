"""Sentence vectors, embedded once: the offline writer, the citation check and its clause check, the stance
service and the digest all compare the same passage sentences.

Two layers: the last few thousand sentences in memory, and, with a library, the sentence vectors stored
beside each passage (computed at ingestion, or by the first answer that needed them; see
`retrieval.store.SentenceVectorTable`). Passages are read from the library by chunk id, so an answer only
ever reads the rows of passages search returned to its own scope.
"""

from __future__ import annotations

import logging
from collections import OrderedDict
from collections.abc import Sequence
from typing import Protocol

import numpy as np

from retrieval.embed import Embedder
from retrieval.store import Hit, round_vectors
from retrieval.text import passage_sentences

log = logging.getLogger(__name__)


class SentenceVectorStore(Protocol):
    """Where passages' sentence vectors are kept (the library)."""

    async def sentence_vectors(
        self, model: str, dim: int, passages: dict[str, str]
    ) -> dict[str, np.ndarray]: ...

    async def put_sentence_vectors(self, model: str, rows: Sequence[tuple[str, str, np.ndarray]]) -> int: ...


class SentenceEmbeddings:
    """The embedder behind a cache of the last `capacity` sentences' vectors, and the stored vectors of
    passages when a `store` is given.

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

    async def vectors(self, texts: list[str]) -> np.ndarray:
        missing = list(dict.fromkeys(t for t in texts if t not in self._cache))
        if missing:
            fresh = round_vectors(await self.embedder.embed(missing))
            for text, vector in zip(missing, fresh, strict=True):
                self._cache[text] = vector
        for text in texts:
            self._cache.move_to_end(text)
        out = np.stack([self._cache[t] for t in texts]) if texts else None
        self._trim()
        if out is None:
            return np.zeros((0, self.embedder.dim), dtype=np.float32)
        return out

    async def passages(self, hits: Sequence[Hit]) -> None:
        """Have the vectors of these passages' sentences ready: from memory, else from the library, else
        embedded now and stored for the next answer. Afterwards `vectors` of those sentences costs nothing,
        as long as fewer than `capacity` sentences are asked for in between."""
        wanted: dict[str, tuple[str, list[str]]] = {}
        everything: list[str] = []
        for hit in hits:
            sentences = passage_sentences(hit.text)
            everything += sentences
            if any(s not in self._cache for s in sentences):
                wanted.setdefault(hit.chunk_id, (hit.text, sentences))
        if wanted:
            await self._load(wanted)
        for sentence in everything:
            if sentence in self._cache:
                self._cache.move_to_end(sentence)
        self._trim()

    async def _load(self, wanted: dict[str, tuple[str, list[str]]]) -> None:
        stored: dict[str, np.ndarray] = {}
        if self.store is not None:
            texts = {chunk_id: text for chunk_id, (text, _) in wanted.items()}
            try:
                stored = await self.store.sentence_vectors(self.embedder.id, self.embedder.dim, texts)
            except Exception as exc:  # a cache: without it the sentences are embedded as before
                log.warning("could not read stored sentence vectors: %s", exc)
        for chunk_id, vectors in stored.items():
            for sentence, vector in zip(wanted[chunk_id][1], vectors, strict=True):
                if sentence not in self._cache:
                    self._cache[sentence] = vector
        todo = [(chunk_id, text, s) for chunk_id, (text, s) in wanted.items() if chunk_id not in stored]
        if todo:
            computed = await self.vectors([s for _, _, sentences in todo for s in sentences])
            if self.store is not None:
                rows, offset = [], 0
                for chunk_id, text, sentences in todo:
                    rows.append((chunk_id, text, computed[offset : offset + len(sentences)]))
                    offset += len(sentences)
                try:
                    await self.store.put_sentence_vectors(self.embedder.id, rows)
                except Exception as exc:  # a cache: the answer goes on without storing them
                    log.warning("could not store sentence vectors: %s", exc)

    def _trim(self) -> None:
        while len(self._cache) > self._capacity:
            self._cache.popitem(last=False)
