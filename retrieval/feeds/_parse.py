"""Reading a fetched body as a feed: RSS and Atom through feedparser, JSON Feed through our own reader.

feedparser is only ever handed bytes we fetched ourselves, wrapped in a stream: given a string, it would
fetch URLs and open local files itself. It runs with external entities off (its default). A long feed is
cut after MAX_ITEMS_READ items before parsing, since feedparser holds the whole document and takes ~0.4 ms
per item: a 50,000-item archive would cost 18 s and 140 MB.
"""

from __future__ import annotations

import calendar
import io
import json
import re
from datetime import UTC, datetime
from typing import Any

from lxml import html as lxml_html

from ._items import MAX_ITEMS_READ, FeedError, FeedItem, ParsedFeed, item_keys, web_link

_ITEM_START = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?(?:item|entry)[\s>/]")
_ROOT = re.compile(rb"<([A-Za-z_][\w.:-]*)[\s>/]")
_XML_START = re.compile(
    rb"^(?:\xef\xbb\xbf)?\s*(?:<\?xml|<!--.*?-->\s*)*\s*<(?:rss|feed|rdf:RDF|channel)\b", re.S
)


def sniff(body: bytes, content_type: str) -> str:
    """What a body is, by its first bytes more than by its label: xml, json or html."""
    head = body[:2048].lstrip(b"\xef\xbb\xbf \t\r\n")
    if head.startswith(b"{"):
        return "json"
    if _XML_START.match(body[:4096]):
        return "xml"
    if head.startswith(b"<?xml") and not re.search(rb"<html[\s>]", body[:4096], re.IGNORECASE):
        return "xml"
    if content_type == "application/xml" and not re.search(rb"<html[\s>]", body[:4096], re.IGNORECASE):
        return "xml"
    return "html"


def parse_feed(body: bytes, content_type: str, url: str) -> ParsedFeed:
    """The feed in `body` (fetched from `url`), or FeedError saying why it is none. Runs in a worker."""
    kind = sniff(body, content_type)
    if kind == "html":
        raise FeedError("this is a web page, not a feed")
    feed = _json_feed(body) if kind == "json" else _xml_feed(body, url)
    # An item with no link, no title and no text carries nothing to store.
    feed.items[:] = [i for i in feed.items if i.url or i.title or i.text]
    return feed


# ---- RSS and Atom ---------------------------------------------------------------------------------------


def _trimmed(body: bytes) -> tuple[bytes, int]:
    """The document cut before its item number MAX_ITEMS_READ + 1, closed again; and its item count."""
    starts = [m.start() for m in _ITEM_START.finditer(body)]
    if len(starts) <= MAX_ITEMS_READ:
        return body, len(starts)
    root = _ROOT.search(body)  # the first element: `<?xml` and `<!--` do not match
    name = root.group(1) if root else b"rss"
    closing = b"</channel></rss>" if name.lower() == b"rss" else b"</" + name + b">"
    return body[: starts[MAX_ITEMS_READ]] + closing, len(starts)


def _xml_feed(body: bytes, url: str) -> ParsedFeed:
    import feedparser  # imported in the worker only: it is not needed anywhere else

    data, total = _trimmed(body)
    parsed = feedparser.parse(
        io.BytesIO(data), response_headers={"content-location": url, "content-type": "application/xml"}
    )
    version = str(parsed.get("version") or "")
    entries = list(parsed.get("entries") or [])
    problem = parsed.get("bozo_exception") if parsed.get("bozo") else None
    malformed = _is_sax(problem)
    if not entries and (not version or malformed):
        if malformed:
            raise FeedError(f"the feed is not well-formed XML ({_short(problem)})")
        raise FeedError("no RSS or Atom feed in this document")
    kind = "atom" if version.startswith("atom") else "rss"
    feed = parsed.get("feed") or {}
    items = [_entry(e) for e in entries[:MAX_ITEMS_READ]]
    notes = []
    if malformed:
        notes.append(f"the feed's XML is malformed ({_short(problem)}); {len(items)} items could be read")
    if total > MAX_ITEMS_READ:
        notes.append(f"the feed lists {total:,} items; only the first {MAX_ITEMS_READ} are read")
    return ParsedFeed(
        kind=kind, title=_clean(str(feed.get("title") or "")), items=items, total=max(total, len(items)),
        note="; ".join(notes) or None,
    )  # fmt: skip


def _is_sax(problem: object) -> bool:
    import xml.sax

    return isinstance(problem, xml.sax.SAXException)


def _short(problem: object) -> str:
    return " ".join(str(problem).split())[:160] or type(problem).__name__


def _entry(entry: Any) -> FeedItem:
    link = web_link(entry.get("link"))
    guid = entry.get("id") or None
    title = _clean(str(entry.get("title") or "")) or None
    text = ""
    for content in entry.get("content") or []:
        text = max(text, _plain(str(content.get("value") or "")), key=len)
    summary = _plain(str(entry.get("summary") or ""))
    text = text if len(text) >= len(summary) else summary
    when = entry.get("published_parsed") or entry.get("updated_parsed")
    published = datetime.fromtimestamp(calendar.timegm(when), UTC) if when else None
    return FeedItem(
        keys=item_keys(guid, link, title, text), url=link, title=title, text=text, published=published
    )


# ---- JSON Feed ------------------------------------------------------------------------------------------


def _json_feed(body: bytes) -> ParsedFeed:
    try:
        doc = json.loads(body)
    except (ValueError, RecursionError) as exc:
        raise FeedError(f"the JSON feed is not valid JSON ({_short(exc)})") from exc
    version = doc.get("version") if isinstance(doc, dict) else None
    if not (isinstance(version, str) and version.startswith("https://jsonfeed.org/version/")):
        raise FeedError("this JSON is not a JSON Feed (no jsonfeed.org version)")
    raw = doc.get("items")
    raw_items = raw if isinstance(raw, list) else []
    items = [_json_item(i) for i in raw_items[:MAX_ITEMS_READ] if isinstance(i, dict)]
    note = None
    if len(raw_items) > MAX_ITEMS_READ:
        note = f"the feed lists {len(raw_items):,} items; only the first {MAX_ITEMS_READ} are read"
    title = doc.get("title")
    return ParsedFeed(
        kind="json", title=_clean(title if isinstance(title, str) else ""), items=items,
        total=len(raw_items), note=note,
    )  # fmt: skip


def _json_item(item: dict[str, Any]) -> FeedItem:
    link = web_link(item.get("url")) or web_link(item.get("external_url"))
    guid = item.get("id")
    title = _clean(item["title"]) if isinstance(item.get("title"), str) else None
    text = ""
    if isinstance(item.get("content_text"), str):
        text = item["content_text"].strip()
    if not text and isinstance(item.get("content_html"), str):
        text = _plain(item["content_html"])
    if not text and isinstance(item.get("summary"), str):
        text = item["summary"].strip()
    published = _iso_date(item.get("date_published")) or _iso_date(item.get("date_modified"))
    return FeedItem(
        keys=item_keys(str(guid) if guid not in (None, "") else None, link, title, text),
        url=link, title=title or None, text=text, published=published,
    )  # fmt: skip


def _iso_date(value: object) -> datetime | None:
    if not isinstance(value, str) or not value.strip():
        return None
    try:
        parsed = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


# ---- text -----------------------------------------------------------------------------------------------


def _clean(text: str) -> str:
    return " ".join(text.split())


def _plain(markup: str) -> str:
    """HTML content as paragraphs of plain text (feed content is sanitised HTML, or plain text)."""
    if not markup.strip():
        return ""
    if "<" not in markup:
        return markup.strip()
    try:
        root = lxml_html.fragment_fromstring(markup, create_parent="div")
    except Exception:  # lxml raises several types on odd fragments; the text is then read as it stands
        return re.sub(r"<[^>]+>", " ", markup).strip()
    for br in root.iter("br"):
        br.tail = "\n" + (br.tail or "")
    for block in root.iter("p", "div", "li", "h1", "h2", "h3", "h4", "blockquote"):
        block.tail = "\n\n" + (block.tail or "")
    text = root.text_content()
    paragraphs = [" ".join(p.split()) for p in re.split(r"\n\s*\n", text)]
    return "\n\n".join(p for p in paragraphs if p)
