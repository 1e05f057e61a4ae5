"""Following feeds, sites and public Telegram channels: discovery, RSS / Atom / JSON Feed and channel
preview reading, and polling rounds that store each follower's new items in its own scope."""

from ._items import FeedError, FeedItem, ParsedFeed
from ._poller import FeedPoller, FeedRound, FeedSettings, FollowOutcome, PollReport
from ._telegram import channel_name

__all__ = [
    "FeedError",
    "FeedItem",
    "FeedPoller",
    "FeedRound",
    "FeedSettings",
    "FollowOutcome",
    "ParsedFeed",
    "PollReport",
    "channel_name",
]
