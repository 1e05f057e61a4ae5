"""E5's built graph in the models folder: found when sound, rebuilt when altered, stale or missing."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from retrieval.embed import E5Embedder, EmbeddingError
from retrieval.embed import _e5_cache as cache
from retrieval.embed import _files as files
from retrieval.embed._e5_cache import cached_graph, graph_paths

ROOT = Path(__file__).resolve().parents[3]


def _copy_of_the_built_graph(e5_q4: E5Embedder, models_dir: Path, into: Path) -> Path:
    """The run's 4-bit graph and its record, copied to a folder of the test's own (no build needed)."""
    into.mkdir()
    for path in graph_paths(models_dir, "q4"):
        shutil.copy(path, into / path.name)
    return into


def test_an_altered_graph_is_rebuilt_in_a_child_process(
    e5_q4: E5Embedder, models_dir: Path, tmp_path: Path
) -> None:
    folder = _copy_of_the_built_graph(e5_q4, models_dir, tmp_path / "models")
    found = cached_graph(folder, "q4")
    assert not found.built
    _, _, weights = graph_paths(folder, "q4")
    data = bytearray(weights.read_bytes())
    data[len(data) // 2] ^= 0xFF  # one flipped byte deep inside a weight
    weights.write_bytes(bytes(data))
    rebuilt = cached_graph(folder, "q4")  # the default: the build's memory is a child process's
    assert rebuilt.built and rebuilt.sha256 == found.sha256
    assert weights.read_bytes() != bytes(data)
    assert not list(folder.glob("*.tmp")) and not list(folder.glob(".e5-small-q4.onnx.*"))


@pytest.mark.parametrize("field", ["weights_sha256", "graph_version", "sha256", "data_sha256", "variant"])
def test_a_record_that_does_not_match_means_a_rebuild(
    e5_q4: E5Embedder, models_dir: Path, tmp_path: Path, field: str
) -> None:
    folder = _copy_of_the_built_graph(e5_q4, models_dir, tmp_path / "models")
    assert cache._valid(folder, "q4") is not None
    _, meta, _ = graph_paths(folder, "q4")
    record = json.loads(meta.read_text())
    record[field] = {"graph_version": -1, "variant": "i8"}.get(field, "0" * 64)
    meta.write_text(json.dumps(record))
    assert cache._valid(folder, "q4") is None  # what makes cached_graph build it again


def test_a_missing_graph_or_record_means_a_rebuild(
    e5_q4: E5Embedder, models_dir: Path, tmp_path: Path
) -> None:
    for lost in (0, 1, 2):
        folder = _copy_of_the_built_graph(e5_q4, models_dir, tmp_path / f"models{lost}")
        graph_paths(folder, "q4")[lost].unlink()
        assert cache._valid(folder, "q4") is None


def test_two_processes_building_at_once_build_once(tmp_path: Path) -> None:
    code = (
        "import sys; from pathlib import Path; from retrieval.embed._e5_cache import cached_graph; "
        "print(cached_graph(Path(sys.argv[1]), 'q4', in_child=False).built)"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", code, str(tmp_path)], stdout=subprocess.PIPE, text=True, env=env
        )
        for _ in range(2)
    ]
    outs = [p.communicate(timeout=600)[0].strip() for p in procs]
    assert all(p.returncode == 0 for p in procs)
    # With the lock, exactly one of them builds; the other waits and finds the graph.
    assert sorted(outs) == ["False", "True"]
    assert not cached_graph(tmp_path, "q4").built
    assert not list(tmp_path.glob("*.tmp")) and not list(tmp_path.glob(".e5-small-q4.onnx.*"))


def test_a_failed_write_leaves_nothing_behind(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def disk_full(*_: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(files.os, "fsync", disk_full)
    with pytest.raises(OSError, match="disk full"):
        files.atomic_write(tmp_path / "e5-small-q4.onnx", b"graph bytes")
    assert not list(tmp_path.iterdir())


def test_a_failed_build_is_an_embedding_error(tmp_path: Path) -> None:
    # A weights file that is not the pinned one: the child refuses it, and says why.
    weights = tmp_path / "e5-small-q4.bin"
    weights.write_bytes(b"E5S1 but not the model")
    with pytest.raises(EmbeddingError, match="sha256"):
        cached_graph(tmp_path / "models", "q4", source=weights)
    assert not list((tmp_path / "models").glob("e5-small-*"))


def test_unknown_variant(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="variant"):
        cached_graph(tmp_path, "fp64")
