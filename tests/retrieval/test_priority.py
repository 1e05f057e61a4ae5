"""Questions first: ingestion steps aside for a question, and its heavy steps stay off the event loop."""

from __future__ import annotations

import asyncio
import contextvars
import os
import threading
from typing import Any

import numpy as np
import pytest

from bot.services import Services
from retrieval.embed import Embedder, LocalEmbedder
from retrieval.ingest import Ingestor
from retrieval.priority import BULK_NICENESS, Priority, answering, in_bulk_thread
from retrieval.store import Extracted


async def test_bulk_work_waits_for_a_question_but_never_inside_one() -> None:
    priority = Priority()
    order: list[str] = []

    async def bulk() -> None:
        await priority.bulk_turn()
        order.append("bulk")

    async with priority.question():
        assert answering()
        await priority.bulk_turn()  # a question's own work never waits for itself
        # Bulk work started elsewhere (a fresh context, as a link's ingestion has).
        task = asyncio.create_task(bulk(), context=contextvars.Context())
        for _ in range(5):
            await asyncio.sleep(0)
        order.append("question done")
    await task
    assert order == ["question done", "bulk"]
    assert not answering()


async def test_a_steady_stream_of_questions_slows_bulk_work_without_stopping_it() -> None:
    priority = Priority(max_wait=0.05)
    async with priority.question():
        bulk = asyncio.create_task(priority.bulk_turn(), context=contextvars.Context())
        await asyncio.wait_for(bulk, timeout=5)  # done although the question is still being answered
    assert priority.waited > 0


class _Counting(Embedder):
    """The real embedder, counting the passages bulk work has had embedded so far."""

    def __init__(self, inner: LocalEmbedder) -> None:
        self.inner, self.id, self.dim, self.max_tokens = inner, inner.id, inner.dim, inner.max_tokens
        self.bulk_batch = 8
        self.passages_done = 0
        self.first_bulk_call = asyncio.Event()

    async def embed(self, texts: list[str]) -> np.ndarray:
        bulk = not answering()
        if bulk:
            self.first_bulk_call.set()
        vectors = await self.inner.embed(texts)
        if bulk:
            self.passages_done += len(texts)
        return vectors

    def count_tokens(self, text: str) -> int:
        return self.inner.count_tokens(text)


def _long_article(paragraphs: int) -> Extracted:
    body = "\n\n".join(
        f"Paragraph {i}: the port authority of Porthaven reported that ship number {i} waited "
        f"{i % 7 + 1} hours for the tide, and the harbour master said dredging would end such delays "
        "once the northern channel is deepened to fourteen metres next spring."
        for i in range(paragraphs)
    )
    return Extracted(text=body, title="Porthaven waiting times", url="https://port.example/waits")


async def test_a_question_does_not_wait_for_a_long_article_to_be_embedded(
    services: Services, embedder: LocalEmbedder
) -> None:
    counting = _Counting(embedder)
    ingestor = Ingestor(services.library, services.index, counting, priority=services.priority)
    article = _long_article(160)
    ingesting = asyncio.create_task(ingestor.ingest_many([article]))
    await counting.first_bulk_call.wait()
    async with services.priority.question():
        await counting.embed_queries(["When will the channel be dredged?"])
        done_when_answered = counting.passages_done
    [result] = await ingesting
    assert result.status == "added" and result.chunks > 40
    # The question ran after at most the bulk call in progress, not after the whole article.
    assert done_when_answered <= 2 * counting.bulk_batch < result.chunks


async def test_an_article_over_the_passage_limit_is_refused_with_a_reason(services: Services) -> None:
    ingestor = Ingestor(services.library, services.index, services.embedder, max_passages=5)
    [result] = await ingestor.ingest_many([_long_article(60)])
    assert result.status == "failed"
    assert "too long to store" in (result.reason or "") and "the limit is 5" in (result.reason or "")
    assert (await services.library.stats())["articles"] == 0  # refused whole, never cut short


async def test_bulk_python_work_runs_in_worker_processes_and_cutting_off_the_loop(
    services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Hashing, shingling and reading statements hold the interpreter lock for a long text: they run in the
    worker processes, where they cannot hold up the answer to a question; cutting runs in a thread."""
    loop_thread = threading.get_ident()
    sent: list[str] = []
    workers = services.ingestor.workers
    real_run = workers.run

    async def run(fn: Any, *args: Any, timeout: float) -> Any:  # noqa: ASYNC109 - the seam's signature
        sent.append(getattr(fn, "__name__", type(fn).__name__))
        return await real_run(fn, *args, timeout=timeout)

    cut_on: list[int] = []
    chunker = services.ingestor.chunker
    real_split = chunker.split

    def split(text: str) -> Any:
        cut_on.append(threading.get_ident())
        return real_split(text)

    monkeypatch.setattr(workers, "run", run)
    monkeypatch.setattr(chunker, "split", split)
    [result] = await services.ingestor.ingest_many([_long_article(40)])
    assert result.status == "added" and result.statements > 0
    assert {"prepare", "extract_statements"} <= set(sent)
    assert cut_on and loop_thread not in cut_on
    assert workers.pids() and os.getpid() not in workers.pids()


async def test_bulk_embedding_runs_on_its_own_niced_thread_and_session(embedder: LocalEmbedder) -> None:
    """Questions use the shared session from any thread; bulk calls run on the bulk thread, with a session
    of their own, at a lower CPU priority."""
    if not hasattr(os, "getpriority"):
        pytest.skip("no thread priorities here")
    seen: dict[str, int] = {}

    def where() -> None:
        seen["nice"] = os.getpriority(os.PRIO_PROCESS, threading.get_native_id())

    await in_bulk_thread(where)
    # Lower than the process's own priority by BULK_NICENESS, or the lowest there is (19).
    assert seen["nice"] == min(19, BULK_NICENESS + os.getpriority(os.PRIO_PROCESS, 0))
    bulk = await embedder.embed(["a passage about the harbour"])
    async with Priority().question():
        asked = await embedder.embed(["a passage about the harbour"])
    assert embedder._bulk_session is not None and embedder._bulk_session is not embedder._session
    assert float(np.dot(bulk[0], asked[0])) > 0.9999
