"""The wiring root: one ApplicationBuilder, the access gate, the handlers, the digest jobs,
the error handler."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from telegram import BotCommand, LinkPreviewOptions, Update
from telegram.constants import ParseMode
from telegram.ext import (
    AIORateLimiter,
    Application,
    ApplicationBuilder,
    CommandHandler,
    Defaults,
    MessageHandler,
    TypeHandler,
    filters,
)

from bot import handlers
from bot.runtime import Runtime
from bot.services import Services, open_services
from bot.settings import Settings
from bot.state import BotState

log = logging.getLogger(__name__)

ServicesFactory = Callable[[Settings], Awaitable[Services]]
AnyApp = Application[Any, Any, Any, Any, Any, Any]
WEBHOOK_PATH = "telegram"


def _new_messages() -> filters.BaseFilter:
    # Edited messages are never re-ingested or re-answered.
    return filters.UpdateType.MESSAGE


def _addressed_in_group() -> filters.BaseFilter:
    """In groups the bot only listens when mentioned or replied to (or via commands)."""
    return filters.ChatType.GROUPS & (filters.Entity("mention") | filters.REPLY)


def build_application(
    settings: Settings,
    *,
    services_factory: ServicesFactory | None = None,
    connection_pool_size: int = 64,
) -> AnyApp:
    token = settings.secret(settings.telegram_bot_token)
    if not token:
        raise ValueError("TELEGRAM_BOT_TOKEN is not set; get one from @BotFather (see README)")
    factory = services_factory or open_services

    async def post_init(app: AnyApp) -> None:
        from briefing.briefer import build_briefer

        services = await factory(settings)
        state = BotState(settings.state_path)
        rt_holder: dict[str, Runtime] = {}

        async def quota_exhausted() -> None:
            await rt_holder["rt"].notify_admin_once(
                "llm-quota",
                "briefbot: the LLM endpoint reports its quota is used up; answers fall back to offline.",
            )

        briefer = build_briefer(services, on_quota_exhausted=quota_exhausted)
        rt = Runtime(settings=settings, services=services, briefer=briefer, state=state, application=app)
        rt_holder["rt"] = rt
        app.bot_data["runtime"] = rt
        await app.bot.set_my_commands([BotCommand(name, text) for name, text in handlers.COMMANDS])
        scheduled = await rt.restore_schedule()
        if not settings.allowed_chat_ids:
            log.warning("ALLOWED_CHAT_IDS is empty: the bot will only tell chats their id")
        log.info("briefbot ready: %s; %d digest subscriptions", services.backends, scheduled)

    async def post_shutdown(app: AnyApp) -> None:
        rt: Runtime | None = app.bot_data.get("runtime")
        if rt is not None:
            await rt.briefer.aclose()
            await rt.services.aclose()
            rt.state.close()

    builder = (
        ApplicationBuilder()
        .token(token)
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


def register_handlers(app: AnyApp) -> None:
    new = _new_messages()
    app.add_handler(TypeHandler(Update, handlers.gate), group=-1)
    app.add_handler(CommandHandler(["start", "help"], handlers.start, filters=new))
    app.add_handler(CommandHandler("ask", handlers.ask, filters=new))
    app.add_handler(CommandHandler("stance", handlers.stance, filters=new))
    app.add_handler(CommandHandler("digest", handlers.digest, filters=new))
    app.add_handler(CommandHandler("sources", handlers.sources, filters=new))
    app.add_handler(CommandHandler("forget", handlers.forget, filters=new))
    app.add_handler(CommandHandler("status", handlers.status, filters=new))
    app.add_handler(MessageHandler(filters.StatusUpdate.MIGRATE, handlers.migrate))
    content = (filters.TEXT | filters.CAPTION) & ~filters.COMMAND & new
    app.add_handler(MessageHandler(content & filters.ChatType.PRIVATE, handlers.on_message))
    app.add_handler(MessageHandler(content & _addressed_in_group(), handlers.on_message))
    app.add_error_handler(handlers.on_error)


# `timeout` is PTB's long-poll length, passed through to getUpdates; it bounds no wait of ours.
async def start_polling(app: AnyApp, *, poll_interval: float = 0.0, timeout: int = 10) -> None:  # noqa: ASYNC109
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


async def start_webhook(app: AnyApp, settings: Settings) -> None:
    """What `run_webhook` does before it blocks: PTB's webhook server, registered with the Bot API."""
    await app.initialize()
    if app.post_init is not None:
        await app.post_init(app)
    await app.start()
    assert app.updater is not None and settings.telegram_webhook_url
    await app.updater.start_webhook(
        listen=settings.telegram_webhook_listen,
        port=settings.telegram_webhook_port,
        url_path=WEBHOOK_PATH,
        webhook_url=settings.telegram_webhook_url,
        secret_token=settings.secret(settings.telegram_webhook_secret),
        allowed_updates=Update.ALL_TYPES,
    )


async def stop_polling(app: AnyApp) -> None:
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
        secret = settings.secret(settings.telegram_webhook_secret)
        app.run_webhook(
            listen=settings.telegram_webhook_listen,
            port=settings.telegram_webhook_port,
            url_path=WEBHOOK_PATH,
            webhook_url=settings.telegram_webhook_url,
            secret_token=secret,
            allowed_updates=Update.ALL_TYPES,
        )
    else:
        app.run_polling(allowed_updates=Update.ALL_TYPES)
