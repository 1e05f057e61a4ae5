"""Following sources through the real bot and the local Bot API server: /follow, the polling job, the digest,
channel posts, /following with errors, /unfollow."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Mapping
from pathlib import Path
from typing import Any

import pytest

from retrieval.embed import LocalEmbedder
from tests.support.bot_env import ALICE, BOB, Env, html_of, make_env
from tests.support.feed_site import FeedSite, Item, Post, dated
from tests.support.tg_env import wait_until

CHANNEL_ID = -1001_234_567_890


@pytest.fixture
async def site() -> AsyncIterator[FeedSite]:
    async with FeedSite() as s:
        yield s


@pytest.fixture
async def env(tmp_path: Path, embedder: LocalEmbedder, site: FeedSite) -> AsyncIterator[Env]:
    # Every second a round: the job runs as it would every 15 minutes, without the wait.
    async for e in make_env(tmp_path, embedder, feeds_poll_seconds=1, telegram_web_base_url=site.url):
        yield e


def _items(prefix: str, n: int) -> list[Item]:
    return [Item(f"{prefix}-{i}", f"{prefix.title()} report {i}", dated(i / 24)) for i in range(n)]


async def _titles(env: Env, chat: int) -> set[str]:
    return {a.title for a in await env.rt.services.library.list_articles(scope=str(chat), limit=100)}


async def test_follow_poll_digest_and_the_new_articles_seam(env: Env, site: FeedSite) -> None:
    heard: list[dict[str, list[int]]] = []

    async def listener(new: Mapping[str, list[int]]) -> None:
        heard.append(dict(new))

    env.rt.on_new_articles(listener)
    site.rss("/feed.xml", "Valley Wire", _items("valley", 3))
    home = site.page_naming("/", ("application/rss+xml", "/feed.xml"))
    card, first = await env.send(env.tg.make_command(ALICE, "follow", home), reply_count=2)
    assert "Following <b>Valley Wire</b> (RSS feed, 3 items now)" in html_of(card)
    assert "Added 3 items from Valley Wire" in html_of(first)
    assert await _titles(env, ALICE) == {f"Valley report {i}" for i in range(3)}
    assert any(str(ALICE) in h and len(h[str(ALICE)]) == 3 for h in heard)
    # A new story on the feed arrives through the polling job, without anyone asking.
    flood = Item("flood", "Valley flood barrier finished", dated(0))
    site.rss("/feed.xml", "Valley Wire", [flood, *_items("valley", 3)])

    def announced() -> bool:
        return any(len(h.get(str(ALICE), [])) == 1 for h in heard)

    await wait_until(announced, timeout=20, what="the polling job to store and announce the new story")
    assert "Valley flood barrier finished" in await _titles(env, ALICE)
    assert await _titles(env, BOB) == set()  # nobody else got it
    replies = await env.send(env.tg.make_command(ALICE, "digest"))
    digest = " ".join(html_of(r) for r in replies)
    assert "Valley flood barrier finished" in digest  # its heading, or its line among the sources
    [listing] = await env.send(env.tg.make_command(ALICE, "following"))
    assert (
        "Valley Wire" in html_of(listing)
        and "RSS feed" in html_of(listing)
        and "last read" in html_of(listing)
    )
    [again] = await env.send(env.tg.make_command(ALICE, "follow", f"{site.url}/feed.xml"))
    assert "Already following" in html_of(again)
    [gone] = await env.send(env.tg.make_command(ALICE, "unfollow", "1"))
    assert "Stopped following Valley Wire" in html_of(gone)
    [none] = await env.send(env.tg.make_command(ALICE, "following"))
    assert "follows nothing" in html_of(none)


async def test_bad_sources_and_a_failing_feed_in_following(env: Env, site: FeedSite) -> None:
    a = site.page_naming("/a", ("application/rss+xml", "/b"))
    site.page_naming("/b", ("application/rss+xml", "/a"))
    [loop] = await env.send(env.tg.make_command(ALICE, "follow", a))
    assert "Not followed: feed loop" in html_of(loop)
    [usage] = await env.send(env.tg.make_command(ALICE, "follow"))
    assert "Usage: /follow URL" in html_of(usage)
    [local] = await env.send(env.tg.make_command(ALICE, "follow", "file:///etc/passwd"))
    assert "Not followed: refused: only http and https" in html_of(local)
    entries = "".join(f"<item><guid>a{n}</guid><title>Archive {n}</title></item>" for n in range(50_000))
    head = '<?xml version="1.0"?><rss version="2.0"><channel><title>Huge Wire</title>'
    huge = site.put("/huge.xml", f"{head}{entries}</channel></rss>", "application/rss+xml")
    card, first = await env.send(env.tg.make_command(BOB, "follow", huge), reply_count=2)
    assert "Following <b>Huge Wire</b> (RSS feed, 500 items now)" in html_of(card)
    assert "the feed lists 50,000 items; only the first 500 are read" in html_of(card)
    assert "Nothing new to add" in html_of(first) and "20 could not be read" in html_of(first)
    url = site.rss("/flaky.xml", "Flaky Wire", _items("flaky", 1))
    await env.send(env.tg.make_command(ALICE, "follow", url), reply_count=2)
    site.put("/flaky.xml", "<html><body>Down for maintenance</body></html>", "text/html")

    async def failing() -> bool:
        [follow] = await env.rt.following(str(ALICE))
        return follow.feed.last_error is not None

    await wait_until(failing, timeout=20, what="the polling job to record the error")
    [listing] = await env.send(env.tg.make_command(ALICE, "following"))
    text = html_of(listing)
    assert "⚠️ this is a web page, not a feed" in text and "next try" in text
    # The bot goes on answering while the feed fails.
    [status] = await env.send(env.tg.make_command(ALICE, "status"))
    assert "Articles you can search: 1" in html_of(status)


async def test_channel_posts_for_followers_and_nothing_sent_to_the_channel(env: Env, site: FeedSite) -> None:
    text = "The ferry company said on Monday that the island route will run every hour from the first of May."
    site.channel("portnews", "Port News", [Post(7, text, dated(1))])
    card, first = await env.send(env.tg.make_command(ALICE, "follow", "@portnews"), reply_count=2)
    assert "Following <b>Port News</b> (Telegram channel" in html_of(card)
    assert "Added 1 item" in html_of(first)
    post: dict[str, Any] = {
        "message_id": 8, "date": int(time.time()), "text": text.replace("every hour", "every half hour"),
        "chat": {"id": CHANNEL_ID, "type": "channel", "title": "Port News", "username": "PortNews"},
    }  # fmt: skip
    env.tg.push_update({"update_id": 990_001, "channel_post": post})

    async def stored() -> bool:
        urls = {a.url for a in await env.rt.services.library.list_articles(scope=str(ALICE), limit=10)}
        return "https://t.me/portnews/8" in urls

    await wait_until(stored, timeout=20, what="the channel post to be stored for the follower")
    assert env.tg.sent_messages(CHANNEL_ID) == []  # neither a card nor a refusal went to the channel
    assert await env.rt.services.library.list_articles(scope=str(CHANNEL_ID), limit=5) == []


async def test_a_polling_round_brings_a_watched_actors_alert(env: Env, site: FeedSite) -> None:
    # follow → polling round → a watched actor's new statement → alert, with no one sending anything.
    old = "The ferry company said on Monday that the island route will run every hour from the first of May."
    site.channel("kremlinwire", "Kremlin Wire", [Post(1, old, dated(2))])
    await env.send(env.tg.make_command(ALICE, "follow", "@kremlinwire"), reply_count=2)
    await env.send(env.tg.make_command(ALICE, "watch", "Dmitry Peskov on the regions"))
    said = (
        "Kremlin spokesman Dmitry Peskov said the four annexed regions would never be returned to Ukraine. "
        "He spoke to reporters in Moscow."
    )
    site.channel("kremlinwire", "Kremlin Wire", [Post(2, said, dated(0)), Post(1, old, dated(2))])

    def alerted() -> list[str]:
        return [html_of(c) for c in env.tg.sent_messages(ALICE) if "Watch:" in html_of(c)]

    await wait_until(alerted, timeout=30, what="the polling job's round to bring the alert")
    [alert] = alerted()
    assert "Watch: Dmitry Peskov on the regions" in alert and "never be returned to Ukraine" in alert
    assert "https://t.me/kremlinwire/2" in alert and "Kremlin Wire" in alert
