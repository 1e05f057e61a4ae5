"""Webhook mode: PTB's webhook server behind a secret token, registered with the local Bot API server."""

from __future__ import annotations

from pathlib import Path

from bot.app import WEBHOOK_PATH, build_application, start_webhook, stop_polling
from bot.services import open_services
from retrieval.embed import LocalEmbedder
from tests.support.bot_env import keep_embedder_open
from tests.support.chroma_server import free_port
from tests.support.corpus import make_settings
from tests.support.telegram_server import BotApiServer

CHAT = 1001


async def test_webhook_secret_and_repeated_updates(tmp_path: Path, embedder: LocalEmbedder) -> None:
    port = free_port()
    async with BotApiServer() as tg:
        settings = make_settings(
            tmp_path / "data",
            telegram_bot_token=tg.token,
            telegram_api_base_url=f"{tg.url}/bot",
            allowed_chat_ids=[CHAT],
            telegram_webhook_url=f"https://bot.example.org/{WEBHOOK_PATH}",
            telegram_webhook_listen="127.0.0.1",
            telegram_webhook_port=port,
            telegram_webhook_secret="s3cret-token_1",
        )

        async def factory(s):  # type: ignore[no-untyped-def]
            return await open_services(s, embedder=embedder)

        app = build_application(settings, services_factory=factory)
        await start_webhook(app, settings)
        try:
            [registered] = tg.calls_to("setWebhook")
            assert registered.params["url"] == "https://bot.example.org/telegram"
            assert registered.params["secret_token"] == "s3cret-token_1"
            assert not tg.calls_to("getUpdates")  # no polling in webhook mode

            hook = f"http://127.0.0.1:{port}/{WEBHOOK_PATH}"
            update = tg.make_command(CHAT, "help")
            assert await tg.deliver_webhook(hook, dict(update)) == 403
            assert await tg.deliver_webhook(hook, dict(update), secret_token="wrong") == 403
            assert await tg.deliver_webhook(hook, dict(update), secret_token="s3cret-token_1") == 200
            # Telegram redelivers the same update: it is answered once.
            assert await tg.deliver_webhook(hook, dict(update), secret_token="s3cret-token_1") == 200
            # Then a later, distinct update: a question, whose handler shows "typing…" and searches before it
            # answers. The webhook queues updates in the order they arrive (the 200 above means the repeat is
            # queued already) and dispatches them in that order, so had the repeat been handled, its quick
            # help text would be out before this slower answer.
            later = tg.make_text_message(CHAT, "What did the central bank decide about rates?")
            assert await tg.deliver_webhook(hook, dict(later), secret_token="s3cret-token_1") == 200
            await tg.wait_for_call("sendMessage", count=2)
            help_reply, answer = tg.sent_messages(CHAT)
            assert "/digest" in str(help_reply.params["text"])
            assert "/digest" not in str(answer.params["text"])
            assert tg.calls_to("sendChatAction")  # the later update is the question, handled after the repeat
        finally:
            keep_embedder_open(app)
            await stop_polling(app)


async def test_without_a_configured_secret_one_is_generated_kept_and_required(
    tmp_path: Path, embedder: LocalEmbedder
) -> None:
    async with BotApiServer() as tg:
        settings = make_settings(
            tmp_path / "data",
            telegram_bot_token=tg.token,
            telegram_api_base_url=f"{tg.url}/bot",
            allowed_chat_ids=[CHAT],
            telegram_webhook_url=f"https://bot.example.org/{WEBHOOK_PATH}",
            telegram_webhook_listen="127.0.0.1",
            telegram_webhook_port=free_port(),
        )
        assert settings.telegram_webhook_secret is None
        hook = f"http://127.0.0.1:{settings.telegram_webhook_port}/{WEBHOOK_PATH}"
        registered: list[str] = []
        for _ in range(2):  # a restart keeps the secret Telegram was given
            app = build_application(settings, services_factory=lambda s: open_services(s, embedder=embedder))
            await start_webhook(app, settings)
            try:
                secret = tg.calls_to("setWebhook")[-1].params["secret_token"]
                registered.append(secret)
                assert len(secret) >= 32
                forged = tg.make_command(CHAT, "help")  # anyone who finds the URL could post this
                assert await tg.deliver_webhook(hook, dict(forged)) == 403
                assert await tg.deliver_webhook(hook, dict(forged), secret_token="guess") == 403
                assert await tg.deliver_webhook(hook, dict(forged), secret_token=secret) == 200
            finally:
                keep_embedder_open(app)
                await stop_polling(app)
        assert registered[0] == registered[1]
        kept = settings.data_dir / "webhook-secret"
        assert kept.read_text().strip() == registered[0]
        assert kept.stat().st_mode & 0o077 == 0  # readable by the bot's user only
