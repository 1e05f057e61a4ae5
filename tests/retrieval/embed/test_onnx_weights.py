"""One copy of a graph's weights per embedder, lent to each of its onnxruntime sessions."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import onnx
import onnxruntime as ort
import pytest
from onnx import TensorProto, helper, numpy_helper

from retrieval.embed import E5Embedder, EmbeddingError
from retrieval.embed._e5_cache import externalise, graph_paths
from retrieval.embed._onnx_weights import SHARED_MIN_BYTES, SharedWeights
from retrieval.priority import in_bulk_thread


def _table_graph(folder: Path, *, external: bool) -> Path:
    """out = table[ids] @ proj: a lookup table (shared) and a matrix onnxruntime repacks (not shared)."""
    rng = np.random.default_rng(7)
    table = rng.standard_normal((64, 32)).astype(np.float32)  # 8 KB
    proj = rng.standard_normal((32, 32)).astype(np.float32)  # 4 KB
    graph = helper.make_graph(
        [
            helper.make_node("Gather", ["table", "ids"], ["rows"], axis=0),
            helper.make_node("MatMul", ["rows", "proj"], ["out"]),
        ],
        "table",
        [helper.make_tensor_value_info("ids", TensorProto.INT64, ["n"])],
        [helper.make_tensor_value_info("out", TensorProto.FLOAT, ["n", 32])],
        [numpy_helper.from_array(table, "table"), numpy_helper.from_array(proj, "proj")],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "table.onnx"
    if external:
        (folder / "table.onnx.data").write_bytes(externalise(model, "table.onnx.data"))
    path.write_bytes(model.SerializeToString())
    return path


def _session(path: Path, weights: SharedWeights | None) -> ort.InferenceSession:
    options = ort.SessionOptions()
    if weights is not None:
        weights.lend_to(options)
    return ort.InferenceSession(str(path), sess_options=options, providers=["CPUExecutionProvider"])


IDS = np.array([3, 0, 63], dtype=np.int64)


@pytest.mark.parametrize("external", [True, False])
def test_sessions_on_lent_weights_compute_what_the_graph_does(tmp_path: Path, external: bool) -> None:
    path = _table_graph(tmp_path, external=external)
    expected = _session(path, None).run(None, {"ids": IDS})[0]
    weights = SharedWeights(path)
    first, second = _session(path, weights), _session(path, weights)
    for session in (first, second):
        np.testing.assert_array_equal(session.run(None, {"ids": IDS})[0], expected)
    # The table is lent; the matrix onnxruntime repacks per session stays with each session.
    assert set(weights._arrays) == {"table"}
    # In place: both sessions see a change to the one array, so neither holds a copy of its own.
    weights._arrays["table"][3] = 0.0
    for session in (first, second):
        assert not session.run(None, {"ids": IDS})[0][0].any()


def test_the_cached_e5_graph_keeps_its_weights_in_the_data_file(e5: E5Embedder, models_dir: Path) -> None:
    graph, _, data = graph_paths(models_dir, "i8")
    model = onnx.load(str(graph), load_external_data=False)
    inline = [i.name for i in model.graph.initializer if len(i.raw_data) >= SHARED_MIN_BYTES]
    external = {e.value for i in model.graph.initializer for e in i.external_data if e.key == "location"}
    assert not inline and external == {data.name}
    assert graph.stat().st_size < data.stat().st_size // 50


def test_e5_vectors_are_those_of_the_graph_loaded_whole(e5: E5Embedder, models_dir: Path) -> None:
    graph, _, _ = graph_paths(models_dir, "i8")
    plain = _session(graph, None)
    tok = e5._tokenizer
    ids = np.array([[tok.bos, *tok.content_ids("passage: Київ і Kyiv"), tok.eos]], dtype=np.int64)
    pooled = plain.run(["pooled"], {"input_ids": ids, "attention_mask": np.ones_like(ids)})[0][0]
    np.testing.assert_allclose(e5.embed_sync(["Київ і Kyiv"])[0], pooled / np.linalg.norm(pooled), atol=1e-6)


async def test_e5_question_and_bulk_sessions_share_the_word_table(models_dir: Path) -> None:
    e5 = E5Embedder(models_dir)  # its own arrays: the change below must not reach the run's shared E5
    before = e5.embed_sync(["Kyiv"])[0]
    await in_bulk_thread(e5.embed_sync, ["Kyiv"])  # starts the bulk session
    scales = e5._weights._arrays["emb.word.s"]
    scales[...] = 0.0  # every word looked up as a zero row: only positions are left
    on_questions = e5.embed_sync(["Kyiv"])[0]
    (on_bulk,) = await in_bulk_thread(e5.embed_sync, ["Kyiv"])
    assert float(on_questions @ before) < 0.99
    np.testing.assert_allclose(on_bulk, on_questions, atol=1e-6)


def test_a_data_file_cut_short_is_an_error(tmp_path: Path) -> None:
    path = _table_graph(tmp_path, external=True)
    data = tmp_path / "table.onnx.data"
    data.write_bytes(data.read_bytes()[:100])
    with pytest.raises(EmbeddingError, match="ends inside"):
        SharedWeights(path)


def test_a_weight_stored_outside_the_folder_is_refused(tmp_path: Path) -> None:
    path = _table_graph(tmp_path / "models", external=True)
    model = onnx.load(str(path), load_external_data=False)
    for init in model.graph.initializer:
        for entry in init.external_data:
            if entry.key == "location":
                entry.value = "../table.onnx.data"
    path.write_bytes(model.SerializeToString())
    with pytest.raises(EmbeddingError, match="outside"):
        SharedWeights(path)


def test_a_graph_that_is_not_one_is_an_error(tmp_path: Path) -> None:
    junk = tmp_path / "junk.onnx"
    junk.write_bytes(b"not a model")
    with pytest.raises(EmbeddingError, match="cannot load"):
        SharedWeights(junk)
