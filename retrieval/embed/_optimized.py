"""A model as onnxruntime optimises it, kept in the models folder so that its sessions can share the weights.

MiniLM's int8 weights are stored with a scale that onnxruntime multiplies out when a session starts
(constant folding), so each session holds its own float32 copy of the model: 163 MB a session, and an
embedder runs two (questions, and bulk work on the niced thread). The graph after that step is written
once, with its weights in a data file beside it (`<name>-<key>.onnx`, `.onnx.data`, `.json`), and every
session starts from it with the weights lent by `SharedWeights`: 138 MB for both sessions instead of 326.

The step runs in a child process (it peaks at the unoptimised model plus the folded one), at the
"extended" level, whose rewrites do not depend on the CPU. The files are keyed by the model's sha256, the
onnxruntime version (whose fused operators the graph then uses) and this module's recipe, and checked by
sha256 at each load, as E5's graph is; anything that fails leaves the caller with the model as shipped.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from pathlib import Path

from ._base import EmbeddingError
from ._files import atomic_write, build_lock, run_in_child, sha256_of, stderr_tail

#: Bump when the way the graph is written changes.
RECIPE = 1


def optimized_graph(model: Path, model_sha256: str, directory: Path, name: str) -> Path:
    """The optimised graph of `model` in `directory`, as `name-<key>.onnx`, written first if missing or not
    as recorded; one written for another key (an older onnxruntime) is removed then.

    Raises EmbeddingError when it cannot be written or checked."""
    import onnxruntime as ort

    key = hashlib.sha256(f"{model_sha256}:{ort.__version__}:{RECIPE}".encode()).hexdigest()[:16]
    graph = directory / f"{name}-{key}.onnx"
    try:
        directory.mkdir(parents=True, exist_ok=True)
        if _valid(graph):
            return graph
        with build_lock(directory / f".{name}.lock"):
            if not _valid(graph):
                _build_in_child(model, graph)
                for old in directory.glob(f"{name}-{'?' * len(key)}.*"):
                    if not old.name.startswith(graph.stem):
                        old.unlink(missing_ok=True)
    except OSError as exc:
        raise EmbeddingError(f"cannot write the optimised graph in {directory}: {exc}") from exc
    if not _valid(graph):
        raise EmbeddingError(f"the optimised graph {graph} was written but does not check out")
    return graph


def _paths(graph: Path) -> tuple[Path, Path]:
    return graph.with_name(graph.name + ".data"), graph.with_suffix(".json")


def _valid(graph: Path) -> bool:
    data, record = _paths(graph)
    try:
        want = json.loads(record.read_text(encoding="utf-8"))
        return bool(want["sha256"] == sha256_of(graph) and want["data_sha256"] == sha256_of(data))
    except (OSError, ValueError, KeyError, TypeError):
        return False


def _build_in_child(model: Path, graph: Path) -> None:
    done = run_in_child(__name__, [str(model), str(graph)])
    if done.returncode != 0:
        raise EmbeddingError(f"optimising {model.name} failed ({done.returncode}): {stderr_tail(done)}")


def build_main(argv: list[str]) -> None:
    """The child's entry point: MODEL GRAPH. Writes GRAPH, its data file and its record, records last."""
    import onnxruntime as ort

    model, graph = Path(argv[0]), Path(argv[1])
    data, record = _paths(graph)
    with tempfile.TemporaryDirectory(prefix=f".{graph.name}.", dir=graph.parent) as tmp:
        # onnxruntime names the data file in the graph; written under the final names, both move as they are.
        staged = Path(tmp) / graph.name
        options = ort.SessionOptions()
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_EXTENDED
        options.optimized_model_filepath = str(staged)
        options.add_session_config_entry("session.optimized_model_external_initializers_file_name", data.name)
        options.add_session_config_entry(
            "session.optimized_model_external_initializers_min_size_in_bytes", "4096"
        )
        ort.InferenceSession(str(model), sess_options=options, providers=["CPUExecutionProvider"])
        digests = {"sha256": sha256_of(staged), "data_sha256": sha256_of(Path(tmp) / data.name)}
        for name in (data.name, graph.name):
            os.chmod(Path(tmp) / name, 0o644)
            shutil.move(str(Path(tmp) / name), graph.parent / name)
    atomic_write(record, (json.dumps({"recipe": RECIPE, **digests}, indent=1) + "\n").encode())
