"""Feed fetches: the feed content types, and conditional GET (validators sent back, 304 without a body)."""

from __future__ import annotations

import pytest

from retrieval.fetch import FetchError, HttpFetcher
from tests.support.feed_site import FeedSite, Item


async def test_validators_come_back_and_an_unchanged_feed_is_a_304() -> None:
    async with FeedSite() as site, HttpFetcher(allow_private_networks=True) as fetcher:
        url = site.rss("/feed.xml", "Wire", [Item("a", "A")])
        first = await fetcher.fetch_feed(url)
        assert first.status == 200 and first.content_type == "application/xml" and b"<rss" in first.body
        assert first.etag and first.last_modified and not first.not_modified
        again = await fetcher.fetch_feed(url, etag=first.etag, last_modified=first.last_modified)
        assert again.not_modified and again.body == b"" and again.etag == first.etag
        by_date = await fetcher.fetch_feed(url, last_modified=first.last_modified)
        assert by_date.not_modified
        site.rss("/feed.xml", "Wire", [Item("a", "A"), Item("b", "B")])  # changed: a new ETag
        changed = await fetcher.fetch_feed(url, etag=first.etag)
        assert changed.status == 200 and changed.etag != first.etag
        assert site.not_modified == 2
        # A page fetch asks for no validators and takes no feed type.
        with pytest.raises(FetchError, match=r"content type application/rss\+xml is not supported"):
            await fetcher.fetch(url)


async def test_a_validator_that_could_split_headers_is_not_sent() -> None:
    async with FeedSite() as site, HttpFetcher(allow_private_networks=True) as fetcher:
        url = site.json_feed("/feed.json", "J", [Item("a", "A")])
        page = await fetcher.fetch_feed(url, etag='"x"\r\nX-Evil: 1', last_modified="\n")
        assert page.status == 200 and page.content_type == "application/json"


async def test_a_feed_fetch_still_refuses_other_types() -> None:
    async with FeedSite() as site, HttpFetcher(allow_private_networks=True) as fetcher:
        url = site.put("/img", b"\x89PNG", "image/png")
        with pytest.raises(FetchError, match="only HTML, plain text and feeds"):
            await fetcher.fetch_feed(url)
