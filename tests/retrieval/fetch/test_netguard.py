"""Address classification and IPv4 spelling, table by table."""

from __future__ import annotations

from ipaddress import IPv4Address, ip_address

import pytest

from retrieval.fetch._netguard import (
    is_public,
    looks_numeric,
    non_public_reason,
    parse_ip_literal,
    parse_ipv4_loose,
)

PUBLIC = [
    "8.8.8.8",
    "1.1.1.1",
    "93.184.216.34",
    "11.0.0.1",
    "100.63.255.255",  # just below CGNAT
    "100.128.0.0",  # just above CGNAT
    "126.255.255.255",
    "128.0.0.1",
    "172.15.255.255",
    "172.32.0.0",
    "169.253.255.255",
    "169.255.0.0",
    "192.167.255.255",
    "192.169.0.0",
    "198.17.255.255",
    "198.20.0.0",
    "223.255.255.255",
    "2606:4700:4700::1111",
    "2a00:1450:4001:82a::200e",
    "2001:4860:4860::8888",
    "2001:4:112::1",  # AS112, globally reachable inside the IETF block
    "2001:3::1",  # AMT
    "::ffff:8.8.8.8",
    "64:ff9b::808:808",
    "2002:808:808::1",
]

# (address, words the reason must contain)
NOT_PUBLIC = [
    ("0.0.0.0", "unspecified"),
    ("0.1.2.3", "reserved"),
    ("10.0.0.0", "private"),
    ("10.255.255.255", "private"),
    ("100.64.0.1", "CGNAT"),
    ("100.127.255.255", "CGNAT"),
    ("100.100.100.200", "metadata"),
    ("127.0.0.1", "loopback"),
    ("127.255.255.254", "loopback"),
    ("169.254.169.254", "metadata"),
    ("169.254.170.2", "metadata"),
    ("169.254.1.1", "link-local"),
    ("168.63.129.16", "metadata"),
    ("172.16.0.1", "private"),
    ("172.31.255.255", "private"),
    ("192.0.0.8", "reserved"),
    ("192.0.0.192", "reserved"),
    ("192.0.2.1", "documentation"),
    ("192.88.99.1", "reserved"),
    ("192.168.1.1", "private"),
    ("198.18.0.1", "benchmarking"),
    ("198.19.255.255", "benchmarking"),
    ("198.51.100.7", "documentation"),
    ("203.0.113.9", "documentation"),
    ("224.0.0.1", "multicast"),
    ("239.255.255.250", "multicast"),
    ("240.0.0.1", "reserved"),
    ("255.255.255.255", "broadcast"),
    ("::", "unspecified"),
    ("::1", "loopback"),
    ("::ffff:127.0.0.1", "127.0.0.1"),
    ("::ffff:7f00:1", "127.0.0.1"),
    ("::ffff:10.0.0.1", "private"),
    ("::ffff:169.254.169.254", "metadata"),
    ("::ffff:0.0.0.0", "unspecified"),
    ("::127.0.0.1", "IPv4-compatible"),
    ("::8.8.8.8", "IPv4-compatible"),
    ("::ffff:0:7f00:1", "translated"),
    ("64:ff9b::7f00:1", "NAT64"),
    ("64:ff9b::a9fe:a9fe", "metadata"),
    ("64:ff9b::c0a8:101", "private"),
    ("64:ff9b:1::1", "local-use NAT64"),
    ("64:ff9b:1::808:808", "local-use NAT64"),
    ("2002:7f00:1::", "6to4"),
    ("2002:a9fe:a9fe::1", "metadata"),
    ("2002:a00:1::1", "private"),
    ("2001:0:4136:e378:8000:63bf:3fff:fdd2", "Teredo"),
    ("2001::ffff:ffff:80ff:fffe", "127.0.0.1"),  # Teredo client address is stored inverted
    ("2001:db8::1", "documentation"),
    ("3fff::1", "documentation"),
    ("2001:2::1", "benchmarking"),
    ("2001:10::1", "ORCHID"),
    ("2001:100::1", "IETF"),
    ("fc00::1", "private"),
    ("fd12:3456::1", "private"),
    ("fd00:ec2::254", "metadata"),
    ("fe80::1", "link-local"),
    ("fe80::1%eth0", "link-local"),
    ("febf:ffff::1", "link-local"),
    ("fec0::1", "site-local"),
    ("ff02::1", "multicast"),
    ("ff0e::1", "multicast"),
    ("100::1", "discard"),
    ("4000::1", "not global unicast"),
    ("5f00::1", "not global unicast"),
    ("1::1", "not global unicast"),
]


@pytest.mark.parametrize("text", PUBLIC)
def test_public_addresses_pass(text: str) -> None:
    address = ip_address(text)
    assert non_public_reason(address) is None
    assert is_public(address)


@pytest.mark.parametrize(("text", "words"), NOT_PUBLIC)
def test_non_public_addresses_are_named(text: str, words: str) -> None:
    address = ip_address(text)
    reason = non_public_reason(address)
    assert reason is not None
    assert words in reason
    assert not is_public(address)


@pytest.mark.parametrize(
    ("spelling", "expected"),
    [
        ("127.0.0.1", "127.0.0.1"),
        ("127.1", "127.0.0.1"),
        ("127.0.1", "127.0.0.1"),
        ("2130706433", "127.0.0.1"),
        ("0x7f000001", "127.0.0.1"),
        ("0X7F000001", "127.0.0.1"),
        ("0177.0.0.1", "127.0.0.1"),
        ("0x7f.0.0.1", "127.0.0.1"),
        ("0x7f.1", "127.0.0.1"),
        ("017700000001", "127.0.0.1"),
        ("127.0.0.1.", "127.0.0.1"),
        ("0", "0.0.0.0"),
        ("0x", "0.0.0.0"),
        ("10.0x10.0", "10.16.0.0"),
        ("169.254.43518", "169.254.169.254"),
        ("0xa9fea9fe", "169.254.169.254"),
        ("4294967295", "255.255.255.255"),
        ("8.8.8.8", "8.8.8.8"),
    ],
)
def test_loose_ipv4_spellings_read_like_inet_aton(spelling: str, expected: str) -> None:
    assert parse_ipv4_loose(spelling) == IPv4Address(expected)


@pytest.mark.parametrize(
    "spelling",
    [
        "",
        "4294967296",
        "256.0.0.1",
        "1.2.3.256",
        "1.2.65536",
        "1.16777216",
        "08.0.0.1",
        "0x1g",
        "1.2.3.4.5",
        "1..2",
        "example.com",
        "-1",
        "+1",
        " 1",
        "1e3",
        "\u0663.0.0.1",  # Arabic-Indic digit: int() would accept it, inet_aton would not
    ],
)
def test_non_addresses_are_not_read_as_ipv4(spelling: str) -> None:
    assert parse_ipv4_loose(spelling) is None


@pytest.mark.parametrize(
    ("host", "numeric"),
    [
        ("1.2.3.4", True),
        ("1.2.3.4.", True),
        ("example.123", True),
        ("a.0x1f", True),
        ("2130706433", True),
        ("example.com", False),
        ("123.example", False),
        ("0x1g", False),
        ("a.b", False),
        ("", False),
    ],
)
def test_hosts_ending_in_a_number_must_be_addresses(host: str, numeric: bool) -> None:
    assert looks_numeric(host) is numeric


@pytest.mark.parametrize(
    ("host", "expected"),
    [
        ("[::1]", "::1"),
        ("::1", "::1"),
        ("[::ffff:7f00:1]", "::ffff:127.0.0.1"),
        ("127.1", "127.0.0.1"),
        ("0x7f000001", "127.0.0.1"),
        ("example.com", None),
        ("[not-an-address]", None),
        ("1:2", None),
    ],
)
def test_ip_literals(host: str, expected: str | None) -> None:
    parsed = parse_ip_literal(host)
    assert parsed == (None if expected is None else ip_address(expected))
