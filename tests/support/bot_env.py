"""The real bot for tests: python-telegram-bot's Application polling the local Bot API test server.

`running_bot` starts it on a data dir with per-test settings; `Env` pushes updates and waits for replies.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot.app import build_application, start_polling, stop_polling
from bot.runtime import Runtime
from bot.services import open_services
from retrieval.embed import LocalEmbedder
from retrieval.fetch import HttpFetcher
from tests.support.corpus import make_settings
from tests.support.telegram_server import BotApiServer, parse_telegram_html
from tests.support.web_site import every_name_is_loopback

ALICE, BOB, GROUP, STRANGER = 1001, 1002, -500, 4242


@dataclass
class Env:
    tg: BotApiServer
    app: Any
    tmp: Path

    @property
    def rt(self) -> Runtime:
        return self.app.bot_data.runtime  # type: ignore[no-any-return]

    async def send(
        self, update: dict[str, Any], *, reply_count: int = 1, chat: int | None = None
    ) -> list[Any]:
        """Push an update and wait until the bot has sent `reply_count` more messages to that chat."""
        chat_id = chat if chat is not None else update["message"]["chat"]["id"]
        before = len(self.tg.sent_messages(chat_id))
        self.tg.push_update(update)
        for _ in range(600):
            sent = self.tg.sent_messages(chat_id)
            if len(sent) >= before + reply_count:
                return sent[before:]
            await asyncio.sleep(0.05)
        raise AssertionError(f"no reply in chat {chat_id}; calls: {[c.method for c in self.tg.calls[-10:]]}")


CHATS = [ALICE, BOB, GROUP, *range(2000, 2010)]


@contextlib.asynccontextmanager
async def running_bot(
    tg: BotApiServer,
    data_dir: Path,
    embedder: LocalEmbedder | None,
    *,
    api_url: str | None = None,
    fetcher: HttpFetcher | None = None,
    **overrides: Any,
) -> AsyncIterator[Env]:
    """The real bot on `data_dir`, polling `tg` (or a relay in front of it at `api_url`); stopped on exit.

    Without `fetcher`, the one the settings build is used, so fetch caps are those a deployment gets;
    without `embedder`, likewise the one the settings configure (the shared local one is faster to reuse).
    """
    settings = make_settings(
        data_dir,
        telegram_bot_token=tg.token,
        telegram_api_base_url=f"{api_url or tg.url}/bot",
        allowed_chat_ids=overrides.pop("allowed_chat_ids", CHATS),
        questions_per_minute=overrides.pop("questions_per_minute", 100),
        links_per_minute=overrides.pop("links_per_minute", 100),
        **overrides,
    )

    async def factory(s: Any) -> Any:
        return await open_services(s, embedder=embedder, fetcher=fetcher)

    app = build_application(settings, services_factory=factory)
    try:
        await start_polling(app, timeout=1)
    except BaseException:
        await app.shutdown()  # post_init failed: nothing else was started
        raise
    try:
        yield Env(tg, app, data_dir)
    finally:
        if embedder is not None:
            keep_embedder_open(app)
        await stop_polling(app)


async def make_env(tmp_path: Path, embedder: LocalEmbedder, **overrides: Any) -> AsyncIterator[Env]:
    """The bot on a fresh data dir under `tmp_path`, fetching from loopback test sites under any name."""
    async with BotApiServer() as tg, running_bot(
        tg, tmp_path / "data", embedder,
        fetcher=HttpFetcher(allow_private_networks=True, resolver=every_name_is_loopback),
        fetch_allow_private_networks=True, **overrides,
    ) as env:  # fmt: skip
        yield Env(tg, env.app, tmp_path)


def keep_embedder_open(app: Any) -> None:
    """The session-wide embedder must survive this bot's shutdown."""
    app.bot_data.runtime.services.embedder.aclose = _noop


async def _noop() -> None:
    return None


def html_of(call: Any) -> str:
    return str(call.params.get("text") or call.params.get("caption") or "")


def links_in(html: str) -> list[str]:
    _, entities = parse_telegram_html(html)
    return [e["url"] for e in entities if e["type"] == "text_link"]


