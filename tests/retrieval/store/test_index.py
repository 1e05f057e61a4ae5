"""The dense index: the single-writer lock, reindexing, embedder changes and a lost index."""

from __future__ import annotations

import asyncio
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from bot.services import open_services
from retrieval.embed import EmbeddingError, LocalEmbedder
from retrieval.ingest._prepared import IngestResult, prepare
from retrieval.store._index import (
    PROBE_MARKER,
    DenseIndex,
    DenseIndexError,
    IndexLockedError,
    IndexMismatchError,
    collection_name,
)
from tests.support.corpus import CORPUS, make_settings
from tests.support.embedders import WatchedEmbedder


def test_collection_name_carries_embedder_and_dimension() -> None:
    assert collection_name("minilm-l6-v2-int8", 384) == "chunks_minilm-l6-v2-int8_384"
    assert collection_name("openai-text/embedding 3", 1536).endswith("_1536")


async def test_second_opener_gets_a_clear_error(services, settings) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(IndexLockedError, match="single-process"):
        DenseIndex.open_embedded(settings.chroma_path, services.index.name)
    # And another process, through the CLI, exits non-zero with the same message.
    proc = await asyncio.to_thread(
        subprocess.run,
        [sys.executable, "-m", "bot.cli", "--data-dir", str(settings.data_dir), "stats"],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert proc.returncode == 1
    assert "in use by briefbot pid" in proc.stderr


async def test_a_second_opener_leaves_the_probe_marker_alone(services, settings) -> None:  # type: ignore[no-untyped-def]
    await services.ingestor.ingest_many(CORPUS[:1])
    # As if the lock holder were inside its start-up read-back right now: the marker is its, not damage.
    marker = settings.data_dir / PROBE_MARKER
    marker.write_text("briefbot pid 1 at now\n")
    with pytest.raises(IndexLockedError):
        DenseIndex.open_embedded(settings.chroma_path, services.index.name)
    assert marker.read_text() == "briefbot pid 1 at now\n"
    assert not list(settings.data_dir.glob("chroma.damaged-*"))
    assert await services.index.count() > 0


async def test_reindex_rebuilds_from_library(services) -> None:  # type: ignore[no-untyped-def]
    await services.ingestor.ingest_many(CORPUS)
    before = await services.index.count()
    await services.index.delete_chunks(sorted(await services.index.chunk_ids()))  # every vector lost
    assert await services.index.count() == 0
    assert await services.ingestor.reindex() == before
    assert await services.index.count() == before
    hits = await services.searcher.search("medieval maps", k=1)
    assert hits[0].title == "Library digitises medieval maps"


@pytest.mark.parametrize("store_mode", ["server"])
async def test_a_reindex_by_another_process_on_the_server_is_taken_up(  # type: ignore[no-untyped-def]
    store_mode, services, settings, embedder: LocalEmbedder
) -> None:
    """The bot keeps working when the CLI rebuilds the index it shares on a Chroma server."""
    await services.ingestor.ingest_many(CORPUS[:2])
    cli = await open_services(settings, embedder=embedder)  # a second process, as `briefbot reindex` is
    try:
        rebuilt = await cli.ingestor.reindex()  # fills a new collection and swaps it in under the same name
        assert rebuilt == await cli.index.count() > 0
    finally:
        cli.index.close()
        cli.library.close()
    # The bot's handle still points at the dropped collection: search, count and storing take up the new one.
    hits = await services.searcher.search(CORPUS[1].title, k=1, mode="dense")
    assert hits and hits[0].title == CORPUS[1].title
    [added] = await services.ingestor.ingest_many(CORPUS[2:3])
    assert added.status == "added"
    assert await services.index.count() == (await services.library.stats())["indexed_chunks"]
    hits = await services.searcher.search(CORPUS[2].title, k=1, mode="dense")
    assert hits[0].title == CORPUS[2].title


async def test_a_rebuild_that_fails_half_way_leaves_the_old_index_serving(  # type: ignore[no-untyped-def]
    store_mode, services, monkeypatch: pytest.MonkeyPatch
) -> None:
    await services.ingestor.ingest_many(CORPUS)
    before = await services.index.count()
    monkeypatch.setattr("retrieval.ingest._upkeep.REINDEX_BATCH_CHUNKS", 1)  # one article per embedder call

    async def fail_second(call: int) -> None:
        if call == 2:
            raise EmbeddingError("embedding endpoint failed: could not connect")

    real = services.ingestor.embedder
    services.ingestor.embedder = WatchedEmbedder(real, fail_second)
    with pytest.raises(EmbeddingError):
        await services.ingestor.reindex()
    # The first article went into the new collection only; the live one is whole and still answers.
    assert await services.index.count() == before
    hits = await services.searcher.search(CORPUS[3].title, k=1, mode="dense")
    assert hits[0].title == CORPUS[3].title
    assert services.index.other_collections() == []  # the half-built one is no other embedder's index

    services.ingestor.embedder = real
    assert await services.ingestor.reindex() == before  # clears the leftover and completes
    assert await services.index.count() == before and services.index.other_collections() == []


async def test_articles_stored_during_a_rebuild_are_in_the_rebuilt_index(  # type: ignore[no-untyped-def]
    store_mode, services
) -> None:
    await services.ingestor.ingest_many(CORPUS[:3])
    real = services.ingestor.embedder

    async def store_one_meanwhile(call: int) -> None:
        # Another writer (the bot, while the CLI rebuilds) stores an article in the live collection.
        if call == 1:
            services.ingestor.embedder = real
            [added] = await services.ingestor.ingest_many(CORPUS[3:4])
            assert added.status == "added"

    services.ingestor.embedder = WatchedEmbedder(real, store_one_meanwhile)
    await services.ingestor.reindex()
    assert await services.index.count() == (await services.library.stats())["indexed_chunks"]
    hits = await services.searcher.search(CORPUS[3].title, k=1, mode="dense")
    assert hits[0].title == CORPUS[3].title


async def test_a_second_rebuild_supersedes_one_in_progress(  # type: ignore[no-untyped-def]
    store_mode, services, monkeypatch: pytest.MonkeyPatch
) -> None:
    await services.ingestor.ingest_many(CORPUS)
    before = await services.index.count()
    monkeypatch.setattr("retrieval.ingest._upkeep.REINDEX_BATCH_CHUNKS", 1)
    real = services.ingestor.embedder

    async def rebuild_meanwhile(call: int) -> None:
        if call == 2:  # the first rebuild has written one article to its new collection
            services.ingestor.embedder = real
            assert await services.ingestor.reindex() == before

    services.ingestor.embedder = WatchedEmbedder(real, rebuild_meanwhile)
    with pytest.raises(DenseIndexError, match="another rebuild started"):
        await services.ingestor.reindex()
    # The newer rebuild is in place and whole; the older one left nothing behind and removed nothing.
    assert await services.index.count() == before
    names = [str(getattr(c, "name", c)) for c in services.index._client.list_collections()]
    assert names == [services.index.name]
    hits = await services.searcher.search(CORPUS[0].title, k=1, mode="dense")
    assert hits[0].title == CORPUS[0].title


async def test_repair_keeps_the_vectors_of_an_article_being_stored(  # type: ignore[no-untyped-def]
    services, monkeypatch: pytest.MonkeyPatch
) -> None:
    ing = services.ingestor
    await ing.ingest_many(CORPUS[:1])
    # Another process is storing an article: its row and vectors are written, it is not yet marked indexed.
    pending = prepare(CORPUS[1], "other process", "shared")
    assert not isinstance(pending, IngestResult)
    pending.pieces = [c.text for c in ing.chunker.split(pending.searchable)]
    article = await ing._write_row(pending)
    entries = ing._entries(await services.library.article_chunks(article.id))
    await services.index.upsert(entries, await ing._embed_records(article))
    delete_chunks = services.index.delete_chunks

    async def then_the_other_process_finishes(chunk_ids: list[str]) -> None:
        await delete_chunks(chunk_ids)
        await services.library.mark_indexed(article.id)

    monkeypatch.setattr(services.index, "delete_chunks", then_the_other_process_finishes)
    await ing.reindex(only_missing=True, reset=False)
    stats = await services.library.stats()
    assert stats["pending_articles"] == 0
    assert await services.index.count() == stats["indexed_chunks"]


async def test_lost_index_is_rebuilt_at_startup(tmp_path: Path, embedder: LocalEmbedder) -> None:
    settings = make_settings(tmp_path / "data")
    svc = await open_services(settings, embedder=embedder)
    await svc.ingestor.ingest_many(CORPUS)
    expected = await svc.index.count()
    svc.index.close()
    svc.library.close()
    shutil.rmtree(settings.chroma_path)
    svc = await open_services(settings, embedder=embedder)
    try:
        assert await svc.index.count() == expected
        assert (await svc.searcher.search("interest rate decision", k=1))[0].title.startswith("Central bank")
    finally:
        svc.index.close()
        svc.library.close()


async def test_a_short_index_gets_only_the_missing_articles(services) -> None:  # type: ignore[no-untyped-def]
    from bot.services import repair_index

    results = await services.ingestor.ingest_many(CORPUS)
    full = await services.index.count()
    lost = results[2].article
    await services.index.delete_article(lost.id)
    report = await repair_index(services)
    assert report["rebuilt_chunks"] == lost.chunk_count  # not the whole library
    assert await services.index.count() == full
    assert (await services.searcher.search("interest rate decision", k=1))[0].article_id == lost.id


async def test_a_failing_embedder_during_repair_keeps_the_index_and_the_bot_starting(
    services, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    from bot.services import repair_index
    from retrieval.embed import EmbeddingError

    results = await services.ingestor.ingest_many(CORPUS)
    await services.index.delete_article(results[0].article.id)
    remaining = await services.index.count()

    async def down(texts: list[str]) -> None:
        raise EmbeddingError("embedding endpoint failed: could not connect")

    monkeypatch.setattr(services.embedder, "embed", down)
    report = await repair_index(services)  # logged, not raised
    assert report["rebuilt_chunks"] == 0
    assert await services.index.count() == remaining  # nothing was emptied first
    monkeypatch.undo()
    assert (await repair_index(services))["rebuilt_chunks"] == results[0].article.chunk_count


async def test_damage_is_not_rebuilt_while_the_embedder_is_down(
    services, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    from bot.services import repair_index
    from retrieval.embed import EmbeddingError

    await services.ingestor.ingest_many(CORPUS)
    full = await services.index.count()

    async def damaged(chunk_ids: object) -> str:
        return "the vector of 1:0 does not find itself"

    async def down(texts: list[str]) -> None:
        raise EmbeddingError("embedding endpoint failed: could not connect")

    monkeypatch.setattr(services.index, "read_back", damaged)
    monkeypatch.setattr(services.embedder, "embed", down)
    assert (await repair_index(services))["rebuilt_chunks"] == 0
    assert await services.index.count() == full  # not emptied for a rebuild that could not run


async def test_stray_vectors_are_removed_by_reindex(services) -> None:  # type: ignore[no-untyped-def]
    results = await services.ingestor.ingest_many(CORPUS[:2])
    await services.library.delete_article(results[1].article.id)  # as if the index delete had been lost
    assert await services.ingestor.reindex(reset=False) == results[0].article.chunk_count
    assert await services.index.article_ids() == {results[0].article.id}


class _OtherEmbedder(LocalEmbedder):
    """The same model under another name: what switching EMBEDDING_BACKEND looks like to the index."""

    def __init__(self, base: LocalEmbedder) -> None:
        self.__dict__.update(base.__dict__)
        self.id = "another-model"


async def test_embedder_switch_is_refused_until_reindex(tmp_path: Path, embedder: LocalEmbedder) -> None:
    settings = make_settings(tmp_path / "data")
    svc = await open_services(settings, embedder=embedder)
    await svc.ingestor.ingest_many(CORPUS[:2])
    svc.index.close()
    svc.library.close()
    other = _OtherEmbedder(embedder)
    with pytest.raises(IndexMismatchError, match="briefbot reindex"):
        await open_services(settings, embedder=other)
    svc = await open_services(settings, embedder=other, allow_embedder_change=True)
    try:
        await svc.ingestor.reindex()
        assert svc.index.name == "chunks_another-model_384"
        assert await svc.index.count() > 0
    finally:
        svc.index.close()
        svc.library.close()
