"""A test double at the embedder seam: the real embedder, counted, with an optional hook before each call."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import numpy as np

from retrieval.embed import Embedder


class WatchedEmbedder(Embedder):
    """Delegates to `inner`; counts calls, keeps the texts of each, and awaits `before(call number)` first (it
    may raise, or act)."""

    def __init__(self, inner: Embedder, before: Callable[[int], Awaitable[None]] | None = None) -> None:
        self.inner, self.id, self.dim, self.max_tokens = inner, inner.id, inner.dim, inner.max_tokens
        self.before, self.calls = before, 0
        self.texts: list[list[str]] = []

    async def embed(self, texts: list[str]) -> np.ndarray:
        self.calls += 1
        self.texts.append(list(texts))
        if self.before is not None:
            await self.before(self.calls)
        return await self.inner.embed(texts)

    def count_tokens(self, text: str) -> int:
        return self.inner.count_tokens(text)
