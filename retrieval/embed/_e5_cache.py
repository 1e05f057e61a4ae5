"""The built E5 graph, kept in the data dir: built once, checked by sha256 at every load.

`<dir>/e5-small-<variant>.onnx` (the graph, a few hundred KB) sits beside `<dir>/e5-small-<variant>.onnx.data`
(its large weights, as ONNX external data, which the embedder reads once and lends to each of its sessions:
see `_onnx_weights`) and `<dir>/e5-small-<variant>.json`, which records both files' sha256, the weights'
sha256 it was built from and the builder's version. A graph that is missing, does not match its record, or
was built from other weights or by another builder version is rebuilt.

Writes are atomic (a temporary file in the same directory, fsync, rename), so a reader never sees half a
graph. Two processes that find no graph at once take turns on a lock file where the OS has `fcntl`; the
second then finds the first one's graph and does not build. Without `fcntl` both build, and since a build
is deterministic, whichever rename lands last leaves the same bytes as the other.

The build runs in a child process by default: it peaks at 370-850 MB (the weights unpacked, the graph
serialised, onnxruntime's quantiser's copies), memory a long-running bot would otherwise keep.
"""

from __future__ import annotations

import hashlib
import json
import time
from dataclasses import dataclass
from pathlib import Path

import onnx

from ._base import EmbeddingError
from ._e5_graph import GRAPH_VERSION, VARIANTS
from ._e5_weights import E5_MODEL_SHA256, load_weights, wheel_model_path
from ._files import atomic_write, build_lock, run_in_child, sha256_of, stderr_tail
from ._onnx_weights import SHARED_MIN_BYTES


class GraphBuildError(EmbeddingError):
    """The graph could not be built or written."""


@dataclass(frozen=True)
class CachedGraph:
    path: Path
    sha256: str
    built: bool  # False when an existing, valid graph was found
    build_seconds: float | None = None


def graph_paths(directory: Path, variant: str) -> tuple[Path, Path, Path]:
    """The graph, its record and its data file."""
    graph = directory / f"e5-small-{variant}.onnx"
    return graph, directory / f"e5-small-{variant}.json", graph.with_name(graph.name + ".data")


def cached_graph(
    directory: Path, variant: str, *, source: Path | None = None, in_child: bool = True
) -> CachedGraph:
    """The graph for `variant` in `directory`, built first if it is not there or does not check out."""
    if variant not in VARIANTS:
        raise ValueError(f"unknown variant {variant!r}; one of {VARIANTS}")
    directory.mkdir(parents=True, exist_ok=True)
    found = _valid(directory, variant)
    if found is not None:
        return found
    with build_lock(directory / f".e5-small-{variant}.lock"):
        found = _valid(directory, variant)  # another process may have built it while we waited
        if found is not None:
            return found
        if in_child:
            return _build_in_child(directory, variant, source)
        return _build(directory, variant, source)


def _build_in_child(directory: Path, variant: str, source: Path | None) -> CachedGraph:
    started = time.perf_counter()
    # The child must import these modules as this process does (same interpreter, same path); it runs
    # `_build` directly, as the lock is held here.
    done = run_in_child(__name__, [str(directory), variant, str(source or "")])
    if done.returncode != 0:
        raise GraphBuildError(f"building the E5 graph failed ({done.returncode}): {stderr_tail(done)}")
    found = _valid(directory, variant)
    if found is None:
        raise GraphBuildError("the E5 graph was built but does not check out")
    return CachedGraph(found.path, found.sha256, built=True, build_seconds=time.perf_counter() - started)


def _record(sha256: str, data_sha256: str, variant: str) -> dict[str, object]:
    return {
        "graph_version": GRAPH_VERSION,
        "variant": variant,
        "weights_sha256": E5_MODEL_SHA256,
        "sha256": sha256,
        "data_sha256": data_sha256,
    }


def _valid(directory: Path, variant: str) -> CachedGraph | None:
    graph, meta, data = graph_paths(directory, variant)
    try:
        record = json.loads(meta.read_text(encoding="utf-8"))
        if record != _record(str(record.get("sha256")), str(record.get("data_sha256")), variant):
            return None
        digest = sha256_of(graph)
        if digest != record["sha256"] or sha256_of(data) != record["data_sha256"]:
            return None
    except (OSError, ValueError, AttributeError):
        return None
    return CachedGraph(graph, digest, built=False)


def _build(directory: Path, variant: str, source: Path | None) -> CachedGraph:
    from ._e5_graph import build

    started = time.perf_counter()
    model = build(load_weights(source or wheel_model_path()), variant)
    graph, meta, data_path = graph_paths(directory, variant)
    weights = externalise(model, data_path.name)
    data = model.SerializeToString()
    del model
    digest, data_digest = hashlib.sha256(data).hexdigest(), hashlib.sha256(weights).hexdigest()
    # The files first, their record last: a record never vouches for files that are not in place yet (a
    # crash in between leaves files without a matching record, which the next start rebuilds).
    atomic_write(data_path, weights)
    del weights
    atomic_write(graph, data)
    atomic_write(meta, (json.dumps(_record(digest, data_digest, variant), indent=1) + "\n").encode())
    return CachedGraph(graph, digest, built=True, build_seconds=time.perf_counter() - started)


def externalise(model: onnx.ModelProto, location: str) -> bytes:
    """Move the model's large weights out of it, as ONNX external data in `location`; return that data."""
    blob = bytearray()
    for init in model.graph.initializer:
        if len(init.raw_data) < SHARED_MIN_BYTES:
            continue
        blob += bytes(-len(blob) % 64)  # aligned, as onnx's own writer does
        offset, length = len(blob), len(init.raw_data)
        blob += init.raw_data
        init.ClearField("raw_data")
        del init.external_data[:]
        for key, value in (("location", location), ("offset", str(offset)), ("length", str(length))):
            entry = init.external_data.add()
            entry.key, entry.value = key, value
        init.data_location = onnx.TensorProto.EXTERNAL
    return bytes(blob)


def build_main(argv: list[str]) -> None:
    """The build child's entry point: DIR VARIANT [WEIGHTS]."""
    out = _build(Path(argv[0]), argv[1], Path(argv[2]) if len(argv) > 2 and argv[2] else None)
    print(json.dumps({"sha256": out.sha256, "seconds": out.build_seconds}))
