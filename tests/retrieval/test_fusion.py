"""The fusion functions on hand-made candidate sets: what each promises about order and scale."""

import pytest

from retrieval import fusion

# Three candidates found by both sides, one by dense search only, one by BM25 only.
SIMILARITY = {"a": 0.80, "b": 0.78, "c": 0.60, "d": 0.50}
BM25 = {"b": 9.0, "c": 3.0, "e": 6.0}


def order(scores: dict[str, float]) -> list[str]:
    return sorted(scores, key=lambda c: scores[c], reverse=True)


def test_weighted_is_a_bounded_boost_in_cosine_units() -> None:
    scores = fusion.weighted(SIMILARITY, BM25, 0.05)
    assert scores["b"] == pytest.approx(0.78 + 0.05)  # the best BM25 gets the whole weight
    assert scores["a"] == pytest.approx(0.80)  # no shared term: its cosine alone
    assert scores["e"] == pytest.approx(0.05 * 6 / 9)  # no vector: BM25 alone, below every cosine here
    assert order(scores)[:2] == ["b", "a"]
    assert fusion.weighted(SIMILARITY, BM25, 0.0) == {**SIMILARITY, "e": 0.0}
    assert fusion.weighted(SIMILARITY, {}, 0.3) == SIMILARITY


def test_minmax_does_not_depend_on_where_the_cosines_sit() -> None:
    # The same candidates with every cosine squeezed into a narrow, high band (as E5's are): min-max
    # normalisation gives the same order, which a weight in cosine units would not.
    squeezed = {cid: 0.85 + cos / 10 for cid, cos in SIMILARITY.items()}
    assert order(fusion.minmax(squeezed, BM25, 0.8)) == order(fusion.minmax(SIMILARITY, BM25, 0.8))
    assert order(fusion.weighted(squeezed, BM25, 0.15)) != order(fusion.weighted(SIMILARITY, BM25, 0.15))
    scores = fusion.minmax(SIMILARITY, BM25, 0.8)
    assert scores["a"] == pytest.approx(0.8)  # best cosine, no BM25
    assert scores["d"] == pytest.approx(0.0)  # worst cosine, no BM25
    assert scores["b"] == pytest.approx(0.8 * (0.78 - 0.5) / 0.3 + 0.2)


def test_minmax_with_one_candidate_or_equal_cosines() -> None:
    assert fusion.minmax({"a": 0.7}, {}, 0.8) == {"a": pytest.approx(0.8)}
    scores = fusion.minmax({"a": 0.7, "b": 0.7}, {"b": 2.0}, 0.8)
    assert order(scores) == ["b", "a"]  # the dense side cannot tell them apart; BM25 decides
    assert fusion.minmax({}, {"e": 1.0}, 0.8) == {"e": pytest.approx(0.2)}


def test_minmax_at_full_dense_share_is_the_dense_order() -> None:
    assert order(fusion.minmax(SIMILARITY, BM25, 1.0))[:4] == order(SIMILARITY)


def test_rrf_uses_ranks_only() -> None:
    scores = fusion.rrf(SIMILARITY, BM25, 60)
    assert scores["b"] == pytest.approx(1 / 62 + 1 / 61)
    assert scores["a"] == pytest.approx(1 / 61)
    assert order(scores)[0] == "b"
    # Any monotone change of either side's scores leaves the fusion as it was.
    cubed = {c: s**3 for c, s in SIMILARITY.items()}
    scaled = {c: s * 100 for c, s in BM25.items()}
    assert fusion.rrf(cubed, scaled, 60) == pytest.approx(scores)
