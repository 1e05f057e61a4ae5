"""/watch through the real bot and the local Bot API server: alerts after links and forwards, one alert per
statement however many outlets report it, the comparison with earlier statements, quiet mode and the digest,
restarts and privacy between chats.

Negative checks need no sleeping: the runtime sends a chat's alerts before its link card (alerts are sent
from inside the ingestion path), so once the card is there, any alert would have been too.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from bot import render
from briefing.topics import COVERS, table_vectors
from briefing.types import Briefing, Citation
from retrieval.embed import LocalEmbedder
from retrieval.fetch import HttpFetcher
from retrieval.store import SHARED_SCOPE, Extracted
from tests.support.bot_env import ALICE, BOB, Env, html_of, links_in, make_env, running_bot
from tests.support.embedders import WatchedEmbedder
from tests.support.telegram_server import BotApiServer
from tests.support.web_site import every_name_is_loopback, serve_pages, under_host

NEVER = (
    "Kremlin spokesman Dmitry Peskov said the four annexed regions would never be returned to Ukraine. "
    "He spoke to reporters in Moscow after a meeting of the Security Council on the war."
)
NEVER_AGAIN = (
    "Dmitry Peskov, the Kremlin spokesman, said the annexed regions would never be given back to Ukraine. "
    "The remarks came as delegations prepared for another round of talks in Istanbul."
)
READY = (
    "Kremlin spokesman Dmitry Peskov said Russia was ready to discuss the return of the annexed regions to "
    "Ukraine. The remarks surprised diplomats who had expected a harder line before the summit."
)
LAVROV = (
    "Foreign Minister Sergei Lavrov said the four annexed regions would never be returned to Ukraine. He "
    "spoke at a news conference in Moscow with his Turkish counterpart."
)
GAS = (
    "Kremlin spokesman Dmitry Peskov said gas prices in Europe would keep rising through the winter. "
    "Traders in Amsterdam expect storage levels to fall below last year's."
)
FEB_10, MAR_4, MAR_6 = (datetime(2025, m, d, 9, tzinfo=UTC) for m, d in ((2, 10), (3, 4), (3, 6)))


@pytest.fixture
async def env(tmp_path: Path, embedder: LocalEmbedder) -> AsyncIterator[Env]:
    async for e in make_env(tmp_path, embedder):
        yield e


def forward(env: Env, chat: int, text: str, when: datetime, channel: str, post: int) -> dict[str, Any]:
    """A channel post forwarded into `chat`: stored with its permalink t.me/CHANNEL/POST."""
    return env.tg.make_forwarded_channel_post(
        chat, text, -1001_000_000 - post, channel, post, when, channel_title=channel.title()
    )


async def watch(env: Env, chat: int, args: str) -> str:
    [reply] = await env.send(env.tg.make_command(chat, "watch", args))
    return html_of(reply)


def alerts(env: Env, chat: int) -> list[str]:
    return [html_of(c) for c in env.tg.sent_messages(chat) if "Watch:" in html_of(c)]


async def store(env: Env, text: str, when: datetime, outlet: str, scope: str) -> int:
    """An article put straight into the library (as the CLI would), announced to no one: only the catch-up
    job (5 s after the start, then every 15 minutes here) finds it, and not if stored before the watch."""
    item = Extracted(text=text, title=f"{outlet} report", url=f"https://{outlet}.example/{when:%m%d}",
                     site=outlet.title(), published=when)  # fmt: skip
    [result] = await env.rt.services.ingestor.ingest_many([item], added_by=scope)
    assert result.status == "added" and result.article is not None and result.statements
    return result.article.id


# ---- an alert and what it says ----


async def test_a_watched_actors_statement_brings_an_alert(env: Env) -> None:
    assert "Watching Dmitry Peskov on regions" in await watch(env, ALICE, "Dmitry Peskov regions")
    alert, card = await env.send(forward(env, ALICE, NEVER, MAR_4, "kremlinwatch", 5), reply_count=2)
    text = html_of(alert)
    assert "Added (" in html_of(card)
    assert "Watch: Dmitry Peskov on regions" in text
    assert "Dmitry Peskov" in text and "never be returned to Ukraine" in text  # speaker and statement
    assert "4 Mar 2025" in text and "Kremlinwatch" in text  # date and outlet
    assert "https://t.me/kremlinwatch/5" in links_in(text)  # the citation links to the post
    assert "New: no earlier statement by Dmitry Peskov on regions" in text


@pytest.mark.parametrize(
    ("new", "verdict"),
    [
        (READY, "Shift: on 10 Feb 2025, Dmitry Peskov"),
        (NEVER_AGAIN, "Repeated: on 10 Feb 2025, Dmitry Peskov"),
    ],
)
async def test_the_alert_compares_with_the_earlier_statement(env: Env, new: str, verdict: str) -> None:
    await store(env, NEVER, FEB_10, "tass", str(ALICE))
    await watch(env, ALICE, "Dmitry Peskov regions")
    alert, _ = await env.send(forward(env, ALICE, new, MAR_4, "kremlinwatch", 6), reply_count=2)
    text = html_of(alert)
    assert verdict in text and "never be returned" in text  # the earlier words, cited
    assert "https://tass.example/0210" in links_in(text)


async def test_an_earlier_statement_on_another_point_is_cited_without_a_verdict(env: Env) -> None:
    await store(env, NEVER, FEB_10, "tass", str(ALICE))
    await watch(env, ALICE, "Kremlin")
    alert, _ = await env.send(forward(env, ALICE, GAS, MAR_4, "kremlinwatch", 7), reply_count=2)
    text = html_of(alert)
    assert "Earlier on this topic: on 10 Feb 2025" in text and "Shift" not in text and "Repeated" not in text


async def test_other_actors_and_topics_bring_no_alert(env: Env) -> None:
    await watch(env, ALICE, "Dmitry Peskov regions")
    for post, text in enumerate((LAVROV, GAS), 10):
        # The card comes after any alert this forward would bring: one reply means no alert.
        [card] = await env.send(forward(env, ALICE, text, MAR_4, "wire", post))
        assert "Added (" in html_of(card)
    assert alerts(env, ALICE) == []
    # The sentinel can fail: the watched actor on the topic does bring one.
    await env.send(forward(env, ALICE, NEVER, MAR_4, "wire", 12), reply_count=2)
    assert len(alerts(env, ALICE)) == 1


# ---- one statement, several outlets ----

_HOSTS = [
    "www.northwire.example",
    "www.eastpost.example",
    "www.dailyledger.example",
    "www.capitalnews.example",
    "www.riverherald.example",
]
_ASIDES = [
    "Ukraine's foreign ministry called the remarks a provocation.",
    "Markets in Moscow barely moved after the statement was published.",
    "Analysts in Berlin said the position had hardened since the autumn.",
    "The European Union's foreign policy chief is due in Kyiv next week.",
    "Officials in Warsaw declined to comment on the remarks on Tuesday.",
]


def _page(host: str, aside: str) -> str:
    outlet = host.split(".")[1].title()
    return f"""<html><head><title>Kremlin rules out returning the regions</title>
<meta property="og:site_name" content="{outlet}">
<meta property="article:published_time" content="2025-03-04T10:00:00Z"></head>
<body><article><h1>Kremlin rules out returning the regions</h1>
<p>{NEVER}</p><p>{aside} The talks are expected to resume after the spring holidays.</p>
</article></body></html>"""


@pytest.fixture
async def five_outlets() -> AsyncIterator[list[str]]:
    pages = {
        f"/{n}": (200, "text/html", _page(h, a)) for n, (h, a) in enumerate(zip(_HOSTS, _ASIDES, strict=True))
    }
    async with serve_pages(pages) as base:
        yield [f"{under_host(base, host)}/{n}" for n, host in enumerate(_HOSTS)]


async def test_one_statement_in_five_outlets_is_one_alert(env: Env, five_outlets: list[str]) -> None:
    await watch(env, ALICE, "Dmitry Peskov regions")
    alert, cards = await env.send(env.tg.make_message_with_links(ALICE, "five", five_outlets), reply_count=2)
    assert html_of(cards).count("Added (") == 5
    text = html_of(alert)
    assert "Reported by 5 outlets" in text
    for host in _HOSTS:
        assert host.split(".")[1].title() in text
    assert set(links_in(text)) == set(five_outlets)  # each report cited, by its own link
    assert len(alerts(env, ALICE)) == 1
    # A sixth outlet's copy of one of them, forwarded later: the alert grows instead of a second one.
    copy = f"{NEVER} {_ASIDES[0]} The talks are expected to resume after the spring holidays, officials said."
    [card] = await env.send(forward(env, ALICE, copy, MAR_4, "sixthchannel", 3))
    assert "Same story as" in html_of(card)
    assert len(alerts(env, ALICE)) == 1
    [edit] = env.tg.calls_to("editMessageText")
    assert "Reported by 6 outlets" in html_of(edit) and "Sixthchannel" in html_of(edit)


# ---- quiet mode and the digest ----


async def test_quiet_mode_keeps_alerts_for_the_digest(env: Env) -> None:
    await watch(env, ALICE, "Dmitry Peskov regions")
    [listing] = await env.send(env.tg.make_command(ALICE, "watches", "quiet on"))
    assert "Quiet mode: on" in html_of(listing) and "1. Dmitry Peskov on regions" in html_of(listing)
    [card] = await env.send(forward(env, ALICE, NEVER, MAR_4, "kremlinwatch", 5))
    assert "Added (" in html_of(card) and alerts(env, ALICE) == []
    replies = await env.send(env.tg.make_command(ALICE, "digest"))
    digest = "\n".join(html_of(r) for r in replies)
    assert "Positions: 1 new statement by actors you watch" in digest
    assert "Dmitry Peskov on regions · 4 Mar 2025" in digest and "never be returned" in digest
    assert "https://t.me/kremlinwatch/5" in links_in(digest)
    # Turning quiet mode off later does not bring the held statement as an alert.
    await env.send(env.tg.make_command(ALICE, "watches", "quiet off"))
    assert (
        await env.rt.articles_added({str(ALICE): [a.id for a in await env.rt.recent_articles(str(ALICE))]})
        == 0
    )


# ---- restarts and privacy ----


async def test_a_restart_never_alerts_twice(tmp_path: Path, embedder: LocalEmbedder) -> None:
    fetcher = HttpFetcher(allow_private_networks=True, resolver=every_name_is_loopback)
    async with BotApiServer() as tg:
        async with running_bot(tg, tmp_path / "data", embedder, fetcher=fetcher) as env:
            await watch(env, ALICE, "Dmitry Peskov regions")
            await env.send(forward(env, ALICE, NEVER, MAR_4, "kremlinwatch", 5), reply_count=2)
            [article] = await env.rt.recent_articles(str(ALICE))
        async with running_bot(tg, tmp_path / "data", embedder, fetcher=fetcher) as env:
            # The feed poller reporting the same article again after a restart, and the same post again.
            assert await env.rt.articles_added({str(ALICE): [article.id]}) == 0
            [card] = await env.send(forward(env, ALICE, NEVER, MAR_4, "kremlinwatch", 5))
            assert "Already stored" in html_of(card)
            assert len(alerts(env, ALICE)) == 1
            # Still watching after the restart: a new statement does bring an alert.
            await env.send(forward(env, ALICE, READY, MAR_6, "kremlinwatch", 9), reply_count=2)
            assert len(alerts(env, ALICE)) == 2


async def test_another_chats_article_never_triggers_nor_shows(env: Env) -> None:
    for chat in (ALICE, BOB):
        await watch(env, chat, "Dmitry Peskov regions")
    # Alice's private article: her alert only (her card proves Bob's alerts, if any, were sent before).
    await env.send(forward(env, ALICE, NEVER, FEB_10, "alicechannel", 1), reply_count=2)
    assert len(alerts(env, ALICE)) == 1 and alerts(env, BOB) == []
    # Bob's article on the same point: compared with nothing of Alice's.
    alert, _ = await env.send(forward(env, BOB, READY, MAR_4, "bobchannel", 2), reply_count=2)
    text = html_of(alert)
    assert "New: no earlier statement" in text and "Shift" not in text
    assert "Alicechannel" not in text and not any("alicechannel" in url for url in links_in(text))
    assert len(alerts(env, ALICE)) == 1
    # A shared article (the CLI's) reaches both; each compares it with what that chat can see.
    shared = await store(env, NEVER_AGAIN, MAR_6, "sharedwire", SHARED_SCOPE)
    await env.rt.articles_added({SHARED_SCOPE: [shared]})  # or the catch-up job first: the same alerts
    assert len(alerts(env, ALICE)) == 2 and len(alerts(env, BOB)) == 2
    to_alice, to_bob = alerts(env, ALICE)[-1], alerts(env, BOB)[-1]
    assert "alicechannel" in " ".join(links_in(to_alice)) and "Repeated" in to_alice
    assert "alicechannel" not in " ".join(links_in(to_bob)) and "Alicechannel" not in to_bob
    assert "bobchannel" in " ".join(links_in(to_bob))


async def test_watches_are_listed_and_stopped(env: Env) -> None:
    await watch(env, ALICE, "Dmitry Peskov regions")
    assert "Already watching" in await watch(env, ALICE, "dmitry  peskov on REGIONS")
    await watch(env, ALICE, '"White House" on tariffs')
    [listing] = await env.send(env.tg.make_command(ALICE, "watches"))
    assert "1. Dmitry Peskov on regions" in html_of(listing) and "2. White House on tariffs" in html_of(
        listing
    )
    [reply] = await env.send(env.tg.make_command(ALICE, "unwatch", "1"))
    assert "Stopped watching Dmitry Peskov on regions" in html_of(reply)
    [reply] = await env.send(env.tg.make_command(ALICE, "unwatch", "White House on tariffs"))
    assert "Stopped watching White House on tariffs" in html_of(reply)
    [reply] = await env.send(env.tg.make_command(ALICE, "unwatch", "3"))
    assert "No such watch" in html_of(reply)
    # Nothing is watched any more: the statement brings no alert.
    [card] = await env.send(forward(env, ALICE, NEVER, MAR_4, "kremlinwatch", 5))
    assert "Added (" in html_of(card) and alerts(env, ALICE) == []


async def test_a_copy_in_one_chat_never_grows_anothers_alert(env: Env) -> None:
    for chat in (ALICE, BOB):
        await watch(env, chat, "Dmitry Peskov regions")
    story = f"{NEVER} {' '.join(_ASIDES)}"
    shared = await store(env, story, MAR_4, "sharedwire", SHARED_SCOPE)
    await env.rt.articles_added({SHARED_SCOPE: [shared]})  # or the catch-up job first: the same alerts
    assert len(alerts(env, ALICE)) == 1 and len(alerts(env, BOB)) == 1
    # Alice forwards another outlet's copy of the shared article: her alert lists it, Bob's stays as it was.
    copy = f"{story} Officials in Kyiv did not comment."
    [card] = await env.send(forward(env, ALICE, copy, MAR_4, "alicechannel", 4))
    assert "Same story as" in html_of(card)
    edits = env.tg.calls_to("editMessageText")
    assert [str(e.params["chat_id"]) for e in edits] == [str(ALICE)]
    assert "Reported by 2 outlets" in html_of(edits[0]) and "Alicechannel" in html_of(edits[0])
    # Nor does Bob's digest, which reads the shared article's statement again, list Alice's copy.
    digest = "\n".join(html_of(r) for r in await env.send(env.tg.make_command(BOB, "digest")))
    assert "Positions: 1 new statement" in digest and "Sharedwire" in digest and "Alicechannel" not in digest


def test_an_alert_is_one_message_however_many_sources() -> None:
    cites = [
        Citation(
            n, n, f"https://outlet{n}.example/{'x' * 300}", "A long title " * 12, f"Outlet {n}", None, "q"
        )
        for n in range(1, 61)
    ]
    answer = "## Watch: Dmitry Peskov\n" + "words " * 500 + "".join(f"[{c.n}]" for c in cites)
    html = render.position_alert(Briefing(answer, found=True, citations=cites, kind="position"))
    assert len(render.to_plain(html)) <= render.MESSAGE_LIMIT and "<b>Sources</b>" in html and "…" in html


# ---- the cost of a topic's first check ----


async def test_a_topic_watch_is_prepared_so_its_first_check_embeds_no_topic_table(
    tmp_path: Path, embedder: LocalEmbedder
) -> None:
    """The stance topic table (156 names) is embedded at a start (`Runtime.prepare_answers`), or at /watch
    if that has not finished, not by the first check of the articles that come in (which an alert waits
    for)."""
    fetcher = HttpFetcher(allow_private_networks=True, resolver=every_name_is_loopback)
    table = {name for cover in COVERS for name in cover.names}

    def counted(env: Env) -> WatchedEmbedder:
        embeddings = env.rt.stance_service.embeddings
        watched = WatchedEmbedder(embeddings.embedder)
        embeddings.embedder = watched
        return watched

    def embedded_the_table(watched: WatchedEmbedder) -> bool:
        return any(table & set(texts) for texts in watched.texts)

    async with BotApiServer() as tg:
        async with running_bot(tg, tmp_path / "data", embedder, fetcher=fetcher) as env:
            watched = counted(env)
            await asyncio.gather(*env.rt.background)  # the start's preparation, begun before we wrapped
            watched.texts.clear()
            await watch(env, ALICE, "Dmitry Peskov on the annexed regions")
            await asyncio.gather(*env.rt.background)
            assert not embedded_the_table(watched)  # /watch found the table ready
            watched.texts.clear()
            await env.send(forward(env, ALICE, NEVER, MAR_4, "kremlinwatch", 5), reply_count=2)
            assert len(alerts(env, ALICE)) == 1 and watched.texts  # the check did embed (the topic, say)
            assert not embedded_the_table(watched)
        async with running_bot(tg, tmp_path / "data", embedder, fetcher=fetcher) as env:
            watched = counted(env)
            await asyncio.gather(*env.rt.background)  # the start's preparation, begun before we wrapped
            watched.texts.clear()
            await env.send(forward(env, ALICE, READY, MAR_6, "kremlinwatch", 9), reply_count=2)
            assert len(alerts(env, ALICE)) == 2  # the one before the restart, and this one
            assert not embedded_the_table(watched)


async def test_a_start_prepares_the_topic_table_for_the_first_stance_answer(
    tmp_path: Path, embedder: LocalEmbedder
) -> None:
    """Without any watch, a start embeds the stance topic table in the background: the first stance answer
    (or a burst of them, each of which embedded it again) finds it ready."""
    table = [name for cover in COVERS for name in cover.names]
    async with BotApiServer() as tg:
        async with running_bot(tg, tmp_path / "data", embedder) as env:
            await asyncio.gather(*env.rt.background)
            embeddings = env.rt.stance_service.embeddings
            watched = WatchedEmbedder(embeddings.embedder)
            embeddings.embedder = watched
            vectors = await asyncio.gather(*(table_vectors(embeddings) for _ in range(3)))
            assert watched.calls == 0
            assert all(v.shape == (len(table), embedder.dim) for v in vectors)
