"""Thin Telegram handlers: parse the update, call a service, render, send. Same signature everywhere."""

from __future__ import annotations

import asyncio
import html
import logging
import re
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from telegram import (
    Message,
    MessageEntity,
    MessageOriginChannel,
    MessageOriginChat,
    MessageOriginHiddenUser,
    MessageOriginUser,
    Update,
)
from telegram.ext import ApplicationHandlerStop, ContextTypes

from bot.delivery import ChatGone, send_html, send_photo, typing
from bot.render import escaped_title, link_card, pack, render_briefing, shorten, source_line
from retrieval.embed import EmbeddingError
from retrieval.store import DenseIndexError
from retrieval.text import format_moment
from retrieval.urls import article_ref

if TYPE_CHECKING:
    from bot.runtime import Runtime

log = logging.getLogger(__name__)

HELP = """<b>briefbot</b> reads the news you give it and answers with short, sourced briefings.

• Ask a question in plain words (in groups: /ask, mention me or reply to me). Every claim links to its source.
• Send or forward links to add articles; forward a channel post to store it.
• /stance ACTOR [TOPIC] — who said what, when, with a chart.
• /digest — what is new since your last digest; /digest on 08:00 Europe/Kyiv — daily; /digest off.
• /sources — recent articles, with ids; /forget ID or URL — remove one you added.
• /status — what is stored and which backends answer.

Articles you add are visible to this chat only."""

COMMANDS = [
    ("ask", "Ask a question about the stored news"),
    ("stance", "Who said what, when: /stance ACTOR [TOPIC]"),
    ("digest", "Digest now, or: /digest on HH:MM [timezone] | off"),
    ("sources", "Recent articles with their ids"),
    ("forget", "Remove an article you added: /forget ID or URL"),
    ("status", "Counts and backends"),
    ("help", "What this bot does"),
]

Context = ContextTypes.DEFAULT_TYPE


def runtime(context: Context) -> Runtime:
    return context.application.bot_data["runtime"]  # type: ignore[no-any-return]


def _scope(chat_id: int) -> str:
    return str(chat_id)


# ---- gate -----------------------------------------------------------------------------------------------


async def gate(update: object, context: Context) -> None:
    """Runs before every handler (group -1): unknown chats get their id once, and nothing else happens."""
    if not isinstance(update, Update) or update.effective_chat is None:
        raise ApplicationHandlerStop
    rt = runtime(context)
    if rt.access.is_repeat(update.update_id):
        # Telegram redelivers a webhook update it thinks was lost; it must not be answered twice.
        raise ApplicationHandlerStop
    chat_id = update.effective_chat.id
    if rt.access.allows(chat_id):
        return
    message = update.effective_message
    moved_from = message.migrate_from_chat_id if message is not None else None
    if moved_from and rt.access.allows(moved_from):
        # The first message of a supergroup that an allowed group became: it inherits the group's access.
        await rt.migrate_chat(moved_from, chat_id)
        raise ApplicationHandlerStop
    if update.effective_message is not None and rt.access.should_tell(chat_id):
        try:
            await context.bot.send_message(chat_id, rt.access.refusal(chat_id))
        except Exception as exc:
            log.info("could not tell chat %s it is not allowed: %s", chat_id, type(exc).__name__)
    raise ApplicationHandlerStop


# ---- simple commands ------------------------------------------------------------------------------------


async def start(update: Update, context: Context) -> None:
    assert update.effective_chat is not None
    await send_html(context.bot, update.effective_chat.id, [HELP])


async def status(update: Update, context: Context) -> None:
    assert update.effective_chat is not None
    rt = runtime(context)
    chat_id = update.effective_chat.id
    # What this chat can see, never the whole library: other chats' counts are theirs.
    seen = await rt.services.library.count_visible(_scope(chat_id))
    sub = await rt.state.subscription(chat_id)
    lines = [
        "<b>Status</b>",
        f"Articles you can search: {seen['articles']} ({seen['mine']} added here, {seen['shared']} shared)",
        f"Passages: {seen['passages']}, statements: {seen['statements']}",
    ]
    lines += [f"{name.capitalize()}: {html.escape(value)}" for name, value in rt.services.backends.items()]
    lines.append(
        f"Daily digest: {sub.hour:02d}:{sub.minute:02d} {sub.timezone}" if sub else "Daily digest: off"
    )
    await send_html(context.bot, chat_id, ["\n".join(lines)])


async def sources(update: Update, context: Context) -> None:
    assert update.effective_chat is not None
    rt = runtime(context)
    chat_id = update.effective_chat.id
    articles = await rt.services.library.list_articles(scope=_scope(chat_id), limit=15)
    if not articles:
        await send_html(
            context.bot, chat_id, ["No articles yet. Send me a link or forward a post to add one."]
        )
        return
    lines = ["<b>Recent articles</b>"]
    lines += [source_line(a, own=a.added_by == _scope(chat_id)) for a in articles]
    await send_html(context.bot, chat_id, pack(["\n".join(lines)]))


async def forget(update: Update, context: Context) -> None:
    assert update.effective_chat is not None
    rt = runtime(context)
    chat_id = update.effective_chat.id
    arg = (context.args or [""])[0].strip()
    if article_ref(arg) is None:
        await send_html(context.bot, chat_id, ["Usage: /forget ID or /forget URL (see /sources for ids)."])
        return
    article = await rt.own_article(arg, _scope(chat_id))
    if article is None:
        # The same answer whether the article is missing or another chat's: ids reveal nothing.
        await send_html(context.bot, chat_id, [f"No article {html.escape(arg)} added by this chat."])
        return
    await rt.services.ingestor.forget(article.id)
    await send_html(context.bot, chat_id, [f"Removed #{article.id} {escaped_title(article.title)}."])


# ---- questions ------------------------------------------------------------------------------------------


async def ask(update: Update, context: Context) -> None:
    message = update.effective_message
    assert message is not None and update.effective_chat is not None
    question = " ".join(context.args or []).strip()
    if not question and message.reply_to_message is not None:
        question = (message.reply_to_message.text or "").strip()
    if not question:
        await send_html(context.bot, update.effective_chat.id, ["Usage: /ask QUESTION"])
        return
    await _answer(update, context, question)


async def stance(update: Update, context: Context) -> None:
    assert update.effective_chat is not None and update.effective_message is not None
    rt = runtime(context)
    chat_id = update.effective_chat.id
    args = context.args or []
    if not args:
        await send_html(
            context.bot, chat_id,
            ["Usage: /stance ACTOR [TOPIC], e.g. /stance Kremlin annexed regions, "
             "/stance Dmitry Peskov on the new regions, /stance \"White House\" tariffs"],
        )
        return
    if not await _within_limit(update, context, rt.question_limit, "questions"):
        return
    # The whole text after the command, quotes included: the arguments PTB split on spaces lose them.
    text = (update.effective_message.text or "").split(maxsplit=1)
    async with typing(context.bot, chat_id):
        actor, topic = await rt.stance_subject(text[1] if len(text) > 1 else "", _scope(chat_id))
        briefing = await rt.stance(actor, topic, _scope(chat_id))
    await send_html(
        context.bot, chat_id, render_briefing(briefing), reply_to=update.effective_message.message_id
    )
    if briefing.chart_png:
        await send_photo(
            context.bot, chat_id, briefing.chart_png, caption=f"Statements over time: {escaped_title(actor)}"
        )


async def _answer(update: Update, context: Context, question: str) -> None:
    assert update.effective_chat is not None and update.effective_message is not None
    rt = runtime(context)
    chat_id = update.effective_chat.id
    if not await _within_limit(update, context, rt.question_limit, "questions"):
        return
    async with typing(context.bot, chat_id):
        briefing = await rt.ask(question, _scope(chat_id))
    await send_html(
        context.bot, chat_id, render_briefing(briefing), reply_to=update.effective_message.message_id
    )
    if briefing.kind == "stance" and briefing.chart_png:
        await send_photo(context.bot, chat_id, briefing.chart_png, caption="Statements over time")


async def _within_limit(update: Update, context: Context, limiter: Any, what: str, cost: int = 1) -> bool:
    assert update.effective_chat is not None
    wait = limiter.try_acquire(update.effective_chat.id, cost)
    if wait:
        await send_html(
            context.bot, update.effective_chat.id,
            [f"Too many {what} at once. Please try again in {max(1, round(wait))} s."],
        )  # fmt: skip
        return False
    return True


# ---- messages: links, forwards, plain questions ---------------------------------------------------------


def message_links(message: Message) -> list[str]:
    """URLs from `url` and `text_link` entities of the text or the caption, in order, without repeats."""
    found: list[str] = []
    for entities in (
        message.parse_entities([MessageEntity.URL, MessageEntity.TEXT_LINK]),
        message.parse_caption_entities([MessageEntity.URL, MessageEntity.TEXT_LINK]),
    ):
        for entity, text in entities.items():
            url = entity.url if entity.type == MessageEntity.TEXT_LINK else text
            if url and url not in found:
                found.append(url if re.match(r"^[a-z][a-z0-9+.-]*://", url, re.I) else "https://" + url)
    return found


def adds_articles(update: Update) -> bool:
    """Whether an update would add articles (links, or a forwarded post with text): such updates are kept
    in the inbox until handled, so a crash cannot lose them."""
    message = update.message
    if message is None:
        return False
    forwarded_text = message.forward_origin is not None and bool(message.text or message.caption)
    return forwarded_text or bool(message_links(message))


async def handled(update: Update, context: Context) -> None:
    """The last handler of every update: one that added articles leaves the inbox."""
    if adds_articles(update):
        await runtime(context).inbox.done(update.update_id)


def _question_text(message: Message, bot_username: str | None) -> str:
    text = message.text or message.caption or ""
    if bot_username:
        text = re.sub(rf"@{re.escape(bot_username)}\b", "", text, flags=re.IGNORECASE)
    return text.strip()


async def on_message(update: Update, context: Context) -> None:
    """A new message: links are added, a forwarded post is stored, anything else is a question."""
    message = update.effective_message
    assert message is not None and update.effective_chat is not None
    links = message_links(message)
    if links:
        await add_links(update, context, links)
    elif message.forward_origin is not None:
        await store_forward(update, context)
    else:
        question = _question_text(message, context.bot.username)
        if question:
            await _answer(update, context, question)


CAN_ADD = (
    "I can add articles from links and from forwarded posts with text: send a link, or forward a post. "
    "Photos, files, voice and other media without text are not read."
)


async def unreadable(update: Update, context: Context) -> None:
    """A photo, file, sticker or voice message with no text: say what can be added instead of staying mute."""
    assert update.effective_chat is not None and update.effective_message is not None
    await send_html(
        context.bot, update.effective_chat.id, [CAN_ADD], reply_to=update.effective_message.message_id
    )


async def add_links(update: Update, context: Context, links: list[str]) -> None:
    assert update.effective_chat is not None and update.effective_message is not None
    rt = runtime(context)
    chat_id = update.effective_chat.id
    cap = rt.settings.max_links_per_message
    extra = len(links) - cap
    links = links[:cap]
    if not await _within_limit(update, context, rt.link_limit, "links", cost=len(links)):
        return
    semaphore = asyncio.Semaphore(3)

    async def one(url: str) -> Any:
        async with semaphore:
            return await rt.services.ingestor.ingest_url(url, added_by=_scope(chat_id))

    async with typing(context.bot, chat_id):
        results = await asyncio.gather(*(one(u) for u in links))
    cards = [link_card(r) for r in results]
    if extra > 0:
        cards.append(f"<i>Only the first {cap} links of a message are read; {extra} skipped.</i>")
    await send_html(context.bot, chat_id, pack(cards), reply_to=update.effective_message.message_id)


def _origin(message: Message) -> tuple[str, str | None, datetime]:
    """Outlet name, permalink (channels with a username only) and the original date of a forwarded post."""
    origin = message.forward_origin
    assert origin is not None
    if isinstance(origin, MessageOriginChannel):
        chat = origin.chat
        link = f"https://t.me/{chat.username}/{origin.message_id}" if chat.username else None
        return chat.title or (f"@{chat.username}" if chat.username else "Telegram channel"), link, origin.date
    if isinstance(origin, MessageOriginChat):
        return origin.sender_chat.title or "Telegram chat", None, origin.date
    if isinstance(origin, MessageOriginUser):
        return origin.sender_user.full_name, None, origin.date
    if isinstance(origin, MessageOriginHiddenUser):
        return origin.sender_user_name, None, origin.date
    return "Telegram", None, origin.date


async def store_forward(update: Update, context: Context) -> None:
    message = update.effective_message
    assert message is not None and update.effective_chat is not None
    rt = runtime(context)
    chat_id = update.effective_chat.id
    text = message.text or message.caption or ""
    if not text.strip():
        await send_html(context.bot, chat_id, ["This forward has no text to store."])
        return
    if not await _within_limit(update, context, rt.link_limit, "links"):
        return
    outlet, link, date = _origin(message)
    result = await rt.services.ingestor.ingest_text(
        text, url=link, published=date.astimezone(UTC), outlet=outlet, added_by=_scope(chat_id)
    )
    await send_html(context.bot, chat_id, [link_card(result)], reply_to=message.message_id)


# ---- digests --------------------------------------------------------------------------------------------

_TIME = re.compile(r"^([01]?\d|2[0-3])[:.]([0-5]\d)$")
# IANA names: "UTC", "Europe/Kyiv", "America/Argentina/Buenos_Aires", "Etc/GMT+3".
_ZONE = re.compile(r"[A-Za-z][A-Za-z0-9_+-]{0,30}(?:/[A-Za-z0-9_+-]{1,30}){0,2}")


def valid_time_zone(name: str) -> bool:
    """Whether `name` is a time zone this machine knows; judged by its spelling first, since ZoneInfo reads
    the name as a file path (a 3,000-letter name fails with an OS error, not a lookup miss)."""
    if not _ZONE.fullmatch(name):
        return False
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        return False
    return True


async def digest(update: Update, context: Context) -> None:
    assert update.effective_chat is not None
    rt = runtime(context)
    chat_id = update.effective_chat.id
    args = context.args or []
    if not args:
        await send_digest(context, chat_id)
        return
    if args[0].lower() == "off":
        removed = await rt.state.unsubscribe(chat_id)
        rt.unschedule_digest(chat_id)
        await send_html(
            context.bot, chat_id, ["Daily digest turned off." if removed else "No daily digest was on."]
        )
        return
    if args[0].lower() == "on" and len(args) >= 2 and (m := _TIME.match(args[1])):
        tz_name = args[2] if len(args) >= 3 else "UTC"
        if not valid_time_zone(tz_name):
            shown = html.escape(shorten(tz_name, 40))
            await send_html(context.bot, chat_id, [f"Unknown time zone {shown}. Use e.g. Europe/Kyiv."])
            return
        sub = await rt.state.subscribe(chat_id, int(m.group(1)), int(m.group(2)), tz_name)
        rt.schedule_digest(sub)
        await send_html(
            context.bot,
            chat_id,
            [f"Daily digest on: every day at {sub.hour:02d}:{sub.minute:02d} ({sub.timezone})."],
        )
        return
    await send_html(context.bot, chat_id, ["Usage: /digest, /digest on HH:MM [IANA time zone], /digest off"])


async def send_digest(context: Context, chat_id: int) -> None:
    """Everything new since this chat's last digest (or the last day); nothing new gets a one-line note."""
    rt = runtime(context)
    now = datetime.now(UTC)
    since = await rt.state.last_digest_at(chat_id) or now - timedelta(days=1)
    briefing = await rt.digest(since, _scope(chat_id))
    try:
        if briefing.found:
            await send_html(context.bot, chat_id, render_briefing(briefing), on_migrate=rt.migrate_chat)
        else:
            when = format_moment(since)
            await send_html(context.bot, chat_id, [f"Nothing new since your last digest ({when})."])
    except ChatGone:
        await rt.drop_chat(chat_id)
        return
    await rt.state.set_last_digest_at(chat_id, now)


async def digest_job(context: Context) -> None:
    job = context.job
    assert job is not None and job.chat_id is not None
    await send_digest(context, job.chat_id)


# ---- housekeeping ---------------------------------------------------------------------------------------


async def migrate(update: Update, context: Context) -> None:
    message = update.effective_message
    if message is None or message.migrate_to_chat_id is None or update.effective_chat is None:
        return
    await runtime(context).migrate_chat(update.effective_chat.id, message.migrate_to_chat_id)


_UNAVAILABLE: dict[type[BaseException], str] = {
    EmbeddingError: "I can't search right now: the embedding service is not answering. "
    "Please try again in a few minutes.",
    DenseIndexError: "I can't search right now: the article index is not answering. "
    "Please try again in a few minutes.",
}


async def on_error(update: object, context: Context) -> None:
    """The one error handler: the traceback goes to the log, the user gets a short apology."""
    if isinstance(context.error, ChatGone) and isinstance(update, Update) and update.effective_chat:
        # Blocked mid-answer: an apology cannot arrive, and the daily digest would fail the same way.
        await runtime(context).drop_chat(update.effective_chat.id)
        return
    unavailable = next((text for kind, text in _UNAVAILABLE.items() if isinstance(context.error, kind)), None)
    if unavailable:
        # A backend that is down is an outage to report, not a bug: no traceback, and the user learns why.
        log.warning("%s: %s", type(context.error).__name__, context.error)
    else:
        log.error("error while handling an update", exc_info=context.error)
    if isinstance(update, Update) and update.effective_chat is not None:
        try:
            await context.bot.send_message(
                update.effective_chat.id,
                unavailable or "Sorry, something went wrong while handling that. Please try again.",
            )
        except Exception as exc:
            log.warning("could not send the apology: %s", type(exc).__name__)
