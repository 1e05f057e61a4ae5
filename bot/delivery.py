"""Sending to Telegram robustly: HTML with a plain-text fallback, typing indicators, blocked and
migrated chats."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

from telegram import Bot, LinkPreviewOptions, Message, ReplyParameters
from telegram.constants import ChatAction, ParseMode
from telegram.error import BadRequest, ChatMigrated, Forbidden, RetryAfter

from bot.render import to_plain

log = logging.getLogger(__name__)

NO_PREVIEW = LinkPreviewOptions(is_disabled=True)
TYPING_EVERY = 4.0  # Telegram shows a chat action for about 5 seconds
# "typing…" only for an answer still not sent after this long. Each chat action is one of the 30 requests a
# second python-telegram-bot's limiter lets the bot make: with twenty chats asking at once, the actions of
# answers that were about to arrive anyway took a third of them and held the answers back behind the limiter.
TYPING_AFTER = 1.0


class ChatGone(Exception):
    """The chat blocked the bot, or the bot was removed from it."""


OnMigrate = Callable[[int, int], Awaitable[None]]


async def _with_retry_after(call: Callable[[], Awaitable[Any]], attempts: int = 3) -> Any:
    # The rate limiter retries too; this covers a RetryAfter that still reaches us
    # (e.g. no limiter configured).
    for attempt in range(attempts):
        try:
            return await call()
        except RetryAfter as exc:
            if attempt == attempts - 1:
                raise
            delay = exc.retry_after
            seconds = delay.total_seconds() if hasattr(delay, "total_seconds") else float(delay)
            await asyncio.sleep(min(seconds, 60.0))
    return None


async def send_html(
    bot: Bot,
    chat_id: int,
    messages: list[str],
    *,
    reply_to: int | None = None,
    on_migrate: OnMigrate | None = None,
) -> list[Message]:
    """Send pre-rendered HTML messages in order. Unparseable HTML is resent as plain text."""
    sent: list[Message] = []
    for i, text in enumerate(messages):
        kwargs: dict[str, Any] = {"link_preview_options": NO_PREVIEW}
        if reply_to is not None and i == 0:
            # If the question was deleted meanwhile, the answer still goes out.
            kwargs["reply_parameters"] = ReplyParameters(
                message_id=reply_to, allow_sending_without_reply=True
            )
        sent.append(await _send_one(bot, chat_id, text, kwargs, on_migrate))
    return sent


async def _send_one(
    bot: Bot, chat_id: int, text: str, kwargs: dict[str, Any], on_migrate: OnMigrate | None
) -> Message:
    try:
        return await _with_retry_after(
            lambda: bot.send_message(chat_id, text, parse_mode=ParseMode.HTML, **kwargs)
        )
    except BadRequest as exc:
        if "can't parse entities" in str(exc).lower() or "unsupported start tag" in str(exc).lower():
            log.warning("Telegram rejected our HTML (%s); sending plain text", exc)
            return await _with_retry_after(
                lambda: bot.send_message(chat_id, to_plain(text), parse_mode=None, **kwargs)
            )
        raise
    except ChatMigrated as exc:
        if on_migrate is not None:
            await on_migrate(chat_id, exc.new_chat_id)
        return await _send_one(bot, exc.new_chat_id, text, kwargs, None)
    except Forbidden as exc:
        raise ChatGone(str(exc)) from exc


async def send_photo(bot: Bot, chat_id: int, png: bytes, caption: str | None = None) -> Message:
    try:
        return await _with_retry_after(
            lambda: bot.send_photo(
                chat_id, png, caption=caption, parse_mode=ParseMode.HTML if caption else None
            )
        )
    except Forbidden as exc:
        raise ChatGone(str(exc)) from exc


@contextlib.asynccontextmanager
async def typing(bot: Bot, chat_id: int) -> AsyncIterator[None]:
    """Show "typing…" from `TYPING_AFTER` seconds on until the block finishes, renewing it before Telegram
    lets it lapse."""

    async def keep() -> None:
        await asyncio.sleep(TYPING_AFTER)
        while True:
            try:
                await bot.send_chat_action(chat_id, ChatAction.TYPING)
            except Exception as exc:
                log.debug("chat action failed: %s", exc)
            await asyncio.sleep(TYPING_EVERY)

    task = asyncio.create_task(keep())
    try:
        yield
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
