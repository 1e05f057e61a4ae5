"""Scopes stay apart: what one chat adds never reaches another, whatever duplicates or pages claim.

Every case here stores overlapping text in two scopes (the same link, a near-duplicate, a page posing as
another site), because privacy tests on disjoint articles cannot catch a leak through deduplication.
"""

from __future__ import annotations

import sqlite3
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.services import Services, open_services
from briefing.briefer import build_briefer
from retrieval.fetch import HttpFetcher
from retrieval.store import SHARED_SCOPE, Extracted, Library, SearchFilters
from retrieval.store._schema import SCHEMA_VERSION
from tests.support.embedders import WatchedEmbedder
from tests.support.web_site import every_name_is_loopback, serve_pages, under_host

ALICE, BOB, CAROL = "1001", "1002", "1003"

_HARBOUR = (
    "Harbour master Olav Brekke said on Tuesday that the dredging of the northern channel in Porthaven "
    "will start in the spring and take about four months. Container ships have had to wait for high tide "
    "since a storm moved sand into the channel last winter, and two shipping lines have warned they could "
    "move their calls to another port. Brekke said the work would be done at night so that ferries can keep "
    "their timetable during the day. The city council approved the plan by eleven votes to four after a "
    "long debate about the cost and about the seals that rest on the sandbanks near the harbour mouth. "
    "Environmental groups asked for a study of the seal colony before the dredgers arrive."
)
# Only Alice's copy says this; Bob's near-duplicate never had it.
_SECRET = "The confidential budget memo puts the cost at 48 million crowns, twice the public estimate."


def _item(text: str, url: str, title: str = "Porthaven to dredge its northern channel") -> Extracted:
    return Extracted(
        text=text, title=title, url=url, site="Porthaven Post",
        published=datetime(2025, 3, 4, tzinfo=UTC),
    )  # fmt: skip


ALICE_COPY = _item(f"{_HARBOUR} {_SECRET}", "file:///home/alice/leaks/dredging-memo.html")
BOB_COPY = _item(_HARBOUR, "https://porthaven-post.example/dredging", title="Channel dredging approved")


def _ids(hits: list[Any]) -> set[int]:
    return {h.article_id for h in hits}


async def _everything_bob_sees(services: Services) -> str:
    """Search, sources, stance and digest as Bob would get them, as one text to look for leaks in."""
    scope = SearchFilters(scope=BOB)
    briefer = build_briefer(services)
    hits = await services.searcher.search("dredging budget cost of the northern channel", k=8, filters=scope)
    listed = await services.library.list_articles(scope=BOB, limit=50)
    stance = await briefer.stance("Brekke", None, filters=scope)
    digest = await briefer.digest(since=datetime.now(UTC) - timedelta(days=1), scope=BOB)
    answer = await briefer.ask("What will the dredging of the channel cost?", filters=scope)
    parts = [h.text + h.url + h.title for h in hits]
    parts += [a.text + a.url + a.title for a in listed]
    for briefing in (stance, digest, answer):
        parts.append(briefing.answer)
        parts += [c.url + c.title for c in briefing.citations]
    return "\n".join(parts)


async def test_a_near_duplicate_in_another_chat_gets_its_own_copy(services: Services) -> None:
    [alice] = await services.ingestor.ingest_many([ALICE_COPY], added_by=ALICE)
    [bob] = await services.ingestor.ingest_many([BOB_COPY], added_by=BOB)
    assert alice.status == bob.status == "added", (alice, bob)  # not filed under Alice's article
    assert alice.article and bob.article and alice.article.id != bob.article.id
    seen = await _everything_bob_sees(services)
    assert "48 million" not in seen and "confidential" not in seen
    assert "file://" not in seen and "alice" not in seen and "dredging-memo" not in seen
    scope = SearchFilters(scope=BOB)
    hits = await services.searcher.search("dredging of the northern channel", k=8, filters=scope)
    assert _ids(hits) == {bob.article.id}
    statements = await services.library.statements(speaker_terms=["Brekke"], filters=scope)
    assert {s.article_id for s, _ in statements} <= {bob.article.id}
    assert (await services.library.count_visible(BOB))["articles"] == 1


async def test_forgetting_one_chats_copy_leaves_the_others(services: Services) -> None:
    [alice] = await services.ingestor.ingest_many([BOB_COPY], added_by=ALICE)
    [bob] = await services.ingestor.ingest_many([BOB_COPY], added_by=BOB)  # the very same link and text
    assert bob.status == "added" and bob.article and alice.article
    assert bob.article.id != alice.article.id
    [again] = await services.ingestor.ingest_many([BOB_COPY], added_by=BOB)
    assert again.status == "duplicate" and again.article and again.article.id == bob.article.id
    assert await services.ingestor.forget(alice.article.id)
    hits = await services.searcher.search("dredging of the channel", k=5, filters=SearchFilters(scope=BOB))
    assert _ids(hits) == {bob.article.id}
    assert await services.searcher.search("dredging", k=5, filters=SearchFilters(scope=ALICE)) == []


async def test_a_copy_filed_under_a_forgotten_article_becomes_searchable(services: Services) -> None:
    # Within one chat a near-duplicate is linked, not indexed twice; once its twin goes it stands alone.
    [first] = await services.ingestor.ingest_many([ALICE_COPY], added_by=ALICE)
    [second] = await services.ingestor.ingest_many([BOB_COPY], added_by=ALICE)
    assert second.status == "near_duplicate" and first.article and second.article
    assert await services.ingestor.forget(first.article.id)
    scope = SearchFilters(scope=ALICE)
    hits = await services.searcher.search("dredging of the northern channel", k=5, filters=scope)
    assert _ids(hits) == {second.article.id}
    copy = await services.library.get_article(second.article.id)
    assert copy is not None and copy.duplicate_of is None and copy.chunk_count > 0
    statements = await services.library.statements(speaker_terms=["Brekke"], filters=scope)
    assert statements and {s.article_id for s, _ in statements} == {second.article.id}


async def test_a_chat_copy_filed_under_a_shared_article_survives_its_removal(services: Services) -> None:
    [shared] = await services.ingestor.ingest_many([ALICE_COPY], added_by=SHARED_SCOPE)
    [bob] = await services.ingestor.ingest_many([BOB_COPY], added_by=BOB)
    assert bob.status == "near_duplicate"  # Bob can see the shared twin, so linking shows him nothing new
    assert shared.article and bob.article
    assert await services.ingestor.forget(shared.article.id)
    hits = await services.searcher.search("dredging channel", k=5, filters=SearchFilters(scope=BOB))
    assert _ids(hits) == {bob.article.id}


async def test_a_shared_near_duplicate_never_publishes_a_chats_article(services: Services) -> None:
    [alice] = await services.ingestor.ingest_many([ALICE_COPY], added_by=ALICE)
    [cli] = await services.ingestor.ingest_many([BOB_COPY], added_by=SHARED_SCOPE)
    assert cli.status == "added" and alice.article and cli.article
    stored = await services.library.get_article(alice.article.id)
    assert stored is not None and stored.added_by == ALICE  # still Alice's alone
    carol = await services.library.list_articles(scope=CAROL, limit=10)
    assert [a.id for a in carol] == [cli.article.id]
    hits = await services.searcher.search("confidential budget memo", k=8, filters=SearchFilters(scope=CAROL))
    assert alice.article.id not in _ids(hits)


# ---- pages fetched from the web -----------------------------------------------------------------------

_POISON = f"""<!doctype html><html lang="en"><head>
<title>Porthaven channel to close for good</title>
<meta property="og:site_name" content="Reuters">
<link rel="canonical" href="https://www.reuters.com/world/europe/porthaven-channel-closes">
</head><body><article><h1>Porthaven channel to close for good</h1>
<p>{_HARBOUR}</p><p>Officials privately admitted that the harbour will be closed to all ships next year.</p>
</article></body></html>"""

_PLAIN = f"""<!doctype html><html lang="en"><head><title>Dredging plan approved</title></head>
<body><article><h1>Dredging plan approved</h1><p>{_HARBOUR}</p></article></body></html>"""


@pytest.fixture
async def web(settings: Any, embedder: Any) -> AsyncIterator[tuple[Services, str]]:
    """Services fetching from a local site that answers for every host name (`news.test`, reuters.com)."""
    settings = settings.model_copy(update={"fetch_allow_private_networks": True})
    fetcher = HttpFetcher(allow_private_networks=True, resolver=every_name_is_loopback)
    svc = await open_services(settings, embedder=WatchedEmbedder(embedder), fetcher=fetcher)
    pages: dict[str, tuple[int, str, bytes | str]] = {
        "/poison": (200, "text/html", _POISON),
        "/plain": (200, "text/html", _PLAIN),
    }
    try:
        async with serve_pages(pages) as base:
            yield svc, under_host(base, "news.test")
    finally:
        svc.index.close()
        svc.library.close()
        await fetcher.aclose()


async def test_a_page_cannot_pose_as_another_outlet(web: tuple[Services, str]) -> None:
    services, site = web
    posed = await services.ingestor.ingest_url(f"{site}/poison", added_by=ALICE)
    assert posed.status == "added" and posed.article
    assert posed.article.url == f"{site}/poison"  # known by where it was fetched from
    assert posed.article.outlet == "news.test" and "reuters" not in posed.article.url
    port = site.rsplit(":", 1)[1]
    # Bob asks for the real Reuters page: it is fetched (and here fails), never answered from Alice's text.
    for scope in (BOB, SHARED_SCOPE):
        real = await services.ingestor.ingest_url(
            f"https://www.reuters.com/world/europe/porthaven-channel-closes?port={port}", added_by=scope
        )
        assert real.status == "failed", real
    stored = await services.library.get_article(posed.article.id)
    assert stored is not None and stored.added_by == ALICE
    assert await services.library.list_articles(scope=BOB, limit=10) == []


async def test_a_same_site_canonical_is_still_honoured(web: tuple[Services, str]) -> None:
    services, _ = web
    page = f"""<html><head><title>Channel plan</title>
    <link rel="canonical" href="https://www.news.test/harbour/channel-plan"></head>
    <body><article><p>{_HARBOUR}</p></article></body></html>"""
    async with serve_pages({"/amp/channel": (200, "text/html", page)}) as base:
        result = await services.ingestor.ingest_url(
            under_host(base, "amp.news.test") + "/amp/channel", added_by=ALICE
        )
    assert result.article and result.article.url == "https://www.news.test/harbour/channel-plan"


async def test_a_link_with_credentials_is_refused_before_any_lookup(web: tuple[Services, str]) -> None:
    services, site = web
    stored = await services.ingestor.ingest_url(f"{site}/plain", added_by=ALICE)
    assert stored.status == "added"
    sneaky = site.replace("://", "://evil@", 1) + "/plain"
    result = await services.ingestor.ingest_url(sneaky, added_by=ALICE)
    assert result.status == "failed" and "credentials" in (result.reason or ""), result


async def test_the_same_link_in_two_chats_is_fetched_for_each(web: tuple[Services, str]) -> None:
    services, site = web
    watched = services.embedder
    assert isinstance(watched, WatchedEmbedder)
    alice = await services.ingestor.ingest_url(f"{site}/plain", added_by=ALICE)
    calls = watched.calls
    bob = await services.ingestor.ingest_url(f"{site}/plain", added_by=BOB)
    assert alice.status == bob.status == "added" and alice.article and bob.article
    assert alice.article.id != bob.article.id and bob.article.added_by == BOB
    # Identical text and title: Bob's copy reuses the vectors instead of embedding them again.
    assert bob.chunks == alice.chunks and watched.calls == calls
    assert await services.ingestor.forget(alice.article.id)
    hits = await services.searcher.search("dredging plan", k=5, filters=SearchFilters(scope=BOB))
    assert _ids(hits) == {bob.article.id}


# ---- libraries written by version 1 --------------------------------------------------------------------

_V1_SCHEMA = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE articles (
    id INTEGER PRIMARY KEY, url TEXT NOT NULL UNIQUE, title TEXT NOT NULL, outlet TEXT NOT NULL, author TEXT,
    published_at TEXT, published_ts INTEGER, language TEXT, text TEXT NOT NULL, content_hash TEXT NOT NULL,
    added_by TEXT NOT NULL, added_at TEXT NOT NULL, added_ts INTEGER NOT NULL,
    duplicate_of INTEGER REFERENCES articles(id) ON DELETE SET NULL, flags TEXT NOT NULL DEFAULT '',
    indexed INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE article_access (
    article_id INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE, scope TEXT NOT NULL,
    PRIMARY KEY (article_id, scope)
);
INSERT INTO meta VALUES ('schema_version', '1');
"""


def _write_v1_library(path: Path) -> None:
    """Alice's article, Bob's near-duplicate filed under it with a grant, and a grant to Carol, who had sent
    the same link: the cross-scope access version 1 handed out."""
    path.parent.mkdir(parents=True, exist_ok=True)
    c = sqlite3.connect(path)
    c.executescript(_V1_SCHEMA)
    row = (
        "INSERT INTO articles VALUES "
        "(?,?,?,?,NULL,NULL,NULL,'en',?,?,?,'2025-03-04T00:00:00+00:00',1741046400,?,'',?)"
    )
    secret = f"{_HARBOUR} {_SECRET}"
    c.execute(row, (1, "file:///home/alice/memo.html", "Memo", "local file", secret, "h1", ALICE, None, 1))
    c.execute(row, (2, "https://porthaven-post.example/d", "Dredging", "Post", _HARBOUR, "h2", BOB, 1, 1))
    c.executemany("INSERT INTO article_access VALUES (?, ?)", [(1, BOB), (1, CAROL)])
    c.commit()
    c.close()


async def test_a_version_1_library_loses_its_cross_chat_grants(settings: Any, embedder: Any) -> None:
    _write_v1_library(settings.library_path)
    services = await open_services(settings, embedder=embedder)  # migrates, then finishes the copies
    try:
        bob = await services.library.list_articles(scope=BOB, limit=10)
        assert [(a.id, a.duplicate_of) for a in bob] == [(2, None)]  # his own copy, standing alone
        carol = await services.library.list_articles(scope=CAROL, limit=10)
        assert len(carol) == 1 and carol[0].id not in (1, 2) and carol[0].added_by == CAROL
        for scope, article_id in ((BOB, 2), (CAROL, carol[0].id)):
            hits = await services.searcher.search("dredging channel", k=5, filters=SearchFilters(scope=scope))
            assert _ids(hits) == {article_id}
        assert (await services.library.stats())["pending_articles"] == 0
        assert await services.library.get_meta("schema_version") == str(SCHEMA_VERSION)
    finally:
        services.index.close()
        services.library.close()
    assert Library(settings.library_path).path  # reopening a migrated file is a no-op
