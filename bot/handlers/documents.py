"""Documents sent or forwarded into a chat: downloaded through the Bot API, read and stored for the chat."""

from __future__ import annotations

from datetime import UTC

from telegram import Message, Update
from telegram.error import TelegramError

from bot import render
from bot.context import BriefbotContext
from bot.delivery import send_html, typing
from bot.handlers._common import scope_of, within_limit
from bot.handlers.library import origin_of

# Telegram's Bot API hands a bot files of up to 20 MB (getFile refuses larger ones).
TELEGRAM_FILE_LIMIT = 20 * 1024 * 1024


async def store_document(update: Update, context: BriefbotContext) -> None:
    message = update.effective_message
    assert message is not None and message.document is not None and update.effective_chat is not None
    rt = context.runtime
    chat_id = update.effective_chat.id
    document = message.document
    name = document.file_name or "document"
    if not await within_limit(update, context, rt.link_limit, "documents"):
        return
    limit = min(rt.settings.max_document_bytes, TELEGRAM_FILE_LIMIT)
    if document.file_size is not None and document.file_size > limit:
        reason = (
            f"the file is too large: {document.file_size / 1e6:.1f} MB (the limit is {limit / 1e6:.1f} MB)"
        )
        await send_html(context.bot, chat_id, [render.not_added(name, reason)], reply_to=message.message_id)
        return
    async with typing(context.bot, chat_id):
        try:
            data = await _download(message)
        except TelegramError as exc:
            reason = "Telegram would not hand the file over" + (
                " (it is larger than 20 MB)" if "too big" in str(exc).lower() else f" ({exc})"
            )
            await send_html(
                context.bot, chat_id, [render.not_added(name, reason)], reply_to=message.message_id
            )
            return
        url, outlet, published = None, None, None
        if message.forward_origin is not None:
            outlet, url, date = origin_of(message)
            published = date.astimezone(UTC)
        result = await rt.add_document(
            data, name, scope=scope_of(chat_id), url=url, outlet=outlet, published=published
        )
    await send_html(context.bot, chat_id, [render.link_card(result)], reply_to=message.message_id)


async def _download(message: Message) -> bytes:
    assert message.document is not None
    file = await message.document.get_file()
    return bytes(await file.download_as_bytearray())
