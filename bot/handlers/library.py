"""What a chat adds and keeps: links and forwarded posts, /sources, /forget and /status."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from telegram import (
    Message,
    MessageEntity,
    MessageOriginChannel,
    MessageOriginChat,
    MessageOriginHiddenUser,
    MessageOriginUser,
    Update,
)

from bot import render
from bot.context import BriefbotContext
from bot.delivery import send_html, typing
from bot.handlers._common import scope_of, within_limit
from retrieval.urls import article_ref

CAN_ADD = (
    "I can add articles from links, forwarded posts with text and documents (PDF, Word .docx, HTML, text): "
    "send a link or a file, or forward a post. Photos, voice and other media without text are not read."
)


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
    in the inbox until handled, so a crash cannot lose them. So are the posts with text of channels the bot
    administers."""
    if update.channel_post is not None:
        return bool(update.channel_post.text or update.channel_post.caption)
    message = update.message
    if message is None:
        return False
    forwarded_text = message.forward_origin is not None and bool(message.text or message.caption)
    # A document is kept by its file_id: after a restart it is downloaded again from Telegram.
    return forwarded_text or message.document is not None or bool(message_links(message))


async def handled(update: Update, context: BriefbotContext) -> None:
    """The last handler of every update: one that added articles leaves the inbox."""
    if adds_articles(update):
        await context.runtime.inbox.done(update.update_id)


async def add_links(update: Update, context: BriefbotContext, links: list[str]) -> None:
    assert update.effective_chat is not None and update.effective_message is not None
    rt = context.runtime
    chat_id = update.effective_chat.id
    cap = rt.settings.max_links_per_message
    if not await within_limit(update, context, rt.link_limit, "links", cost=min(len(links), cap)):
        return
    async with typing(context.bot, chat_id):
        results = await rt.add_links(links[:cap], scope_of(chat_id))
    cards = render.link_cards(results, skipped=len(links) - cap, cap=cap)
    await send_html(context.bot, chat_id, cards, reply_to=update.effective_message.message_id)


def origin_of(message: Message) -> tuple[str, str | None, datetime]:
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


async def store_forward(update: Update, context: BriefbotContext) -> None:
    message = update.effective_message
    assert message is not None and update.effective_chat is not None
    rt = context.runtime
    chat_id = update.effective_chat.id
    text = message.text or message.caption or ""
    if not text.strip():
        await send_html(context.bot, chat_id, ["This forward has no text to store."])
        return
    if not await within_limit(update, context, rt.link_limit, "links"):
        return
    outlet, link, date = origin_of(message)
    result = await rt.store_post(
        text, url=link, published=date.astimezone(UTC), outlet=outlet, scope=scope_of(chat_id)
    )
    await send_html(context.bot, chat_id, [render.link_card(result)], reply_to=message.message_id)


async def unreadable(update: Update, context: BriefbotContext) -> None:
    """A photo, file, sticker or voice message with no text: say what can be added instead of staying mute."""
    assert update.effective_chat is not None and update.effective_message is not None
    await send_html(
        context.bot, update.effective_chat.id, [CAN_ADD], reply_to=update.effective_message.message_id
    )


async def sources(update: Update, context: BriefbotContext) -> None:
    assert update.effective_chat is not None
    chat_id = update.effective_chat.id
    articles = await context.runtime.recent_articles(scope_of(chat_id))
    await send_html(context.bot, chat_id, render.sources(articles, scope_of(chat_id)))


async def forget(update: Update, context: BriefbotContext) -> None:
    assert update.effective_chat is not None
    chat_id = update.effective_chat.id
    arg = (context.args or [""])[0].strip()
    if article_ref(arg) is None:
        await send_html(context.bot, chat_id, ["Usage: /forget ID or /forget URL (see /sources for ids)."])
        return
    article = await context.runtime.forget_own(arg, scope_of(chat_id))
    reply = render.not_forgotten(arg) if article is None else render.forgotten(article)
    await send_html(context.bot, chat_id, [reply])


async def status(update: Update, context: BriefbotContext) -> None:
    assert update.effective_chat is not None
    chat_id = update.effective_chat.id
    seen = await context.runtime.status(chat_id)
    await send_html(context.bot, chat_id, [render.status(seen.visible, seen.backends, seen.daily)])
