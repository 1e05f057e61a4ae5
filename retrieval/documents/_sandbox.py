"""Untrusted PDF and Word files are read in a child process of their own, with caps on memory and time.

PDF and Word parsers are large, and a crafted file can make one allocate without end, loop, or crash in
native code. None of that may reach the bot: the child starts from the fork server (the same one the
extraction workers use), lowers its own address-space limit to what it has plus the allowed budget, sets a
CPU-time limit a little past the deadline, lowers its priority, reads the document and sends back the
article. A child that is still busy at the deadline is killed; one that dies is reported as a file that
could not be read. Nothing of the parent's state is at stake: the child holds only the document's bytes.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import multiprocessing.connection
import os
import sys
from typing import Any

from retrieval.priority import BULK_NICENESS
from retrieval.store import Extracted

from ._errors import DocumentCrashed, DocumentError, DocumentTimeout
from ._read import DocumentLimits, read_document

_STATM = "/proc/self/statm"


def _limit_self(limits: DocumentLimits) -> None:
    """Caps for this (child) process: address space = what it maps now + the budget; CPU seconds."""
    with contextlib.suppress(AttributeError, OSError):
        os.nice(BULK_NICENESS)
    try:
        import resource
    except ImportError:  # not on this platform: the deadline still holds
        return
    with contextlib.suppress(OSError, ValueError):
        with open(_STATM, encoding="ascii") as statm:
            mapped = int(statm.read().split()[0]) * resource.getpagesize()
        resource.setrlimit(resource.RLIMIT_AS, (mapped + limits.memory_bytes, mapped + limits.memory_bytes))
    with contextlib.suppress(OSError, ValueError):
        cpu = int(limits.seconds) + 5
        resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 5))


def _child(
    conn: multiprocessing.connection.Connection, data: bytes, name: str | None, limits: DocumentLimits
) -> None:
    _limit_self(limits)
    try:
        reply: tuple[str, Any] = ("ok", read_document(data, name, limits))
    except DocumentError as exc:
        reply = ("error", exc)
    except MemoryError:
        reply = ("error", DocumentCrashed("the document needs more memory to read than is allowed"))
    except Exception as exc:  # a parser's own failure on a broken file
        reply = ("error", DocumentCrashed(f"the document could not be read ({type(exc).__name__})"))
    try:
        conn.send(reply)
    except Exception:
        conn.send(("error", DocumentCrashed()))
    finally:
        conn.close()


def _context() -> Any:
    method = "forkserver" if "forkserver" in multiprocessing.get_all_start_methods() else "spawn"
    return multiprocessing.get_context(method)


def _main_importable() -> bool:
    main = sys.modules.get("__main__")
    path = getattr(main, "__file__", None)
    return path is None or os.path.exists(path)


def read_limited(data: bytes, name: str | None, limits: DocumentLimits) -> Extracted:
    """Blocking: `read_document` in a child process under `limits`. Raises DocumentError subclasses only."""
    if len(data) > limits.max_bytes:  # refused before a process is started for it
        return read_document(data, name, limits)
    if not _main_importable():
        # A child re-imports the main module; a script fed on stdin has none. Such callers read in-process.
        return read_document(data, name, limits)
    ctx = _context()
    ours, theirs = ctx.Pipe(duplex=False)
    process = ctx.Process(
        target=_child, args=(theirs, data, name, limits), daemon=True, name="briefbot-document"
    )
    process.start()
    theirs.close()
    try:
        if not ours.poll(limits.seconds):
            raise DocumentTimeout.of(limits.seconds)
        try:
            status, value = ours.recv()
        except (EOFError, OSError) as exc:
            raise DocumentCrashed() from exc
    finally:
        ours.close()
        if process.is_alive():
            process.kill()
        process.join(timeout=5)
    if status == "ok" and isinstance(value, Extracted):
        return value
    if isinstance(value, DocumentError):
        raise value
    raise DocumentCrashed()
