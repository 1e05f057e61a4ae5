"""Ingestion and reindex figures for bench/retrieval.py, with MiniLM alone measured beside the default.

The issue-18 target compares the default embedder's ingestion with MiniLM alone's, so both are timed in the
same run: after the measured store ingests a batch, a child process ingests the same articles into its own
store with MiniLM alone. The two alternate, so both see the same machine load, and the child keeps its model
and its Chroma store out of this process's peak RSS, which stays the product's own figure.
"""

from __future__ import annotations

import asyncio
import multiprocessing as mp
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Sequence
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any, Protocol

from bench._common import RssSampler, Stopwatch
from bot.services import Services, build_embedder, open_services
from bot.settings import Settings
from retrieval.chunking import passage_for_embedding
from retrieval.embed import Embedder
from retrieval.ingest import IngestResult
from retrieval.store import Extracted

INGEST_BATCH = 64
# The figure for a reindex ("16k passages"), so runs on other corpora stay comparable.
REINDEX_REFERENCE_CHUNKS = 16_000


class HasPassageId(Protocol):
    id: str


def visible_article(result: IngestResult) -> int | None:
    """The article search would show for this passage, or None when it was not stored."""
    if result.status == "near_duplicate" and result.duplicate_of is not None:
        return result.duplicate_of.id
    if result.article is None or result.status == "failed":
        return None
    return result.article.duplicate_of or result.article.id


# ---- MiniLM alone, in a child process ----------------------------------------------------------------------


def _minilm_worker(conn: Connection) -> None:
    """Ingest each batch received into a fresh MiniLM-only store; answer with (chunks added, seconds)."""
    asyncio.run(_minilm_loop(conn))


async def _minilm_loop(conn: Connection) -> None:
    with tempfile.TemporaryDirectory(prefix="bench-minilm-") as tmp:
        settings = Settings(_env_file=None, data_dir=Path(tmp), embedding_backend="local")  # type: ignore[call-arg]
        services = await open_services(settings, embedder=build_embedder(settings))
        try:
            while (batch := conn.recv()) is not None:
                started = time.perf_counter()
                results = await services.ingestor.ingest_many(batch)
                seconds = time.perf_counter() - started
                conn.send((sum(r.chunks for r in results if r.status == "added"), seconds))
        finally:
            await services.aclose()


class MiniLMSide:
    """The child process that ingests with MiniLM alone; `ingest` blocks until it has done a batch."""

    def __init__(self) -> None:
        # spawn: a fork would copy this process's loaded models and open stores.
        ctx = mp.get_context("spawn")
        self._conn, child = ctx.Pipe()
        # Not a daemon: the ingestor starts worker processes of its own, which a daemon may not.
        self._proc = ctx.Process(target=_minilm_worker, args=(child,), name="bench-minilm")
        self._proc.start()
        child.close()

    async def ingest(self, batch: list[Extracted]) -> tuple[int, float]:
        def call() -> tuple[int, float]:
            self._conn.send(batch)
            try:
                chunks, seconds = self._conn.recv()
            except EOFError:
                raise RuntimeError("the MiniLM-only ingestion process died; its traceback is above") from None
            return int(chunks), float(seconds)

        return await asyncio.to_thread(call)

    def close(self) -> None:
        try:
            self._conn.send(None)
        except OSError:
            pass
        self._proc.join(timeout=60)
        if self._proc.is_alive():
            self._proc.terminate()


# ---- the measured ingestion --------------------------------------------------------------------------------


async def ingest(
    services: Services,
    passages: Sequence[HasPassageId],
    items: Sequence[Extracted],
    *,
    raw_every: int = 8,
    minilm_every: int = 4,
) -> tuple[dict[str, int | None], dict[str, Any]]:
    """Ingest in batches of 64 articles, with two comparisons interleaved (0 turns either off):

    - every `raw_every`th batch, the bare embedder re-embeds exactly the texts that batch embedded, which
      shows what ingestion adds on top of the model;
    - every `minilm_every`th batch, a MiniLM-only store ingests the same articles (`MiniLMSide`), and the
      ratio is taken between the two stores' rates on those same batches.
    """
    visible: dict[str, int | None] = {}
    statuses: Counter[str] = Counter()
    chunks = raw_chunks = paired_chunks = minilm_chunks = 0
    clock, raw_clock, paired_clock = Stopwatch(), Stopwatch(), Stopwatch()
    minilm_seconds = 0.0
    side = MiniLMSide() if minilm_every else None
    try:
        with RssSampler() as rss:
            for start in range(0, len(items), INGEST_BATCH):
                number = start // INGEST_BATCH
                batch = list(items[start : start + INGEST_BATCH])
                started = time.perf_counter()
                with clock:
                    results = await services.ingestor.ingest_many(batch)
                seconds = time.perf_counter() - started
                texts: list[str] = []
                added = 0
                for p, r in zip(passages[start : start + INGEST_BATCH], results, strict=True):
                    visible[p.id] = visible_article(r)
                    statuses[r.status] += 1
                    if r.status == "added" and r.article is not None:
                        added += r.chunks
                        if raw_every and number % raw_every == 0:
                            texts.extend(await _embedded_texts(services, r.article.id))
                chunks += added
                if texts:
                    with raw_clock:
                        await services.embedder.embed(texts)
                    raw_chunks += len(texts)
                if side is not None and number % minilm_every == 0:
                    paired_chunks += added
                    paired_clock.seconds += seconds
                    got, took = await side.ingest(batch)
                    minilm_chunks += got
                    minilm_seconds += took
                done = start + len(batch)
                if done % (INGEST_BATCH * 16) == 0 or done == len(items):
                    print(f"  ingested {done}/{len(items)} ({clock.seconds:.0f}s)", file=sys.stderr)
    finally:
        if side is not None:
            side.close()
    rate = _rate(chunks, clock.seconds)
    raw_rate = _rate(raw_chunks, raw_clock.seconds)
    paired_rate, minilm_rate = (
        _rate(paired_chunks, paired_clock.seconds),
        _rate(minilm_chunks, minilm_seconds),
    )
    figures: dict[str, Any] = {
        "passages": len(items),
        "statuses": dict(statuses),
        "chunks": chunks,
        "seconds": round(clock.seconds, 2),
        "chunks_per_s": round(rate, 2),
        "articles_per_s": round(len(items) / clock.seconds, 2) if clock.seconds else None,
        "raw_embedder_chunks_per_s": round(raw_rate, 2),
        "raw_embedder_chunks": raw_chunks,
        "vs_raw_embedder": round(rate / raw_rate, 3) if raw_rate else None,
        "rss_peak_sampled_mb": round(rss.peak_mb, 1),
    }
    if side is not None:
        figures["vs_minilm"] = {
            "every": minilm_every,
            "default_chunks": paired_chunks,
            "default_chunks_per_s": round(paired_rate, 2),
            "minilm_chunks": minilm_chunks,
            "minilm_chunks_per_s": round(minilm_rate, 2),
            "ratio": round(paired_rate / minilm_rate, 3) if minilm_rate else None,
        }
    return visible, figures


async def sample_ingest(
    embedder: Embedder,
    passages: Sequence[HasPassageId],
    items: Sequence[Extracted],
    batches: int,
    *,
    raw_every: int = 8,
) -> dict[str, Any]:
    """Ingestion figures for a run that reuses its store: `batches` batches spread evenly over the corpus,
    ingested into a fresh store by the same embedder, each also ingested by MiniLM alone beside it.

    The store searched is not touched. The same model sessions serve both stores (closing a store leaves its
    local embedder usable), so the process's memory is what one store costs plus a small second library.
    """
    starts = list(range(0, len(items), INGEST_BATCH))
    step = max(1, len(starts) // max(1, batches))
    picked = starts[::step][:batches]
    some_passages = [p for s in picked for p in passages[s : s + INGEST_BATCH]]
    some_items = [it for s in picked for it in items[s : s + INGEST_BATCH]]
    with tempfile.TemporaryDirectory(prefix="bench-sample-") as tmp:
        settings = Settings(_env_file=None, data_dir=Path(tmp))  # type: ignore[call-arg]
        services = await open_services(settings, embedder=embedder)
        try:
            _, figures = await ingest(
                services, some_passages, some_items, raw_every=raw_every, minilm_every=1
            )
        finally:
            await services.aclose()
    figures["sample"] = {"batches": len(picked), "of_batches": len(starts), "every": step}
    return figures


def _rate(chunks: int, seconds: float) -> float:
    return chunks / seconds if seconds else 0.0


async def _embedded_texts(services: Services, article_id: int) -> list[str]:
    """The texts ingestion embedded for an article, rebuilt from what it stored."""
    article = await services.library.get_article(article_id)
    if article is None:
        return []
    return [passage_for_embedding(article.title, c.text) for c in await services.library.chunks(article_id)]


async def time_reindex(services: Services) -> dict[str, Any]:
    """`Ingestor.reindex()` over the whole store, as `briefbot reindex` runs it (a new collection)."""
    with RssSampler() as rss, Stopwatch() as clock:
        chunks = await services.ingestor.reindex()
    rate = _rate(chunks, clock.seconds)
    return {
        "chunks": chunks,
        "seconds": round(clock.seconds, 2),
        "chunks_per_s": round(rate, 2),
        "minutes_for_16k": round(REINDEX_REFERENCE_CHUNKS / rate / 60, 1) if rate else None,
        "rss_peak_sampled_mb": round(rss.peak_mb, 1),
    }
