"""Finding the feed a site page names: `<link rel="alternate" type="application/rss+xml" href=…>`."""

from __future__ import annotations

from urllib.parse import urljoin

from lxml import etree
from lxml import html as lxml_html

FEED_LINK_TYPES = ("application/rss+xml", "application/atom+xml", "application/feed+json", "application/json")
# Pages name their feeds in <head>; reading further costs time and finds only links inside articles.
_HEAD_BYTES = 512 * 1024


def alternate_feeds(body: bytes, base_url: str) -> list[str]:
    """The absolute http(s) addresses of the feeds a page names, in the page's order, without repeats."""
    try:
        root = lxml_html.document_fromstring(body[:_HEAD_BYTES])
    except (etree.ParserError, ValueError):
        return []
    found: list[str] = []
    for link in root.iter("link"):
        rel = (link.get("rel") or "").lower().split()
        kind = (link.get("type") or "").lower().split(";")[0].strip()
        href = (link.get("href") or "").strip()
        if "alternate" not in rel or kind not in FEED_LINK_TYPES or not href:
            continue
        url = urljoin(base_url, href)
        if url.lower().startswith(("http://", "https://")) and url not in found:
            found.append(url)
    return found
