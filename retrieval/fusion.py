"""Ways of fusing a dense and a BM25 ranking into one score per candidate (see search.FusionConfig).

Each takes the candidates' cosine similarities and BM25 scores (higher is better; a candidate may lack either:
no shared term, or no vector while the index is rebuilt) and returns a score for every candidate, higher
first. Only the order matters to search; the scores are shown as `Hit.score`.
"""

from __future__ import annotations

from collections.abc import Mapping


def weighted(similarity: Mapping[str, float], bm25: Mapping[str, float], weight: float) -> dict[str, float]:
    """Cosine plus `weight` times BM25 over the best BM25 of the candidates.

    The weight is in cosine units, so it only suits the embedder whose cosine spread it was fitted on.
    """
    best = max(bm25.values(), default=0.0)
    boost = weight / best if best > 0 else 0.0
    scores = {cid: cos + boost * bm25.get(cid, 0.0) for cid, cos in similarity.items()}
    scores.update({cid: boost * b for cid, b in bm25.items() if cid not in similarity})
    return scores


def minmax(
    similarity: Mapping[str, float], bm25: Mapping[str, float], dense_share: float
) -> dict[str, float]:
    """`dense_share` x min-max-normalised cosine + the rest x BM25 over the best BM25.

    Both signals are brought to 0..1 over this query's candidates, so the share means the same for every
    embedder and every query: a model whose cosines crowd into a narrow band (E5) gets the same balance as one
    whose cosines spread out (MiniLM), which a weight in cosine units cannot give.
    """
    low, high = min(similarity.values(), default=0.0), max(similarity.values(), default=0.0)
    span = high - low
    best = max(bm25.values(), default=0.0)
    scores: dict[str, float] = {}
    # Dense candidates first, then BM25's own, as in `weighted`: ties keep that order whatever the hash seed.
    for cid in [*similarity, *(c for c in bm25 if c not in similarity)]:
        cos = similarity.get(cid)
        # A lone candidate, or cosines all equal: the dense side cannot tell them apart and adds the same.
        dense = 1.0 if cos is not None and span <= 0 else 0.0 if cos is None else (cos - low) / span
        lexical = bm25.get(cid, 0.0) / best if best > 0 else 0.0
        scores[cid] = dense_share * dense + (1 - dense_share) * lexical
    return scores


def rrf(similarity: Mapping[str, float], bm25: Mapping[str, float], k: int) -> dict[str, float]:
    """Reciprocal-rank fusion: the sum of 1 / (k + rank) over the rankings a candidate is in."""
    scores: dict[str, float] = {}
    for ranking in (similarity, bm25):
        for rank, cid in enumerate(sorted(ranking, key=lambda c: (-ranking[c], c)), 1):
            scores[cid] = scores.get(cid, 0.0) + 1 / (k + rank)
    return scores
