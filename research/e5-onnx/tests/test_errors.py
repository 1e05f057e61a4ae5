"""Whatever goes wrong in onnxruntime or in its output is an EmbeddingError, never a vector."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import onnx
import pytest
from onnx import TensorProto, helper
from retrieval.embed import EmbeddingError

from e5_onnx import E5OnnxEmbedder, _normalised


def _graph(tmp_path: Path, fill: float | None, *, width: int = 384, fail: bool = False) -> Path:
    """A stand-in with the E5 graph's inputs and output: every row `fill`, or a run-time failure."""
    ids = helper.make_tensor_value_info("input_ids", TensorProto.INT64, ["batch", "seq"])
    mask = helper.make_tensor_value_info("attention_mask", TensorProto.INT64, ["batch", "seq"])
    out = helper.make_tensor_value_info("pooled", TensorProto.FLOAT, ["batch", width])
    as_float = helper.make_node("Cast", ["input_ids"], ["f"], to=TensorProto.FLOAT)
    first = helper.make_node("ReduceMax", ["f"], ["m"], keepdims=1, axes=[1])  # [batch, 1]
    nodes = [as_float, first]
    inits = [helper.make_tensor("row", TensorProto.FLOAT, [1, width], [fill or 0.0] * width)]
    if fail:  # row number <largest token id> of a one-row table: fails inside onnxruntime at run time only
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
    path = tmp_path / "stand-in.onnx"
    onnx.save_model(model, str(path))
    return path


def test_a_sound_stand_in_passes(tmp_path: Path) -> None:
    # The check of the checks: the same kind of graph with a valid output gives unit vectors.
    vectors = E5OnnxEmbedder(tmp_path, graph=_graph(tmp_path, 0.5)).embed_sync(["a", "b"])
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-6)


@pytest.mark.parametrize("fill", [float("nan"), float("inf"), 0.0], ids=["nan", "inf", "zero"])
def test_invalid_output_is_an_error(tmp_path: Path, fill: float) -> None:
    embedder = E5OnnxEmbedder(tmp_path, graph=_graph(tmp_path, fill))
    with pytest.raises(EmbeddingError):
        embedder.embed_sync(["some text"])


def test_wrong_width_is_an_error(tmp_path: Path) -> None:
    embedder = E5OnnxEmbedder(tmp_path, graph=_graph(tmp_path, 0.5, width=128))
    with pytest.raises(EmbeddingError, match="shape"):
        embedder.embed_sync(["some text"])


def test_runtime_failure_is_an_error(tmp_path: Path) -> None:
    embedder = E5OnnxEmbedder(tmp_path, graph=_graph(tmp_path, 0.5, fail=True))
    with pytest.raises(EmbeddingError, match="inference failed"):
        embedder.embed_sync(["some text"])


def test_unloadable_graph_is_an_error(tmp_path: Path) -> None:
    junk = tmp_path / "junk.onnx"
    junk.write_bytes(b"not a model")
    with pytest.raises(EmbeddingError, match="cannot load"):
        E5OnnxEmbedder(tmp_path, graph=junk)


def test_normalisation_checks() -> None:
    good = _normalised(np.array([[3.0, 4.0]]))
    np.testing.assert_allclose(good, [[0.6, 0.8]])
    for bad in ([[np.nan, 1.0]], [[np.inf, 1.0]], [[0.0, 0.0]]):
        with pytest.raises(EmbeddingError):
            _normalised(np.array(bad))
