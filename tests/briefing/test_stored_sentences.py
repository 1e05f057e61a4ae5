"""Answers read their passages' sentence vectors from the library: the same answers as embedding them anew,
far fewer sentences embedded, and only the rows of passages the asking scope can see."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from bot.services import Services
from briefing.briefer import Briefer
from briefing.embeddings import SentenceEmbeddings
from briefing.stance import StanceService
from briefing.types import Briefing
from briefing.writer import OfflineWriter
from retrieval.store import SHARED_SCOPE, Extracted, Library, SearchFilters, Statement
from retrieval.text import passage_sentences
from tests.support.corpus import DEMO
from tests.support.embedders import WatchedEmbedder

QUESTIONS = [
    "Did Russia accept a ceasefire?",
    "What did Zelensky propose about swapping territory?",
    "How did the UN General Assembly vote on the annexation?",
    "What conditions did Putin set for peace talks in June 2024?",
    "How did Moscow react to the minerals deal?",
    "What is the Kremlin's stance on the annexed regions?",
    "Is there any news about a volcano eruption in Iceland?",
]


class RecordingStore:
    """The real library, noting which chunks answers read sentence vectors of."""

    def __init__(self, library: Library) -> None:
        self.library = library
        self.read: set[str] = set()
        self.statements: set[int] = set()

    async def sentence_vectors(
        self, model: str, dim: int, passages: Mapping[str, str]
    ) -> dict[str, np.ndarray]:
        self.read.update(passages)
        return await self.library.sentence_vectors(model, dim, passages)

    async def put_sentence_vectors(self, model: str, rows: Sequence[tuple[str, str, np.ndarray]]) -> int:
        return await self.library.put_sentence_vectors(model, rows)

    async def statement_vectors(
        self, model: str, dim: int, statements: Mapping[int, Sequence[str]]
    ) -> dict[int, np.ndarray]:
        self.statements.update(statements)
        return await self.library.statement_vectors(model, dim, statements)

    async def put_statement_vectors(
        self, model: str, rows: Sequence[tuple[Statement, str, np.ndarray]]
    ) -> int:
        return await self.library.put_statement_vectors(model, rows)


def _briefer(services: Services, embeddings: SentenceEmbeddings) -> Briefer:
    offline = OfflineWriter(embeddings)
    stance = StanceService(services.library, services.searcher, embeddings=embeddings)
    return Briefer(services.searcher, services.library, offline, offline=offline, stance=stance)


def _shown(b: Briefing) -> tuple[object, ...]:
    return (b.found, b.kind, b.answer, [(c.n, c.article_id, c.quote) for c in b.citations], b.note)


async def _answers(briefer: Briefer, filters: SearchFilters | None = None) -> list[tuple[object, ...]]:
    return [_shown(await briefer.ask(q, filters=filters)) for q in QUESTIONS]


async def test_answers_are_the_same_with_stored_vectors_without_them_and_while_filling_them(
    services: Services,
) -> None:
    assert all(r.ok for r in await services.ingestor.ingest_path(DEMO))
    model = services.embedder.sentence_model()
    stored_before = await services.library.sentence_vector_chunks(model.id)
    assert stored_before  # written at ingestion

    watched_stored = WatchedEmbedder(model)
    stored = SentenceEmbeddings(watched_stored, store=services.library)
    with_store = await _answers(_briefer(services, stored))
    watched_fresh = WatchedEmbedder(model)
    without = await _answers(_briefer(services, SentenceEmbeddings(watched_fresh)))
    assert with_store == without
    assert sum(bool(b[0]) for b in with_store) >= 4  # most are answered: the comparison means something

    # A library from before the table: the first answers embed the sentences and store them.
    await services.library.drop_sentence_vectors()
    lazily = await _answers(_briefer(services, SentenceEmbeddings(model, store=services.library)))
    assert lazily == without
    filled = await services.library.sentence_vector_chunks(model.id)
    assert filled and filled <= stored_before

    # What the stored vectors save: the passages' sentences are not embedded again. (Questions, drafts'
    # sentences with a date woven in, statements and the topic table still are.)
    indexed = await services.library.indexed_chunks()
    sentences = {s for records in indexed.values() for r in records for s in passage_sentences(r.text)}

    def embedded(watched: WatchedEmbedder) -> int:
        return sum(t in sentences for call in watched.texts for t in call)

    # A few passage sentences are statements too, which the stance timeline embeds as such.
    assert embedded(watched_stored) * 10 < embedded(watched_fresh)
    # Nor are the statements' words and sentences (only what rows join together, and what they lean on).
    found = await services.library.statements(limit=10_000)
    said = {t for s, _ in found for t in (s.text, s.sentence)}

    def statements_embedded(watched: WatchedEmbedder) -> int:
        return sum(t in said for call in watched.texts for t in call)

    assert statements_embedded(watched_stored) * 5 < statements_embedded(watched_fresh)


async def test_an_answer_reads_the_sentence_vectors_of_its_own_scopes_passages_only(
    services: Services,
) -> None:
    alice, bob = "2001", "2002"
    text = (
        "The harbour of Porthaven will be dredged in the spring, harbour master Olav Brekke said on "
        "Tuesday. The work will take about four months and will be done at night so that ferries keep "
        "their timetable. The city council approved the plan by eleven votes to four after a long debate "
        "about its cost."
    )
    secret = " The confidential memo puts the cost at 48 million crowns, twice the public estimate."
    for scope, body, url in ((alice, text + secret, "https://a.example/x"), (bob, text, "https://b.example/y")):
        item = Extracted(text=body, title="Porthaven to dredge its channel", url=url, site="Porthaven Post")
        assert all(r.ok for r in await services.ingestor.ingest_many([item], added_by=scope))
    assert all(r.ok for r in await services.ingestor.ingest_path(DEMO))
    seen_by_bob = await services.library.list_articles(scope=bob, limit=100)
    assert all(a.added_by in (bob, SHARED_SCOPE) for a in seen_by_bob)
    visible = {r.chunk_id for a in seen_by_bob for r in await services.library.article_chunks(a.id)}
    # Nothing in memory: every passage goes through the store.
    store = RecordingStore(services.library)
    briefer = _briefer(services, SentenceEmbeddings(services.embedder.sentence_model(), store=store))
    question = "How long will the dredging of the Porthaven harbour take?"
    answer = await briefer.ask(question, filters=SearchFilters(scope=bob))
    assert answer.found and "48 million" not in answer.answer
    assert store.read and store.read <= visible
    # A stance timeline reads the vectors of the statements Bob can see, and only those.
    stance = await briefer.stance("Olav Brekke", "the dredging", filters=SearchFilters(scope=bob))
    library = services.library
    bobs = {s.id for s, _ in await library.statements(filters=SearchFilters(scope=bob), limit=1000)}
    assert stance.found and store.statements and store.statements <= bobs
    alices = {s.id for s, _ in await library.statements(filters=SearchFilters(scope=alice), limit=1000)}
    assert alices - bobs  # Alice's copy has statements of its own, and none of them was read
