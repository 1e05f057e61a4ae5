"""Questions first: bulk work (ingestion, reindexing) steps aside while a question is being answered.

A question needs a few milliseconds of model time; one long article needs seconds. Three things keep a
question from waiting behind ingestion:
- bulk work is cut into small steps, and before each step it waits until no question is in flight;
- bulk model calls run on their own thread, with model sessions of their own (a question never waits for a
  lock an ingestion batch holds), at a lower CPU priority: the thread and the threads its sessions start are
  niced, so the cores go to a question first and to ingestion whenever no question needs them;
- bulk Python work (extraction, hashing, statements) runs in niced worker processes, so it does not compete
  with the answer for this process's interpreter lock.
Work done on behalf of a question (its search, the writer's sentence embeddings) never waits: the question's
context marks it.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import os
import threading
import time
from collections.abc import AsyncIterator, Callable
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from typing import Any, TypeVar

T = TypeVar("T")

#: How much lower than the bot's own priority bulk threads and worker processes run (Unix `nice`).
BULK_NICENESS = 10

_ANSWERING: contextvars.ContextVar[bool] = contextvars.ContextVar("answering_a_question", default=False)


def lower_priority() -> None:
    """Nice the calling thread (on Linux a thread has a priority of its own) or, where threads share their
    process's, nothing: best effort. Threads it starts afterwards inherit the lower priority."""
    try:
        # Relative to the process's own priority, as os.nice is for worker processes: a bot the operator
        # started niced would otherwise have its bulk thread set back up to BULK_NICENESS, above the bot.
        base = os.getpriority(os.PRIO_PROCESS, 0)
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), min(19, base + BULK_NICENESS))
    except (AttributeError, OSError):
        pass


_bulk_thread: ThreadPoolExecutor | None = None


async def in_bulk_thread(fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """`fn(*args, **kwargs)` on the process's one bulk thread: niced, and one call at a time, so bulk model
    calls never run two big batches at once on a small machine."""
    global _bulk_thread
    if _bulk_thread is None:
        _bulk_thread = ThreadPoolExecutor(1, "briefbot-bulk", initializer=lower_priority)
    return await asyncio.get_running_loop().run_in_executor(_bulk_thread, partial(fn, *args, **kwargs))


def on_bulk_thread() -> bool:
    return threading.current_thread().name.startswith("briefbot-bulk")


def answering() -> bool:
    """Whether the running code works for a question (set by `Priority.question`, inherited by tasks and
    worker threads started from it)."""
    return _ANSWERING.get()


class Priority:
    """Counts the questions in flight; bulk steps wait for none (at most `max_wait` seconds, so a steady
    stream of questions slows ingestion down without stopping it)."""

    def __init__(self, *, max_wait: float = 5.0) -> None:
        self.max_wait = max_wait
        self._active = 0
        self._idle = asyncio.Event()
        self._idle.set()
        #: Seconds bulk work spent waiting for questions, for benchmarks.
        self.waited = 0.0

    @contextlib.asynccontextmanager
    async def question(self) -> AsyncIterator[None]:
        """Answering a question: bulk work pauses at its next step until this ends."""
        self._active += 1
        self._idle.clear()
        token = _ANSWERING.set(True)
        try:
            yield
        finally:
            _ANSWERING.reset(token)
            self._active -= 1
            if not self._active:
                self._idle.set()

    @property
    def busy(self) -> bool:
        return self._active > 0

    async def bulk_turn(self) -> None:
        """Wait, before a step of bulk work, until no question is being answered (never inside one)."""
        if _ANSWERING.get() or not self._active:
            return
        started = time.monotonic()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._idle.wait(), timeout=self.max_wait)
        self.waited += time.monotonic() - started
