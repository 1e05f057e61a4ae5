"""A loopback HTTP server whose handlers write raw bytes, so a test can make it misbehave on purpose."""

from __future__ import annotations

import asyncio
import ssl
import zlib
from collections.abc import Awaitable, Callable

Handler = Callable[[asyncio.StreamWriter], Awaitable[None]]


CHUNK = 64 * 1024


def head(status: int, headers: dict[str, str]) -> bytes:
    lines = [f"HTTP/1.1 {status} X"] + [f"{k}: {v}" for k, v in headers.items()] + ["Connection: close"]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


def reply(
    status: int = 200, body: bytes = b"", content_type: str | None = "text/html", **headers: str
) -> Handler:
    fields = {"Content-Length": str(len(body))}
    if content_type is not None:
        fields["Content-Type"] = content_type
    fields.update({k.replace("_", "-"): v for k, v in headers.items()})

    async def handler(writer: asyncio.StreamWriter) -> None:
        writer.write(head(status, fields) + body)
        await writer.drain()

    return handler


def redirect(location: str, status: int = 302) -> Handler:
    return reply(status, b"", content_type=None, Location=location)


class LocalServer:
    def __init__(self, ssl_context: ssl.SSLContext | None = None) -> None:
        self.routes: dict[str, Handler] = {}
        self.connections = 0
        self.requests: list[tuple[str, dict[str, str]]] = []
        self._ssl = ssl_context
        self._server: asyncio.Server | None = None
        self._tasks: set[asyncio.Task[None]] = set()

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", 0, ssl=self._ssl)

    @property
    def port(self) -> int:
        assert self._server is not None
        return int(self._server.sockets[0].getsockname()[1])

    def url(self, path: str = "/", host: str = "127.0.0.1") -> str:
        return f"http://{host}:{self.port}{path}"

    async def close(self) -> None:
        assert self._server is not None
        self._server.close()
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        await self._server.wait_closed()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._tasks.add(task)  # type: ignore[arg-type]
        self.connections += 1
        try:
            head_bytes = await reader.readuntil(b"\r\n\r\n")
            request_line, *lines = head_bytes.decode("latin-1").split("\r\n")
            headers = {k.strip().lower(): v.strip() for k, _, v in (ln.partition(":") for ln in lines if ln)}
            path = request_line.split(" ")[1]
            self.requests.append((path, headers))
            handler = self.routes.get(path.partition("?")[0], reply(404, b"not here"))
            await handler(writer)
        except (ConnectionError, OSError, asyncio.IncompleteReadError, ssl.SSLError):
            pass  # the client hung up on purpose (cap, deadline, refused TLS)
        finally:
            self._tasks.discard(task)  # type: ignore[arg-type]
            writer.close()


def gzip_of_zeros(size: int) -> bytes:
    squeezer = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    block = bytes(1 << 20)
    parts = [squeezer.compress(block) for _ in range(size >> 20)]
    parts.append(squeezer.flush())
    return b"".join(parts)


def sending(payload: bytes, **headers: str) -> Handler:
    async def handler(writer: asyncio.StreamWriter) -> None:
        fields = {"Content-Type": "text/html", **{k.replace("_", "-"): v for k, v in headers.items()}}
        writer.write(head(200, fields))
        for start in range(0, len(payload), CHUNK):
            writer.write(payload[start : start + CHUNK])
            await writer.drain()

    return handler


def dripping(*, send_headers: bool) -> Handler:
    async def handler(writer: asyncio.StreamWriter) -> None:
        if send_headers:
            writer.write(head(200, {"Content-Type": "text/html", "Content-Length": "1000"}))
        while True:
            if send_headers:
                writer.write(b"a")
                await writer.drain()
            await asyncio.sleep(0.25)

    return handler
