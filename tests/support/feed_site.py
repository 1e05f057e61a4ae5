"""A local news site with feeds, for following tests and the feeds bench: RSS 2.0, Atom and JSON Feed
documents built from items, the article page of each item, conditional GET (ETag / Last-Modified → 304),
and a stand-in for Telegram's channel previews (`/s/NAME`, in t.me's markup). Every request is counted."""

from __future__ import annotations

import hashlib
import html
import json
import random
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

from aiohttp import web

_WORDS = (
    "harbour council budget river bridge station school hospital farmers market election mayor minister "
    "treaty border ferry port railway tunnel storm flood drought harvest wheat grain festival museum library "
    "stadium factory workers union strike wages pension tax tariff export import bank loan court judge "
    "police fire rescue volunteers island village valley mountain glacier forest wildlife salmon whales "
    "turbine solar grid power plant pipeline gas oil coal mine copper nickel lithium battery engineers "
    "scientists survey study report census vote parliament coalition opposition protest talks summit "
    "envoy embassy ceasefire shipping container airport runway pilots tourists hotel prices inflation"
).split()


def article_text(seed: str, paragraphs: int = 3) -> list[str]:
    """Paragraphs of distinct filler news prose: items made from different seeds are never near-duplicates."""
    rng = random.Random(seed)
    out = []
    for _ in range(paragraphs):
        sentences = []
        for _ in range(4):
            words = rng.sample(_WORDS, 11)
            sentences.append(" ".join(words).capitalize() + ".")
        out.append(" ".join(sentences))
    return out


@dataclass
class Item:
    slug: str
    title: str
    published: datetime | None = None
    link: bool = True  # whether the feed names the item's page
    guid: str | None = None
    summary: str | None = None  # the item's own text in the feed (None: a first paragraph)
    page: bool = True  # whether the site serves the item's page

    def paragraphs(self) -> list[str]:
        return article_text(self.slug)


@dataclass
class Post:
    id: int
    text: str
    published: datetime


@dataclass
class _Resource:
    body: bytes
    content_type: str
    status: int = 200
    location: str | None = None
    validators: bool = True


@dataclass
class FeedSite:
    """Start with `async with FeedSite() as site`; `site.url` is its base."""

    url: str = ""
    resources: dict[str, _Resource] = field(default_factory=dict)
    items: dict[str, Item] = field(default_factory=dict)
    channels: dict[str, tuple[str, list[Post]]] = field(default_factory=dict)
    hits: Counter[str] = field(default_factory=Counter)
    not_modified: int = 0
    _runner: web.AppRunner | None = None

    async def __aenter__(self) -> FeedSite:
        app = web.Application()
        app.router.add_get("/{tail:.*}", self._handle)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self.url = f"http://127.0.0.1:{port}"
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        assert self._runner is not None
        await self._runner.cleanup()

    # ---- content --------------------------------------------------------------------------------------

    def put(
        self, path: str, body: bytes | str, content_type: str, *, status: int = 200,
        location: str | None = None, validators: bool = True,
    ) -> str:  # fmt: skip
        data = body.encode("utf-8") if isinstance(body, str) else body
        self.resources[path] = _Resource(data, content_type, status, location, validators)
        return self.url + path

    def redirect(self, path: str, location: str) -> str:
        return self.put(path, b"", "text/plain", status=302, location=location)

    def item_url(self, item: Item) -> str:
        return f"{self.url}/news/{item.slug}"

    def add_items(self, items: list[Item]) -> None:
        for item in items:
            self.items[item.slug] = item

    def rss(self, path: str, title: str, items: list[Item], *, validators: bool = True) -> str:
        self.add_items(items)
        entries = []
        for item in items:
            parts = [f"<title>{html.escape(item.title)}</title>"]
            if item.link:
                parts.append(f"<link>{self.item_url(item)}</link>")
            if item.guid:
                parts.append(f'<guid isPermaLink="false">{html.escape(item.guid)}</guid>')
            if item.published:
                parts.append(f"<pubDate>{format_datetime(item.published)}</pubDate>")
            summary = item.summary if item.summary is not None else item.paragraphs()[0]
            parts.append(f"<description>{html.escape('<p>' + summary + '</p>')}</description>")
            entries.append("<item>" + "".join(parts) + "</item>")
        body = (
            '<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0"><channel>'
            f"<title>{html.escape(title)}</title><link>{self.url}/</link>{''.join(entries)}</channel></rss>"
        )
        return self.put(path, body, "application/rss+xml", validators=validators)

    def atom(self, path: str, title: str, items: list[Item]) -> str:
        self.add_items(items)
        entries = []
        for item in items:
            when = (item.published or datetime(2025, 1, 1, tzinfo=UTC)).isoformat()
            link = f'<link rel="alternate" href="{self.item_url(item)}"/>' if item.link else ""
            entries.append(
                f"<entry><id>{html.escape(item.guid or 'urn:' + item.slug)}</id>"
                f"<title>{html.escape(item.title)}</title>{link}<updated>{when}</updated>"
                f'<summary type="text">{html.escape(item.summary or item.paragraphs()[0])}</summary></entry>'
            )
        body = (
            '<?xml version="1.0" encoding="utf-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom">'
            f"<title>{html.escape(title)}</title><id>urn:feed:{path}</id>"
            f"<updated>2025-12-01T00:00:00Z</updated>{''.join(entries)}</feed>"
        )
        return self.put(path, body, "application/atom+xml")

    def json_feed(self, path: str, title: str, items: list[Item]) -> str:
        self.add_items(items)
        doc = {
            "version": "https://jsonfeed.org/version/1.1",
            "title": title,
            "items": [
                {
                    "id": item.guid or item.slug,
                    "title": item.title,
                    **({"url": self.item_url(item)} if item.link else {}),
                    "content_text": item.summary or "\n\n".join(item.paragraphs()),
                    **({"date_published": item.published.isoformat()} if item.published else {}),
                }
                for item in items
            ],
        }
        return self.put(path, json.dumps(doc), "application/feed+json")

    def page_naming(self, path: str, *feeds: tuple[str, str]) -> str:
        """A site page whose <head> names feeds: (type, href) pairs."""
        links = "".join(
            f'<link rel="alternate" type="{kind}" href="{html.escape(href)}" title="feed">'
            for kind, href in feeds
        )
        body = f"<html><head><title>Home</title>{links}</head><body><p>Welcome.</p></body></html>"
        return self.put(path, body, "text/html")

    def channel(self, name: str, title: str, posts: list[Post]) -> None:
        """The channel's preview page at /s/NAME, as t.me lays it out."""
        self.channels[name.lower()] = (title, posts)

    # ---- serving --------------------------------------------------------------------------------------

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        path = request.path
        self.hits[path] += 1
        if path.startswith("/news/") and path[6:] in self.items:
            item = self.items[path[6:]]
            if not item.page:
                return web.Response(status=503, text="down")
            return web.Response(body=_article_page(item), content_type="text/html")
        if path.startswith("/s/") and path[3:].lower() in self.channels:
            title, posts = self.channels[path[3:].lower()]
            return web.Response(body=_channel_page(path[3:].lower(), title, posts), content_type="text/html")
        resource = self.resources.get(path)
        if resource is None:
            return web.Response(status=404, text="not here")
        if resource.location:
            return web.Response(status=resource.status, headers={"Location": resource.location})
        headers = {}
        if resource.validators:
            etag = '"' + hashlib.sha256(resource.body).hexdigest()[:16] + '"'
            modified = format_datetime(datetime(2025, 12, 1, tzinfo=UTC), usegmt=True)
            headers = {"ETag": etag, "Last-Modified": modified}
            if request.headers.get("If-None-Match") == etag or (
                "If-None-Match" not in request.headers
                and request.headers.get("If-Modified-Since") == modified
            ):
                self.not_modified += 1
                return web.Response(status=304, headers=headers)
        return web.Response(
            status=resource.status,
            body=resource.body,
            headers={**headers, "Content-Type": resource.content_type},
        )


def _article_page(item: Item) -> bytes:
    date = ""
    if item.published:
        date = f'<meta property="article:published_time" content="{item.published.isoformat()}">'
    paragraphs = "".join(f"<p>{html.escape(p)}</p>" for p in item.paragraphs())
    return (
        f"<html><head><title>{html.escape(item.title)}</title>{date}</head><body><article>"
        f"<h1>{html.escape(item.title)}</h1>{paragraphs}</article></body></html>"
    ).encode()


def _channel_page(name: str, title: str, posts: list[Post]) -> bytes:
    blocks = []
    for post in posts:
        text = "<br/>".join(html.escape(line) for line in post.text.split("\n"))
        blocks.append(
            '<div class="tgme_widget_message_wrap js-widget_message_wrap">'
            '<div class="tgme_widget_message text_not_supported_wrap js-widget_message" '
            f'data-post="{name}/{post.id}">'
            f'<div class="tgme_widget_message_text js-message_text" dir="auto">{text}</div>'
            '<div class="tgme_widget_message_footer"><div class="tgme_widget_message_info">'
            f'<a class="tgme_widget_message_date" href="https://t.me/{name}/{post.id}">'
            f'<time datetime="{post.published.isoformat()}" class="time">{post.published:%H:%M}</time></a>'
            "</div></div></div></div>"
        )
    return (
        f'<html><head><meta property="og:title" content="{html.escape(title)}"></head><body>'
        '<div class="tgme_channel_info"><div class="tgme_channel_info_header_title">'
        f"<span>{html.escape(title)}</span></div></div>"
        f'<section class="tgme_channel_history">{"".join(blocks)}</section></body></html>'
    ).encode()


def dated(days_ago: float) -> datetime:
    return datetime.now(UTC).replace(microsecond=0) - timedelta(days=days_ago)
