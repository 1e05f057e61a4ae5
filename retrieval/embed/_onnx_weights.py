"""A graph's large weights, read once per embedder and lent to each onnxruntime session made from it.

An embedder runs two sessions of one graph: one for questions and one, on the niced bulk thread, for
ingestion (see retrieval.priority). Each session loading the graph itself holds its own copy of every
weight: for E5 that is 80 MB twice. Here the weights are read into numpy arrays once, and every session gets
them through `SessionOptions.add_initializer`, which onnxruntime uses in place instead of loading the
graph's copy.

A graph keeps its large weights either inline or, as the E5 cache writes it, in a data file beside it (ONNX
external data). External data is read straight from that file into the arrays (the graph alone is a few
hundred KB), so even a session's start never holds a second copy; onnxruntime only checks that the file is
there. Inline weights are copied out of the parsed graph, which onnxruntime then parses again per session,
dropping the weights it is given.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import numpy as np

from ._base import EmbeddingError

#: Tensors at least this large are shared; smaller ones (biases, scales) stay in the graph.
SHARED_MIN_BYTES = 4096
# onnxruntime repacks the second operand of these into a layout of its own when a session starts, and
# frees the original: lent to it, the original would stay as a third copy. Turning the repacking off
# instead cost 12 % of ingestion's CPU and a third of a question's, so each session keeps its repacked
# matrices and the sharing is of the rest (for E5, the 60 MB word table).
_REPACKED_OPERANDS = {
    "MatMul", "Gemm", "MatMulInteger", "MatMulIntegerToFloat", "DynamicQuantizeMatMul", "QLinearMatMul",
    "MatMulNBits",
}  # fmt: skip


class SharedWeights:
    def __init__(self, graph: Path) -> None:
        """Raises EmbeddingError when the graph or its data file cannot be read as the graph describes."""
        import onnx
        import onnxruntime as ort
        from onnx import helper, numpy_helper

        try:
            model = onnx.load(str(graph), load_external_data=False)
        except Exception as exc:  # protobuf's and onnx's errors share no base class short of Exception
            raise EmbeddingError(f"cannot load the graph {graph}: {exc}") from exc
        repacked = {
            n.input[1] for n in model.graph.node if n.op_type in _REPACKED_OPERANDS and len(n.input) > 1
        }
        self._arrays: dict[str, np.ndarray] = {}
        for init in model.graph.initializer:
            if init.name in repacked:
                continue
            if init.data_location == onnx.TensorProto.EXTERNAL:
                dtype = np.dtype(helper.tensor_dtype_to_np_dtype(init.data_type))
                fields = {entry.key: entry.value for entry in init.external_data}
                array = _read_external(graph.parent, init.name, fields, dtype, list(init.dims))
            elif len(init.raw_data) >= SHARED_MIN_BYTES:
                array = numpy_helper.to_array(init).copy()  # its own buffer, not a view of the graph's bytes
            else:
                continue
            self._arrays[init.name] = array
        del model
        # The OrtValues point into the arrays, which this object keeps alive as long as any session.
        self._values: dict[str, Any] = {
            name: ort.OrtValue.ortvalue_from_numpy(array) for name, array in self._arrays.items()
        }

    @property
    def nbytes(self) -> int:
        return sum(a.nbytes for a in self._arrays.values())

    def lend_to(self, options: Any) -> None:
        """Make a session built with `options` use these arrays rather than weights of its own."""
        for name, value in self._values.items():
            options.add_initializer(name, value)


def _read_external(
    folder: Path, name: str, fields: dict[str, str], dtype: np.dtype, dims: list[int]
) -> np.ndarray:
    location = fields.get("location", "")
    # Only a file beside the graph: a graph naming another path is not one the cache wrote.
    if not location or Path(location).name != location or location.startswith("."):
        raise EmbeddingError(f"weight {name} points outside the models folder: {location!r}")
    try:
        offset, length = int(fields.get("offset", "0")), int(fields["length"])
    except (KeyError, ValueError) as exc:
        raise EmbeddingError(f"weight {name} has no readable offset and length") from exc
    count = math.prod(dims)
    if offset < 0 or length != count * dtype.itemsize:
        raise EmbeddingError(f"weight {name}: {length} bytes recorded for {count} x {dtype}")
    try:
        with (folder / location).open("rb") as fh:
            fh.seek(offset)
            array = np.fromfile(fh, dtype=dtype.newbyteorder("<"), count=count)
    except OSError as exc:
        raise EmbeddingError(f"cannot read weight {name} from {folder / location}: {exc}") from exc
    if array.size != count:
        raise EmbeddingError(f"{folder / location} ends inside weight {name}")
    return array.astype(dtype, copy=False).reshape(dims)
