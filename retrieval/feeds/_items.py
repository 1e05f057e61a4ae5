"""What a feed read gives: the feed's kind and title, and its items as plain data (they cross a process
boundary: feeds are parsed in the extraction workers)."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from datetime import datetime

from retrieval.errors import BriefbotError
from retrieval.urls import canonical_url

#: Items read from one feed document; the rest of a longer one is never parsed (a 50,000-item archive).
MAX_ITEMS_READ = 500


class FeedError(BriefbotError):
    """A feed could not be followed or read; `str(exc)` is one line fit for a user."""


@dataclass(frozen=True, slots=True)
class FeedItem:
    keys: tuple[str, ...]  # every identity the item is known by (id, link, text): one seen is all seen
    url: str | None  # the item's own web page, if it names one
    title: str | None
    text: str  # its content or summary as plain text: what is stored when the page cannot be had
    published: datetime | None


@dataclass(frozen=True, slots=True)
class ParsedFeed:
    kind: str  # rss | atom | json | telegram
    title: str
    items: list[FeedItem] = field(default_factory=list)
    total: int = 0  # items the document holds, `items` being the first MAX_ITEMS_READ of them
    note: str | None = None  # something the followers should know (malformed but readable, items cut)


def item_keys(guid: str | None, url: str | None, title: str | None, text: str) -> tuple[str, ...]:
    """The identities of an item. Dates are no part of them: a feed that re-dates old items adds nothing.
    An item with neither id nor link is known by its words."""
    keys: list[str] = []
    if guid and guid.strip():
        keys.append("id:" + guid.strip()[:500])
    if url:
        try:
            keys.append("url:" + canonical_url(url))
        except ValueError:
            pass
    if not keys:
        words = " ".join(f"{title or ''} {text}".split()).lower()
        keys.append("text:" + hashlib.sha256(words.encode("utf-8")).hexdigest()[:32])
    return tuple(keys)


def web_link(value: object) -> str | None:
    """An absolute http(s) address, or None: a `javascript:` or relative link is no item page."""
    if not isinstance(value, str):
        return None
    value = value.strip()
    return value if re.match(r"^https?://[^\s/]+", value, re.IGNORECASE) else None
