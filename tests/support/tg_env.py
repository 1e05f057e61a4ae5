"""Helpers for the hostile suite: a running bot with per-test settings, and a TCP relay that can cut links.

The bot is the real Application (bot.app.build_application) polling tests/support's BotApiServer; its
services come from open_services with the fetcher built from the settings, so the fetch caps and the
private-network switch are the ones a deployment would get.
"""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any

from tests.support.bot_env import ALICE, BOB, CHATS, GROUP, Env, html_of, running_bot

__all__ = ["ALICE", "BOB", "CHATS", "GROUP", "CutProxy", "Env", "html_of", "running_bot", "wait_until"]


async def wait_until(condition: Any, timeout: float = 15.0, what: str = "condition") -> None:  # noqa: ASYNC109
    """Poll a sync or async predicate until it holds."""
    try:
        async with asyncio.timeout(timeout):
            while True:
                value = condition()
                if asyncio.iscoroutine(value):
                    value = await value
                if value:
                    return
                await asyncio.sleep(0.02)
    except TimeoutError:
        raise AssertionError(f"timed out waiting for {what}") from None


class CutProxy:
    """A TCP relay in front of the Bot API server; `cut` drops every live connection, like a flaky link.

    The bot's HTTP client then sees connections reset mid-request (a long poll in flight) and refused
    reconnects, which is what a network outage looks like from inside the process.
    """

    def __init__(self, target_port: int) -> None:
        self.target_port = target_port
        self.url = ""
        self.refused = 0
        self._refuse_next = 0
        self._server: asyncio.Server | None = None
        self._links: set[tuple[asyncio.StreamWriter, asyncio.StreamWriter]] = set()
        self._tasks: set[asyncio.Task[None]] = set()

    async def __aenter__(self) -> CutProxy:
        self._server = await asyncio.start_server(self._accept, "127.0.0.1", 0)
        self.url = f"http://127.0.0.1:{self._server.sockets[0].getsockname()[1]}"
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        assert self._server is not None
        self._server.close()
        self._abort_all()
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)

    def cut(self, *, refuse_next: int = 0) -> None:
        """Reset every open connection, then hang up on the next `refuse_next` new ones."""
        self._refuse_next = refuse_next
        self._abort_all()

    def _abort_all(self) -> None:
        for client, upstream in list(self._links):
            client.transport.abort()
            upstream.transport.abort()
        self._links.clear()

    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        if self._refuse_next > 0:
            self._refuse_next -= 1
            self.refused += 1
            writer.transport.abort()
            return
        up_reader, up_writer = await asyncio.open_connection("127.0.0.1", self.target_port)
        link = (writer, up_writer)
        self._links.add(link)
        pumps = [
            asyncio.create_task(self._pump(reader, up_writer)),
            asyncio.create_task(self._pump(up_reader, writer)),
        ]
        self._tasks.update(pumps)
        try:
            await asyncio.gather(*pumps, return_exceptions=True)
        finally:
            self._tasks.difference_update(pumps)
            self._links.discard(link)
            for w in link:
                w.transport.abort()

    @staticmethod
    async def _pump(source: asyncio.StreamReader, sink: asyncio.StreamWriter) -> None:
        with contextlib.suppress(ConnectionError, OSError):
            while data := await source.read(65536):
                sink.write(data)
                await sink.drain()
        with contextlib.suppress(ConnectionError, OSError, RuntimeError):
            sink.write_eof()
