"""MiniLM on its optimised graph in the models folder: the same vectors, one copy of the weights, and the
model as shipped whenever the graph cannot be had."""

from __future__ import annotations

import hashlib
import json
import logging
from pathlib import Path

import numpy as np
import onnx
import pytest

from retrieval.embed import EmbeddingError, LocalEmbedder
from retrieval.embed._optimized import optimized_graph
from retrieval.priority import in_bulk_thread

TEXTS = ["The Kremlin said the status of the regions is not up for discussion.", "Київ", "rates " * 300]


@pytest.fixture(scope="module")
def plain() -> LocalEmbedder:
    return LocalEmbedder()


def _files(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if not p.name.startswith("."))


def test_the_optimised_graph_gives_the_shipped_models_vectors(plain: LocalEmbedder, tmp_path: Path) -> None:
    embedder = LocalEmbedder(cache_dir=tmp_path)
    assert embedder._weights is not None and embedder._model_path.parent == tmp_path
    np.testing.assert_allclose(embedder.embed_sync(TEXTS), plain.embed_sync(TEXTS), atol=1e-5)
    names = _files(tmp_path)
    assert len(names) == 3 and {Path(n).suffix for n in names} == {".onnx", ".data", ".json"}
    # Written once: a second embedder finds the files and leaves them as they were.
    stamps = {p.name: p.stat().st_mtime_ns for p in tmp_path.iterdir()}
    LocalEmbedder(cache_dir=tmp_path)
    assert {p.name: p.stat().st_mtime_ns for p in tmp_path.iterdir()} == stamps


async def test_both_sessions_run_on_one_copy_of_the_weights(tmp_path: Path) -> None:
    embedder = LocalEmbedder(cache_dir=tmp_path)
    before = embedder.embed_sync(TEXTS[:1])[0]
    await in_bulk_thread(embedder.embed_sync, TEXTS[:1])  # starts the bulk session
    assert embedder._weights is not None
    # The word table is lent: change it in place, and both sessions see the change.
    table = max(embedder._weights._arrays.values(), key=lambda a: a.size)
    table[...] = 0.0
    on_questions = embedder.embed_sync(TEXTS[:1])[0]
    (on_bulk,) = await in_bulk_thread(embedder.embed_sync, TEXTS[:1])
    assert float(on_questions @ before) < 0.99
    np.testing.assert_allclose(on_bulk, on_questions, atol=1e-6)


def test_a_damaged_graph_is_written_again(plain: LocalEmbedder, tmp_path: Path) -> None:
    LocalEmbedder(cache_dir=tmp_path)
    [data] = tmp_path.glob("*.onnx.data")
    blob = bytearray(data.read_bytes())
    blob[len(blob) // 2] ^= 0xFF
    data.write_bytes(bytes(blob))
    embedder = LocalEmbedder(cache_dir=tmp_path)
    assert data.read_bytes() != bytes(blob)
    np.testing.assert_allclose(embedder.embed_sync(TEXTS), plain.embed_sync(TEXTS), atol=1e-5)


def test_another_onnxruntimes_graph_is_replaced(tmp_path: Path) -> None:
    LocalEmbedder(cache_dir=tmp_path)
    # What an older onnxruntime would have left: the same name under another key.
    for p in list(tmp_path.glob("minilm-l6-v2-int8-*")):
        p.rename(p.with_name(p.name.replace(p.name.split("-")[-1].split(".")[0], "0" * 16)))
    LocalEmbedder(cache_dir=tmp_path)
    assert not list(tmp_path.glob("*0000000000000000*")) and len(_files(tmp_path)) == 3


def test_without_a_writable_folder_the_shipped_model_runs(
    plain: LocalEmbedder, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    blocked = tmp_path / "file"
    blocked.write_text("not a folder")
    with caplog.at_level(logging.WARNING):
        embedder = LocalEmbedder(cache_dir=blocked / "models")
    assert embedder._weights is None and "without its optimised graph" in caplog.text
    np.testing.assert_allclose(embedder.embed_sync(TEXTS), plain.embed_sync(TEXTS), atol=1e-6)


def test_a_graph_that_fails_to_load_falls_back_to_the_shipped_model(
    plain: LocalEmbedder, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    LocalEmbedder(cache_dir=tmp_path)
    [graph] = tmp_path.glob("*.onnx")
    [record] = tmp_path.glob("*.json")
    # A graph that checks out against its record and reads as ONNX, but that onnxruntime refuses to run.
    model = onnx.load(str(graph), load_external_data=False)
    model.graph.node[0].op_type = "NoSuchOperator"
    refused = model.SerializeToString()
    graph.write_bytes(refused)
    meta = json.loads(record.read_text())
    meta["sha256"] = hashlib.sha256(refused).hexdigest()
    record.write_text(json.dumps(meta))
    with caplog.at_level(logging.WARNING):
        embedder = LocalEmbedder(cache_dir=tmp_path)
    assert embedder._weights is None and "without its optimised graph" in caplog.text
    np.testing.assert_allclose(embedder.embed_sync(TEXTS), plain.embed_sync(TEXTS), atol=1e-6)


def test_a_model_that_cannot_be_optimised_is_an_error_for_the_caller(tmp_path: Path) -> None:
    junk = tmp_path / "junk.onnx"
    junk.write_bytes(b"not a model")
    with pytest.raises(EmbeddingError, match=r"optimising junk\.onnx failed"):
        optimized_graph(junk, "0" * 64, tmp_path / "models", "junk")
