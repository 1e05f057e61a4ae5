"""Name resolution and the connection step, where the address check actually bites.

httpcore asks its network backend to connect to (host, port). `PinnedBackend` answers by
resolving the host once, refusing unless every address is allowed, and opening the socket to
one of those same checked addresses. The host name itself never reaches a second resolver, so a
DNS answer that changes between check and connect (rebinding) cannot redirect the connection.
TLS is started afterwards by httpcore on the returned stream with the original host name as
SNI and for certificate checking, so pinning the address does not weaken TLS.
"""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Awaitable, Callable, Iterable, Sequence

import httpcore

from ._netguard import IPAddress, non_public_reason, parse_ip_literal
from ._target import ALLOWED_PORTS
from ._types import FetchError

Resolver = Callable[[str, int], Awaitable[Sequence[IPAddress | str]]]
"""Resolves (host, port) to addresses; injectable so tests can play a hostile DNS server."""

# A host with dozens of addresses gains nothing from trying them all within one deadline.
_MAX_ATTEMPTS = 4


async def system_resolver(host: str, port: int) -> list[IPAddress | str]:
    loop = asyncio.get_running_loop()
    infos = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM, proto=socket.IPPROTO_TCP)
    return [str(info[4][0]) for info in infos]


class PinnedBackend(httpcore.AsyncNetworkBackend):
    def __init__(
        self,
        *,
        resolver: Resolver,
        allow_private_networks: bool,
        inner: httpcore.AsyncNetworkBackend | None = None,
    ) -> None:
        self._resolver = resolver
        self._allow_private = allow_private_networks
        self._inner = inner if inner is not None else httpcore.AnyIOBackend()

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,  # noqa: ASYNC109 - the httpcore interface
        local_address: str | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        if not self._allow_private and port not in ALLOWED_PORTS:
            raise FetchError(f"refused: port {port} is not allowed (only 80 and 443)")
        addresses = await self.checked_addresses(host, port)
        last_error: Exception | None = None
        for address in addresses[:_MAX_ATTEMPTS]:
            try:
                return await self._inner.connect_tcp(
                    str(address),
                    port,
                    timeout=timeout,
                    local_address=local_address,
                    socket_options=socket_options,
                )
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                last_error = exc
        assert last_error is not None
        raise last_error

    async def checked_addresses(self, host: str, port: int) -> list[IPAddress]:
        """Every address `host` stands for, all of them allowed, in the resolver's order."""
        literal = parse_ip_literal(host)
        if literal is not None:
            answers: Sequence[IPAddress | str] = [literal]
        else:
            try:
                answers = await self._resolver(host, port)
            except OSError as exc:
                raise FetchError(f"could not resolve {host}") from exc
        addresses: list[IPAddress] = []
        for answer in answers:
            address = answer if not isinstance(answer, str) else parse_ip_literal(answer)
            if address is None:
                raise FetchError(f"could not resolve {host}: resolver returned {answer!r}")
            if address not in addresses:
                addresses.append(address)
        if not addresses:
            raise FetchError(f"could not resolve {host}")
        if not self._allow_private:
            # One bad answer spoils the lot: the attacker may control which one a retry would pick.
            for address in addresses:
                reason = non_public_reason(address)
                if reason is None:
                    continue
                if literal is not None:
                    raise FetchError(f"refused: address {address} is not public ({reason})")
                raise FetchError(f"refused: {host} resolves to {address}, which is not public ({reason})")
        return addresses

    async def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,  # noqa: ASYNC109 - the httpcore interface
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        raise FetchError("refused: unix sockets are not fetched")

    async def sleep(self, seconds: float) -> None:
        await self._inner.sleep(seconds)
