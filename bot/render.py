"""Briefings as Telegram HTML: citations become links from our own metadata, long answers are split safely."""

from __future__ import annotations

import html
import re
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Protocol

from briefing.types import Briefing, Citation
from retrieval.feeds import FollowOutcome
from retrieval.ingest import IngestResult
from retrieval.store import Article, FollowRecord
from retrieval.text import MARKER, format_date, format_moment, paragraphs

MESSAGE_LIMIT = 4096


#: Titles, outlets and links as they are shown: stored ones can be any length (a page's title is its own).
TITLE_CHARS = 150
OUTLET_CHARS = 60
SOURCE_CHARS = 120


def shorten(text: str, limit: int) -> str:
    """`text` on one line, cut at a word boundary to at most `limit` characters, with an ellipsis."""
    flat = " ".join(text.split())
    if len(flat) <= limit:
        return flat
    cut = flat[: limit - 1]
    if " " in cut[limit // 2 :]:
        cut = cut.rsplit(" ", 1)[0]
    return cut.rstrip(" ,;:-–") + "…"


def _size(text: str) -> int:
    """What Telegram counts against its limit: the text left once tags are parsed, in UTF-16 units."""
    return len(to_plain(text).encode("utf-16-le")) // 2


def _inline(text: str, citations: dict[int, Citation]) -> str:
    """Escape a plain-text line and turn each known [n] into a link; unknown numbers are dropped."""
    out: list[str] = []
    pos = 0
    for match in MARKER.finditer(text):
        out.append(html.escape(text[pos : match.start()], quote=False))
        cite = citations.get(int(match.group(1)))
        if cite is not None and is_web_link(cite.url):
            out.append(f'<a href="{html.escape(cite.url, quote=True)}">[{cite.n}]</a>')
        elif cite is not None:
            out.append(f"[{cite.n}]")
        pos = match.end()
    out.append(html.escape(text[pos:], quote=False))
    return "".join(out)


def _line(text: str, citations: dict[int, Citation]) -> str:
    if text.startswith("## "):
        return f"<b>{_inline(text[3:].strip(), citations)}</b>"
    if text.startswith("> "):
        # The reporter's sentence a statement leans on (stance timelines): set apart from what was said.
        return f"<i>↳ {_inline(text[2:].strip(), citations)}</i>"
    return _inline(text, citations)


def is_web_link(url: str) -> bool:
    return url.lower().startswith(("http://", "https://"))


def source_link(url: str, title: str) -> str:
    """A title linked to its article. Only web addresses are links: a local file's path (which names the
    operator's folders) is never shown, just "local file"; a forwarded post without a link gets none."""
    label = html.escape(shorten(title, TITLE_CHARS), quote=False)
    if is_web_link(url):
        return f'<a href="{html.escape(url, quote=True)}">{label}</a>'
    return f"{label} (local file)" if url.lower().startswith("file:") else label


def escaped_title(title: str) -> str:
    return html.escape(shorten(title, TITLE_CHARS), quote=False)


def source_line(article: Article, *, own: bool) -> str:
    """One line of /sources: id, outlet, date, linked title, and whether it is shared."""
    outlet = html.escape(shorten(article.outlet, OUTLET_CHARS), quote=False)
    owner = "" if own else " · shared"
    link = source_link(article.url, article.title)
    return f"#{article.id} · {outlet} · {format_date(article.published_at)} · {link}{owner}"


def link_card(result: IngestResult) -> str:
    """What became of one link or forward: added, already there, linked to its twin, or why not."""
    a = result.article
    if result.status == "failed" or a is None:
        return not_added(result.source, result.reason or "unknown error")
    outlet = html.escape(shorten(a.outlet, OUTLET_CHARS), quote=False)
    head = f"<b>{escaped_title(a.title)}</b>\n{outlet} · {format_date(a.published_at)}"
    if result.status == "added":
        return f"✅ {head}\nAdded ({result.chunks} passages), #{a.id}"
    if result.status == "near_duplicate" and result.duplicate_of is not None:
        twin = result.duplicate_of
        twin_outlet = html.escape(shorten(twin.outlet, OUTLET_CHARS), quote=False)
        return f"☑️ {head}\nSame story as #{twin.id} ({twin_outlet}): linked, not indexed twice"
    return f"☑️ {head}\nAlready stored, #{a.id}"


def not_added(source: str, reason: str) -> str:
    """A link, post or document that was not stored, and why (plain text in, HTML out)."""
    shown = html.escape(shorten(source, SOURCE_CHARS), quote=False)
    return f"⚠️ {shown}\nNot added: {html.escape(shorten(reason, 600), quote=False)}"


def source_lines(citations: Sequence[Citation]) -> list[str]:
    lines = ["<b>Sources</b>"]
    for c in citations:
        outlet = html.escape(shorten(c.outlet, OUTLET_CHARS), quote=False)
        lines.append(f"{c.n}. {outlet} · {format_date(c.published)} · {source_link(c.url, c.title)}")
    return lines


def render_blocks(briefing: Briefing) -> list[str]:
    """HTML blocks, each complete in itself (no tag spans two blocks), in reading order."""
    by_n = {c.n: c for c in briefing.citations}
    blocks: list[str] = []
    if briefing.note:
        blocks.append(f"<i>{html.escape(briefing.note, quote=False)}</i>")
    for paragraph in paragraphs(briefing.answer, keep_lines=True):
        blocks.append("\n".join(_line(line, by_n) for line in paragraph.split("\n")))
    if briefing.citations:
        blocks.append("\n".join(source_lines(briefing.citations)))
    return blocks


def _split_block(block: str, limit: int) -> list[str]:
    """A block longer than a message is cut at line, then sentence, then word boundaries, never inside a
    tag or an entity: what is inside `<a …>…</a>` stays whole (see `_protect`)."""
    if _size(block) <= limit:
        return [block]
    pieces: list[str] = []
    current = ""
    for unit in _units(block, limit):
        if current and _size(current) + _size(unit) > limit:
            pieces.append(current.rstrip())
            current = unit.lstrip()
        else:
            current += unit
    if current.strip():
        pieces.append(current.rstrip())
    return pieces


# Spans that must stay whole: an element with its content (our output never nests them), or an entity.
_ATOM = re.compile(r"<(a|b|i|code)\b[^>]*>.*?</\1>|&#?\w+;", re.DOTALL)


def _protect(text: str) -> tuple[str, list[str]]:
    """Each atom replaced by a placeholder without spaces or punctuation, so splitting cannot cut it."""
    atoms: list[str] = []

    def keep(match: re.Match[str]) -> str:
        atoms.append(match.group())
        return f"\x00{len(atoms) - 1}\x00"

    return _ATOM.sub(keep, text), atoms


def _restore(text: str, atoms: list[str]) -> str:
    return re.sub(r"\x00(\d+)\x00", lambda m: atoms[int(m.group(1))], text)


def _units(block: str, limit: int) -> list[str]:
    """Lines, or sentences of long lines, or words of long sentences; each fits `limit` on its own."""
    units: list[str] = []
    for line in block.split("\n"):
        protected, atoms = _protect(line)
        sentences = re.split(r"(?<=[.!?…])\s+", protected)
        for i, sentence in enumerate(sentences):
            tail = "\n" if i == len(sentences) - 1 else " "
            if _size(_restore(sentence, atoms)) <= limit:
                units.append(_restore(sentence, atoms) + tail)
                continue
            words = sentence.split(" ")
            for j, word in enumerate(words):
                end = tail if j == len(words) - 1 else " "
                units.append(_fit(_restore(word, atoms), limit - 1) + end)
    return units


def _fit(unit: str, limit: int) -> str:
    """A single word or atom longer than a whole message (a 5,000-letter title): its text is shortened,
    its markup kept."""
    if _size(unit) <= limit:
        return unit
    match = re.fullmatch(r"(<(\w+)\b[^>]*>)(.*)(</\2>)", unit, re.DOTALL)
    if match:
        inner = html.escape(shorten(html.unescape(match.group(3)), limit // 2), quote=False)
        return match.group(1) + inner + match.group(4)
    return html.escape(shorten(html.unescape(unit), limit // 2), quote=False)


def pack(blocks: Sequence[str], limit: int = MESSAGE_LIMIT) -> list[str]:
    """Blocks joined by blank lines into as few messages as fit, splitting only between blocks if possible."""
    messages: list[str] = []
    current = ""
    for block in blocks:
        for piece in _split_block(block, limit):
            candidate = f"{current}\n\n{piece}" if current else piece
            if _size(candidate) <= limit:
                current = candidate
            else:
                messages.append(current)
                current = piece
    if current:
        messages.append(current)
    return messages


def render_briefing(briefing: Briefing, limit: int = MESSAGE_LIMIT) -> list[str]:
    return pack(render_blocks(briefing), limit)


def position_alert(briefing: Briefing, limit: int = MESSAGE_LIMIT) -> str:
    """A watch alert as one message, so that a later outlet's report can edit it in place: when the whole
    does not fit, the last source lines go first, then the text is cut."""
    blocks = render_blocks(briefing)
    text = "\n\n".join(blocks)
    if briefing.citations and _size(text) > limit:
        sources = blocks[-1].split("\n")
        while len(sources) > 1 and _size(text) > limit:
            sources.pop()
            text = "\n\n".join([*blocks[:-1], "\n".join([*sources, "…"])])
    return text if _size(text) <= limit else pack([text], limit)[0]


def to_plain(message_html: str) -> str:
    """The same message without markup, for when Telegram rejects our HTML."""
    return html.unescape(re.sub(r"<[^>]+>", "", message_html))


# ---- the bot's own messages ---------------------------------------------------------------------------

HELP = """<b>briefbot</b> reads the news you give it and answers with short, sourced briefings.

• Ask a question in plain words (in groups: /ask, mention me or reply to me). Every claim links to its source.
• Send or forward links to add articles; forward a channel post to store it.
• /stance ACTOR [TOPIC] — who said what, when, with a chart.
• /digest — what is new since your last digest; /digest on 08:00 Europe/Kyiv — daily; /digest off.
• /follow URL — follow a feed, a site or a public channel (@name); /following; /unfollow N.
• /watch ACTOR [TOPIC] — an alert when new articles carry their statements: new, repeated or a shift.
  /watches lists them; /watches quiet on holds alerts for the daily digest; /unwatch N or all.
• /sources — recent articles, with ids; /forget ID or URL — remove one you added.
• /status — what is stored and which backends answer.

Articles you add are visible to this chat only."""

APOLOGY = "Sorry, something went wrong while handling that. Please try again."


def plain(text: str) -> str:
    """Text that may hold `<` or `&` (an error message, a user's argument), made safe to send as HTML."""
    return html.escape(text, quote=False)


def unavailable(service: str) -> str:
    return f"I can't answer right now: {plain(service)} is not answering. Please try again in a few minutes."


class Daily(Protocol):
    """A daily digest's time (`bot.state.Subscription`)."""

    @property
    def hour(self) -> int: ...

    @property
    def minute(self) -> int: ...

    @property
    def timezone(self) -> str: ...


def status(visible: Mapping[str, int], backends: Mapping[str, str], daily: Daily | None) -> str:
    """/status: what this chat can see (never the whole library), the backends and its daily digest."""
    lines = [
        "<b>Status</b>",
        f"Articles you can search: {visible['articles']} ({visible['mine']} added here, "
        f"{visible['shared']} shared)",
        f"Passages: {visible['passages']}, statements: {visible['statements']}",
    ]
    lines += [f"{name.capitalize()}: {plain(value)}" for name, value in backends.items()]
    lines.append(
        f"Daily digest: {daily.hour:02d}:{daily.minute:02d} {plain(daily.timezone)}" if daily
        else "Daily digest: off"
    )  # fmt: skip
    return "\n".join(lines)


def sources(articles: Sequence[Article], scope: str) -> list[str]:
    """/sources: the chat's recent articles, one line each, in as few messages as fit."""
    if not articles:
        return ["No articles yet. Send me a link or forward a post to add one."]
    lines = ["<b>Recent articles</b>"]
    lines += [source_line(a, own=a.added_by == scope) for a in articles]
    return pack(["\n".join(lines)])


def forgotten(article: Article) -> str:
    return f"Removed #{article.id} {escaped_title(article.title)}."


def not_forgotten(ref: str) -> str:
    # The same answer whether the article is missing or another chat's: ids reveal nothing.
    return f"No article {plain(shorten(ref, SOURCE_CHARS))} added by this chat."


def link_cards(results: Sequence[IngestResult], skipped: int, cap: int) -> list[str]:
    """One card per link, and a word on the links past `cap` that were not read."""
    cards = [link_card(r) for r in results]
    if skipped > 0:
        cards.append(f"<i>Only the first {cap} links of a message are read; {skipped} skipped.</i>")
    return pack(cards)


def chart_caption(actor: str | None = None) -> str:
    return f"Statements over time: {escaped_title(actor)}" if actor else "Statements over time"


def digest_on(daily: Daily) -> str:
    return f"Daily digest on: every day at {daily.hour:02d}:{daily.minute:02d} ({plain(daily.timezone)})."


def unknown_time_zone(name: str) -> str:
    return f"Unknown time zone {plain(shorten(name, 40))}. Use e.g. Europe/Kyiv."


def nothing_new(since: datetime) -> str:
    return f"Nothing new since your last digest ({format_moment(since)})."


# ---- followed feeds and channels ------------------------------------------------------------------------

_KINDS = {"rss": "RSS feed", "atom": "Atom feed", "json": "JSON feed", "telegram": "Telegram channel"}


def _every(seconds: int) -> str:
    if seconds % 3600 == 0:
        return f"{seconds // 3600} h"
    return f"{seconds // 60} min" if seconds % 60 == 0 else f"{seconds} s"


def follow_card(outcome: FollowOutcome, interval: int) -> str:
    """/follow: what is followed now, how often it is read, and anything odd about the feed."""
    title = escaped_title(outcome.title)
    kind = _KINDS.get(outcome.kind, "feed")
    if not outcome.new:
        return f"☑️ Already following <b>{title}</b> ({kind})."
    lines = [
        f"✅ Following <b>{title}</b> ({kind}, {outcome.items} items now).",
        f"Its latest items are added now; new ones every {_every(interval)}. /following lists what you "
        "follow.",
    ]
    if outcome.note:
        lines.append(f"<i>Note: {plain(shorten(outcome.note, 300))}</i>")
    return "\n".join(lines)


def follow_failed(ref: str, reason: str) -> str:
    source = plain(shorten(ref, SOURCE_CHARS))
    return f"⚠️ {source}\nNot followed: {plain(shorten(reason, 600))}"


def follow_usage() -> str:
    return "Usage: /follow URL — a feed (RSS, Atom, JSON Feed), a site page that names one, or @channel."


def unfollowed(follow: FollowRecord) -> str:
    title = escaped_title(follow.feed.title or follow.feed.url)
    return f"Stopped following {title}. The articles it brought stay; /forget removes one."


def not_following(ref: str) -> str:
    return f"This chat follows nothing called {plain(shorten(ref, SOURCE_CHARS))}. See /following."


def following(follows: Sequence[FollowRecord]) -> list[str]:
    """/following: each followed feed with its state; a failing one with its last error and next try."""
    if not follows:
        return ["This chat follows nothing yet. /follow URL adds a feed, a site or a @channel."]
    lines = ["<b>Following</b>"]
    for n, follow in enumerate(follows, 1):
        feed = follow.feed
        kind = _KINDS.get(feed.kind, "feed")
        read = f"last read {format_moment(feed.last_ok_at)}" if feed.last_ok_at else "not read yet"
        lines.append(f"{n}. {source_link(feed.url, feed.title or feed.url)} · {kind} · {read}")
        if feed.last_error:
            when = f"; next try {format_moment(feed.next_try_at)}" if feed.next_try_at else ""
            lines.append(f"   ⚠️ {plain(shorten(feed.last_error, 300))}{when}")
    lines.append("<i>/unfollow N stops one.</i>")
    return pack(["\n".join(lines)])


def followed_items(title: str, results: Sequence[IngestResult], error: str | None) -> str:
    """After /follow: what the first read of the feed stored for this chat."""
    name = escaped_title(title)
    if error:
        return f"⚠️ {name} could not be read just now: {plain(shorten(error, 300))}. It is tried again later."
    added = [r for r in results if r.status in ("added", "near_duplicate")]
    failed = [r for r in results if not r.ok]
    if not added:
        text = f"Nothing new to add from {name} yet."
    else:
        text = f"📥 Added {len(added)} item{'s' if len(added) != 1 else ''} from {name}."
    if failed:
        text += f" {len(failed)} could not be read (tried again next round)."
    return text


def watching(label: str, added: bool, quiet: bool) -> str:
    head = f"Watching {plain(label)}." if added else f"Already watching {plain(label)}."
    how = (
        "Quiet mode is on: new statements go into your daily digest (/digest on 08:00 turns it on)."
        if quiet else "I will tell you when new articles carry their statements."
    )  # fmt: skip
    return f"{head} {how}"


def watch_list(labels: Sequence[tuple[int, str, datetime]], quiet: bool) -> str:
    """/watches: the chat's watches, numbered for /unwatch, and whether alerts wait for the digest."""
    if not labels:
        return "No watches. Start one with /watch ACTOR [TOPIC], e.g. /watch Kremlin annexed regions."
    lines = ["<b>Watches</b>"]
    lines += [f"{n}. {plain(label)} (since {format_date(since)})" for n, label, since in labels]
    lines.append(
        "Quiet mode: on, alerts go into the daily digest (/watches quiet off)" if quiet
        else "Quiet mode: off, alerts arrive as articles come in (/watches quiet on)"
    )  # fmt: skip
    return "\n".join(lines)
