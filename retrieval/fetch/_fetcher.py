"""Fetching article pages from user-supplied URLs without letting those URLs reach inside the network.

Users send arbitrary links, so every fetch is treated as hostile input: only http(s) on ports
80/443, no credentials, every address the host resolves to must be public, and the connection
is opened to an address that was checked (see `_fetch_network`). Redirects are followed by hand
so each hop goes through the same checks. A total deadline, a size cap on the raw and on the
decompressed body and a short list of text content types bound what one fetch can cost.

Why not httpx-secure (2.0, read before writing this): it checks only the one address its TCP probe
happened to connect to rather than every address the name resolves to, opens that probe (a SYN) to
addresses it then denies, trusts `ipaddress.is_global`, which on Python 3.11 calls 6to4 (2002::/16),
IPv4-compatible (::a.b.c.d) and local-use NAT64 (64:ff9b:1::/48) forms of 127.0.0.1 global, and leaves
ports, schemes, credentials and the odd IPv4 spellings to the caller. Its idea of connecting to the
checked numeric address, never resolving twice, is the one used here (`_fetch_network`).
"""

from __future__ import annotations

import asyncio
import errno
import logging
import re
import ssl
from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Self
from urllib.parse import urljoin

import httpcore
import httpx

from ._body import ACCEPT_ENCODING, ACCEPTED_TYPES, FEED_TYPES, BodyReader, human_size, parse_content_type
from ._network import PinnedBackend, Resolver, system_resolver
from ._target import Target, parse_target
from ._types import FetchedPage, FetchError, sniff_meta_charset

__all__ = ["FetchError", "FetchedPage", "Fetcher", "HttpFetcher", "Resolver", "StaticFetcher", "validate_url"]

logger = logging.getLogger(__name__)

_REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
_ACCEPT = b"text/html,application/xhtml+xml,text/plain;q=0.9,*/*;q=0.1"
_ACCEPT_FEED = (
    b"application/rss+xml,application/atom+xml,application/feed+json,application/xml;q=0.9,text/xml;q=0.9,"
    b"application/json;q=0.9,text/html;q=0.8,*/*;q=0.1"
)
# A validator is sent back as the server gave it; one that could split a header or is absurdly long is not.
_VALIDATOR = re.compile(r"[\x20-\x7e]{1,512}")


@dataclass(frozen=True, slots=True)
class _Ask:
    """What one fetch asks for: the content types it takes, and the validators of a conditional GET."""

    types: Mapping[str, str] = field(default_factory=lambda: ACCEPTED_TYPES)
    accept: bytes = _ACCEPT
    etag: str | None = None
    last_modified: str | None = None

    def headers(self) -> list[tuple[bytes, bytes]]:
        out = [(b"Accept", self.accept)]
        if self.etag and _VALIDATOR.fullmatch(self.etag):
            out.append((b"If-None-Match", self.etag.encode("ascii")))
        if self.last_modified and _VALIDATOR.fullmatch(self.last_modified):
            out.append((b"If-Modified-Since", self.last_modified.encode("ascii")))
        return out


_PAGE = _Ask()
_ERRNO_REASONS = {
    errno.ECONNREFUSED: "connection refused",
    errno.ECONNRESET: "connection reset",
    errno.EHOSTUNREACH: "host unreachable",
    errno.ENETUNREACH: "network unreachable",
}


def validate_url(url: str, *, allow_private_networks: bool = False) -> str:
    """The normalised URL if it may be fetched, judging by its text alone; else FetchError.

    Checks scheme, credentials, host spelling (odd IPv4 forms are read as an address), literal
    addresses and the port. Host names are only resolved, and their addresses checked, by a fetch.
    """
    return parse_target(url, allow_private_networks=allow_private_networks).url


class Fetcher(ABC):
    """The seam between ingestion and the network."""

    @abstractmethod
    async def fetch(self, url: str) -> FetchedPage:
        """The page at `url`, or FetchError with a reason fit for the user."""

    async def fetch_feed(
        self, url: str, *, etag: str | None = None, last_modified: str | None = None
    ) -> FetchedPage:
        """A feed, or the page that names one: XML and JSON feeds are taken besides HTML and text.

        With `etag` / `last_modified` (the validators a previous fetch returned) the request is conditional,
        and an unchanged feed comes back as a page with status 304 and no body (`not_modified`). This
        default, for fetchers that know no feed types, is a plain `fetch`.
        """
        return await self.fetch(url)

    def check(self, url: str) -> str:
        """What `fetch` checks before any network access (scheme, credentials, literal address, port):
        the normalised URL, or FetchError. Callers check a link before they look it up anywhere."""
        return parse_target(url, allow_private_networks=self.allows_private_networks).url

    #: Whether private, loopback and non-standard-port addresses may be fetched (tests, intranets).
    allows_private_networks = False

    async def aclose(self) -> None:
        return None

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()


class HttpFetcher(Fetcher):
    """Fetches over the network. `resolver`, `ssl_context` and `network_backend` are seams for
    tests and intranet deployments; the defaults are the system resolver, the certifi CA bundle
    and real sockets.
    """

    def __init__(
        self,
        *,
        allow_private_networks: bool = False,
        max_bytes: int = 5_000_000,
        deadline: float = 20.0,
        max_redirects: int = 3,
        user_agent: str = "briefbot/0.1 (+news briefing bot)",
        connect_timeout: float = 10.0,
        resolver: Resolver | None = None,
        ssl_context: ssl.SSLContext | None = None,
        network_backend: httpcore.AsyncNetworkBackend | None = None,
    ) -> None:
        self._allow_private = allow_private_networks
        self.allows_private_networks = allow_private_networks
        self._max_bytes = max_bytes
        self._deadline = deadline
        self._max_redirects = max_redirects
        self._headers = [
            (b"User-Agent", user_agent.encode("ascii", "replace")),
            (b"Accept-Encoding", ACCEPT_ENCODING.encode("ascii")),
        ]
        self._timeouts = {"connect": connect_timeout, "read": deadline, "write": deadline, "pool": deadline}
        backend = PinnedBackend(
            resolver=resolver if resolver is not None else system_resolver,
            allow_private_networks=allow_private_networks,
            inner=network_backend,
        )
        # httpcore directly rather than an httpx client: no proxy or certificate settings are
        # read from the environment (the trust_env=False behaviour), and no URL is re-parsed.
        self._pool = httpcore.AsyncConnectionPool(
            ssl_context=ssl_context if ssl_context is not None else httpx.create_ssl_context(trust_env=False),
            max_connections=20,
            keepalive_expiry=30.0,
            retries=0,
            network_backend=backend,
        )

    async def aclose(self) -> None:
        await self._pool.aclose()

    async def fetch(self, url: str) -> FetchedPage:
        return await self._fetch(url, _PAGE)

    async def fetch_feed(
        self, url: str, *, etag: str | None = None, last_modified: str | None = None
    ) -> FetchedPage:
        ask = _Ask(types=FEED_TYPES, accept=_ACCEPT_FEED, etag=etag, last_modified=last_modified)
        return await self._fetch(url, ask)

    async def _fetch(self, url: str, ask: _Ask) -> FetchedPage:
        target = parse_target(url, allow_private_networks=self._allow_private)
        try:
            async with asyncio.timeout(self._deadline):
                return await self._follow(url, target, ask)
        except TimeoutError as exc:
            raise FetchError(f"timed out after {self._deadline:g} s fetching {target.host}") from exc

    async def _follow(self, url: str, target: Target, ask: _Ask) -> FetchedPage:
        current, redirected_from = target, ""
        for _ in range(self._max_redirects + 1):
            try:
                outcome = await self._exchange(url, current, ask)
            except FetchError as exc:
                if redirected_from:
                    raise FetchError(f"{exc} (redirected from {redirected_from})") from exc
                raise
            if isinstance(outcome, FetchedPage):
                return outcome
            try:
                next_url = urljoin(current.url, outcome)
                following = parse_target(next_url, allow_private_networks=self._allow_private)
            except FetchError as exc:
                raise FetchError(f"{exc} (redirected from {current.host})") from exc
            current, redirected_from = following, current.host
        raise FetchError(f"too many redirects (more than {self._max_redirects}) from {target.host}")

    async def _exchange(self, url: str, target: Target, ask: _Ask) -> FetchedPage | str:
        """One request: the finished page, or the Location a redirect points to."""
        request_url = httpcore.URL(
            scheme=target.scheme.encode("ascii"),
            host=target.host.encode("ascii"),
            port=target.port,
            target=target.path.encode("ascii"),
        )
        headers = [(b"Host", target.netloc.encode("ascii")), *self._headers, *ask.headers()]
        try:
            async with self._pool.stream(
                "GET", request_url, headers=headers, extensions={"timeout": self._timeouts}
            ) as response:
                logger.debug("GET %s -> %d", target.loggable, response.status)
                return await self._read(url, target, response, ask)
        except httpcore.ConnectTimeout as exc:
            raise FetchError(f"could not connect to {target.host}: timed out") from exc
        except httpcore.ConnectError as exc:
            raise FetchError(_describe_connect_error(target.host, exc)) from exc
        except httpcore.TimeoutException as exc:
            raise FetchError(f"timed out waiting for {target.host}") from exc
        except httpcore.RemoteProtocolError as exc:
            raise FetchError(f"{target.host} sent an invalid HTTP response") from exc
        except (httpcore.NetworkError, OSError) as exc:
            raise FetchError(f"connection to {target.host} was interrupted") from exc
        except (httpcore.ProtocolError, httpcore.UnsupportedProtocol) as exc:
            raise FetchError(f"could not fetch from {target.host}: {type(exc).__name__}") from exc

    async def _read(
        self, url: str, target: Target, response: httpcore.Response, ask: _Ask
    ) -> FetchedPage | str:
        status = response.status
        etag, last_modified = _header(response, b"etag"), _header(response, b"last-modified")
        if status == 304 and (ask.etag or ask.last_modified):
            # Unchanged since the validators were given: no body to read. A server may leave them out of
            # the 304; the ones asked with still stand then.
            return FetchedPage(
                url=url, final_url=target.url, status=304, content_type="", body=b"",
                etag=etag or ask.etag, last_modified=last_modified or ask.last_modified,
            )  # fmt: skip
        if status in _REDIRECT_STATUSES:
            location = _header(response, b"location")
            if not location:
                raise FetchError(f"HTTP {status} from {target.host} without a Location")
            return location
        if not 200 <= status < 300:
            raise FetchError(f"HTTP {status} from {target.host}")

        media_type, charset = parse_content_type(_header(response, b"content-type"))
        if media_type is None:
            raise FetchError(f"refused: {target.host} did not say what type of content it sent")
        kind = ask.types.get(media_type)
        if kind is None:
            what = "HTML, plain text and feeds" if ask.types is FEED_TYPES else "HTML and plain text"
            raise FetchError(f"refused: content type {media_type} is not supported (only {what})")
        declared = _header(response, b"content-length")
        if declared and declared.strip().isdigit() and int(declared) > self._max_bytes:
            raise FetchError(f"refused: page is larger than {human_size(self._max_bytes)}")

        reader = BodyReader(_header(response, b"content-encoding"), self._max_bytes)
        async for chunk in response.aiter_stream():
            reader.feed(chunk)
        body = reader.result()
        if charset is None and kind == "text/html":
            charset = sniff_meta_charset(body)
        return FetchedPage(
            url=url, final_url=target.url, status=status, content_type=kind, body=body, encoding=charset,
            etag=etag, last_modified=last_modified,
        )  # fmt: skip


class StaticFetcher(Fetcher):
    """Test double: answers from a dict of URL -> page, error, or body (bytes or str).

    URLs are checked like `validate_url(..., allow_private_networks=True)` so a bad scheme fails
    as it would for real; an unknown URL is an HTTP 404. `requested` lists every URL asked for.
    """

    allows_private_networks = True

    def __init__(self, pages: Mapping[str, FetchedPage | FetchError | bytes | str]) -> None:
        self._pages = dict(pages)
        self.requested: list[str] = []

    async def fetch(self, url: str) -> FetchedPage:
        self.requested.append(url)
        target = parse_target(url, allow_private_networks=True)
        entry = self._pages.get(url, self._pages.get(target.url))
        if entry is None:
            raise FetchError(f"HTTP 404 from {target.host}")
        if isinstance(entry, FetchError):
            raise entry
        if isinstance(entry, FetchedPage):
            return entry
        body, encoding = (entry.encode("utf-8"), "utf-8") if isinstance(entry, str) else (entry, None)
        kind = "text/html" if body.lstrip()[:1] == b"<" else "text/plain"
        return FetchedPage(
            url=url, final_url=url, status=200, content_type=kind, body=body, encoding=encoding
        )


def _header(response: httpcore.Response, name: bytes) -> str | None:
    for key, value in response.headers:
        if key.lower() == name:
            # Location values in the wild are often raw UTF-8; other headers we read are ASCII.
            return value.decode("utf-8", errors="replace")
    return None


def _describe_connect_error(host: str, exc: BaseException) -> str:
    seen: set[int] = set()
    pending: list[BaseException] = [exc]
    while pending:
        current = pending.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        if isinstance(current, ssl.SSLCertVerificationError):
            return f"TLS certificate of {host} is not valid ({current.verify_message})"
        if isinstance(current, ssl.SSLError):
            return f"TLS handshake with {host} failed"
        if isinstance(current, OSError) and current.errno in _ERRNO_REASONS:
            return f"could not connect to {host}: {_ERRNO_REASONS[current.errno]}"
        if isinstance(current, BaseExceptionGroup):
            pending.extend(current.exceptions)
        pending.extend(e for e in (current.__cause__, current.__context__) if e is not None)
    return f"could not connect to {host}"
