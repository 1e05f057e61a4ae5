"""Search through the real stack: SQLite FTS5, embedded Chroma and the local embedder."""

from datetime import UTC, datetime

import pytest

from retrieval.search import topic_text
from retrieval.store import SearchFilters
from tests.support.corpus import CORPUS

# The same tests run against the embedded Chroma store and a `chroma run` server.
pytestmark = pytest.mark.usefixtures("store_mode")


@pytest.fixture
async def loaded(services):  # type: ignore[no-untyped-def]
    results = await services.ingestor.ingest_many(CORPUS)
    assert [r.status for r in results] == ["added"] * len(CORPUS)
    return services


@pytest.mark.parametrize(
    ("question", "expected_title"),
    [
        ("What did the mayor say about the underwater turbines?", "Harbour city opens tidal power plant"),
        ("Are cars still allowed in Steinbach?", "Mountain village bans cars from its centre"),
        ("Did the central bank cut rates?", "Central bank holds interest rate at 3.5 percent"),
        ("old maps of pilgrimage routes", "Library digitises medieval maps"),
    ],
)
async def test_finds_the_right_article(loaded, question: str, expected_title: str) -> None:  # type: ignore[no-untyped-def]
    for mode in ("hybrid", "dense", "bm25"):
        hits = await loaded.searcher.search(question, k=3, mode=mode)
        assert hits, mode
        assert hits[0].title == expected_title, (mode, [h.title for h in hits])


async def test_hit_fields(loaded) -> None:  # type: ignore[no-untyped-def]
    hit = (await loaded.searcher.search("tidal power plant", k=1))[0]
    assert hit.url == "https://news.example.org/energy/tidal-plant"
    assert hit.outlet == "Coastal Courier"
    assert hit.published == datetime(2025, 3, 3, tzinfo=UTC)
    assert "turbines" in hit.text
    assert hit.similarity is not None and hit.similarity > 0.3
    assert set(hit.as_dict()) >= {"article_id", "title", "url", "outlet", "published", "text", "score"}


async def test_date_and_outlet_filters(loaded) -> None:  # type: ignore[no-untyped-def]
    s = loaded.searcher
    since = SearchFilters(since=datetime(2025, 4, 1, tzinfo=UTC))
    titles = {h.title for h in await s.search("news", k=10, filters=since)}
    assert titles == {
        "Mountain village bans cars from its centre",
        "Central bank holds interest rate at 3.5 percent",
    }
    until = SearchFilters(until=datetime(2025, 3, 31, tzinfo=UTC))
    assert {h.title for h in await s.search("turbines harbour cars bank", k=10, filters=until)} == {
        "Harbour city opens tidal power plant"
    }
    only = SearchFilters(outlet="Finance Daily")
    assert {h.outlet for h in await s.search("harbour turbines", k=10, filters=only)} <= {"Finance Daily"}


async def test_scope_keeps_chats_apart(services) -> None:  # type: ignore[no-untyped-def]
    await services.ingestor.ingest_many(CORPUS[:1], added_by="100")
    await services.ingestor.ingest_many(CORPUS[1:2], added_by="200")
    await services.ingestor.ingest_many(CORPUS[2:3])  # shared
    seen = lambda hits: {h.title for h in hits}  # noqa: E731
    q = "harbour turbines village cars central bank rates"
    for_100 = seen(await services.searcher.search(q, k=10, filters=SearchFilters(scope="100")))
    for_200 = seen(await services.searcher.search(q, k=10, filters=SearchFilters(scope="200")))
    assert for_100 == {CORPUS[0].title, CORPUS[2].title}
    assert for_200 == {CORPUS[1].title, CORPUS[2].title}


async def test_at_most_a_few_chunks_per_article(services) -> None:  # type: ignore[no-untyped-def]
    long = CORPUS[0]
    long_text = "\n\n".join(
        f"Paragraph {i}: the tidal turbines in the harbour produced power on day {i} of the trial, "
        "engineers reported, and the harbour master logged the output for the city council."
        for i in range(40)
    )
    item = type(long)(text=long_text, title=long.title, url="https://x.example/long", site="X")
    await services.ingestor.ingest_many([item, *CORPUS[1:]])
    hits = await services.searcher.search("tidal turbines harbour output", k=8)
    assert sum(h.article_id == hits[0].article_id for h in hits) <= 2


async def test_empty_query_and_empty_store(services) -> None:  # type: ignore[no-untyped-def]
    assert await services.searcher.search("   ") == []
    assert await services.searcher.search("anything at all") == []


async def test_relative_time_words_do_not_move_the_ranking(loaded) -> None:  # type: ignore[no-untyped-def]
    ranking = lambda hits: [(h.chunk_id, round(h.score, 6)) for h in hits]  # noqa: E731
    for question in ("Which city switched on a tidal power plant?", "Did the central bank cut rates?"):
        plain = ranking(await loaded.searcher.search(question, k=4))
        for variant in (f"{question} this week", f"Recently, {question.lower()}", f"{question} last month"):
            assert ranking(await loaded.searcher.search(variant, k=4)) == plain, variant


def test_topic_text_keeps_a_query_made_only_of_time_words() -> None:
    assert topic_text("What happened this week in Porthaven?") == "What happened in Porthaven?"
    assert topic_text("this week") == "this week"


async def test_hybrid_judges_every_candidate_on_both_signals(loaded) -> None:  # type: ignore[no-untyped-def]
    hits = await loaded.searcher.search("underwater turbines in the harbour", k=10, per_article=5)
    assert len(hits) == len(CORPUS)  # dense search reaches every article of the small corpus
    weight = loaded.searcher.config.bm25_weight
    assert weight == loaded.embedder.fusion_bm25_weight == 0.15
    for h in hits:
        assert h.similarity is not None
        matches = any(w in f"{h.title} {h.text}".lower() for w in ("turbine", "harbour", "underwater"))
        assert (h.bm25 is not None) == matches, h.title
        # The lexical part is a boost on top of the cosine, bounded by the configured weight.
        assert h.similarity - 1e-6 <= h.score <= h.similarity + weight + 1e-6
    assert max(h.score - (h.similarity or 0.0) for h in hits) == pytest.approx(weight)


async def test_bm25_scores_only_the_chunks_asked_for(loaded) -> None:  # type: ignore[no-untyped-def]
    lib = loaded.library
    everything = dict(await lib.bm25("harbour turbines cars", 50, SearchFilters()))
    assert len(everything) >= 2
    some = [*sorted(everything)[:1], "999:0"]
    restricted = dict(await lib.bm25("harbour turbines cars", 50, SearchFilters(), chunk_ids=some))
    # Same corpus-wide scale as the unrestricted query; unknown ids are simply absent.
    assert restricted == {cid: everything[cid] for cid in some if cid in everything}
    assert await lib.bm25("harbour turbines cars", 50, SearchFilters(), chunk_ids=[]) == []


async def test_keyword_search_answers_while_the_dense_side_is_down(loaded, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from retrieval.store import DenseIndexError

    async def down(*args: object, **kwargs: object) -> None:
        raise DenseIndexError("dense search failed: connection refused")

    question = "Did the central bank cut rates?"
    monkeypatch.setattr(loaded.index, "query", down)
    hits = await loaded.searcher.search(question, k=3)
    assert hits[0].title == "Central bank holds interest rate at 3.5 percent"
    assert all(h.similarity is None and h.bm25 and h.keyword_only for h in hits)
    with pytest.raises(DenseIndexError):
        await loaded.searcher.search(question, mode="dense")  # asked for dense only: nothing to fall back on
    monkeypatch.undo()
    hits = await loaded.searcher.search(question, k=3)
    assert hits[0].similarity is not None and not any(h.keyword_only for h in hits)


async def test_a_keyword_hit_missing_from_the_dense_index_is_still_found(loaded) -> None:  # type: ignore[no-untyped-def]
    [bank] = [a for a in await loaded.library.list_articles(limit=20) if a.title.startswith("Central bank")]
    await loaded.index.delete_article(bank.id)  # e.g. an index being rebuilt
    hits = await loaded.searcher.search("Norland central bank interest rate", k=5)
    assert bank.id in [h.article_id for h in hits]
    assert next(h for h in hits if h.article_id == bank.id).similarity is None
    # The index answered: nothing says it was down.
    assert not any(h.keyword_only for h in hits)


def test_topic_text_reads_a_pasted_question_without_its_markup() -> None:
    pasted = (
        'Turnout in <a data-analytics-id="inline-link" href="https://example.org/tag/porthaven">Porthaven</a>'
        "'s election &amp; the recount?"
    )
    assert topic_text(pasted) == "Turnout in Porthaven's election & the recount?"
    # Comparison signs are not tags.
    assert topic_text("inflation < 2% and rates > 3%") == "inflation < 2% and rates > 3%"


async def test_questions_are_embedded_as_queries(loaded, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    asked: list[str] = []
    embed_queries = loaded.embedder.embed_queries

    async def recording(texts: list[str]):  # type: ignore[no-untyped-def]
        asked.extend(texts)
        return await embed_queries(texts)

    monkeypatch.setattr(loaded.embedder, "embed_queries", recording)
    hits = await loaded.searcher.search("underwater turbines this week", k=2)
    assert hits and asked == ["underwater turbines"]
