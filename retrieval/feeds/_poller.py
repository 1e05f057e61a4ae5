"""Following feeds: registering a follow (with discovery), and polling rounds that store each follower's new
items as its own articles.

A feed is one row however many scopes follow it, and is fetched once per round; each follower gets its own
copy of every item (the ingestor's scope rules), and its own memory of the items it has had. An item's page
is fetched once per round through the same fetcher as links, then stored for each follower that still needs
it; when the page cannot be had, the item's own text is stored instead.
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import partial

from retrieval.fetch import FetchedPage, FetchError
from retrieval.ingest import Ingestor, IngestResult
from retrieval.store import Extracted, FeedRecord, FollowRecord
from retrieval.urls import canonical_url

from ._discover import alternate_feeds
from ._items import FeedError, FeedItem, ParsedFeed
from ._parse import parse_feed, sniff
from ._telegram import (
    channel_feed_url,
    channel_name,
    channel_of_feed,
    parse_channel_page,
    permalink,
    post_key,
)

log = logging.getLogger(__name__)

# Pages looked at to find a feed from a site page: the page, the feed it names, and one more hop for a
# page naming another page; two pages naming each other are caught by the visited list before that.
MAX_DISCOVERY_HOPS = 3
# Parsing runs in the extraction workers: a pathological document is stopped here, and the worker killed.
PARSE_TIMEOUT = 20.0
# Backing off after errors: doubling from the poll interval, never longer than this, ±10 % jitter.
MAX_BACKOFF = timedelta(hours=6)
# Item memory untouched this long is dropped (see `Library.forget_seen`).
SEEN_KEPT = timedelta(days=90)
# An item's page is used when it yields at least this many words; otherwise the item's own text is.
MIN_PAGE_WORDS = 12


@dataclass(frozen=True, slots=True)
class FeedSettings:
    interval: float = 900.0  # seconds between rounds (FEEDS_POLL_SECONDS); backoff starts from it
    max_new_items: int = 20  # per feed and follower in one round; the rest wait for the next round
    telegram_base: str = "https://t.me"  # where channel previews are fetched from (a stand-in in tests)
    parallel_feeds: int = 8
    parallel_pages: int = 4


@dataclass(frozen=True, slots=True)
class FollowOutcome:
    follow: FollowRecord
    new: bool  # False: the scope followed this feed already
    kind: str
    title: str
    items: int  # items the feed shows now
    note: str | None = None


@dataclass(slots=True)
class FeedRound:
    """What one feed gave in one round."""

    feed: FeedRecord
    status: str  # read | unchanged | failed
    error: str | None = None
    next_try: datetime | None = None
    note: str | None = None
    results: dict[str, list[IngestResult]] = field(default_factory=dict)  # by follower scope
    waiting: int = 0  # new items left for the next round by the cap (most of any one follower)


@dataclass(slots=True)
class PollReport:
    feeds: list[FeedRound] = field(default_factory=list)
    feed_fetches: int = 0  # requests for feed documents
    page_fetches: int = 0  # requests for item pages
    not_modified: int = 0  # feed requests answered 304: a body, a parse and item pages saved each

    @property
    def new_articles(self) -> dict[str, list[int]]:
        """Article ids stored in this round, by scope: the seam for whatever reacts to new articles."""
        out: dict[str, list[int]] = {}
        for one in self.feeds:
            for scope, results in one.results.items():
                ids = [r.article.id for r in results if r.status in ("added", "near_duplicate") and r.article]
                if ids:
                    out.setdefault(scope, []).extend(ids)
        return out

    @property
    def failed(self) -> list[FeedRound]:
        return [f for f in self.feeds if f.status == "failed"]


class FeedPoller:
    def __init__(self, ingestor: Ingestor, settings: FeedSettings | None = None) -> None:
        if ingestor.fetcher is None:
            raise ValueError("following feeds needs a fetcher")
        self.ingestor = ingestor
        self.library = ingestor.library
        self.fetcher = ingestor.fetcher
        self.settings = settings or FeedSettings()
        self._round = asyncio.Lock()
        self._rng = random.Random()

    # ---- following ----------------------------------------------------------------------------------------

    async def follow(self, requested: str, *, scope: str) -> FollowOutcome:
        """Follow a feed, a site page that names one, or a public Telegram channel; FeedError if none."""
        requested = requested.strip()
        name = channel_name(requested)
        if name is not None:
            url, parsed = channel_feed_url(name), await self._read_channel(name)
        else:
            url, parsed = await self._discover(requested)
        follow, new = await self.library.follow_feed(
            url, parsed.kind, parsed.title, scope=scope, requested=requested
        )
        return FollowOutcome(
            follow=follow, new=new, kind=parsed.kind, title=parsed.title or url, items=len(parsed.items),
            note=parsed.note,
        )  # fmt: skip

    async def unfollow(self, ref: str, *, scope: str) -> FollowRecord | None:
        """Stop `scope` following the feed `ref` names (its number in `following`, its address, the address
        it was followed by, or a channel's name); the follow removed, or None."""
        follow = self.find_follow(ref, await self.following(scope))
        if follow is not None and await self.library.unfollow_feed(follow.feed.id, scope=scope):
            return follow
        return None

    async def following(self, scope: str) -> list[FollowRecord]:
        return await self.library.follows(scope=scope)

    @staticmethod
    def find_follow(ref: str, follows: Sequence[FollowRecord]) -> FollowRecord | None:
        ref = ref.strip()
        if ref.isdigit():
            number = int(ref)
            return follows[number - 1] if 1 <= number <= len(follows) else None
        name = channel_name(ref)
        for follow in follows:
            if name is not None and channel_of_feed(follow.feed.url) == name:
                return follow
            if ref in (follow.feed.url, follow.requested) or _same_url(ref, follow.feed.url):
                return follow
        return None

    async def _discover(self, requested: str) -> tuple[str, ParsedFeed]:
        try:
            url = self.fetcher.check(requested)
        except FetchError as exc:
            raise FeedError(str(exc)) from exc
        visited: list[str] = []
        for _ in range(MAX_DISCOVERY_HOPS):
            page = await self._fetch(url)
            if sniff(page.body, page.content_type) != "html":
                return page.final_url, await self._parse(page)
            visited += [url, page.final_url]
            named = alternate_feeds(page.body, page.final_url)
            if not named:
                if len(visited) > 2:
                    raise FeedError(f"{_short(url)} was named as a feed, but it is a web page")
                raise FeedError(
                    "this is a web page that names no feed (no <link rel=\"alternate\"> to an RSS, Atom "
                    "or JSON feed)"
                )
            fresh = [u for u in named if u not in visited]
            if not fresh:
                raise FeedError(
                    f"feed loop: {_short(url)} names {_short(named[0])} as its feed, which names it back; "
                    "neither is a feed"
                )
            url = fresh[0]
        raise FeedError(f"no feed found within {MAX_DISCOVERY_HOPS} pages of {_short(requested)}")

    async def _read_channel(self, name: str) -> ParsedFeed:
        page = await self._fetch(f"{self.settings.telegram_base.rstrip('/')}/s/{name}")
        return await self._run(parse_channel_page, page.body, name)

    async def _fetch(
        self, url: str, *, etag: str | None = None, last_modified: str | None = None
    ) -> FetchedPage:
        try:
            return await self.fetcher.fetch_feed(url, etag=etag, last_modified=last_modified)
        except FetchError as exc:
            raise FeedError(str(exc)) from exc

    async def _parse(self, page: FetchedPage) -> ParsedFeed:
        return await self._run(parse_feed, page.body, page.content_type, page.final_url)

    async def _run(self, fn: Callable[..., ParsedFeed], *args: object) -> ParsedFeed:
        """A parse in an extraction worker, after any question (bulk work), under a time limit."""
        await self.ingestor.priority.bulk_turn()
        try:
            result = await self.ingestor.workers.run(partial(fn, *args), timeout=PARSE_TIMEOUT)
        except TimeoutError as exc:
            raise FeedError(f"reading the feed took longer than {PARSE_TIMEOUT:g} s") from exc
        except FeedError:
            raise
        except Exception as exc:  # a crashed worker or a parser bug: this feed fails, the round goes on
            log.warning("feed parsing failed: %s: %s", type(exc).__name__, exc)
            raise FeedError("the feed could not be read") from exc
        assert isinstance(result, ParsedFeed)
        return result

    # ---- polling ------------------------------------------------------------------------------------------

    async def poll(self, *, force: bool = False, feed_ids: Sequence[int] | None = None) -> PollReport:
        """One round: every followed feed (except those backing off, unless `force`) read once, and each
        follower's new items stored. One round at a time; a second caller waits for the first."""
        async with self._round:
            await self.library.forget_seen(datetime.now(UTC) - SEEN_KEPT)
            feeds = await self.library.feeds_to_poll(now=datetime.now(UTC), force=force)
            if feed_ids is not None:
                feeds = [f for f in feeds if f.id in feed_ids]
            # Shuffled, so the same sites are not always first in line, and a bounded number at once.
            self._rng.shuffle(feeds)
            report = PollReport()
            gate = asyncio.Semaphore(self.settings.parallel_feeds)

            async def one(feed: FeedRecord) -> None:
                async with gate:
                    report.feeds.append(await self._poll_guarded(feed, report))

            await asyncio.gather(*(one(f) for f in feeds))
            return report

    async def _poll_guarded(self, feed: FeedRecord, report: PollReport) -> FeedRound:
        try:
            return await self._poll_feed(feed, report)
        except Exception as exc:  # a bug or a failing store: this feed backs off, the others go on
            log.exception("polling %s failed", feed.url)
            return await self._failed(feed, f"its items could not be stored ({type(exc).__name__})")

    async def _poll_feed(self, feed: FeedRecord, report: PollReport) -> FeedRound:
        follows = await self.library.follows(feed_id=feed.id)
        if not follows:
            return FeedRound(feed, "unchanged")
        # A follower still to make its first read needs the whole feed, whatever the others have had.
        conditional = all(f.baselined for f in follows)
        try:
            report.feed_fetches += 1
            name = channel_of_feed(feed.url)
            if name is not None:
                page = None
                parsed = await self._read_channel(name)
            else:
                page = await self._fetch(
                    feed.url,
                    etag=feed.etag if conditional else None,
                    last_modified=feed.last_modified if conditional else None,
                )
                if page.not_modified:
                    report.not_modified += 1
                    await self.library.feed_read(
                        feed.id, kind=None, title=None, etag=page.etag, last_modified=page.last_modified
                    )
                    return FeedRound(feed, "unchanged")
                parsed = await self._parse(page)
        except FeedError as exc:
            return await self._failed(feed, str(exc))
        outcome = FeedRound(feed, "read", note=parsed.note)
        await self._store_new(feed, parsed, follows, outcome, report)
        # Validators are kept only now, and only when no item waits for the next round: had storing failed,
        # were items left by the cap, or is an item to be tried again (its page down), an unchanged feed must
        # still be read in full next time. An item is tried MAX_ITEM_ATTEMPTS times, so this ends.
        retry = any(not r.ok for results in outcome.results.values() for r in results)
        kept = page if page is not None and outcome.waiting == 0 and not retry else None
        await self.library.feed_read(
            feed.id, kind=parsed.kind, title=parsed.title,
            etag=kept.etag if kept else None, last_modified=kept.last_modified if kept else None,
        )  # fmt: skip
        return outcome

    async def _failed(self, feed: FeedRecord, error: str) -> FeedRound:
        errors = feed.errors + 1
        delay = min(self.settings.interval * 2 ** min(errors, 16), MAX_BACKOFF.total_seconds())
        next_try = datetime.now(UTC) + timedelta(seconds=delay * self._rng.uniform(0.9, 1.1))
        await self.library.feed_failed(feed.id, error, next_try)
        log.info("feed %s failed (%d in a row): %s", feed.url, errors, error)
        return FeedRound(feed, "failed", error=error, next_try=next_try)

    async def _store_new(
        self,
        feed: FeedRecord,
        parsed: ParsedFeed,
        follows: list[FollowRecord],
        outcome: FeedRound,
        report: PollReport,
    ) -> None:
        items = _distinct(parsed.items)
        wanted: dict[str, list[FeedItem]] = {}
        for follow in follows:
            seen = await self.library.seen_keys(feed.id, follow.scope, [k for i in items for k in i.keys])
            fresh = _newest_first([i for i in items if seen.isdisjoint(i.keys)])
            take, rest = fresh[: self.settings.max_new_items], fresh[self.settings.max_new_items :]
            if not follow.baselined:
                # A new follower gets the latest items, not the feed's whole archive: the rest is set aside.
                aside = [k for i in rest for k in i.keys]
                await self.library.mark_seen(feed.id, follow.scope, aside, done=True)
                await self.library.mark_baselined(feed.id, follow.scope)
            else:
                outcome.waiting = max(outcome.waiting, len(rest))
            wanted[follow.scope] = take
        needed = {id(i): i for take in wanted.values() for i in take}
        if not needed:
            return
        read = await self._read_items(list(needed.values()), parsed, report)
        for scope, take in wanted.items():
            if not take:
                continue
            ready = [(i, x) for i in take if isinstance(x := read[id(i)], Extracted)]
            stored = await self.ingestor.ingest_many(
                [x for _, x in ready], added_by=scope, sources=[i.url or feed.url for i, _ in ready]
            )
            by_item = {id(i): r for (i, _), r in zip(ready, stored, strict=True)}
            results = [by_item.get(id(i)) or _unread(read[id(i)]) for i in take]
            outcome.results[scope] = results
            for item, result in zip(take, results, strict=True):
                await self.library.mark_seen(
                    feed.id, scope, item.keys, done=result.ok,
                    article_id=result.article.id if result.article else None,
                )  # fmt: skip

    async def _read_items(
        self, items: list[FeedItem], parsed: ParsedFeed, report: PollReport
    ) -> dict[int, Extracted | IngestResult]:
        """Each item read once (its page, or its own text), for every follower that needs it."""
        gate = asyncio.Semaphore(self.settings.parallel_pages)
        out: dict[int, Extracted | IngestResult] = {}

        async def one(item: FeedItem) -> None:
            async with gate:
                out[id(item)] = await self._read_item(item, parsed, report)

        await asyncio.gather(*(one(i) for i in items))
        return out

    async def _read_item(
        self, item: FeedItem, parsed: ParsedFeed, report: PollReport
    ) -> Extracted | IngestResult:
        outlet = parsed.title if parsed.kind == "telegram" else None
        if item.url and parsed.kind != "telegram":
            report.page_fetches += 1
            page = await self.ingestor.read_url(item.url)
            if isinstance(page, Extracted) and len(page.text.split()) >= MIN_PAGE_WORDS:
                page.published = page.published or item.published
                page.title = page.title or item.title
                return page
            if not item.text.strip():
                # Nothing to fall back on: the page's reason stands (the round counts one attempt).
                return page
        text = item.text if not item.title or item.title in item.text else f"{item.title}\n\n{item.text}"
        return await self.ingestor.read_text(
            text, url=self._linkable(item.url), title=item.title, published=item.published, outlet=outlet
        )

    def _linkable(self, url: str | None) -> str | None:
        """The item's link, if the fetcher would take it: one it refuses (a private address) is not shown."""
        if url is None:
            return None
        try:
            self.fetcher.check(url)
        except FetchError:
            return None
        return url

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


def _unread(read: Extracted | IngestResult) -> IngestResult:
    assert isinstance(read, IngestResult)  # an Extracted item went through ingest_many
    return read


def _distinct(items: list[FeedItem]) -> list[FeedItem]:
    """The feed's items without repeats (an item listed twice, under any of its keys)."""
    seen: set[str] = set()
    out: list[FeedItem] = []
    for item in items:
        if seen.isdisjoint(item.keys):
            out.append(item)
        seen.update(item.keys)
    return out


def _newest_first(items: list[FeedItem]) -> list[FeedItem]:
    """Dated items newest first, then undated ones in the feed's own order (usually newest first too)."""
    order = sorted(
        range(len(items)),
        key=lambda n: (items[n].published is None, -(items[n].published or _EPOCH).timestamp(), n),
    )
    return [items[n] for n in order]


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def _same_url(a: str, b: str) -> bool:
    try:
        return canonical_url(a) == canonical_url(b)
    except ValueError:
        return False


def _short(url: str) -> str:
    return url if len(url) <= 100 else url[:99] + "…"
