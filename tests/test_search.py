"""Search through the real stack: SQLite FTS5, embedded Chroma and the local embedder."""

from datetime import UTC, datetime

import pytest

from retrieval.types import SearchFilters
from tests.conftest import CORPUS


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
    assert titles == {"Mountain village bans cars from its centre", "Central bank holds interest rate at 3.5 percent"}
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
        "engineers reported, and the harbour master logged the output for the city council." for i in range(40)
    )
    item = type(long)(text=long_text, title=long.title, url="https://x.example/long", site="X")
    await services.ingestor.ingest_many([item, *CORPUS[1:]])
    hits = await services.searcher.search("tidal turbines harbour output", k=8)
    assert sum(h.article_id == hits[0].article_id for h in hits) <= 2


async def test_empty_query_and_empty_store(services) -> None:  # type: ignore[no-untyped-def]
    assert await services.searcher.search("   ") == []
    assert await services.searcher.search("anything at all") == []
