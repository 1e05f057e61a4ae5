"""What a polling round is set up with and what it gives: the settings, a follow's outcome, each feed's
round and the round's report."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from retrieval.ingest import IngestResult
from retrieval.store import FeedRecord, FollowRecord


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

    @property
    def new_articles(self) -> dict[str, list[int]]:
        """Article ids this feed stored in the round, by scope."""
        kept = ("added", "near_duplicate")
        out = {
            scope: [r.article.id for r in results if r.status in kept and r.article is not None]
            for scope, results in self.results.items()
        }
        return {scope: ids for scope, ids in out.items() if ids}


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
            for scope, ids in one.new_articles.items():
                out.setdefault(scope, []).extend(ids)
        return out

    @property
    def failed(self) -> list[FeedRound]:
        return [f for f in self.feeds if f.status == "failed"]
