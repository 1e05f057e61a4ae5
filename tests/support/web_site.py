"""A tiny news site on a loopback port, for fetching tests: path -> (status, content type, body)."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Mapping

from aiohttp import web


@contextlib.asynccontextmanager
async def serve_pages(
    pages: Mapping[str, tuple[int, str, bytes | str]],
    *,
    hold: asyncio.Event | None = None,
    requested: list[str] | None = None,
) -> AsyncIterator[str]:
    """Serve fixed pages; unknown paths are 404. Yields the base URL.

    With `hold`, every response waits until the event is set (a site that hangs); `requested` collects
    the paths asked for, as requests arrive."""

    async def handle(request: web.Request) -> web.Response:
        if requested is not None:
            requested.append(request.path)
        if hold is not None:
            await hold.wait()
        status, content_type, body = pages.get(request.path, (404, "text/plain", "not here"))
        data = body.encode() if isinstance(body, str) else body
        return web.Response(status=status, body=data, content_type=content_type)

    app = web.Application()
    app.router.add_get("/{tail:.*}", handle)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        await runner.cleanup()


async def every_name_is_loopback(host: str, port: int) -> list[str]:
    """A resolver (see `HttpFetcher(resolver=…)`) that points every host name at the local test site, so
    pages can be fetched under the names they claim (`news.test`, `www.reuters.com`)."""
    return ["127.0.0.1"]


def under_host(base: str, host: str) -> str:
    """`base` (http://127.0.0.1:PORT) under another host name, for `every_name_is_loopback`."""
    return base.replace("127.0.0.1", host, 1)
