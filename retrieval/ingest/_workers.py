"""Extraction in worker processes, so a time limit can actually stop it.

A page that makes the extractor work for minutes (a table of 16,000 rows, a pathological markup tree) cannot
be stopped inside a thread: `wait_for` only stops waiting, and the thread keeps a core busy. A worker process
can be killed. Workers are forked from a server process that has the extraction code imported already
(`forkserver`), so a fresh one is ready in milliseconds; where that start method does not exist (Windows),
`spawn` is used.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import multiprocessing
import multiprocessing.connection
import os
import sys
from collections.abc import Callable
from multiprocessing.process import BaseProcess
from typing import Any, TypeVar

from retrieval.errors import BriefbotError
from retrieval.priority import BULK_NICENESS

T = TypeVar("T")

log = logging.getLogger(__name__)

# What the workers run: imported once, in the fork server, and shared with every worker it forks.
# The document sandbox (retrieval.documents) forks its readers from the same server.
_PRELOAD = ["retrieval.extract", "retrieval.ingest", "retrieval.statements", "retrieval.documents"]


class WorkerCrashed(BriefbotError):
    """The worker process died (or sent what could not be read) while working on a job."""


def _context() -> Any:
    if "forkserver" in multiprocessing.get_all_start_methods():
        ctx = multiprocessing.get_context("forkserver")
        ctx.set_forkserver_preload(_PRELOAD)
        return ctx
    return multiprocessing.get_context("spawn")


def _main_importable() -> bool:
    main = sys.modules.get("__main__")
    path = getattr(main, "__file__", None)
    return path is None or os.path.exists(path)


def _serve(conn: multiprocessing.connection.Connection) -> None:
    """The worker's loop: run each (function, arguments) it is sent, send back ("ok", result) or
    ("error", exception). The worker runs niced: its work is bulk work (see retrieval.priority)."""
    with contextlib.suppress(AttributeError, OSError):
        os.nice(BULK_NICENESS)
    while True:
        try:
            fn, args = conn.recv()
        except (EOFError, OSError):
            return
        try:
            reply: tuple[str, Any] = ("ok", fn(*args))
        except Exception as exc:
            reply = ("error", exc)
        try:
            conn.send(reply)
        except Exception as exc:  # an unpicklable result or exception: say what it was
            conn.send(("error", WorkerCrashed(f"{type(exc).__name__} sending the result")))


class _Worker:
    def __init__(self) -> None:
        self._process: BaseProcess | None = None
        self._conn: multiprocessing.connection.Connection | None = None

    def _start(self) -> tuple[BaseProcess, multiprocessing.connection.Connection]:
        if self._process is not None and self._process.is_alive() and self._conn is not None:
            return self._process, self._conn
        self.stop()
        ctx = _context()
        ours, theirs = ctx.Pipe()
        process = ctx.Process(target=_serve, args=(theirs,), daemon=True, name="briefbot-extraction")
        process.start()
        theirs.close()
        self._process, self._conn = process, ours
        return process, ours

    def call(self, fn: Callable[..., T], args: tuple[Any, ...], timeout: float) -> T:
        """Blocking: run `fn(*args)` in the worker; the worker is killed if it takes longer than `timeout`."""
        _, conn = self._start()
        try:
            conn.send((fn, args))
            ready = conn.poll(timeout)
        except (OSError, EOFError) as exc:
            self.stop()
            raise WorkerCrashed(str(exc) or type(exc).__name__) from exc
        if not ready:
            self.stop()
            raise TimeoutError
        try:
            status, value = conn.recv()
        except (OSError, EOFError) as exc:
            self.stop()
            raise WorkerCrashed("the worker process died") from exc
        if status == "ok":
            return value  # type: ignore[no-any-return]
        raise value

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process is not None and self._process.is_alive() else None

    def stop(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None
        if self._process is not None:
            if self._process.is_alive():
                self._process.kill()
            self._process.join(timeout=5)
            self._process = None


class ExtractionWorkers:
    """A few worker processes; each job takes an idle one, and a job past its limit takes its worker down."""

    def __init__(self, size: int = 2) -> None:
        self._workers = [_Worker() for _ in range(size)]
        self._idle: asyncio.Queue[_Worker] | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    async def run(self, fn: Callable[..., T], *args: Any, timeout: float) -> T:  # noqa: ASYNC109
        """`fn(*args)` in a worker process: its result, its exception, TimeoutError past `timeout` seconds
        (the worker is killed, and a new one starts with the next job), or WorkerCrashed."""
        if not _main_importable():
            # A worker re-imports the main module; code fed on stdin has none to import. Such a caller
            # (a one-off script) gets the old behaviour: a thread, which the limit stops waiting for.
            return await asyncio.wait_for(asyncio.to_thread(fn, *args), timeout=timeout)
        loop = asyncio.get_running_loop()
        if self._idle is None or self._loop is not loop:
            # A queue that was ever waited on belongs to that event loop; a process that runs another loop
            # later (tests, a CLI command after another) gets a queue of its own.
            self._idle, self._loop = asyncio.Queue(), loop
            for worker in self._workers:
                self._idle.put_nowait(worker)
        worker = await self._idle.get()
        try:
            return await asyncio.to_thread(worker.call, fn, args, timeout)
        finally:
            self._idle.put_nowait(worker)

    def pids(self) -> list[int]:
        """The live workers' process ids (for tests and diagnostics)."""
        return [pid for w in self._workers if (pid := w.pid) is not None]

    def close(self) -> None:
        for worker in self._workers:
            worker.stop()


_shared: ExtractionWorkers | None = None


def shared_workers() -> ExtractionWorkers:
    """The process's extraction workers, shared by every ingestor in it (started on first use; daemon
    processes, gone with this one)."""
    global _shared
    if _shared is None:
        _shared = ExtractionWorkers()
    return _shared
