"""Public Telegram channels, read through their web preview (`t.me/s/NAME`): one item per post, each known
by its permalink `https://t.me/NAME/ID`, as a forwarded post of that channel is."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from lxml import etree
from lxml import html as lxml_html

from ._items import FeedError, FeedItem, ParsedFeed

# Telegram usernames: 5-32 characters, a letter first; a few short legacy names exist, so 4 is allowed.
_NAME = r"[A-Za-z][A-Za-z0-9_]{3,31}"
_REF = re.compile(
    rf"^(?:@(?P<at>{_NAME})|(?:https?://)?(?:www\.)?(?:t\.me|telegram\.me)/(?:s/)?(?P<path>{_NAME})"
    r"(?:/\d+)?/?(?:\?.*)?)$",
    re.IGNORECASE,
)
# Paths of t.me that are not channels.
_RESERVED = {"joinchat", "addstickers", "share", "proxy", "socks", "login", "iv", "addlist", "setlanguage"}
PUBLIC_BASE = "https://t.me"


def channel_name(ref: str) -> str | None:
    """The channel a reference names (`@name`, `t.me/name`, `t.me/s/name`, a post link), lower-cased."""
    match = _REF.match(ref.strip())
    if match is None:
        return None
    name = (match.group("at") or match.group("path")).lower()
    return None if name in _RESERVED else name


def channel_feed_url(name: str) -> str:
    """How a channel is registered: its public preview address, whatever address it is fetched from."""
    return f"{PUBLIC_BASE}/s/{name}"


def channel_of_feed(url: str) -> str | None:
    prefix = f"{PUBLIC_BASE}/s/"
    return url[len(prefix) :] if url.startswith(prefix) else None


def permalink(name: str, post_id: int) -> str:
    return f"{PUBLIC_BASE}/{name}/{post_id}"


def post_key(name: str, post_id: int) -> str:
    """The seen-memory key of a post; the same whether it came from the preview page or a channel update."""
    return f"tg:{name.lower()}/{post_id}"


def parse_channel_page(body: bytes, name: str) -> ParsedFeed:
    """The posts on a channel's preview page (oldest first, as the page lists them). Runs in a worker."""
    try:
        root = lxml_html.document_fromstring(body)
    except (etree.ParserError, ValueError) as exc:
        raise FeedError(f"the preview page of @{name} could not be read") from exc
    title = _first_text(root, "tgme_channel_info_header_title") or _meta(root, "og:title") or f"@{name}"
    items: list[FeedItem] = []
    for message in root.find_class("tgme_widget_message"):
        post = message.get("data-post") or ""
        owner, _, number = post.partition("/")
        if owner.lower() != name or not number.isdigit():
            continue  # a post of another channel quoted on the page, or no post at all
        post_id = int(number)
        text = _post_text(message)
        if not text:
            continue  # a photo or a poll without words: nothing to store
        items.append(
            FeedItem(
                keys=(post_key(name, post_id),), url=permalink(name, post_id), title=None, text=text,
                published=_post_date(message),
            )
        )
    if not items and not root.find_class("tgme_channel_info") and not root.find_class("tgme_widget_message"):
        raise FeedError(
            f"@{name} has no public web preview: the channel does not exist, is private, or hides its posts"
        )
    return ParsedFeed(kind="telegram", title=title, items=items, total=len(items))


def _post_text(message: lxml_html.HtmlElement) -> str:
    # A reply quotes the post it answers, in a text block of its own: that one is not this post's text.
    blocks = [
        b for b in message.find_class("tgme_widget_message_text")
        if not any("tgme_widget_message_reply" in (a.get("class") or "") for a in b.iterancestors())
    ]  # fmt: skip
    if not blocks:
        return ""
    block = blocks[0]
    for br in block.iter("br"):
        br.tail = "\n" + (br.tail or "")
    lines = [" ".join(line.split()) for line in block.text_content().split("\n")]
    return "\n".join(line for line in lines if line).strip()


def _post_date(message: lxml_html.HtmlElement) -> datetime | None:
    for when in message.iter("time"):
        stamp = when.get("datetime")
        if not stamp:
            continue
        try:
            parsed = datetime.fromisoformat(stamp.replace("Z", "+00:00"))
        except ValueError:
            continue
        return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)
    return None


def _first_text(root: lxml_html.HtmlElement, css_class: str) -> str | None:
    found = root.find_class(css_class)
    text = " ".join(found[0].text_content().split()) if found else ""
    return text or None


def _meta(root: lxml_html.HtmlElement, prop: str) -> str | None:
    for meta in root.iter("meta"):
        if meta.get("property") == prop and (meta.get("content") or "").strip():
            return " ".join((meta.get("content") or "").split())
    return None
