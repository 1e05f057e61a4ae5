"""Followed sources: /follow, /unfollow, /following, and the posts of channels the bot administers."""

from __future__ import annotations

import logging
from datetime import UTC

from telegram import Update

from bot import render
from bot.context import BriefbotContext
from bot.delivery import send_html, typing
from bot.handlers._common import scope_of, within_limit
from retrieval.feeds import FeedError

log = logging.getLogger(__name__)


async def follow(update: Update, context: BriefbotContext) -> None:
    assert update.effective_chat is not None and update.effective_message is not None
    rt = context.runtime
    chat_id = update.effective_chat.id
    ref = " ".join(context.args or []).strip()
    if not ref:
        await send_html(context.bot, chat_id, [render.follow_usage()])
        return
    if not await within_limit(update, context, rt.link_limit, "links"):
        return
    reply_to = update.effective_message.message_id
    try:
        async with typing(context.bot, chat_id):
            outcome = await rt.follow(ref, scope_of(chat_id))
    except FeedError as exc:
        await send_html(context.bot, chat_id, [render.follow_failed(ref, str(exc))], reply_to=reply_to)
        return
    await send_html(
        context.bot, chat_id, [render.follow_card(outcome, rt.settings.feeds_poll_seconds)], reply_to=reply_to
    )
    if not outcome.new:
        return
    # The first read for this chat now, rather than at the next round: the chat sees what it followed.
    async with typing(context.bot, chat_id):
        results, error = await rt.first_read(outcome.follow.feed.id, scope_of(chat_id))
    await send_html(context.bot, chat_id, [render.followed_items(outcome.title, results, error)])


async def unfollow(update: Update, context: BriefbotContext) -> None:
    assert update.effective_chat is not None
    chat_id = update.effective_chat.id
    ref = " ".join(context.args or []).strip()
    if not ref:
        await send_html(context.bot, chat_id, ["Usage: /unfollow N (its number in /following) or its URL."])
        return
    gone = await context.runtime.unfollow(ref, scope_of(chat_id))
    await send_html(context.bot, chat_id, [render.unfollowed(gone) if gone else render.not_following(ref)])


async def following(update: Update, context: BriefbotContext) -> None:
    assert update.effective_chat is not None
    chat_id = update.effective_chat.id
    follows = await context.runtime.following(scope_of(chat_id))
    await send_html(context.bot, chat_id, render.following(follows))


async def channel_post(update: Update, context: BriefbotContext) -> None:
    """A post in a channel the bot administers: stored for the chats that follow the channel (and for the
    channel itself when it is allowed). Nothing is sent back: a reply would be published to the channel."""
    post = update.channel_post
    if post is None:
        return
    text = post.text or post.caption or ""
    if not text.strip():
        return
    chat = post.chat
    results = await context.runtime.store_channel_post(
        channel=chat.username, post_id=post.message_id, text=text, published=post.date.astimezone(UTC),
        outlet=chat.title or (f"@{chat.username}" if chat.username else "Telegram channel"), chat_id=chat.id,
    )  # fmt: skip
    for scope, result in results.items():
        if not result.ok:
            log.info(
                "channel post %s/%s not stored for %s: %s", chat.id, post.message_id, scope, result.reason
            )
