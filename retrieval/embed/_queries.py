"""The vectors of recent questions, so a question asked again is not embedded again.

A question's embedding is most of what search costs (the ensemble runs two models on it), and questions
come back: the same question in several chats of one team, the same question asked again after new articles
came in. The vector depends on the question's text and the model only, so it is kept by both, for the last
`capacity` questions. Questions asked at the same moment share one embedding call.

What a chat could learn from it is that an answer came a few tens of milliseconds sooner, once, because the
same words were asked recently somewhere; the vector holds nothing of any library.
"""

from __future__ import annotations

import asyncio
from collections import OrderedDict

import numpy as np

from ._base import Embedder


class QueryVectors:
    def __init__(self, *, capacity: int = 256) -> None:
        self.capacity = capacity
        self._vectors: OrderedDict[tuple[str, int, str], np.ndarray] = OrderedDict()
        self._pending: dict[tuple[str, int, str], asyncio.Future[np.ndarray]] = {}

    async def vector(self, embedder: Embedder, query: str) -> np.ndarray:
        """The question's vector as `embedder.embed_queries` gives it, embedded at most once while kept."""
        key = (embedder.id, embedder.dim, query)
        known = self._vectors.get(key)
        if known is not None:
            self._vectors.move_to_end(key)
            return known
        task = self._pending.get(key)
        if task is None:
            # A task of its own: a chat that gives up waiting (its answer cancelled) does not cancel the
            # embedding another chat asking the same words is waiting for.
            task = asyncio.ensure_future(self._embed(embedder, key))
            self._pending[key] = task
            task.add_done_callback(lambda _: self._pending.pop(key, None))
        return await asyncio.shield(task)

    async def _embed(self, embedder: Embedder, key: tuple[str, int, str]) -> np.ndarray:
        vector = (await embedder.embed_queries([key[2]]))[0]
        vector.setflags(write=False)
        self._vectors[key] = vector
        while len(self._vectors) > self.capacity:
            self._vectors.popitem(last=False)
        return vector
