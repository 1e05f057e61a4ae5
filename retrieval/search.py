"""Hybrid search: BM25 over FTS5 and dense vectors in Chroma, fused, with filters and per-chat scope."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Literal

import numpy as np

from retrieval.embedder import Embedder
from retrieval.index import DenseIndex
from retrieval.library import ChunkRecord, Library
from retrieval.types import Hit, SearchFilters

Mode = Literal["hybrid", "bm25", "dense"]


@dataclass(slots=True)
class FusionConfig:
    """How the two rankings are combined. Defaults were chosen on the retrieval benchmark (bench/)."""

    candidates: int = 60
    rrf_k: float = 60.0
    dense_weight: float = 1.0
    bm25_weight: float = 0.5
    per_article: int = 2


class Searcher:
    def __init__(
        self, library: Library, index: DenseIndex, embedder: Embedder, config: FusionConfig | None = None
    ) -> None:
        self.library = library
        self.index = index
        self.embedder = embedder
        self.config = config or FusionConfig()

    async def search(
        self,
        query: str,
        *,
        k: int = 8,
        filters: SearchFilters | None = None,
        mode: Mode = "hybrid",
        per_article: int | None = None,
    ) -> list[Hit]:
        filters = filters or SearchFilters()
        query = query.strip()
        if not query:
            return []
        cfg = self.config
        n = max(cfg.candidates, k * 4)
        extra = await self.library.extra_access(filters.scope) if filters.scope is not None else []

        async def dense() -> tuple[np.ndarray | None, list[tuple[str, float]]]:
            if mode == "bm25":
                return None, []
            vector = (await self.embedder.embed([query]))[0]
            return vector, await self.index.query(vector, n, DenseIndex.where(filters, extra))

        async def lexical() -> list[tuple[str, float]]:
            if mode == "dense":
                return []
            return await self.library.bm25(query, n, filters)

        (vector, dense_hits), bm25_hits = await asyncio.gather(dense(), lexical())
        similarity = dict(dense_hits)
        bm25_scores = dict(bm25_hits)
        if vector is not None:
            # BM25 candidates the dense search did not return still get an exact cosine, so every candidate is
            # judged on both signals (and the relevance threshold downstream has a number for each).
            missing = [cid for cid in bm25_scores if cid not in similarity]
            for cid, vec in (await self.index.vectors(missing)).items():
                similarity[cid] = float(np.dot(vec, vector))

        scores = self._fuse(mode, dense_hits, bm25_hits)
        ranked = sorted(scores, key=lambda cid: scores[cid], reverse=True)
        records = await self.library.chunk_records(ranked[: n * 2])
        limit = per_article if per_article is not None else cfg.per_article
        per: dict[int, int] = {}
        hits: list[Hit] = []
        for cid in ranked:
            rec = records.get(cid)
            if rec is None or not self._visible(rec, filters, extra):
                continue
            if per.get(rec.article_id, 0) >= limit:
                continue
            per[rec.article_id] = per.get(rec.article_id, 0) + 1
            hits.append(self._hit(rec, scores[cid], similarity.get(cid), bm25_scores.get(cid)))
            if len(hits) >= k:
                break
        return hits

    def _fuse(
        self, mode: Mode, dense_hits: list[tuple[str, float]], bm25_hits: list[tuple[str, float]]
    ) -> dict[str, float]:
        cfg = self.config
        if mode == "dense":
            return dict(dense_hits)
        if mode == "bm25":
            return dict(bm25_hits)
        scores: dict[str, float] = {}
        for weight, ranking in ((cfg.dense_weight, dense_hits), (cfg.bm25_weight, bm25_hits)):
            for rank, (cid, _) in enumerate(ranking):
                scores[cid] = scores.get(cid, 0.0) + weight / (cfg.rrf_k + rank + 1)
        return scores

    @staticmethod
    def _visible(rec: ChunkRecord, filters: SearchFilters, extra: list[int]) -> bool:
        # The dense index carries its own copy of scope metadata; the library has the last word.
        if filters.scope is None:
            return True
        return rec.added_by in (filters.scope, "shared") or rec.article_id in extra

    @staticmethod
    def _hit(rec: ChunkRecord, score: float, similarity: float | None, bm25: float | None) -> Hit:
        return Hit(
            chunk_id=rec.chunk_id,
            article_id=rec.article_id,
            title=rec.title,
            url=rec.url,
            outlet=rec.outlet,
            published=rec.published,
            text=rec.text,
            score=score,
            similarity=similarity,
            bm25=bm25,
        )
