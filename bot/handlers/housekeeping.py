"""Around the answers: the access gate, /start and /help, group migrations and the one error handler."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.ext import ApplicationHandlerStop

from bot import render
from bot.context import BriefbotContext
from bot.delivery import ChatGone, send_html
from retrieval.errors import BackendUnavailable, BriefbotError

log = logging.getLogger(__name__)

COMMANDS = [
    ("ask", "Ask a question about the stored news"),
    ("stance", "Who said what, when: /stance ACTOR [TOPIC]"),
    ("digest", "Digest now, or: /digest on HH:MM [timezone] | off"),
    ("follow", "Follow a feed, site or @channel: /follow URL"),
    ("following", "What this chat follows, and how it is going"),
    ("unfollow", "Stop following: /unfollow N"),
    ("watch", "Alerts on an actor's new statements: /watch ACTOR [TOPIC]"),
    ("unwatch", "Stop a watch: /unwatch N | ACTOR [TOPIC] | all"),
    ("watches", "Your watches; /watches quiet on|off"),
    ("sources", "Recent articles with their ids"),
    ("forget", "Remove an article you added: /forget ID or URL"),
    ("status", "Counts and backends"),
    ("help", "What this bot does"),
]


async def gate(update: object, context: BriefbotContext) -> None:
    """Runs before every handler (group -1): unknown chats get their id once, and nothing else happens."""
    if not isinstance(update, Update) or update.effective_chat is None:
        raise ApplicationHandlerStop
    rt = context.runtime
    if rt.access.is_repeat(update.update_id):
        # Telegram redelivers a webhook update it thinks was lost; it must not be answered twice.
        raise ApplicationHandlerStop
    if update.channel_post is not None:
        # A post of a channel the bot administers goes to the chats following that channel, whether or not
        # the channel itself is allowed; nothing is ever sent to a channel (it would be published there).
        return
    if update.edited_channel_post is not None:
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


async def start(update: Update, context: BriefbotContext) -> None:
    assert update.effective_chat is not None
    await send_html(context.bot, update.effective_chat.id, [render.HELP])


async def migrate(update: Update, context: BriefbotContext) -> None:
    message = update.effective_message
    if message is None or message.migrate_to_chat_id is None or update.effective_chat is None:
        return
    await context.runtime.migrate_chat(update.effective_chat.id, message.migrate_to_chat_id)


async def on_error(update: object, context: BriefbotContext) -> None:
    """The one error handler. A `BriefbotError` carries a message for the user: a backend that is down is an
    outage to report (a warning, no traceback), any other says what went wrong. Anything else is a bug: its
    traceback goes to the log, and the user gets a short apology."""
    error = context.error
    chat = update.effective_chat if isinstance(update, Update) else None
    if isinstance(error, ChatGone) and chat is not None:
        # Blocked mid-answer: an apology cannot arrive, and the daily digest would fail the same way.
        await context.runtime.drop_chat(chat.id)
        return
    if isinstance(error, BackendUnavailable):
        log.warning("%s: %s", type(error).__name__, error)
        reply = render.unavailable(error.service)
    elif isinstance(error, BriefbotError) and str(error):
        log.warning("%s: %s", type(error).__name__, error)
        reply = render.plain(str(error))
    else:
        log.error("error while handling an update", exc_info=error)
        reply = render.APOLOGY
    if chat is None:
        return
    try:
        await context.bot.send_message(chat.id, reply)
    except Exception as exc:
        log.warning("could not send the apology: %s", type(exc).__name__)
