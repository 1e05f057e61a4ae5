"""The embedding API going down, seen from Telegram: links fail one by one with a clear reason, nothing is
half-stored, and the same links go in once the endpoint is back.

The bot runs with EMBEDDING_BACKEND=openai against the local OpenAI-compatible server, built by the product's
own factory (which probes the endpoint for its vector size at start-up).
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.services import Services
from retrieval.embed import EmbeddingError
from retrieval.urls import canonical_url
from tests.support.corpus import TURBINES_PAGE as TURBINES
from tests.support.llm_env import ALICE, Env, Reply, embedding_api_bot, replies
from tests.support.llm_server import LlmServer
from tests.support.web_site import serve_pages

BAKERY = """<html><head><title>Village bakery reopens after the fire</title>
<meta property="og:site_name" content="Dale Weekly">
<meta property="article:published_time" content="2025-04-02T07:00:00Z"></head>
<body><article><h1>Village bakery reopens after the fire</h1>
<p>The bakery in Upper Dale opened its doors again on Saturday, eight months after a fire destroyed its ovens.
Neighbours raised most of the money for the repairs at a summer fair and an online collection.</p>
<p>"We sold out of bread by nine o'clock," said owner Tomasz Nowak, who baked through the night before the
reopening. The shop now also sells coffee and runs a weekly baking class for children.</p>
</article></body></html>"""
# What a user must never be shown: Python's own words for an error.
DEVELOPER_WORDS = re.compile(r"Traceback|Error:|Exception|openai|\{'|\w+Error\b")


@pytest.fixture
async def llm() -> AsyncIterator[LlmServer]:
    async with LlmServer() as server:
        yield server


@pytest.fixture
async def site() -> AsyncIterator[str]:
    pages = {"/turbines": (200, "text/html", TURBINES), "/bakery": (200, "text/html", BAKERY)}
    async with serve_pages(pages) as base:
        yield base


async def send_links(env: Env, urls: list[str]) -> Reply:
    [card] = replies(await env.send(env.tg.make_message_with_links(ALICE, "please add", urls)))
    return card


def failure_lines(card: Reply) -> list[str]:
    return [line for line in card.text.splitlines() if line.startswith("Not added:")]


async def assert_nothing_stored(services: Services, urls: list[str]) -> None:
    stats = await services.library.stats()
    assert stats["articles"] == stats["chunks"] == stats["pending_articles"] == 0
    for url in urls:
        assert await services.library.find_by_url(canonical_url(url), scope=None) is None
    assert await services.index.count() == 0


async def assert_fully_added(services: Services, card: Reply, url: str) -> None:
    match = re.search(r"Added \((\d+) passages\), #(\d+)", card.text)
    assert match, card.text
    passages, article_id = int(match.group(1)), int(match.group(2))
    article = await services.library.get_article(article_id)
    assert article is not None and article.url == canonical_url(url) and passages >= 1
    assert len(await services.library.article_chunks(article_id)) == passages
    assert (await services.library.stats())["pending_articles"] == 0


async def test_links_fail_cleanly_while_the_endpoint_errors_then_go_in(
    tmp_path: Path, llm: LlmServer, site: str
) -> None:
    urls = [f"{site}/turbines", f"{site}/bakery"]
    async for env in embedding_api_bot(tmp_path / "data", f"{llm.url}/v1"):
        services = env.rt.services
        assert services.embedder.dim == llm.dim  # learnt from the endpoint at start-up
        llm.embeddings_down = True
        card = await send_links(env, urls)
        lines = failure_lines(card)
        assert len(lines) == 2, card.text
        for line in lines:
            assert line == (
                "Not added: embedding endpoint failed: "
                "HTTP 503 (The engine is currently overloaded, please try again later.)"
            )
        assert not DEVELOPER_WORDS.search(card.text), card.text
        await assert_nothing_stored(services, urls)
        # A question cannot be searched either (answers embed sentences too); the chat is told why.
        [answer] = replies(await env.send(env.tg.make_text_message(ALICE, "What did the mayor say?")))
        assert "the embedding service is not answering" in answer.text
        assert not DEVELOPER_WORDS.search(answer.text)

        llm.embeddings_down = False
        card = await send_links(env, urls[:1])
        await assert_fully_added(services, card, urls[0])
        chunks = (await services.library.stats())["chunks"]
        assert await services.index.count() == chunks


async def test_links_fail_cleanly_when_the_endpoint_is_gone(tmp_path: Path, site: str) -> None:
    urls = [f"{site}/turbines", f"{site}/bakery"]
    llm = LlmServer()
    await llm.__aenter__()
    try:
        async for env in embedding_api_bot(tmp_path / "data", f"{llm.url}/v1"):
            await llm.__aexit__(None, None, None)  # the port now refuses connections
            card = await send_links(env, urls)
            assert failure_lines(card) == ["Not added: embedding endpoint failed: could not connect"] * 2
            assert not DEVELOPER_WORDS.search(card.text), card.text
            await assert_nothing_stored(env.rt.services, urls)
    finally:
        await llm.__aexit__(None, None, None)


async def test_restart_during_an_outage_comes_up_and_recovers(
    tmp_path: Path, llm: LlmServer, site: str
) -> None:
    data = tmp_path / "data"
    async for env in embedding_api_bot(data, f"{llm.url}/v1"):
        await assert_fully_added(
            env.rt.services, await send_links(env, [f"{site}/turbines"]), f"{site}/turbines"
        )
        before = await env.rt.services.index.count()
    llm.embeddings_down = True
    # The vector size cannot be asked now; the index filled before still names it.
    async for env in embedding_api_bot(data, f"{llm.url}/v1"):
        services = env.rt.services
        assert services.embedder.dim == llm.dim and await services.index.count() == before
        [status] = replies(await env.send(env.tg.make_command(ALICE, "status")))
        assert "Articles you can search: 1" in status.text
        card = await send_links(env, [f"{site}/bakery"])
        assert failure_lines(card) == [
            "Not added: embedding endpoint failed: "
            "HTTP 503 (The engine is currently overloaded, please try again later.)"
        ]
        assert (await services.library.stats())["articles"] == 1
        llm.embeddings_down = False
        await assert_fully_added(services, await send_links(env, [f"{site}/bakery"]), f"{site}/bakery")
        assert await services.index.count() == (await services.library.stats())["chunks"] > before


async def test_first_start_without_the_endpoint_says_why(tmp_path: Path, llm: LlmServer) -> None:
    """With no index yet, the vector size is unknown: start-up stops with a reason an operator can act on."""
    llm.embeddings_down = True
    with pytest.raises(EmbeddingError, match="must answer on the first start") as failure:
        async for _env in embedding_api_bot(tmp_path / "data", f"{llm.url}/v1"):
            pytest.fail("the bot started without knowing its vector size")
    assert "HTTP 503" in str(failure.value)
