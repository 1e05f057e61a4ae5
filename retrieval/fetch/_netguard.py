"""Which IP addresses a fetch may connect to, and how odd host spellings map to addresses.

Pure functions, no I/O. `ipaddress.is_global` is not used on purpose: on Python 3.11 it calls
NAT64 (64:ff9b::/96), 6to4 (2002::/16) and IPv4-compatible (::a.b.c.d) addresses global even
when the IPv4 address they carry is 127.0.0.1, which is exactly the bypass an attacker would try.
"""

from __future__ import annotations

import re
from ipaddress import IPv4Address, IPv4Network, IPv6Address, IPv6Network, ip_address

IPAddress = IPv4Address | IPv6Address

# Single hosts that cloud providers answer instance credentials on. Most also fall in a blocked
# range; they are listed so the refusal names them, and 168.63.129.16 (Azure) is otherwise public.
_METADATA_HOSTS: frozenset[IPAddress] = frozenset(
    {
        IPv4Address("169.254.169.254"),
        IPv4Address("169.254.170.2"),
        IPv4Address("100.100.100.200"),
        IPv4Address("168.63.129.16"),
        IPv6Address("fd00:ec2::254"),
    }
)

# IANA special-purpose IPv4 registry, minus the few blocks marked globally reachable. The order
# matters only for the wording: the first match names the reason.
_IPV4_BLOCKED: tuple[tuple[IPv4Network, str], ...] = tuple(
    (IPv4Network(net), why)
    for net, why in (
        ("0.0.0.0/32", "unspecified"),
        ("0.0.0.0/8", "reserved ('this network')"),
        ("10.0.0.0/8", "private"),
        ("100.64.0.0/10", "shared address space (CGNAT)"),
        ("127.0.0.0/8", "loopback"),
        ("169.254.0.0/16", "link-local"),
        ("172.16.0.0/12", "private"),
        ("192.0.0.0/24", "reserved (IETF protocol assignments)"),
        ("192.0.2.0/24", "documentation"),
        ("192.88.99.0/24", "reserved (6to4 relay anycast)"),
        ("192.168.0.0/16", "private"),
        ("198.18.0.0/15", "benchmarking"),
        ("198.51.100.0/24", "documentation"),
        ("203.0.113.0/24", "documentation"),
        ("224.0.0.0/4", "multicast"),
        ("255.255.255.255/32", "broadcast"),
        ("240.0.0.0/4", "reserved"),
    )
)

# Only 2000::/3 is allocated as global unicast; everything outside it (loopback, unique-local,
# link-local, multicast, discard-only, the unassigned space...) is refused by default. These are
# the non-public blocks inside it. Forms that embed an IPv4 address are handled separately.
_IPV6_GLOBAL_UNICAST = IPv6Network("2000::/3")
_IPV6_BLOCKED: tuple[tuple[IPv6Network, str], ...] = tuple(
    (IPv6Network(net), why)
    for net, why in (
        ("2001:db8::/32", "documentation"),
        ("3fff::/20", "documentation"),
        ("2001:2::/48", "benchmarking"),
        ("2001:10::/28", "reserved (ORCHID)"),
    )
)
# Inside 2001::/23 (IETF protocol assignments) only these are globally reachable.
_IPV6_IETF = IPv6Network("2001::/23")
_IPV6_IETF_GLOBAL: tuple[IPv6Network, ...] = tuple(
    IPv6Network(net) for net in ("2001:1::1/128", "2001:1::2/128", "2001:3::/32", "2001:4:112::/48")
)
_TEREDO = IPv6Network("2001::/32")
_SIX_TO_FOUR = IPv6Network("2002::/16")
_NAT64_WELL_KNOWN = IPv6Network("64:ff9b::/96")
_NAT64_LOCAL = IPv6Network("64:ff9b:1::/48")
_V4_MAPPED = IPv6Network("::ffff:0:0/96")
_V4_TRANSLATED = IPv6Network("::ffff:0:0:0/96")
_V4_COMPATIBLE = IPv6Network("::/96")

_UNSPECIFIED_V6 = IPv6Address("::")
_LOOPBACK_V6 = IPv6Address("::1")
_IPV6_NAMED: tuple[tuple[IPv6Network, str], ...] = tuple(
    (IPv6Network(net), why)
    for net, why in (
        ("fc00::/7", "private (unique local)"),
        ("fe80::/10", "link-local"),
        ("fec0::/10", "site-local"),
        ("ff00::/8", "multicast"),
        ("100::/64", "reserved (discard-only)"),
    )
)


def non_public_reason(address: IPAddress) -> str | None:
    """Why `address` must not be fetched from, or None when it is an ordinary public address."""
    if address in _METADATA_HOSTS:
        return "cloud metadata endpoint"
    if isinstance(address, IPv4Address):
        return _ipv4_reason(address)
    return _ipv6_reason(address)


def is_public(address: IPAddress) -> bool:
    return non_public_reason(address) is None


def _ipv4_reason(address: IPv4Address) -> str | None:
    for network, why in _IPV4_BLOCKED:
        if address in network:
            return why
    return None


def _ipv6_reason(address: IPv6Address) -> str | None:
    # The scope ("%eth0") does not change which host the address names.
    plain = IPv6Address(int(address))
    # Checked before the IPv4-compatible block (::/96), which contains both.
    if plain == _UNSPECIFIED_V6:
        return "unspecified"
    if plain == _LOOPBACK_V6:
        return "loopback"
    embedded = _embedded_ipv4(plain)
    if embedded is not None:
        form, v4 = embedded
        inner = non_public_reason(v4)
        return None if inner is None else f"{form} of {v4}, {inner}"
    if plain in _V4_COMPATIBLE or plain in _V4_TRANSLATED:
        return "reserved (IPv4-compatible/translated form)"
    if plain in _NAT64_LOCAL:
        return "reserved (local-use NAT64)"
    if plain in _TEREDO:
        # The relay path is outside our control and the client address is attacker-chosen.
        return f"Teredo tunnel to {_teredo_client(plain)}"
    for network, why in _IPV6_NAMED:
        if plain in network:
            return why
    if plain not in _IPV6_GLOBAL_UNICAST:
        return "reserved (not global unicast)"
    for network, why in _IPV6_BLOCKED:
        if plain in network:
            return why
    if plain in _IPV6_IETF and not any(plain in net for net in _IPV6_IETF_GLOBAL):
        return "reserved (IETF protocol assignments)"
    return None


def _embedded_ipv4(address: IPv6Address) -> tuple[str, IPv4Address] | None:
    """The IPv4 address an IPv6 address reaches through, for the forms that route to it."""
    if address in _V4_MAPPED:
        return "IPv4-mapped form", IPv4Address(int(address) & 0xFFFFFFFF)
    if address in _NAT64_WELL_KNOWN:
        return "NAT64 form", IPv4Address(int(address) & 0xFFFFFFFF)
    if address in _SIX_TO_FOUR:
        return "6to4 form", IPv4Address((int(address) >> 80) & 0xFFFFFFFF)
    return None


def _teredo_client(address: IPv6Address) -> IPv4Address:
    # RFC 4380: the client's public address is stored bit-inverted in the low 32 bits.
    return IPv4Address(~int(address) & 0xFFFFFFFF)


_HEX_PART = re.compile(r"0[xX][0-9a-fA-F]*")
_OCT_PART = re.compile(r"0[0-7]*")
_DEC_PART = re.compile(r"[1-9][0-9]*")


def looks_numeric(host: str) -> bool:
    """True when a host must be read as an IPv4 address: its last label is a number.

    This is the browsers' rule (WHATWG URL "ends in a number"); a name such as `example.123` is
    then invalid rather than looked up in DNS.
    """
    labels = host.removesuffix(".").split(".")
    last = labels[-1]
    if not last:
        return False
    return (last.isascii() and last.isdigit()) or _HEX_PART.fullmatch(last) is not None


def parse_ipv4_loose(host: str) -> IPv4Address | None:
    """Read an IPv4 address the way inet_aton and browsers do, or None if it is not one.

    Accepts 1 to 4 parts, each decimal, octal (leading 0) or hex (0x); the last part fills the
    remaining bytes, so `127.1`, `2130706433`, `0x7f000001` and `0177.0.0.1` are all 127.0.0.1.
    """
    parts = host.removesuffix(".").split(".")
    if not 1 <= len(parts) <= 4:
        return None
    values: list[int] = []
    for part in parts:
        if _HEX_PART.fullmatch(part):
            values.append(int(part[2:] or "0", 16))
        elif _OCT_PART.fullmatch(part):
            values.append(int(part, 8))
        elif _DEC_PART.fullmatch(part):
            values.append(int(part))
        else:
            return None
    *leading, last = values
    if any(value > 0xFF for value in leading):
        return None
    if last >= 1 << (8 * (4 - len(leading))):
        return None
    number = last
    for index, value in enumerate(leading):
        number |= value << (8 * (3 - index))
    return IPv4Address(number)


def parse_ip_literal(host: str) -> IPAddress | None:
    """The address a host names literally (IPv6 with or without brackets, any IPv4 spelling), else None."""
    candidate = host.strip("[]") if host.startswith("[") else host
    if ":" in candidate:
        try:
            return ip_address(candidate)
        except ValueError:
            return None
    return parse_ipv4_loose(candidate)
