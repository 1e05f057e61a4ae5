"""The graph cache: built once, checked at every load, rebuilt when it does not check out."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

import e5_cache
from e5_cache import cached_graph, graph_paths

ROOT = Path(__file__).resolve().parent.parent


def test_found_valid_then_rebuilt_when_the_graph_is_altered(tmp_path: Path) -> None:
    first = cached_graph(tmp_path, "q4", in_child=False)
    assert first.built
    again = cached_graph(tmp_path, "q4", in_child=False)
    assert not again.built and again.sha256 == first.sha256
    graph, _ = graph_paths(tmp_path, "q4")
    data = bytearray(graph.read_bytes())
    data[len(data) // 2] ^= 0xFF  # one flipped byte deep inside a weight
    graph.write_bytes(bytes(data))
    rebuilt = cached_graph(tmp_path, "q4", in_child=False)
    assert rebuilt.built and rebuilt.sha256 == first.sha256
    assert graph.read_bytes() != bytes(data)


@pytest.mark.parametrize("field", ["weights_sha256", "graph_version", "sha256"])
def test_rebuilt_when_its_record_does_not_match(tmp_path: Path, field: str) -> None:
    cached_graph(tmp_path, "q4", in_child=False)
    _, meta = graph_paths(tmp_path, "q4")
    record = json.loads(meta.read_text())
    record[field] = "0" * 64 if field != "graph_version" else -1
    meta.write_text(json.dumps(record))
    assert cached_graph(tmp_path, "q4", in_child=False).built


def test_rebuilt_when_the_graph_or_record_is_missing(tmp_path: Path) -> None:
    cached_graph(tmp_path, "q4", in_child=False)
    graph, meta = graph_paths(tmp_path, "q4")
    graph.unlink()
    assert cached_graph(tmp_path, "q4", in_child=False).built
    meta.unlink()
    assert cached_graph(tmp_path, "q4", in_child=False).built


def test_build_in_a_child_process(tmp_path: Path) -> None:
    got = cached_graph(tmp_path, "q4")  # the default: the build's memory is the child's
    assert got.built and got.path.is_file()
    assert not list(tmp_path.glob("*.tmp")), "no temporary file left behind"


def test_two_processes_building_at_once(tmp_path: Path) -> None:
    code = (
        "import sys; from pathlib import Path; sys.path.insert(0, sys.argv[1]); import e5_cache; "
        "print(e5_cache.cached_graph(Path(sys.argv[2]), 'q4', in_child=False).built)"
    )
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", code, str(ROOT), str(tmp_path)], stdout=subprocess.PIPE, text=True
        )
        for _ in range(2)
    ]
    outs = [p.communicate(timeout=600)[0].strip() for p in procs]
    assert all(p.returncode == 0 for p in procs)
    # With the lock, exactly one of them builds; the other waits and finds the graph.
    assert sorted(outs) == ["False", "True"]
    assert not cached_graph(tmp_path, "q4", in_child=False).built
    assert not list(tmp_path.glob("*.tmp"))


def test_unknown_variant(tmp_path: Path) -> None:
    with pytest.raises(ValueError):
        cached_graph(tmp_path, "fp64")


def test_a_failed_build_leaves_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*_: object) -> bytes:
        raise OSError("disk full")

    monkeypatch.setattr(e5_cache.os, "fsync", broken)
    with pytest.raises(OSError):
        cached_graph(tmp_path, "q4", in_child=False)
    assert not list(tmp_path.glob("e5-small-*")) and not list(tmp_path.glob(".e5-small-q4.onnx.*"))
