"""Questions first: bulk work (ingestion, reindexing) steps aside while a question is being answered.

A question needs a few milliseconds of model time; one long article needs seconds. Bulk work is cut into
small steps, and before each step it waits until no question is in flight, so a question never queues behind
an ingestion batch for the model or the cores. Work done on behalf of a question (its search, the writer's
sentence embeddings) never waits: the question's context marks it.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import time
from collections.abc import AsyncIterator

_ANSWERING: contextvars.ContextVar[bool] = contextvars.ContextVar("answering_a_question", default=False)


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
