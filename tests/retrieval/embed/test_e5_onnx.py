"""E5 on onnxruntime: what it returns, how it cuts long texts, and that every failure is an EmbeddingError."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import onnx
import pytest
from onnx import TensorProto, helper

import retrieval.embed._e5_weights as weights_module
from retrieval.embed import E5Embedder, EmbeddingError
from retrieval.embed._e5_onnx import normalised
from retrieval.priority import in_bulk_thread


def _stand_in(tmp_path: Path, fill: float, *, width: int = 384, fail: bool = False) -> Path:
    """A graph with E5's inputs and output: every row `fill` (scaled), or one that fails at run time."""
    ids = helper.make_tensor_value_info("input_ids", TensorProto.INT64, ["batch", "seq"])
    mask = helper.make_tensor_value_info("attention_mask", TensorProto.INT64, ["batch", "seq"])
    out = helper.make_tensor_value_info("pooled", TensorProto.FLOAT, ["batch", width])
    nodes = [
        helper.make_node("Cast", ["input_ids"], ["f"], to=TensorProto.FLOAT),
        helper.make_node("ReduceMax", ["f"], ["m"], keepdims=1, axes=[1]),  # [batch, 1]: the largest id
    ]
    inits = [helper.make_tensor("row", TensorProto.FLOAT, [1, width], [fill] * width)]
    if fail:  # row <largest token id> of a one-row table: fails inside onnxruntime, at run time only
        inits.append(helper.make_tensor("axis1", TensorProto.INT64, [1], [1]))
        nodes += [
            helper.make_node("Cast", ["m"], ["index"], to=TensorProto.INT64),
            helper.make_node("Gather", ["row", "index"], ["g"], axis=0),
            helper.make_node("Squeeze", ["g", "axis1"], ["pooled"]),
        ]
    else:
        nodes += [
            helper.make_node("Mul", ["m", "row"], ["x"]),
            helper.make_node("Div", ["x", "m"], ["pooled"]),
        ]
    graph = helper.make_graph(nodes, "stand-in", [ids, mask], [out], inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
    model.ir_version = 8
    path = tmp_path / f"stand-in-{fill}-{width}-{fail}.onnx"
    onnx.save_model(model, str(path))
    return path


@pytest.fixture
def make(models_dir: Path, e5: E5Embedder) -> Any:
    """An E5 embedder running a given graph file (the tokenizer is the real one)."""
    return lambda graph: E5Embedder(models_dir, graph=graph)


def test_a_sound_stand_in_passes(make: Any, tmp_path: Path) -> None:
    # The check of the checks below: the same kind of graph with a valid output gives unit vectors.
    vectors = make(_stand_in(tmp_path, 0.5)).embed_sync(["a", "b"])
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-6)


@pytest.mark.parametrize("fill", [float("nan"), float("inf"), 0.0], ids=["nan", "inf", "zero"])
def test_an_output_that_is_not_a_vector_is_an_error(make: Any, tmp_path: Path, fill: float) -> None:
    embedder = make(_stand_in(tmp_path, fill))
    with pytest.raises(EmbeddingError, match=r"non-finite|zero"):
        embedder.embed_sync(["some text"])


def test_an_output_of_the_wrong_width_is_an_error(make: Any, tmp_path: Path) -> None:
    with pytest.raises(EmbeddingError, match="shape"):
        make(_stand_in(tmp_path, 0.5, width=128)).embed_sync(["some text"])


def test_a_failure_inside_onnxruntime_is_an_error(make: Any, tmp_path: Path) -> None:
    with pytest.raises(EmbeddingError, match="inference failed"):
        make(_stand_in(tmp_path, 0.5, fail=True)).embed_sync(["some text"])


def test_a_graph_onnxruntime_cannot_load_is_an_error(make: Any, tmp_path: Path) -> None:
    junk = tmp_path / "junk.onnx"
    junk.write_bytes(b"not a model")
    with pytest.raises(EmbeddingError, match="cannot load"):
        make(junk)


def test_weights_that_do_not_match_their_hash_are_refused(
    models_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(weights_module, "E5_MODEL_SHA256", "0" * 64)
    with pytest.raises(EmbeddingError, match="sha256"):
        E5Embedder(models_dir)


def test_a_models_folder_that_cannot_be_made_is_an_error(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    with pytest.raises(EmbeddingError, match="cannot prepare"):
        E5Embedder(blocker / "models")
    with pytest.raises(ValueError, match="variant"):
        E5Embedder(tmp_path, variant="fp64")


def test_normalisation_rejects_what_is_not_a_vector() -> None:
    np.testing.assert_allclose(normalised(np.array([[3.0, 4.0]])), [[0.6, 0.8]])
    for bad in ([[np.nan, 1.0]], [[np.inf, 1.0]], [[0.0, 0.0]]):
        with pytest.raises(EmbeddingError):
            normalised(np.array(bad))


def test_unit_vectors_in_input_order(e5: E5Embedder) -> None:
    texts = ["short", "a considerably longer sentence about the central bank's decision on rates", "short"]
    vectors = e5.embed_sync(texts)
    assert vectors.shape == (3, 384) and vectors.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    np.testing.assert_array_equal(vectors[0], vectors[2])
    assert float(vectors[0] @ vectors[1]) < 0.99
    assert e5.embed_sync([]).shape == (0, 384)


def test_a_long_text_is_cut_into_windows_and_averaged(e5: E5Embedder) -> None:
    # (The engine cuts and weighs windows the same way: a two-window text is in test_e5_graph's sample.)
    long = " ".join(f"Paragraph {i}: the council debated the harbour budget again." for i in range(50))
    content = e5._tokenizer.content_ids("passage: " + long)
    assert 510 < len(content) < 2 * 510  # two windows, the second shorter
    windows = [content[:510], content[510:]]
    session, tok = e5._session, e5._tokenizer
    pooled = np.vstack([e5._run(session, [[tok.bos, *w, tok.eos]]) for w in windows])
    sizes = np.array([len(w) for w in windows], dtype=np.float64)
    expected = normalised((pooled * sizes[:, None]).sum(axis=0, keepdims=True) / sizes.sum())
    (got,) = e5.embed_sync([long])
    np.testing.assert_allclose(got, expected[0], atol=1e-5)
    # Weighted by length, not a plain mean of the windows.
    assert float(got @ normalised(pooled.mean(axis=0, keepdims=True))[0]) < 0.99999
    # Not cut at the window: what follows the first 510 tokens changes the vector.
    (head,) = e5.embed_sync([" ".join(long.split()[:200])])
    assert float(got @ head) < 0.999


async def test_questions_and_bulk_work_use_separate_sessions(e5: E5Embedder) -> None:
    passages = await e5.embed(["Kyiv", "Київ"])  # bulk work: on the niced bulk thread
    assert e5._bulk_session is not None and e5._bulk_session is not e5._session
    (question,) = await e5.embed_queries(["Kyiv"])  # a question: the answering session
    assert passages.shape == (2, 384) and question.shape == (384,)
    # The same text embeds the same on both sessions.
    (on_bulk,) = await in_bulk_thread(e5.embed_sync, ["Kyiv"])
    np.testing.assert_allclose(on_bulk, e5.embed_sync(["Kyiv"])[0], atol=1e-6)
    assert float(passages[0] @ question) < 0.999  # "query: " and "passage: " differ
    assert e5.count_tokens("Київ") == len(e5._tokenizer.content_ids("passage: Київ")) + 2
