"""Hybrid search: BM25 over FTS5 and dense vectors in Chroma, fused, with filters and per-chat scope."""

from __future__ import annotations

import asyncio
import html
import logging
import re
from dataclasses import dataclass, replace
from typing import Literal

import numpy as np

from retrieval import fusion
from retrieval.embed import Embedder, QueryVectors
from retrieval.store import (
    SHARED_SCOPE,
    ChunkRecord,
    DenseIndex,
    DenseIndexError,
    Hit,
    Library,
    SearchFilters,
)

Mode = Literal["hybrid", "bm25", "dense"]
FusionMethod = Literal["minmax", "weighted", "rrf"]

log = logging.getLogger(__name__)


# Relative time words say when, not what: they carry no topic for either ranking, and passages rarely repeat
# them (a question's "this week" is a date in the article, if anywhere). Dates belong in SearchFilters.
_RELATIVE_TIME = re.compile(
    r"\b(?:(?:this|last|next|past|previous|coming) (?:week|weekend|month|year|few days|days|weeks)|"
    r"recently|currently|nowadays|these days|so far this year|earlier this (?:week|month|year))\b",
    re.IGNORECASE,
)


# A question copied from a web page's source brings its markup along: the tag's attributes
# (`data-analytics-id`, links) would be searched as words and pull in pages that share the site's boilerplate.
_TAG = re.compile(r"</?[A-Za-z][^<>]*>")


def topic_text(query: str) -> str:
    """The query without markup or relative time words; the query itself if nothing else would remain."""
    # A link closing before a possessive ("Canada</a>'s") leaves a gap that would read as a new word.
    query = re.sub(r"\s+(['’]s\b)", r"\1", html.unescape(_TAG.sub(" ", query)))
    stripped = re.sub(r"\s+", " ", _RELATIVE_TIME.sub(" ", query))
    # Tidy what the removal leaves behind ("plant ?", ", which ..."), so the rest reads as before.
    stripped = re.sub(r"\s+([,.;:?!])", r"\1", stripped)
    stripped = re.sub(r"[,;:]+([.?!])", r"\1", stripped).strip(" ,;:")
    return stripped or query.strip()


@dataclass(slots=True)
class FusionConfig:
    """How dense and BM25 evidence are combined.

    By default ("weighted") a candidate's score is its cosine similarity plus `bm25_weight` times its BM25
    score divided by the best BM25 score among the candidates. Cosine is an absolute scale (the same for every
    query) while BM25 is not, so BM25 is normalised per query and acts as a bounded boost for exact term
    matches (names, numbers) on top of the dense ranking. The weight is in cosine units, so each embedder
    brings its own (`Embedder.fusion_bm25_weight`): 0.15 for MiniLM, 0.03 for the MiniLM + E5 ensemble.

    How the fusion and its weight were chosen (bench/fusion_study.py on RealTime QA 2025, results in
    bench/RESULTS-retrieval.md): each candidate was fitted on one half of the questions (even/odd positions,
    early/late dates) and scored on the other, and had to stay at or above dense-only search on every half.
    Reciprocal-rank fusion ("rrf", nothing fitted) fell below dense-only on all four: it gives BM25's ranking
    as much say as the dense one, and BM25 alone is far weaker here. Min-max fusion ("minmax") passed, as did
    "weighted"; among weights, the one kept is the one whose gain over dense-only holds best on redrawn
    question weeks, not the best on this set (which fell below dense-only on a hidden set, issue 18).
    """

    method: FusionMethod = "weighted"
    candidates: int = 60
    #: "minmax": the dense side's share of the fused score.
    dense_share: float = 0.8
    #: "rrf": the rank offset; 60 as in Cormack et al. (2009), not fitted.
    rrf_k: int = 60
    #: None: the embedder's own (`Embedder.fusion_bm25_weight`): it depends on the spread of its cosines.
    bm25_weight: float | None = None
    per_article: int = 2


@dataclass(slots=True)
class Candidates:
    """What the two rankings found for a question, before fusion.

    `similarity` and `bm25` map chunk ids to cosine and BM25 score. Each opens with its own ranking's top
    hits, best first (`dense_hits` and `lexical_hits` of them); in hybrid mode the other side's candidates
    follow, scored on this signal too (a chunk sharing no term with the query has no BM25 score).
    """

    similarity: dict[str, float]
    bm25: dict[str, float]
    #: The mode that ran: "bm25" when the dense index was down.
    mode: Mode
    keyword_only: bool
    dense_hits: int
    lexical_hits: int


class Searcher:
    def __init__(
        self, library: Library, index: DenseIndex, embedder: Embedder, config: FusionConfig | None = None
    ) -> None:
        self.library = library
        self.index = index
        self.embedder = embedder
        config = config or FusionConfig()
        # A question asked again (in any chat) is not embedded again: its vector depends on its words only.
        self.query_vectors = QueryVectors()
        # A copy: one config may serve searchers over different embedders.
        weight = embedder.fusion_bm25_weight if config.bm25_weight is None else config.bm25_weight
        self.config = replace(config, bm25_weight=weight)

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
        query = topic_text(query)
        if not query:
            return []
        cfg = self.config
        n = max(cfg.candidates, k * 4)
        found = await self.candidates(query, n=n, filters=filters, mode=mode)
        scores = self._fuse(found.mode, found.similarity, found.bm25)
        ranked = sorted(scores, key=lambda cid: scores[cid], reverse=True)
        records = await self.library.chunk_records(ranked[: n * 2])
        limit = per_article if per_article is not None else cfg.per_article
        per: dict[int, int] = {}
        hits: list[Hit] = []
        for cid in ranked:
            rec = records.get(cid)
            if rec is None or not self._visible(rec, filters):
                continue
            if per.get(rec.article_id, 0) >= limit:
                continue
            per[rec.article_id] = per.get(rec.article_id, 0) + 1
            hits.append(
                self._hit(
                    rec, scores[cid], found.similarity.get(cid), found.bm25.get(cid), found.keyword_only
                )
            )
            if len(hits) >= k:
                break
        return hits

    async def candidates(self, query: str, *, n: int, filters: SearchFilters, mode: Mode) -> Candidates:
        """The top `n` of each ranking `mode` asks for, before fusion (`query` as `topic_text` leaves it)."""

        async def dense() -> tuple[np.ndarray | None, list[tuple[str, float]]]:
            if mode == "bm25":
                return None, []
            vector = await self.query_vectors.vector(self.embedder, query, scope=filters.scope)
            return vector, await self.index.query(vector, n, DenseIndex.where(filters))

        async def lexical() -> list[tuple[str, float]]:
            if mode == "dense":
                return []
            return await self.library.bm25(query, n, filters)

        keyword_only = False
        dense_result, bm25_hits = await asyncio.gather(dense(), lexical(), return_exceptions=True)
        if isinstance(bm25_hits, BaseException):
            raise bm25_hits
        if isinstance(dense_result, BaseException):
            # Keyword search still covers every stored article: an outage of the Chroma server degrades
            # answers instead of stopping them. The hits say so (`keyword_only`).
            # Only an index outage: with the embedder down, writing and checking the answer (which embed
            # sentences) would fail next anyway, so that error goes up to be reported as it is.
            if mode == "dense" or not isinstance(dense_result, DenseIndexError):
                raise dense_result
            log.warning("dense search unavailable (%s); answering from keyword search alone", dense_result)
            mode = "bm25"
            keyword_only = True
            dense_result = (None, [])
        vector, dense_hits = dense_result
        found = Candidates(
            dict(dense_hits), dict(bm25_hits), mode, keyword_only, len(dense_hits), len(bm25_hits)
        )
        if mode == "hybrid":
            # Every candidate is judged on both signals: BM25 candidates get an exact cosine, dense candidates
            # their BM25 score (zero when they share no term with the query).
            assert vector is not None
            missing = [cid for cid in found.bm25 if cid not in found.similarity]
            unscored = [cid for cid in found.similarity if cid not in found.bm25]
            vectors, extra_bm25 = await asyncio.gather(
                self.index.vectors(missing),
                self.library.bm25(query, len(unscored), filters, chunk_ids=unscored),
            )
            for cid, vec in vectors.items():
                found.similarity[cid] = float(np.dot(vec, vector))
            found.bm25.update(extra_bm25)
        return found

    def _fuse(self, mode: Mode, similarity: dict[str, float], bm25: dict[str, float]) -> dict[str, float]:
        if mode == "dense":
            return dict(similarity)
        if mode == "bm25":
            return dict(bm25)
        cfg = self.config
        # A keyword hit whose vector is missing from the index (being rebuilt) still counts, on BM25 alone.
        if cfg.method == "minmax":
            return fusion.minmax(similarity, bm25, cfg.dense_share)
        if cfg.method == "rrf":
            return fusion.rrf(similarity, bm25, cfg.rrf_k)
        return fusion.weighted(similarity, bm25, cfg.bm25_weight or 0.0)

    @staticmethod
    def _visible(rec: ChunkRecord, filters: SearchFilters) -> bool:
        # The dense index carries its own copy of scope metadata; the library has the last word.
        return filters.scope is None or rec.added_by in (filters.scope, SHARED_SCOPE)

    @staticmethod
    def _hit(
        rec: ChunkRecord, score: float, similarity: float | None, bm25: float | None, keyword_only: bool
    ) -> Hit:
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
            keyword_only=keyword_only,
            language=rec.language,
        )
