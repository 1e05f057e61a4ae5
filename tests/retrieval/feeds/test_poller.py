"""Following and polling against a local feed site, with the real library, index, embedder and fetcher."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpcore
import pytest

from bot.services import Services, open_services
from bot.settings import Settings
from retrieval.embed import LocalEmbedder
from retrieval.feeds import FeedError, FeedSettings
from retrieval.fetch import FetchError, HttpFetcher
from retrieval.store import SHARED_SCOPE, SearchFilters
from tests.support.corpus import make_settings
from tests.support.feed_site import FeedSite, Item, Post, dated

ALICE, BOB = "1001", "1002"


@pytest.fixture
async def site() -> AsyncIterator[FeedSite]:
    async with FeedSite() as s:
        yield s


async def _open(settings: Settings, embedder: LocalEmbedder, **feeds: Any) -> Services:
    services = await open_services(
        settings, embedder=embedder, fetcher=HttpFetcher(allow_private_networks=True)
    )
    services.feeds.settings = FeedSettings(**{"interval": 60.0, **feeds})
    return services


async def _close(services: Services) -> None:
    services.index.close()
    services.library.close()
    await services.fetcher.aclose()


@pytest.fixture
async def svc(tmp_path: Path, embedder: LocalEmbedder, site: FeedSite) -> AsyncIterator[Services]:
    services = await _open(make_settings(tmp_path / "data"), embedder, telegram_base=site.url)
    try:
        yield services
    finally:
        await _close(services)


def _items(prefix: str, n: int, start: int = 0) -> list[Item]:
    return [
        Item(f"{prefix}-{i}", f"{prefix.title()} story number {i}", dated(i / 24))
        for i in range(start, start + n)
    ]


async def _titles(services: Services, scope: str) -> set[str]:
    return {a.title for a in await services.library.list_articles(scope=scope, limit=500)}


async def test_follow_poll_store_search_then_304_and_restart_refetch_nothing(
    tmp_path: Path, embedder: LocalEmbedder, site: FeedSite
) -> None:
    url = site.rss("/feed.xml", "Harbour Wire", _items("tide", 5))
    settings = make_settings(tmp_path / "data")
    services = await _open(settings, embedder)
    try:
        outcome = await services.feeds.follow(url, scope=SHARED_SCOPE)
        assert (outcome.new, outcome.kind, outcome.title, outcome.items) == (True, "rss", "Harbour Wire", 5)
        report = await services.feeds.poll()
        assert report.feed_fetches == 1 and report.page_fetches == 5 and report.not_modified == 0
        assert len(report.new_articles[SHARED_SCOPE]) == 5
        stored = await services.library.list_articles(scope=SHARED_SCOPE, limit=10)
        assert {a.url for a in stored} == {site.item_url(i) for i in site.items.values()}
        item = site.items["tide-2"]
        hits = await services.searcher.search(
            " ".join(item.paragraphs()[1].split()[:12]), k=3, filters=SearchFilters()
        )
        assert hits and hits[0].url == site.item_url(item)
        again = await services.feeds.poll()
        assert (again.not_modified, again.page_fetches, again.new_articles) == (1, 0, {})
        assert (await services.library.follows())[0].feed.last_ok_at is not None
    finally:
        await _close(services)
    pages_before = sum(n for path, n in site.hits.items() if path.startswith("/news/"))
    services = await _open(settings, embedder)  # a restart
    try:
        assert [f.feed.url for f in await services.feeds.following(SHARED_SCOPE)] == [url]
        report = await services.feeds.poll()
        assert report.not_modified == 1 and report.new_articles == {}
        site.rss("/feed.xml", "Harbour Wire", _items("tide", 6))  # one new item, the five old ones again
        report = await services.feeds.poll()
        assert report.page_fetches == 1 and len(report.new_articles[SHARED_SCOPE]) == 1
    finally:
        await _close(services)
    assert sum(n for path, n in site.hits.items() if path.startswith("/news/")) == pages_before + 1


async def test_discovery_from_a_site_page_and_json_feed(svc: Services, site: FeedSite) -> None:
    site.atom("/atom.xml", "Atom Desk", _items("atom", 2))
    home = site.page_naming("/", ("application/atom+xml", "/atom.xml"))
    outcome = await svc.feeds.follow(home, scope=ALICE)
    assert outcome.kind == "atom" and outcome.follow.feed.url == f"{site.url}/atom.xml"
    assert outcome.follow.requested == home
    feed_url = site.json_feed("/feed.json", "Json Desk", _items("json", 2))
    assert (await svc.feeds.follow(feed_url, scope=ALICE)).kind == "json"
    report = await svc.feeds.poll()
    assert len(report.new_articles[ALICE]) == 4
    # Followed again, by its page or by the feed itself: the same follow.
    assert not (await svc.feeds.follow(f"{site.url}/atom.xml", scope=ALICE)).new


async def test_bad_sources_get_a_reason_and_nothing_is_registered(svc: Services, site: FeedSite) -> None:
    a = site.page_naming("/a", ("application/rss+xml", "/b"))
    site.page_naming("/b", ("application/rss+xml", "/a"))
    cases = {
        a: "feed loop",
        site.put("/plain", "<html><head></head><body>hi</body></html>", "text/html"): "names no feed",
        site.put(
            "/broken.xml", "<?xml version='1.0'?><rss><channel><title>x</ti", "text/xml"
        ): "not well-formed",
        site.put("/catalog.xml", '<?xml version="1.0"?><catalog/>', "text/xml"): "no RSS or Atom",
        f"{site.url}/missing.xml": "HTTP 404",
        "file:///etc/passwd": "only http and https",
        "@nobody_here": "HTTP 404",
    }
    for url, reason in cases.items():
        with pytest.raises(FeedError, match=reason):
            await svc.feeds.follow(url, scope=ALICE)
    assert await svc.feeds.following(ALICE) == []


class _ToLocalPort(httpcore.AsyncNetworkBackend):
    """Every connection goes to the local site: a public-looking feed host served from loopback."""

    def __init__(self, port: int) -> None:
        self.port, self.inner = port, httpcore.AnyIOBackend()

    async def connect_tcp(
        self, host: str, port: int, *args: Any, **kwargs: Any
    ) -> httpcore.AsyncNetworkStream:
        return await self.inner.connect_tcp("127.0.0.1", self.port, *args, **kwargs)

    async def sleep(self, seconds: float) -> None:
        await self.inner.sleep(seconds)


async def test_a_feed_redirecting_to_a_private_address_is_refused(site: FeedSite) -> None:
    async def public(host: str, port: int) -> list[str]:
        return ["93.184.216.34"]

    port = int(site.url.rsplit(":", 1)[1])
    site.redirect("/feed.xml", "http://10.0.0.7/admin/feed.xml")
    site.redirect("/moved.xml", "http://localhost/feed.xml")
    async with HttpFetcher(resolver=public, network_backend=_ToLocalPort(port)) as fetcher:
        for path, reason in (
            ("/feed.xml", "10.0.0.7 is not public"),
            ("/moved.xml", "localhost is not public"),
        ):
            with pytest.raises(FetchError, match=reason):
                await fetcher.fetch_feed(f"http://feeds.example{path}")
    assert site.hits["/feed.xml"] == 1


async def test_items_without_pages_links_or_dates_and_redated_repeats(svc: Services, site: FeedSite) -> None:
    no_page = Item(
        "gone", "Page is down", dated(0.1), page=False, summary=" ".join(["Ferry strike ends"] * 6)
    )
    no_link = Item(
        "nolink", "Bridge reopens", None, link=False, summary=" ".join(["Bridge reopens today"] * 5)
    )
    url = site.rss("/feed.xml", "Odd Wire", [no_page, no_link, *_items("ok", 1)])
    await svc.feeds.follow(url, scope=ALICE)
    report = await svc.feeds.poll()
    assert len(report.new_articles[ALICE]) == 3
    stored = {a.title: a for a in await svc.library.list_articles(scope=ALICE, limit=10)}
    assert stored["Page is down"].url == site.item_url(no_page)  # the feed's own text, under the item's link
    assert "Ferry strike ends" in stored["Page is down"].text
    assert stored["Bridge reopens"].url.startswith("text:")
    # The same items again with new dates (and a new order): nothing is added.
    redated = [Item(i.slug, i.title, dated(0), link=i.link, page=i.page, summary=i.summary) for i in
               (no_link, *_items("ok", 1), no_page)]  # fmt: skip
    site.rss("/feed.xml", "Odd Wire", redated)
    again = await svc.feeds.poll()
    assert again.new_articles == {} and again.page_fetches == 0


async def test_cap_per_round_and_first_read_sets_the_archive_aside(svc: Services, site: FeedSite) -> None:
    svc.feeds.settings = FeedSettings(interval=60.0, max_new_items=3)
    url = site.rss("/feed.xml", "Busy Wire", _items("busy", 7))
    await svc.feeds.follow(url, scope=ALICE)
    first = await svc.feeds.poll()
    assert len(first.new_articles[ALICE]) == 3  # the three newest; four older ones set aside
    assert await _titles(svc, ALICE) == {f"Busy story number {i}" for i in range(3)}
    site.rss("/feed.xml", "Busy Wire", [*_items("fresh", 5), *_items("busy", 7)])
    second = await svc.feeds.poll()
    assert len(second.new_articles[ALICE]) == 3 and second.feeds[0].waiting == 2
    third = await svc.feeds.poll()
    assert len(third.new_articles[ALICE]) == 2
    assert len(await _titles(svc, ALICE)) == 8


async def test_errors_back_off_and_show_the_reason(svc: Services, site: FeedSite) -> None:
    url = site.rss("/feed.xml", "Flaky Wire", _items("flaky", 1))
    await svc.feeds.follow(url, scope=ALICE)
    site.put("/feed.xml", "<html><body>Maintenance</body></html>", "text/html", status=200)
    report = await svc.feeds.poll()
    [failed] = report.failed
    assert failed.error == "this is a web page, not a feed" and failed.next_try is not None
    [follow] = await svc.feeds.following(ALICE)
    assert follow.feed.last_error == failed.error and follow.feed.errors == 1 and follow.feed.next_try_at
    assert (await svc.feeds.poll()).feeds == []  # backing off: not due
    site.rss("/feed.xml", "Flaky Wire", _items("flaky", 1))
    report = await svc.feeds.poll(force=True)
    assert report.failed == [] and len(report.new_articles[ALICE]) == 1
    [follow] = await svc.feeds.following(ALICE)
    assert follow.feed.last_error is None and follow.feed.next_try_at is None


async def test_a_50000_item_feed_stores_the_capped_newest_and_says_so(svc: Services, site: FeedSite) -> None:
    items = "".join(
        f"<item><title>Archive {n}</title><guid>a{n}</guid><description>Short</description></item>"
        for n in range(50_000)
    )
    head = '<?xml version="1.0"?><rss version="2.0"><channel><title>Huge</title>'
    url = site.put("/huge.xml", f"{head}{items}</channel></rss>", "application/rss+xml")
    outcome = await svc.feeds.follow(url, scope=ALICE)
    assert outcome.note is not None and "50,000 items" in outcome.note and outcome.items == 500
    svc.feeds.settings = FeedSettings(interval=60.0, max_new_items=2)
    report = await svc.feeds.poll()
    [one] = report.feeds
    assert one.note and "50,000" in one.note and len(one.results[ALICE]) == 2  # too short: failed, counted
    assert all(r.reason and "too little" in r.reason for r in one.results[ALICE])


async def test_two_chats_one_fetch_own_copies_unfollow_and_forget(svc: Services, site: FeedSite) -> None:
    url = site.rss("/feed.xml", "Shared Wire", _items("both", 2))
    await svc.feeds.follow(url, scope=ALICE)
    await svc.feeds.follow(url, scope=BOB)
    report = await svc.feeds.poll()
    assert report.feed_fetches == 1 and report.page_fetches == 2  # one fetch per feed and per page
    alice = await svc.library.list_articles(scope=ALICE, limit=10)
    bob = await svc.library.list_articles(scope=BOB, limit=10)
    assert {a.added_by for a in alice} == {ALICE} and {a.added_by for a in bob} == {BOB}
    assert not {a.id for a in alice} & {a.id for a in bob}
    assert await svc.feeds.unfollow("1", scope=BOB) is not None
    assert await svc.feeds.unfollow("1", scope=BOB) is None
    await svc.ingestor.forget(bob[0].id)
    site.rss("/feed.xml", "Shared Wire", _items("both", 3))
    report = await svc.feeds.poll()
    assert set(report.new_articles) == {ALICE}
    assert len(await svc.library.list_articles(scope=ALICE, limit=10)) == 3
    assert [a.id for a in await svc.library.list_articles(scope=BOB, limit=10)] == [bob[1].id]
    # The story that came after Bob unfollowed is Alice's only: Bob's searches and sources never show it.
    newest = site.items["both-2"]
    query = " ".join(newest.paragraphs()[0].split()[:12])
    for scope, expected in ((ALICE, True), (BOB, False)):
        hits = await svc.searcher.search(query, k=5, filters=SearchFilters(scope=scope))
        assert any(h.url == site.item_url(newest) for h in hits) is expected
        assert (newest.title in {a.title for a in await svc.library.list_articles(scope=scope)}) is expected
    # Bob follows again: his first read takes the latest items, the forgotten one among them, as new.
    await svc.feeds.follow(url, scope=BOB)
    report = await svc.feeds.poll()
    assert len(report.new_articles[BOB]) == 2 and ALICE not in report.new_articles
    await svc.feeds.unfollow(url, scope=ALICE)
    await svc.feeds.unfollow(url, scope=BOB)
    assert await svc.library.feed_by_url(url) is None  # nobody follows it: it is no longer fetched


async def test_public_channel_posts_with_permalinks(svc: Services, site: FeedSite) -> None:
    text = "The harbour authority said on Monday that the ferry to the islands will run twice a day again."
    site.channel(
        "portnews",
        "Port News",
        [Post(41, text, dated(1)), Post(42, text.replace("twice", "three times"), dated(0.5))],
    )
    outcome = await svc.feeds.follow("https://t.me/portnews", scope=ALICE)
    assert outcome.kind == "telegram" and outcome.follow.feed.url == "https://t.me/s/portnews"
    report = await svc.feeds.poll()
    assert report.page_fetches == 0 and len(report.new_articles[ALICE]) == 2
    stored = await svc.library.list_articles(scope=ALICE, limit=10)
    assert {a.url for a in stored} == {"https://t.me/portnews/41", "https://t.me/portnews/42"}
    assert {a.outlet for a in stored} == {"Port News"}
    # The channel delivers a post to the bot (its admin): stored for the follower once, not again by polling.
    new = text.replace("ferry", "night ferry")
    results = await svc.feeds.store_channel_post(
        channel="PortNews", post_id=43, text=new, published=dated(0), outlet="Port News", own_scope=None
    )
    stored_post = results[ALICE].article
    assert results[ALICE].status == "added" and stored_post is not None
    assert stored_post.url == "https://t.me/portnews/43"
    site.channel("portnews", "Port News", [Post(42, text, dated(0.5)), Post(43, new, dated(0))])
    assert (await svc.feeds.poll()).new_articles == {}
    assert await svc.feeds.unfollow("@portnews", scope=ALICE) is not None


async def test_an_item_linking_where_the_fetcher_refuses_is_stored_without_that_link(
    svc: Services, site: FeedSite
) -> None:
    summary = "The port authority said the night ferry returns next week after the storm repairs are done."
    item = f"<item><title>Refused link</title><link>http://user:pw@news.test/x</link><description>{summary}</description></item>"
    url = site.put(
        "/f.xml",
        f'<?xml version="1.0"?><rss version="2.0"><channel><title>R</title>{item}</channel></rss>',
        "text/xml",
    )
    await svc.feeds.follow(url, scope=ALICE)
    report = await svc.feeds.poll()
    [stored] = await svc.library.list_articles(scope=ALICE, limit=5)
    assert report.new_articles == {ALICE: [stored.id]}
    assert stored.url.startswith("text:") and "night ferry" in stored.text and "user:pw" not in stored.url


async def test_bad_feeds_in_a_round_lose_nothing_else(svc: Services, site: FeedSite) -> None:
    good = site.rss("/good.xml", "Good Wire", _items("good", 1))
    broken = site.rss("/broken.xml", "Broken Wire", _items("broken", 1))
    html = site.atom("/html.xml", "Html Wire", _items("html", 1))
    gone = site.json_feed("/gone.json", "Gone Wire", _items("gone", 1))
    for url in (good, broken, html, gone):
        await svc.feeds.follow(url, scope=ALICE)
    await svc.feeds.poll()
    site.rss("/good.xml", "Good Wire", _items("good", 2))
    site.put("/broken.xml", "<?xml version='1.0'?><rss><chan", "application/rss+xml")
    site.put("/html.xml", "<html><body>Moved</body></html>", "text/html")
    site.put("/gone.json", "gone", "text/plain", status=410)
    report = await svc.feeds.poll()
    errors = {f.feed.title: f.error for f in report.failed}
    assert errors == {
        "Broken Wire": errors["Broken Wire"], "Html Wire": "this is a web page, not a feed",
        "Gone Wire": f"HTTP 410 from {site.url.split('//')[1].split(':')[0]}",
    }  # fmt: skip
    assert errors["Broken Wire"] and "not well-formed" in errors["Broken Wire"]
    assert len(report.new_articles[ALICE]) == 1 and len(await _titles(svc, ALICE)) == 5


async def test_an_item_whose_page_is_down_is_tried_again_even_if_the_feed_is_unchanged(
    svc: Services, site: FeedSite
) -> None:
    down = Item("down", "Page down for now", dated(0), summary="", page=False)
    url = site.rss("/feed.xml", "Retry Wire", [down])
    await svc.feeds.follow(url, scope=ALICE)
    first = await svc.feeds.poll()
    [failed] = first.feeds[0].results[ALICE]
    assert not failed.ok and failed.reason and "HTTP 503" in failed.reason
    second = await svc.feeds.poll()  # the feed has not changed: read in full all the same
    assert second.not_modified == 0 and second.page_fetches == 1
    down.page = True
    third = await svc.feeds.poll()
    assert len(third.new_articles[ALICE]) == 1
    assert (await svc.feeds.poll()).not_modified == 1  # nothing left to retry: conditional again
