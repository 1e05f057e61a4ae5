"""Questions first: ingestion steps aside for a question, and its heavy steps stay off the event loop."""

from __future__ import annotations

import asyncio
import contextvars
import threading
from typing import Any

import numpy as np
import pytest

import retrieval.ingest as ingest_module
from bot.services import Services
from retrieval.embedder import Embedder, LocalEmbedder
from retrieval.ingest import Ingestor
from retrieval.priority import Priority, answering
from retrieval.types import Extracted


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


async def test_hashing_shingling_and_cutting_run_off_the_event_loop(
    services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    loop_thread = threading.get_ident()
    seen: list[tuple[str, int]] = []

    def watched(name: str, fn: Any) -> Any:
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            seen.append((name, threading.get_ident()))
            return fn(*args, **kwargs)

        return wrapper

    monkeypatch.setattr(ingest_module, "shingles", watched("shingles", ingest_module.shingles))
    monkeypatch.setattr(ingest_module, "content_hash", watched("hash", ingest_module.content_hash))
    chunker = services.ingestor.chunker
    monkeypatch.setattr(chunker, "split", watched("split", chunker.split))
    [result] = await services.ingestor.ingest_many([_long_article(40)])
    assert result.status == "added"
    assert {name for name, _ in seen} == {"shingles", "hash", "split"}
    assert all(thread != loop_thread for _, thread in seen), seen
