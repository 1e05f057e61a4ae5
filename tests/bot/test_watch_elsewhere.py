"""Watch alerts for articles another process stored: `briefbot ingest` beside the running bot (a Chroma server
lets both write), while the bot was down, and half-stored ones.

The running bot never hears of these articles from inside itself: its catch-up job reads the library past its
cursor every polling interval (here every second) and must alert from there, once.
"""

from __future__ import annotations

import asyncio
import os
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from bot.watching import CURSOR
from retrieval.embed import LocalEmbedder
from retrieval.fetch import HttpFetcher
from retrieval.store import Extracted
from tests.support.bot_env import ALICE, BOB, Env, html_of, links_in, running_bot
from tests.support.chroma_server import ChromaServer
from tests.support.telegram_server import BotApiServer
from tests.support.tg_env import wait_until
from tests.support.web_site import every_name_is_loopback

NEVER = (
    "Kremlin spokesman Dmitry Peskov said the four annexed regions would never be returned to Ukraine. "
    "He spoke to reporters in Moscow after a meeting of the Security Council on the war."
)
READY = (
    "Kremlin spokesman Dmitry Peskov said Russia was ready to discuss the return of the annexed regions to "
    "Ukraine. The remarks surprised diplomats who had expected a harder line before the summit."
)
LAVROV = (
    "Foreign Minister Sergei Lavrov said the new sanctions would not change Russia's course. He spoke at a "
    "news conference in Moscow with his Turkish counterpart."
)


@pytest.fixture
def store(chroma_server: ChromaServer, request: pytest.FixtureRequest) -> Iterator[dict[str, Any]]:
    """Settings of a Chroma server database of this test's own: the bot and the CLI both write to it."""
    name = f"elsewhere-{os.getpid()}-{abs(hash(request.node.nodeid)) % 10**8}"
    yield {"chroma_host": chroma_server.host, "chroma_port": chroma_server.port, "chroma_database": name}


def article_file(folder: Path, name: str, text: str, date: str) -> Path:
    path = folder / f"{name}.txt"
    path.write_text(
        f"date {date}\nurl https://{name}.example/report\ntitle {name.title()} report\n"
        f"outlet {name.title()}\n\n{text}\n"
    )
    return path


async def ingest(data: Path, store: dict[str, Any], *files: Path) -> str:
    """`briefbot ingest FILES` in a child process, the bot's event loop going on meanwhile."""
    env = {**os.environ, **{k.upper(): str(v) for k, v in store.items()}, "EMBEDDING_BACKEND": "local"}
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot.cli", "--data-dir", str(data), "ingest", *map(str, files),
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE, env=env,
    )  # fmt: skip
    out, err = await asyncio.wait_for(process.communicate(), timeout=300)
    assert process.returncode == 0, err.decode()
    return out.decode()


def alerts(env: Env, chat: int) -> list[str]:
    return [html_of(c) for c in env.tg.sent_messages(chat) if "Watch:" in html_of(c)]


def bot(tg: BotApiServer, data: Path, embedder: LocalEmbedder, store: dict[str, Any]) -> Any:
    fetcher = HttpFetcher(allow_private_networks=True, resolver=every_name_is_loopback)
    # A round every second: the catch-up job runs as it would every 15 minutes, without the wait.
    return running_bot(tg, data, embedder, fetcher=fetcher, feeds_poll_seconds=1, **store)


async def test_an_article_the_cli_stores_beside_the_bot_brings_the_alert(
    tmp_path: Path, embedder: LocalEmbedder, store: dict[str, Any]
) -> None:
    data = tmp_path / "data"
    async with BotApiServer() as tg, bot(tg, data, embedder, store) as env:
        for chat in (ALICE, BOB):
            await env.send(env.tg.make_command(chat, "watch", "Dmitry Peskov regions"))
        # Another actor first: it must bring nothing, and the alert after it shows the job did run since.
        await ingest(data, store, article_file(tmp_path, "lavrovwire", LAVROV, "2025-03-03"))
        await ingest(data, store, article_file(tmp_path, "tasswire", NEVER, "2025-03-04"))
        await wait_until(lambda: alerts(env, ALICE) and alerts(env, BOB), 60, "the CLI article's alerts")
        [alert] = alerts(env, ALICE)
        assert "Watch: Dmitry Peskov on regions" in alert and "never be returned to Ukraine" in alert
        assert "https://tasswire.example/report" in links_in(alert)  # the CLI's article is shared: both chats
        assert len(alerts(env, BOB)) == 1
        # The rounds after it have passed it by: the cursor is beyond it, and another round alerts nothing.
        stored = await env.rt.services.library.find_by_url("https://tasswire.example/report", scope=None)
        assert stored is not None and (await env.rt.state.cursor(CURSOR) or 0) >= stored.id
        assert await env.rt.watcher.catch_up() == 0
        assert len(alerts(env, ALICE)) == 1 and len(alerts(env, BOB)) == 1


async def test_what_the_cli_stored_while_the_bot_was_down_alerts_once_after_the_restart(
    tmp_path: Path, embedder: LocalEmbedder, store: dict[str, Any]
) -> None:
    data = tmp_path / "data"
    async with BotApiServer() as tg:
        async with bot(tg, data, embedder, store) as env:
            await env.send(env.tg.make_command(ALICE, "watch", "Dmitry Peskov regions"))
        await ingest(
            data, store,
            article_file(tmp_path, "tasswire", NEVER, "2025-03-04"),
            article_file(tmp_path, "ria", READY, "2025-03-06"),
        )  # fmt: skip
        async with bot(tg, data, embedder, store) as env:
            await wait_until(lambda: len(alerts(env, ALICE)) == 2, 60, "both alerts after the restart")
            first, second = alerts(env, ALICE)
            assert "never be returned" in first and "New: no earlier statement" in first
            assert "ready to discuss the return" in second and "Shift: on 4 Mar 2025" in second
        async with bot(tg, data, embedder, store) as env:
            # Another restart: the cursor is past them, no alert comes again.
            await env.rt.catch_up_watches()
            assert len(alerts(env, ALICE)) == 2


async def test_a_half_stored_article_is_waited_for(tmp_path: Path, embedder: LocalEmbedder) -> None:
    async with BotApiServer() as tg, bot(tg, tmp_path / "data", embedder, {}) as env:
        await env.send(env.tg.make_command(ALICE, "watch", "Dmitry Peskov regions"))
        library = env.rt.services.library
        # What another process leaves between writing an article's row and finishing it (statements, index).
        pending = await library.add_article(
            url="https://slow.example/1", title="Slow", outlet="Slow", author=None, published_at=None,
            language="en", text="Not ready yet.", content_hash="slow-1", added_by="shared",
        )  # fmt: skip
        # The next article is stored in full, as the CLI would, without telling the bot.
        item = Extracted(text=NEVER, title="Tass report", url="https://tasswire.example/report", site="Tass",
                         published=datetime(2025, 3, 4, tzinfo=UTC))  # fmt: skip
        [result] = await env.rt.services.ingestor.ingest_many([item])
        assert result.article is not None and result.article.id > pending.id
        await env.rt.catch_up_watches()
        # The statement after it waits: going past the unfinished article would skip it for good.
        assert await env.rt.state.cursor(CURSOR) == pending.id - 1
        assert alerts(env, ALICE) == []
        await library.mark_indexed(pending.id)
        await wait_until(lambda: alerts(env, ALICE), 30, "the alert once the article before it is finished")
        assert (await env.rt.state.cursor(CURSOR) or 0) >= result.article.id
