"""Public channels in a polling round: their preview read back page by page as far as the followers need,
and the posts the bot receives as a channel's administrator."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from datetime import datetime

from retrieval.fetch import FetchedPage
from retrieval.ingest import Ingestor, IngestResult
from retrieval.store import FeedRecord, FollowRecord, Library

from ._items import FeedItem, ParsedFeed
from ._rounds import FeedSettings, PollReport
from ._telegram import channel_feed_url, channel_page_url, parse_channel_page, permalink, post_key

# Pages of a channel's preview read in one round (about twenty posts each); a longer backlog takes rounds.
MAX_CHANNEL_PAGES = 10


class ChannelReader:
    """The channel half of `FeedPoller`, which provides these."""

    settings: FeedSettings
    library: Library
    ingestor: Ingestor

    async def _fetch(
        self, url: str, *, etag: str | None = None, last_modified: str | None = None
    ) -> FetchedPage:
        raise NotImplementedError

    async def _run(self, fn: Callable[..., ParsedFeed], *args: object) -> ParsedFeed:
        raise NotImplementedError

    async def _read_channel(self, name: str, before: int | None = None) -> ParsedFeed:
        page = await self._fetch(channel_page_url(self.settings.telegram_base, name, before))
        return await self._run(parse_channel_page, page.body, name)

    async def _read_channel_back(
        self, name: str, feed: FeedRecord, follows: list[FollowRecord], report: PollReport
    ) -> ParsedFeed:
        """A channel's preview read back from its latest page, one older page at a time (its "load more"
        link), as far as its followers need: a new follower its latest `max_new_items` posts, the others
        back to a post they have had. The preview shows a page of posts (about twenty): a channel that posted
        more since the last round, or a first read wanting more than a page, would otherwise miss the rest.
        At most MAX_CHANNEL_PAGES pages a round; the rest waits for the next round."""
        latest = await self._read_channel(name)
        items, older, pages = list(latest.items), latest.older, 1
        while (
            older is not None and pages < MAX_CHANNEL_PAGES and await self._wants_older(feed, follows, items)
        ):
            page = await self._read_channel(name, before=older)
            report.feed_fetches += 1
            pages += 1
            known = {k for item in items for k in item.keys}
            items = [i for i in page.items if known.isdisjoint(i.keys)] + items
            # Each page must reach further back, or a page naming itself would be read for ever.
            older = page.older if page.older is not None and page.older < older else None
        return dataclasses.replace(latest, items=items, total=len(items), older=older)

    async def _wants_older(
        self, feed: FeedRecord, follows: list[FollowRecord], items: list[FeedItem]
    ) -> bool:
        """Whether a follower needs posts older than `items` (oldest first): a new follower, while fewer than
        `max_new_items` are read; the others, while the oldest read is one they have not had."""
        for follow in follows:
            if not follow.baselined:
                if len(items) < self.settings.max_new_items:
                    return True
            elif not items or not await self.library.seen_keys(feed.id, follow.scope, items[0].keys):
                return True
        return False

    # ---- posts the bot receives as a channel's administrator ------------------------------------------

    async def store_channel_post(
        self,
        *,
        channel: str | None,
        post_id: int,
        text: str,
        published: datetime,
        outlet: str,
        own_scope: str | None,
    ) -> dict[str, IngestResult]:
        """A post delivered as a `channel_post` update: stored for every scope that follows the channel
        (marked had, so the next poll of its preview does not add it again), and for `own_scope` (the
        channel itself, when it is an allowed chat). Results by scope."""
        follows: list[FollowRecord] = []
        if channel:
            feed = await self.library.feed_by_url(channel_feed_url(channel.lower()))
            follows = await self.library.follows(feed_id=feed.id) if feed else []
        scopes = [f.scope for f in follows]
        if own_scope is not None and own_scope not in scopes:
            scopes.append(own_scope)
        if not scopes:
            return {}
        url = permalink(channel.lower(), post_id) if channel else None
        read = await self.ingestor.read_text(text, url=url, published=published, outlet=outlet)
        out: dict[str, IngestResult] = {}
        for scope in scopes:
            if isinstance(read, IngestResult):
                out[scope] = read
            else:
                [out[scope]] = await self.ingestor.ingest_many(
                    [read], added_by=scope, sources=[url or "post"]
                )
        for follow in follows:
            result = out[follow.scope]
            article_id = result.article.id if result.article else None
            await self.library.mark_seen(
                follow.feed.id, follow.scope, [post_key(channel or "", post_id)], done=result.ok,
                article_id=article_id,
            )  # fmt: skip
        return out


def post_number(item: FeedItem) -> int:
    """A channel post's number, from its permalink `https://t.me/name/123`."""
    tail = (item.url or "").rsplit("/", 1)[-1]
    return int(tail) if tail.isdigit() else 0
