"""Answers that start together need the same vectors and charts: each is made once, the others wait for it
and get the very same result (a bot just started, twenty chats asking about the same news)."""

from __future__ import annotations

import asyncio
import threading
from datetime import datetime

import numpy as np

from briefing import timeline
from briefing.embeddings import SentenceEmbeddings
from retrieval.embed import LocalEmbedder
from retrieval.priority import Priority
from tests.support.embedders import WatchedEmbedder

SENTENCES = [
    "The Kremlin said the annexed regions are not negotiable.",
    "Zelensky proposed swapping territory.",
    "The council approved the new tram line.",
]


async def _gated(embedder: LocalEmbedder) -> tuple[WatchedEmbedder, asyncio.Event]:
    """An embedder whose calls wait for `open`: every caller is in before the first batch finishes."""
    gate = asyncio.Event()

    async def before(call: int) -> None:
        await gate.wait()

    return WatchedEmbedder(embedder, before), gate


async def test_questions_asking_for_the_same_sentences_at_once_embed_them_once(
    embedder: LocalEmbedder,
) -> None:
    watched, gate = await _gated(embedder)
    embeddings = SentenceEmbeddings(watched)
    priority = Priority()

    async def answer(texts: list[str]) -> np.ndarray:
        async with priority.question():
            return await embeddings.vectors(texts)

    asking = [asyncio.create_task(answer(SENTENCES)) for _ in range(4)]
    asking.append(asyncio.create_task(answer([SENTENCES[1], "Lavrov rejected a freeze of the front line."])))
    await asyncio.sleep(0.05)
    gate.set()
    results = await asyncio.gather(*asking)
    # One batch of the three sentences, one of the only sentence no other answer was embedding.
    assert sorted(map(sorted, watched.texts)) == [
        ["Lavrov rejected a freeze of the front line."],
        sorted(SENTENCES),
    ]
    alone = SentenceEmbeddings(embedder)
    expected = await alone.vectors(SENTENCES)
    for got in results[:4]:
        assert np.array_equal(got, expected)
    assert np.array_equal(results[4][0], expected[1])


async def test_an_answer_given_up_on_does_not_fail_the_others_waiting_for_its_batch(
    embedder: LocalEmbedder,
) -> None:
    watched, gate = await _gated(embedder)
    embeddings = SentenceEmbeddings(watched)
    first = asyncio.create_task(embeddings.vectors(SENTENCES))
    await asyncio.sleep(0.01)
    second = asyncio.create_task(embeddings.vectors(SENTENCES))
    await asyncio.sleep(0.01)
    first.cancel()
    gate.set()
    got = await second
    assert watched.calls == 1 and got.shape == (3, embedder.dim)
    assert first.cancelled()


async def test_a_question_does_not_wait_for_a_background_batch(embedder: LocalEmbedder) -> None:
    """A watch check embeds at ingestion's lower priority: a question embeds the sentence itself, at once."""
    gate = asyncio.Event()

    async def before(call: int) -> None:
        if call == 1:  # only the background batch is held up
            await gate.wait()

    watched = WatchedEmbedder(embedder, before)
    embeddings = SentenceEmbeddings(watched)
    background = asyncio.create_task(embeddings.vectors(SENTENCES[:1]))
    await asyncio.sleep(0.01)
    async with Priority().question():
        got = await asyncio.wait_for(embeddings.vectors(SENTENCES[:1]), 30)
    assert not background.done() and watched.calls == 2
    gate.set()
    assert np.array_equal(await background, got)


async def test_the_topic_table_is_embedded_once_by_callers_that_come_together(
    embedder: LocalEmbedder,
) -> None:
    watched, gate = await _gated(embedder)
    embeddings = SentenceEmbeddings(watched)
    names = ("annexed regions", "ceasefire", "minerals deal")
    waiting = [asyncio.create_task(embeddings.kept(names)) for _ in range(5)]
    await asyncio.sleep(0.05)
    gate.set()
    tables = await asyncio.gather(*waiting)
    assert watched.calls == 1
    assert all(t is tables[0] for t in tables) and tables[0].shape == (3, embedder.dim)
    assert await embeddings.kept(names) is tables[0] and watched.calls == 1


def test_stance_answers_asking_for_the_same_chart_at_once_draw_it_once() -> None:
    points = ((datetime(2025, 2, 1), "Dmitry Peskov"), (datetime(2025, 3, 9), "Sergei Lavrov"))
    title = f"chart drawn once {id(points)}"
    before = timeline._drawn.cache_info().misses
    start = threading.Barrier(4)
    charts: list[bytes] = []

    def draw() -> None:
        start.wait()
        charts.append(timeline._chart(points, title))

    threads = [threading.Thread(target=draw) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert timeline._drawn.cache_info().misses == before + 1
    assert len(charts) == 4 and len(set(charts)) == 1 and charts[0].startswith(b"\x89PNG")


async def test_a_question_is_embedded_for_its_answer_alone(embedder: LocalEmbedder) -> None:
    from datetime import UTC

    from briefing.citations import Passage
    from briefing.writer import OfflineWriter
    from retrieval.store import Hit

    watched, gate = await _gated(embedder)
    gate.set()
    embeddings = SentenceEmbeddings(watched)
    writer = OfflineWriter(embeddings)
    passage = Passage(
        1,
        Hit(
            chunk_id="1:0", article_id=1, title="Talks", url="https://x.example/1", outlet="Wire",
            published=datetime(2025, 3, 5, tzinfo=UTC), text=" ".join(SENTENCES), score=0.8, similarity=0.8,
        ),
    )  # fmt: skip
    question = "What did the Kremlin say about the regions?"
    first = await writer.write(question, [passage])
    second = await writer.write(question, [passage])
    assert first.text == second.text
    # The passage's sentences are embedded once and kept; the question's words, typed by a user, every time
    # and never kept: a cached question would let one chat time whether another had just asked it.
    asked = [texts for texts in watched.texts if question in texts]
    assert asked == [[question], [question]]
    assert question not in embeddings._cache
    assert sum(SENTENCES[0] in texts for texts in watched.texts) == 1
