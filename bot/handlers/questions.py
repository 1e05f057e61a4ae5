"""Questions: /ask, /stance, and a plain message that is neither a link nor a forward."""

from __future__ import annotations

import re

from telegram import Message, Update

from bot import render
from bot.context import BriefbotContext
from bot.delivery import send_html, send_photo, typing
from bot.handlers._common import scope_of, within_limit
from bot.handlers.library import add_links, message_links, store_forward

STANCE_USAGE = (
    "Usage: /stance ACTOR [TOPIC], e.g. /stance Kremlin annexed regions, "
    "/stance Dmitry Peskov on the new regions, /stance \"White House\" tariffs"
)


async def ask(update: Update, context: BriefbotContext) -> None:
    message = update.effective_message
    assert message is not None and update.effective_chat is not None
    question = " ".join(context.args or []).strip()
    if not question and message.reply_to_message is not None:
        question = (message.reply_to_message.text or "").strip()
    if not question:
        await send_html(context.bot, update.effective_chat.id, ["Usage: /ask QUESTION"])
        return
    await answer(update, context, question)


async def stance(update: Update, context: BriefbotContext) -> None:
    assert update.effective_chat is not None and update.effective_message is not None
    rt = context.runtime
    chat_id = update.effective_chat.id
    if not context.args:
        await send_html(context.bot, chat_id, [STANCE_USAGE])
        return
    if not await within_limit(update, context, rt.question_limit, "questions"):
        return
    # The whole text after the command, quotes included: the arguments PTB split on spaces lose them.
    text = (update.effective_message.text or "").split(maxsplit=1)
    async with typing(context.bot, chat_id):
        actor, topic = await rt.stance_subject(text[1] if len(text) > 1 else "", scope_of(chat_id))
        briefing = await rt.stance(actor, topic, scope_of(chat_id))
    await send_html(
        context.bot, chat_id, render.render_briefing(briefing), reply_to=update.effective_message.message_id
    )
    if briefing.chart_png:
        await send_photo(context.bot, chat_id, briefing.chart_png, caption=render.chart_caption(actor))


async def answer(update: Update, context: BriefbotContext, question: str) -> None:
    assert update.effective_chat is not None and update.effective_message is not None
    rt = context.runtime
    chat_id = update.effective_chat.id
    if not await within_limit(update, context, rt.question_limit, "questions"):
        return
    async with typing(context.bot, chat_id):
        briefing = await rt.ask(question, scope_of(chat_id))
    await send_html(
        context.bot, chat_id, render.render_briefing(briefing), reply_to=update.effective_message.message_id
    )
    if briefing.kind == "stance" and briefing.chart_png:
        await send_photo(context.bot, chat_id, briefing.chart_png, caption=render.chart_caption())


def _question_text(message: Message, bot_username: str | None) -> str:
    text = message.text or message.caption or ""
    if bot_username:
        text = re.sub(rf"@{re.escape(bot_username)}\b", "", text, flags=re.IGNORECASE)
    return text.strip()


async def on_message(update: Update, context: BriefbotContext) -> None:
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
            await answer(update, context, question)
