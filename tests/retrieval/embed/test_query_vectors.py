"""Recent questions' vectors: a question asked again, or by two chats at once, is embedded once."""

from __future__ import annotations

import asyncio

import numpy as np
import pytest

from bot.services import Services
from retrieval.embed import EmbeddingError, LocalEmbedder, QueryVectors
from retrieval.search import Searcher
from tests.support.corpus import CORPUS
from tests.support.embedders import WatchedEmbedder


async def test_a_question_asked_again_is_not_embedded_again(embedder: LocalEmbedder) -> None:
    watched = WatchedEmbedder(embedder)
    queries = QueryVectors(capacity=2)
    first = await queries.vector(watched, "Did Russia accept a ceasefire?")
    assert np.array_equal(first, (await embedder.embed_queries(["Did Russia accept a ceasefire?"]))[0])
    assert np.array_equal(await queries.vector(watched, "Did Russia accept a ceasefire?"), first)
    assert watched.texts == [["Did Russia accept a ceasefire?"]]
    # Kept: the last `capacity` questions.
    await queries.vector(watched, "Who opposed the airport expansion?")
    await queries.vector(watched, "How much will the flood barrier cost?")
    await queries.vector(watched, "Did Russia accept a ceasefire?")
    assert len(watched.texts) == 4
    with pytest.raises(ValueError):
        first[0] = 1.0  # shared between answers: nobody may change it
    # Kept per model: another one embeds the same words itself.
    other = WatchedEmbedder(embedder)
    other.id = "another-model"
    await queries.vector(other, "Did Russia accept a ceasefire?")
    assert other.calls == 1


async def test_chats_asking_the_same_question_at_once_share_one_call(embedder: LocalEmbedder) -> None:
    release = asyncio.Event()

    async def held(call: int) -> None:
        await release.wait()

    watched = WatchedEmbedder(embedder, held)
    queries = QueryVectors()
    asking = [asyncio.create_task(queries.vector(watched, "What did Lavrov say?")) for _ in range(5)]
    other = asyncio.create_task(queries.vector(watched, "What did Zelensky propose?"))
    await asyncio.sleep(0.05)
    # One chat gives up; the others still get their answer from the same call.
    asking[0].cancel()
    release.set()
    vectors = await asyncio.gather(*asking[1:])
    await other
    assert asking[0].cancelled()
    assert all(np.array_equal(v, vectors[0]) for v in vectors)
    embedded = sorted(t for call in watched.texts for t in call)
    assert embedded == ["What did Lavrov say?", "What did Zelensky propose?"]


async def test_a_failed_embedding_reaches_every_waiting_chat_and_is_not_kept(embedder: LocalEmbedder) -> None:
    async def fail_first(call: int) -> None:
        await asyncio.sleep(0.02)
        if call == 1:
            raise EmbeddingError("the embedding service is down")

    watched = WatchedEmbedder(embedder, fail_first)
    queries = QueryVectors()
    asking = (queries.vector(watched, "Is the port open?") for _ in range(3))
    results = await asyncio.gather(*asking, return_exceptions=True)
    assert all(isinstance(r, EmbeddingError) for r in results)
    vector = await queries.vector(watched, "Is the port open?")  # tried again, and kept this time
    assert np.array_equal(await queries.vector(watched, "Is the port open?"), vector) and watched.calls == 2


async def test_search_embeds_a_repeated_question_once_with_the_same_hits(services: Services) -> None:
    assert all(r.ok for r in await services.ingestor.ingest_many(CORPUS))
    watched = WatchedEmbedder(services.embedder)
    searcher = Searcher(services.library, services.index, watched)
    first = await searcher.search("Why did the central bank keep its rate?", k=4)
    again = await searcher.search("Why did the central bank keep its rate?", k=4)
    assert first and [h.as_dict() for h in again] == [h.as_dict() for h in first]
    assert watched.calls == 1
