"""Parsing and checking a URL before anything touches the network.

The parsed `Target` is what the request is built from, component by component, so the host
that was checked is the host that is connected to: no second URL parser gets a say.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from ipaddress import IPv6Address
from urllib.parse import quote, urlsplit

import idna

from ._netguard import IPAddress, looks_numeric, non_public_reason, parse_ipv4_loose
from ._types import FetchError

ALLOWED_PORTS = frozenset({80, 443})
_DEFAULT_PORTS = {"http": 80, "https": 443}
_MAX_URL_LENGTH = 8192
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_LABEL = re.compile(r"(?!-)[a-z0-9_-]{1,63}(?<!-)")
# Characters left as they are in the request target; everything else is percent-encoded (UTF-8).
_PATH_SAFE = "/%:@!$&'()*+,;="
_QUERY_SAFE = _PATH_SAFE + "?"


@dataclass(frozen=True, slots=True)
class Target:
    scheme: str
    host: str  # ASCII; IPv6 without brackets
    port: int
    path: str  # request target: path and query, ASCII
    address: IPAddress | None  # set when the host is an IP literal

    @property
    def netloc(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return host if _DEFAULT_PORTS[self.scheme] == self.port else f"{host}:{self.port}"

    @property
    def url(self) -> str:
        return f"{self.scheme}://{self.netloc}{self.path}"

    @property
    def loggable(self) -> str:
        """The URL without its query, which may carry tokens."""
        return f"{self.scheme}://{self.netloc}{self.path.partition('?')[0]}"


def parse_target(url: str, *, allow_private_networks: bool) -> Target:
    """Check a URL's syntax, scheme, credentials, host spelling, literal address and port."""
    url = url.strip()
    if not url:
        raise FetchError("refused: empty URL")
    if len(url) > _MAX_URL_LENGTH:
        raise FetchError("refused: URL is too long")
    if _CONTROL.search(url):
        raise FetchError("refused: URL contains control characters")
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise FetchError("refused: malformed URL or port") from exc
    scheme = parts.scheme.lower()
    if scheme not in _DEFAULT_PORTS:
        if not scheme or (not parts.netloc and "." in scheme):
            raise FetchError("refused: not an absolute http(s) URL")
        raise FetchError(f"refused: only http and https URLs can be fetched, not {scheme}:")
    if not parts.netloc or not parts.hostname:
        raise FetchError("refused: URL has no host")
    if "@" in parts.netloc:
        raise FetchError("refused: URLs with credentials (user:pass@host) are not allowed")
    # Browsers read '\' as '/' and decode '%' in hosts; refusing both avoids parser disagreements.
    if "\\" in parts.netloc or "%" in parts.netloc:
        raise FetchError("refused: invalid host in URL")
    host, address = _normalise_host(parts.hostname, bracketed=parts.netloc.startswith("["))
    port = _DEFAULT_PORTS[scheme] if port is None else port
    if not 0 < port < 65536:
        raise FetchError("refused: invalid port")

    if not allow_private_networks:
        if address is not None:
            reason = non_public_reason(address)
            if reason is not None:
                raise FetchError(f"refused: address {address} is not public ({reason})")
        elif host == "localhost" or host.endswith(".localhost"):
            raise FetchError(f"refused: host {host} is not public (loopback)")
        if port not in ALLOWED_PORTS:
            raise FetchError(f"refused: port {port} is not allowed (only 80 and 443)")

    path = quote(parts.path or "/", safe=_PATH_SAFE)
    if not path.startswith("/"):
        path = "/" + path
    if parts.query:
        path += "?" + quote(parts.query, safe=_QUERY_SAFE)
    return Target(scheme=scheme, host=host, port=port, path=path, address=address)


def _normalise_host(hostname: str, *, bracketed: bool) -> tuple[str, IPAddress | None]:
    if bracketed:
        try:
            v6 = IPv6Address(hostname)
        except ValueError as exc:
            raise FetchError("refused: invalid IPv6 address in URL") from exc
        return str(v6), v6

    if hostname.isascii():
        host = hostname.lower()
    else:
        try:
            # UTS #46 mapping folds look-alikes such as full-width digits into ASCII first.
            host = idna.encode(hostname, uts46=True).decode("ascii")
        except (idna.IDNAError, UnicodeError) as exc:
            raise FetchError("refused: invalid host name in URL") from exc
    host = host.removesuffix(".")

    if looks_numeric(host):
        v4 = parse_ipv4_loose(host)
        if v4 is None:
            raise FetchError(f"refused: invalid IPv4 address {host}")
        return str(v4), v4
    if len(host) > 253 or not all(_LABEL.fullmatch(label) for label in host.split(".")):
        raise FetchError("refused: invalid host name in URL")
    return host, None
