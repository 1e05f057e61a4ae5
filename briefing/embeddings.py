"""Sentence vectors, embedded once: the offline writer, the citation check and its clause check, the stance
service and the digest all compare the same passage sentences."""

from __future__ import annotations

from collections import OrderedDict

import numpy as np

from retrieval.embed import Embedder


class SentenceEmbeddings:
    """The embedder behind a cache of the last `capacity` sentences' vectors."""

    def __init__(self, embedder: Embedder, *, capacity: int = 4096) -> None:
        self.embedder = embedder
        self._cache: OrderedDict[str, np.ndarray] = OrderedDict()
        self._capacity = capacity

    async def vectors(self, texts: list[str]) -> np.ndarray:
        missing = list(dict.fromkeys(t for t in texts if t not in self._cache))
        if missing:
            for text, vector in zip(missing, await self.embedder.embed(missing), strict=True):
                self._cache[text] = vector
        for text in texts:
            self._cache.move_to_end(text)
        while len(self._cache) > self._capacity:
            self._cache.popitem(last=False)
        if not texts:
            return np.zeros((0, self.embedder.dim), dtype=np.float32)
        return np.stack([self._cache[t] for t in texts])
