"""Reading feed documents, site pages and channel previews, without a network."""

from __future__ import annotations

import time

import pytest

from retrieval.feeds import FeedError, channel_name
from retrieval.feeds._discover import alternate_feeds
from retrieval.feeds._items import MAX_ITEMS_READ
from retrieval.feeds._parse import parse_feed
from retrieval.feeds._telegram import parse_channel_page
from tests.support.feed_site import FeedSite, Item, Post, dated

_RSS_ITEM = (
    "<item><title>Item {n}</title><link>https://news.test/{n}</link><guid>g{n}</guid>"
    "<pubDate>Mon, 01 Dec 2025 10:00:00 GMT</pubDate><description>Text {n}</description></item>"
)


def _rss(items: str, title: str = "Wire") -> bytes:
    head = f'<?xml version="1.0"?><rss version="2.0"><channel><title>{title}</title>'
    return f"{head}{items}</channel></rss>".encode()


def test_rss_items_have_keys_links_dates_and_plain_text() -> None:
    body = _rss(
        _RSS_ITEM.format(n=1)
        + "<item><title>No link, no date</title><description>&lt;p&gt;Only &lt;b&gt;text&lt;/b&gt;"
        "&lt;/p&gt;&lt;p&gt;here&lt;/p&gt;</description></item>"
    )
    feed = parse_feed(body, "application/xml", "https://news.test/feed")
    assert (feed.kind, feed.title, feed.total, feed.note) == ("rss", "Wire", 2, None)
    first, second = feed.items
    assert first.url == "https://news.test/1" and first.published is not None and first.published.day == 1
    assert "url:https://news.test/1" in first.keys
    assert second.url is None and second.published is None
    assert second.text == "Only text\n\nhere" and second.keys[0].startswith("text:")


def test_atom_and_json_feed() -> None:
    atom = (
        b'<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom"><title>At</title>'
        b'<entry><id>urn:1</id><title>E1</title><link href="/e1"/><updated>2025-12-01T10:00:00Z</updated>'
        b'<content type="html">&lt;p&gt;Body&lt;/p&gt;</content></entry></feed>'
    )
    feed = parse_feed(atom, "application/xml", "https://news.test/atom.xml")
    assert feed.kind == "atom" and feed.items[0].url == "https://news.test/e1"  # relative link resolved
    assert feed.items[0].keys == ("id:urn:1", "url:https://news.test/e1")
    doc = (
        b'{"version": "https://jsonfeed.org/version/1.1", "title": "J", "items": [{"id": 7, "url": '
        b'"https://news.test/j", "content_html": "<p>Hi</p>", "date_published": "2025-12-01T10:00:00Z"},'
        b' {"id": "8", "url": "javascript:alert(1)", "content_text": "No page"}]}'
    )
    feed = parse_feed(doc, "application/json", "https://news.test/feed.json")
    assert feed.kind == "json" and [i.url for i in feed.items] == ["https://news.test/j", None]
    assert feed.items[0].text == "Hi" and feed.items[0].keys[0] == "id:7"


@pytest.mark.parametrize(
    ("body", "kind", "message"),
    [
        (b'<?xml version="1.0"?><rss><channel><title>x</ti', "application/xml", "not well-formed"),
        (b"<html><body><p>Hello</p></body></html>", "application/xml", "web page, not a feed"),
        (b"<!doctype html><html><head></head></html>", "text/html", "web page, not a feed"),
        (b'{"items": []}', "application/json", "not a JSON Feed"),
        (b'{"version": ', "application/json", "not valid JSON"),
        (b'<?xml version="1.0"?><catalog><book/></catalog>', "application/xml", "no RSS or Atom feed"),
    ],
)
def test_what_is_no_feed_says_why(body: bytes, kind: str, message: str) -> None:
    with pytest.raises(FeedError, match=message):
        parse_feed(body, kind, "https://news.test/feed")


def test_malformed_xml_keeps_the_items_it_can_read() -> None:
    body = _rss(_RSS_ITEM.format(n=1) + "<item><title>Broken & here</title>")[:-30]
    feed = parse_feed(body, "application/xml", "https://news.test/feed")
    assert [i.url for i in feed.items][:1] == ["https://news.test/1"]
    assert feed.note is not None and "malformed" in feed.note


def test_a_50000_item_feed_is_cut_before_parsing() -> None:
    body = _rss("".join(_RSS_ITEM.format(n=n) for n in range(50_000)))
    started = time.process_time()
    feed = parse_feed(body, "application/rss+xml", "https://news.test/feed")
    spent = time.process_time() - started
    assert len(feed.items) == MAX_ITEMS_READ and feed.total == 50_000
    assert feed.note is not None and "50,000 items" in feed.note
    assert feed.items[0].url == "https://news.test/0"
    # Parsing all of it takes ~18 s of CPU; the cut document a small fraction of that (generous bound).
    assert spent < 9


def test_discovery_reads_alternate_links_only() -> None:
    page = (
        b'<html><head><link rel="alternate" type="application/rss+xml" href="/rss">'
        b'<link rel="alternate stylesheet" type="text/css" href="/x.css">'
        b'<link rel="Alternate" type="application/atom+xml; charset=utf-8" href="https://other.test/atom">'
        b'<link rel="alternate" type="application/rss+xml" href="javascript:x()">'
        b'<link rel="alternate" type="application/rss+xml" href="/rss"></head><body></body></html>'
    )
    assert alternate_feeds(page, "https://news.test/section/") == [
        "https://news.test/rss",
        "https://other.test/atom",
    ]
    assert alternate_feeds(b"", "https://news.test/") == []


@pytest.mark.parametrize(
    ("ref", "name"),
    [
        ("@Kyiv_Post", "kyiv_post"),
        ("t.me/kyivpost", "kyivpost"),
        ("https://t.me/s/kyivpost", "kyivpost"),
        ("https://t.me/kyivpost/1234", "kyivpost"),
        ("telegram.me/kyivpost?x=1", "kyivpost"),
        ("https://t.me/joinchat/AAAA", None),
        ("https://t.me/+AbCdEf", None),
        ("https://news.test/kyivpost", None),
        ("@ab", None),
    ],
)
def test_channel_references(ref: str, name: str | None) -> None:
    assert channel_name(ref) == name


async def test_channel_preview_posts() -> None:
    async with FeedSite() as site:
        site.channel("newsroom", "The Newsroom", [
            Post(10, "First line\nsecond line of the post", dated(1)), Post(11, "", dated(0.5)),
        ])  # fmt: skip
        from retrieval.fetch import HttpFetcher

        async with HttpFetcher(allow_private_networks=True) as fetcher:
            page = await fetcher.fetch_feed(f"{site.url}/s/newsroom")
    feed = parse_channel_page(page.body, "newsroom")
    assert feed.kind == "telegram" and feed.title == "The Newsroom"
    [post] = feed.items  # the post without words is left out
    assert post.url == "https://t.me/newsroom/10" and post.keys == ("tg:newsroom/10",)
    assert post.text == "First line\nsecond line of the post" and post.published is not None
    with pytest.raises(FeedError, match="no public web preview"):
        parse_channel_page(b"<html><body><div class='tgme_page'>Nothing</div></body></html>", "nobody")


def test_items_without_anything_are_dropped() -> None:
    feed = parse_feed(_rss("<item></item>" + _RSS_ITEM.format(n=2)), "application/xml", "https://news.test/f")
    assert [i.url for i in feed.items] == ["https://news.test/2"]
    assert Item("x", "X").paragraphs() != Item("y", "Y").paragraphs()
