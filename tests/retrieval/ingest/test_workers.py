"""Extraction in worker processes: results and errors come back, and a time limit really stops the work."""

from __future__ import annotations

import os
import time
from functools import partial
from pathlib import Path

import pytest

from bot.services import Services
from retrieval.extract import ExtractError, extract_html, extract_text
from retrieval.ingest import Ingestor, IngestResult
from retrieval.ingest._workers import ExtractionWorkers, WorkerCrashed


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


@pytest.fixture
def workers() -> object:
    pool = ExtractionWorkers(size=1)
    yield pool
    pool.close()


async def test_results_and_errors_come_back_from_the_worker(workers: ExtractionWorkers) -> None:
    text = "The harbour reopened on Monday after the storm. " * 5
    extracted = await workers.run(partial(extract_text, text, url="https://news.example/a"), timeout=30)
    assert extracted.text.startswith("The harbour reopened") and extracted.url == "https://news.example/a"
    with pytest.raises(ExtractError):
        await workers.run(partial(extract_text, "   "), timeout=30)
    [pid] = workers.pids()
    assert pid != os.getpid()


async def test_a_job_past_its_limit_is_killed_with_its_worker(workers: ExtractionWorkers) -> None:
    await workers.run(len, "warm", timeout=30)
    [pid] = workers.pids()
    with pytest.raises(TimeoutError):
        await workers.run(time.sleep, 600, timeout=0.5)
    assert not _alive(pid)  # the work stopped: its process is gone, not left running on a core
    assert await workers.run(len, "next", timeout=30) == 4  # and the next job gets a new worker
    assert workers.pids() and workers.pids()[0] != pid


async def test_a_worker_that_dies_fails_its_job_only(workers: ExtractionWorkers) -> None:
    with pytest.raises(WorkerCrashed):
        await workers.run(os._exit, 3, timeout=30)
    assert await workers.run(len, "ok", timeout=30) == 2


async def test_a_slow_page_stops_at_the_ingestors_limit(services: Services, tmp_path: Path) -> None:
    # A table-heavy page keeps the extractor busy for seconds; the limit is a fraction of that.
    rows = "".join(f"<tr><td>cell {i}</td><td>value {i} more text</td></tr>" for i in range(16000))
    page = f"<html><body><table>{rows}</table></body></html>"
    pool = ExtractionWorkers(size=1)
    try:
        ingestor = Ingestor(
            services.library, services.index, services.embedder, workers=pool, extract_timeout=0.2
        )
        await pool.run(len, "warm", timeout=30)
        [pid] = pool.pids()
        # A fetched page's extraction (files are read by the document sandbox, tested with the documents).
        result = await ingestor._extract("table.html", partial(extract_html, page, url=None))
        assert isinstance(result, IngestResult)
        assert result.status == "failed" and result.reason == "extraction took longer than 0.2s"
        assert not _alive(pid)
    finally:
        pool.close()


def test_the_pool_serves_one_event_loop_after_another() -> None:
    # The pool is shared by the process; a job that had to wait for a worker in one loop (asyncio.run, a
    # test) once left the next loop's waiting job with "bound to a different event loop".
    import asyncio

    pool = ExtractionWorkers(size=1)
    text = "The harbour reopened on Monday after the storm. " * 5

    async def two_at_once() -> list[str]:
        jobs = [pool.run(partial(extract_text, text), timeout=30) for _ in range(2)]
        return [e.text[:11] for e in await asyncio.gather(*jobs)]

    try:
        for _ in range(2):
            assert asyncio.run(two_at_once()) == ["The harbour"] * 2
    finally:
        pool.close()
