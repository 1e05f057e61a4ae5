"""The wiring root: one ApplicationBuilder, the access gate, the handlers, the digest jobs,
the error handler."""

from __future__ import annotations

import contextlib
import logging
import os
import re
import secrets
from collections.abc import Awaitable, Callable
from typing import Any

from telegram import BotCommand, LinkPreviewOptions, Message, MessageEntity, Update
from telegram.constants import ParseMode
from telegram.ext import (
    AIORateLimiter,
    ApplicationBuilder,
    CommandHandler,
    Defaults,
    MessageHandler,
    TypeHandler,
    filters,
)

from bot.context import CONTEXT_TYPES, BriefbotApp
from bot.handlers import digests, documents, feeds, housekeeping, library, questions, watches
from bot.inbox import HoldingQueue, Inbox
from bot.runtime import Runtime
from bot.services import Services, open_services
from bot.settings import Settings
from bot.state import BotState

log = logging.getLogger(__name__)

ServicesFactory = Callable[[Settings], Awaitable[Services]]
WEBHOOK_PATH = "telegram"


def _new_messages() -> filters.BaseFilter:
    # Edited messages are never re-ingested or re-answered.
    return filters.UpdateType.MESSAGE


class _AddressedToBot(filters.MessageFilter):
    """A message that @mentions this bot by its username, or replies to one of its messages.

    With privacy mode off the bot sees every group message: a mention of someone else, or a reply to
    someone else, is people talking among themselves, and must neither be answered nor have its links
    stored. Commands are addressed by PTB's own check of `/cmd@username`.
    """

    def filter(self, message: Message) -> bool:
        bot = message.get_bot()
        reply = message.reply_to_message
        if reply is not None and reply.from_user is not None and reply.from_user.id == bot.id:
            return True
        mention = f"@{bot.username}".lower() if bot.username else None
        mentioned = [
            *message.parse_entities([MessageEntity.MENTION]).values(),
            *message.parse_caption_entities([MessageEntity.MENTION]).values(),
        ]
        if mention is not None and any(text.lower() == mention for text in mentioned):
            return True
        return any(
            e.type == MessageEntity.TEXT_MENTION and e.user is not None and e.user.id == bot.id
            for e in (*message.entities, *message.caption_entities)
        )


def _addressed_in_group() -> filters.BaseFilter:
    """In groups the bot only listens when it is mentioned or replied to (or via its commands)."""
    return filters.ChatType.GROUPS & _AddressedToBot()


def build_application(
    settings: Settings,
    *,
    services_factory: ServicesFactory | None = None,
    connection_pool_size: int = 64,
) -> BriefbotApp:
    token = settings.secret(settings.telegram_bot_token)
    if not token:
        raise ValueError("TELEGRAM_BOT_TOKEN is not set; get one from @BotFather (see README)")
    factory = services_factory or open_services

    async def post_init(app: BriefbotApp) -> None:
        services = await factory(settings)
        inbox = Inbox(settings.state_path)
        rt = Runtime(
            settings=settings, services=services, state=BotState(settings.state_path), application=app,
            inbox=inbox,
        )  # fmt: skip
        app.bot_data.runtime = rt
        await app.bot.set_my_commands([BotCommand(name, text) for name, text in housekeeping.COMMANDS])
        await rt.restore_migrations()
        scheduled = await rt.restore_schedule()
        # From here on, every article stored (by this process or the CLI beside it) is checked for watches.
        await rt.watcher.start()
        rt.prepare_answers()
        rt.schedule_polling()
        queue.wanted = lambda update: library.adds_articles(update) and (
            # A channel's posts may be for the chats that follow it, allowed or not the channel itself.
            update.channel_post is not None
            or rt.access.allows(update.effective_chat.id if update.effective_chat else 0)
        )
        queue.inbox = inbox
        for payload in await inbox.take_pending():
            # Handled again from the start: links already stored get "Already stored", the rest are fetched.
            await queue.put(Update.de_json(payload, app.bot))
        # An index of an earlier embedder build is re-embedded while it keeps answering (bot.services).
        services.start_upgrade()
        if not settings.allowed_chat_ids:
            log.warning("ALLOWED_CHAT_IDS is empty: the bot will only tell chats their id")
        log.info("briefbot ready: %s; %d digest subscriptions", services.backends, scheduled)

    async def post_shutdown(app: BriefbotApp) -> None:
        if app.bot_data.runtime is not None:
            await app.bot_data.runtime.aclose()

    queue = HoldingQueue()
    builder = (
        ApplicationBuilder()
        .token(token)
        .context_types(CONTEXT_TYPES)
        .update_queue(queue)
        .base_url(settings.telegram_api_base_url)
        .base_file_url(settings.telegram_api_base_url.replace("/bot", "/file/bot"))
        .defaults(
            Defaults(parse_mode=ParseMode.HTML, link_preview_options=LinkPreviewOptions(is_disabled=True))
        )
        .rate_limiter(AIORateLimiter(max_retries=3))
        # A slow answer in one chat must not hold up the others.
        .concurrent_updates(True)
        .connection_pool_size(connection_pool_size)
        .get_updates_connection_pool_size(2)
        .post_init(post_init)
        .post_shutdown(post_shutdown)
    )
    app = builder.build()
    register_handlers(app)
    return app


def register_handlers(app: BriefbotApp) -> None:
    new = _new_messages()
    app.add_handler(TypeHandler(Update, housekeeping.gate), group=-1)
    app.add_handler(CommandHandler(["start", "help"], housekeeping.start, filters=new))
    app.add_handler(CommandHandler("ask", questions.ask, filters=new))
    app.add_handler(CommandHandler("stance", questions.stance, filters=new))
    app.add_handler(CommandHandler("digest", digests.digest, filters=new))
    app.add_handler(CommandHandler("watch", watches.watch, filters=new))
    app.add_handler(CommandHandler("unwatch", watches.unwatch, filters=new))
    app.add_handler(CommandHandler("watches", watches.watches, filters=new))
    app.add_handler(CommandHandler("sources", library.sources, filters=new))
    app.add_handler(CommandHandler("forget", library.forget, filters=new))
    app.add_handler(CommandHandler("status", library.status, filters=new))
    app.add_handler(CommandHandler("follow", feeds.follow, filters=new))
    app.add_handler(CommandHandler("unfollow", feeds.unfollow, filters=new))
    app.add_handler(CommandHandler("following", feeds.following, filters=new))
    # Posts of channels the bot administers (edited ones are never re-ingested).
    app.add_handler(MessageHandler(filters.UpdateType.CHANNEL_POST, feeds.channel_post))
    app.add_handler(MessageHandler(filters.StatusUpdate.MIGRATE, housekeeping.migrate))
    # Documents before text: a document's caption is not a question. In groups, only when addressed.
    document = filters.Document.ALL & new
    app.add_handler(MessageHandler(document & filters.ChatType.PRIVATE, documents.store_document))
    app.add_handler(MessageHandler(document & _addressed_in_group(), documents.store_document))
    content = (filters.TEXT | filters.CAPTION) & ~filters.COMMAND & new
    app.add_handler(MessageHandler(content & filters.ChatType.PRIVATE, questions.on_message))
    app.add_handler(MessageHandler(content & _addressed_in_group(), questions.on_message))
    # Media without text in a private chat (a group's is chatter unless addressed, which needs text).
    media = ~(filters.TEXT | filters.CAPTION) & ~filters.StatusUpdate.ALL & new
    app.add_handler(MessageHandler(media & filters.ChatType.PRIVATE, library.unreadable))
    # Last in the chain: the update's links or forward were handled (or failed with a card).
    app.add_handler(TypeHandler(Update, library.handled), group=99)
    app.add_error_handler(housekeeping.on_error)


# `timeout` is PTB's long-poll length, passed through to getUpdates; it bounds no wait of ours.
async def start_polling(app: BriefbotApp, *, poll_interval: float = 0.0, timeout: int = 10) -> None:  # noqa: ASYNC109
    """What `run_polling` does before it blocks, usable inside an already running event loop
    (tests, bench)."""
    await app.initialize()
    if app.post_init is not None:
        await app.post_init(app)
    await app.start()
    assert app.updater is not None
    await app.updater.start_polling(
        poll_interval=poll_interval, timeout=timeout, allowed_updates=Update.ALL_TYPES
    )


_SECRET_FILE = "webhook-secret"
_SECRET_CHARS = re.compile(r"[A-Za-z0-9_-]{16,256}")


def webhook_secret(settings: Settings) -> str:
    """The secret Telegram must send with every webhook update: TELEGRAM_WEBHOOK_SECRET, or one generated
    once and kept in the data dir (readable by its owner only).

    Without one, anyone who finds the webhook URL can post updates posing as any allowed chat.
    """
    configured = settings.secret(settings.telegram_webhook_secret)
    if configured:
        return configured
    path = settings.data_dir / _SECRET_FILE
    with contextlib.suppress(FileNotFoundError):
        kept = path.read_text(encoding="ascii").strip()
        if _SECRET_CHARS.fullmatch(kept):
            return kept
        log.warning("%s does not hold a usable webhook secret; a new one replaces it", path)
        path.unlink()
    token = secrets.token_urlsafe(32)  # Telegram allows A-Z, a-z, 0-9, _ and -, up to 256 characters
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as out:
        out.write(token + "\n")
    log.info("TELEGRAM_WEBHOOK_SECRET is not set: generated one and kept it in %s", path)
    return token


def _webhook_options(settings: Settings) -> dict[str, Any]:
    assert settings.telegram_webhook_url
    return {
        "listen": settings.telegram_webhook_listen,
        "port": settings.telegram_webhook_port,
        "url_path": WEBHOOK_PATH,
        "webhook_url": settings.telegram_webhook_url,
        "secret_token": webhook_secret(settings),
        "allowed_updates": Update.ALL_TYPES,
    }


async def start_webhook(app: BriefbotApp, settings: Settings) -> None:
    """What `run_webhook` does before it blocks: PTB's webhook server, registered with the Bot API."""
    options = _webhook_options(settings)
    await app.initialize()
    if app.post_init is not None:
        await app.post_init(app)
    await app.start()
    assert app.updater is not None
    await app.updater.start_webhook(**options)


async def stop_polling(app: BriefbotApp) -> None:
    if app.updater is not None and app.updater.running:
        await app.updater.stop()
    if app.running:
        await app.stop()
    if app.post_shutdown is not None:
        await app.post_shutdown(app)
    await app.shutdown()


def run(settings: Settings) -> None:
    """Blocking entry point for `briefbot run` and `python -m bot`."""
    app = build_application(settings)
    if settings.telegram_webhook_url:
        app.run_webhook(**_webhook_options(settings))
    else:
        app.run_polling(allowed_updates=Update.ALL_TYPES)
