"""What the models folder's caches (E5's graph, MiniLM's optimised graph) share: files written whole or not
at all, builds that take turns, checksums, and builds run in a child process."""

from __future__ import annotations

import contextlib
import hashlib
import os
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path


def run_in_child(module: str, argv: list[str]) -> subprocess.CompletedProcess[str]:
    """`module.build_main(argv)` in a child process of this interpreter, on this process's import path: a
    build's peak memory is the child's, not the long-running bot's."""
    code = f"import sys; from {module} import build_main; build_main(sys.argv[1:])"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in sys.path if p)}
    return subprocess.run(
        [sys.executable, "-c", code, *argv], capture_output=True, text=True, env=env, check=False
    )


def stderr_tail(done: subprocess.CompletedProcess[str]) -> str:
    return " / ".join(done.stderr.strip().splitlines()[-3:])


def atomic_write(path: Path, data: bytes) -> None:
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        os.chmod(tmp, 0o644)  # mkstemp makes it 0600; the bot may run as another user than the installer
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


@contextlib.contextmanager
def build_lock(path: Path) -> Iterator[None]:
    try:
        import fcntl
    except ImportError:  # Windows: no lock, see the module docstring
        yield
        return
    with path.open("a+b") as fh:
        fcntl.flock(fh.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh.fileno(), fcntl.LOCK_UN)


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()
