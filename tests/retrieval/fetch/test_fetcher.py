"""HttpFetcher against real servers on loopback, and against a scripted network for hostile DNS.

Tests that talk to the local servers pass allow_private_networks=True explicitly; everything
else runs with the default (public addresses only).
"""

from __future__ import annotations

import asyncio
import gzip
import logging
import shutil
import socket
import ssl
import subprocess
import tracemalloc
import zlib
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from ipaddress import IPv4Address, IPv6Address
from pathlib import Path

import httpcore
import pytest

from retrieval.fetch._body import BodyReader
from retrieval.fetch._fetcher import (
    FetchedPage,
    Fetcher,
    FetchError,
    HttpFetcher,
    StaticFetcher,
    validate_url,
)
from retrieval.fetch._network import PinnedBackend
from tests.support.raw_http import (
    CHUNK,
    Handler,
    LocalServer,
    dripping,
    gzip_of_zeros,
    head,
    redirect,
    reply,
    sending,
)

# --- a loopback server whose handlers write raw bytes, so they can misbehave on purpose ---










@pytest.fixture
async def server() -> AsyncIterator[LocalServer]:
    srv = LocalServer()
    await srv.start()
    yield srv
    await srv.close()


@pytest.fixture
async def local_fetcher() -> AsyncIterator[HttpFetcher]:
    async with HttpFetcher(allow_private_networks=True, deadline=10.0) as fetcher:
        yield fetcher


# --- a scripted network: fake sockets at the edge, for addresses we cannot really reach ---


class ScriptedStream(httpcore.AsyncNetworkStream):
    def __init__(self, answer: bytes) -> None:
        self._answer = answer
        self.sent = bytearray()

    async def read(self, max_bytes: int, timeout: float | None = None) -> bytes:  # noqa: ASYNC109
        chunk, self._answer = self._answer[:max_bytes], self._answer[max_bytes:]
        return chunk

    async def write(self, buffer: bytes, timeout: float | None = None) -> None:  # noqa: ASYNC109
        self.sent += buffer

    async def aclose(self) -> None:
        return None


class ScriptedNetwork(httpcore.AsyncNetworkBackend):
    """Answers connections to listed addresses with canned bytes and records every attempt."""

    def __init__(self, answers: dict[str, bytes] | None = None) -> None:
        self.answers = answers or {}
        self.connects: list[tuple[str, int]] = []
        self.streams: list[ScriptedStream] = []

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,  # noqa: ASYNC109
        local_address: str | None = None,
        socket_options: object = None,
    ) -> httpcore.AsyncNetworkStream:
        self.connects.append((host, port))
        if host not in self.answers:
            raise httpcore.ConnectError("unreachable")
        stream = ScriptedStream(self.answers[host])
        self.streams.append(stream)
        return stream

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(seconds)


def canned(status: int = 200, body: bytes = b"<p>hello</p>", **headers: str) -> bytes:
    fields = {"Content-Type": "text/html", "Content-Length": str(len(body))}
    fields.update({k.replace("_", "-"): v for k, v in headers.items()})
    return head(status, fields) + body


class FakeDns:
    """A resolver whose answers can change from one query to the next, like a rebinding attacker's."""

    def __init__(self, *answers: Sequence[str]) -> None:
        self._answers = list(answers)
        self.queries: list[tuple[str, int]] = []

    async def __call__(self, host: str, port: int) -> Sequence[IPv4Address | IPv6Address | str]:
        self.queries.append((host, port))
        index = min(len(self.queries), len(self._answers)) - 1
        return list(self._answers[index])


def mapping_resolver(table: dict[str, list[str]]) -> Callable[[str, int], Awaitable[list[str]]]:
    async def resolve(host: str, port: int) -> list[str]:
        if host not in table:
            raise socket.gaierror(socket.EAI_NONAME, "unknown")
        return table[host]

    return resolve


# --- peak memory while a coroutine runs ---


async def peak_memory_growth(awaitable: Awaitable[object]) -> tuple[BaseException | None, int]:
    tracemalloc.start()
    try:
        baseline = tracemalloc.get_traced_memory()[0]
        tracemalloc.reset_peak()
        error: BaseException | None = None
        try:
            await awaitable
        except FetchError as exc:
            error = exc
        return error, tracemalloc.get_traced_memory()[1] - baseline
    finally:
        tracemalloc.stop()


# ========================================================================================
# Normal pages
# ========================================================================================


async def test_fetches_an_html_page(server: LocalServer, local_fetcher: HttpFetcher) -> None:
    body = b"<html><head><title>T</title></head><body><p>Budget passes</p></body></html>"
    server.routes["/article"] = reply(200, body, "text/html; charset=utf-8")

    url = server.url("/article?id=7#top")
    page = await local_fetcher.fetch(url)

    assert page.url == url
    assert page.final_url == server.url("/article?id=7")
    assert page.status == 200
    assert page.content_type == "text/html"
    assert page.body == body
    assert page.encoding == "utf-8"
    assert "Budget passes" in page.text()
    path, headers = server.requests[0]
    assert path == "/article?id=7"
    assert headers["user-agent"] == "briefbot/0.1 (+news briefing bot)"
    assert "gzip" in headers["accept-encoding"]
    assert headers["host"] == f"127.0.0.1:{server.port}"


@pytest.mark.parametrize(
    ("declared", "kind"),
    [
        ("text/html", "text/html"),
        ("TEXT/HTML; charset=UTF-8", "text/html"),
        ("application/xhtml+xml", "text/html"),
        ("text/plain", "text/plain"),
    ],
)
async def test_accepted_content_types(
    server: LocalServer, local_fetcher: HttpFetcher, declared: str, kind: str
) -> None:
    server.routes["/"] = reply(200, b"hello", declared)
    page = await local_fetcher.fetch(server.url())
    assert page.content_type == kind
    assert page.text() == "hello"


@pytest.mark.parametrize(
    ("content_type", "body", "expected_text", "expected_encoding"),
    [
        ("text/html; charset=windows-1251", "<p>Москва</p>".encode("cp1251"), "Москва", "cp1251"),
        ('text/html; charset="ISO-8859-1"', "<p>café €5</p>".encode("cp1252"), "café €5", "cp1252"),
        ("text/html", b'<meta charset="shift_jis"><p>' + "東京".encode("shift_jis"), "東京", "shift_jis"),
        (
            "text/html",
            b'<meta http-equiv="Content-Type" content="text/html; charset=koi8-r">' + "Киев".encode("koi8-r"),
            "Киев",
            "koi8-r",
        ),
        # The header wins over <meta>.
        ("text/html; charset=utf-8", b'<meta charset="latin-1">' + "naïve".encode(), "naïve", "utf-8"),
        ("text/html", "<p>déjà vu</p>".encode(), "déjà vu", None),
        ("text/html; charset=no-such-charset", "<p>déjà</p>".encode(), "déjà", None),
        ("text/plain", b'<meta charset="cp1251">' + "é".encode(), "é", None),
    ],
)
async def test_charset_from_header_or_meta(
    server: LocalServer,
    local_fetcher: HttpFetcher,
    content_type: str,
    body: bytes,
    expected_text: str,
    expected_encoding: str | None,
) -> None:
    server.routes["/"] = reply(200, body, content_type)
    page = await local_fetcher.fetch(server.url())
    assert page.encoding == expected_encoding
    assert expected_text in page.text()


async def test_undecodable_bytes_are_replaced_not_fatal(
    server: LocalServer, local_fetcher: HttpFetcher
) -> None:
    server.routes["/"] = reply(200, b"<p>ok \xff\xfe\xfa end</p>", "text/html")
    text = (await local_fetcher.fetch(server.url())).text()
    assert text.startswith("<p>ok ") and text.endswith(" end</p>")
    assert "\ufffd" in text


def test_byte_order_mark_beats_declared_encoding() -> None:
    body = "\ufeffжурнал".encode("utf-16-le")
    page = FetchedPage(
        url="u", final_url="u", status=200, content_type="text/html", body=body, encoding="cp1252"
    )
    assert page.text() == "журнал"


# ========================================================================================
# Redirects
# ========================================================================================


def chain(server: LocalServer, length: int) -> None:
    server.routes["/r/0"] = reply(200, b"<p>the end</p>")
    for hop in range(1, length + 1):
        server.routes[f"/r/{hop}"] = redirect(f"/r/{hop - 1}", status=(301, 302, 303, 307, 308)[hop % 5])


@pytest.mark.parametrize("hops", [1, 2, 3])
async def test_follows_up_to_three_redirects(
    server: LocalServer, local_fetcher: HttpFetcher, hops: int
) -> None:
    chain(server, hops)
    page = await local_fetcher.fetch(server.url(f"/r/{hops}"))
    assert page.final_url == server.url("/r/0")
    assert page.url == server.url(f"/r/{hops}")
    assert page.text() == "<p>the end</p>"
    assert [path for path, _ in server.requests] == [f"/r/{n}" for n in range(hops, -1, -1)]


async def test_fourth_redirect_is_refused(server: LocalServer, local_fetcher: HttpFetcher) -> None:
    chain(server, 4)
    with pytest.raises(FetchError, match="too many redirects"):
        await local_fetcher.fetch(server.url("/r/4"))
    assert "/r/0" not in [path for path, _ in server.requests]


async def test_redirect_limit_is_configurable(server: LocalServer) -> None:
    chain(server, 1)
    async with HttpFetcher(allow_private_networks=True, max_redirects=0) as fetcher:
        with pytest.raises(FetchError, match="too many redirects"):
            await fetcher.fetch(server.url("/r/1"))


async def test_absolute_redirect_to_another_host_spelling(
    server: LocalServer, local_fetcher: HttpFetcher
) -> None:
    server.routes["/a"] = redirect(f"http://2130706433:{server.port}/b")
    server.routes["/b"] = reply(200, b"b")
    page = await local_fetcher.fetch(server.url("/a"))
    assert page.final_url == server.url("/b")


@pytest.mark.parametrize(
    ("location", "message"),
    [
        ("file:///etc/passwd", "only http and https"),
        ("http://user:secret@127.0.0.1/", "credentials"),
        ("gopher://127.0.0.1:70/", "only http and https"),
    ],
)
async def test_redirect_hops_are_validated_even_on_private_networks(
    server: LocalServer, local_fetcher: HttpFetcher, location: str, message: str
) -> None:
    server.routes["/"] = redirect(location)
    with pytest.raises(FetchError, match=message) as caught:
        await local_fetcher.fetch(server.url())
    assert "redirected from 127.0.0.1" in str(caught.value)


async def test_redirect_without_location_is_an_error(server: LocalServer, local_fetcher: HttpFetcher) -> None:
    server.routes["/"] = reply(302, b"", content_type=None)
    with pytest.raises(FetchError, match=r"HTTP 302 .* without a Location"):
        await local_fetcher.fetch(server.url())


# ========================================================================================
# Status codes and content types
# ========================================================================================


@pytest.mark.parametrize("status", [404, 500, 403, 410, 503, 304])
async def test_http_errors(server: LocalServer, local_fetcher: HttpFetcher, status: int) -> None:
    server.routes["/"] = reply(status, b"<p>oops</p>")
    with pytest.raises(FetchError) as caught:
        await local_fetcher.fetch(server.url())
    assert str(caught.value) == f"HTTP {status} from 127.0.0.1"


@pytest.mark.parametrize(
    "content_type",
    ["application/pdf", "image/png", "application/json", "application/octet-stream", "video/mp4"],
)
async def test_other_content_types_are_refused_by_name(
    server: LocalServer, local_fetcher: HttpFetcher, content_type: str
) -> None:
    server.routes["/"] = reply(200, b"%PDF-1.7 not html", content_type)
    with pytest.raises(FetchError, match="content type") as caught:
        await local_fetcher.fetch(server.url())
    assert content_type in str(caught.value)


async def test_missing_content_type_is_refused(server: LocalServer, local_fetcher: HttpFetcher) -> None:
    server.routes["/"] = reply(200, b"<p>?</p>", content_type=None)
    with pytest.raises(FetchError, match="did not say what type"):
        await local_fetcher.fetch(server.url())


# ========================================================================================
# Size caps and compression
# ========================================================================================


def streamed(
    total: int, *, content_type: str = "text/html", chunked: bool = False, **headers: str
) -> Handler:
    """Writes `total` bytes in network-sized pieces, waiting for the client to take each one."""

    async def handler(writer: asyncio.StreamWriter) -> None:
        fields = {"Content-Type": content_type, **{k.replace("_", "-"): v for k, v in headers.items()}}
        if chunked:
            fields["Transfer-Encoding"] = "chunked"
        writer.write(head(200, fields))
        piece = b"a" * CHUNK
        for _ in range(total // CHUNK):
            writer.write(b"%x\r\n%b\r\n" % (len(piece), piece) if chunked else piece)
            await writer.drain()
        if chunked:
            writer.write(b"0\r\n\r\n")
            await writer.drain()

    return handler


async def test_honest_content_length_over_cap_is_refused_before_reading(
    server: LocalServer, local_fetcher: HttpFetcher
) -> None:
    server.routes["/"] = streamed(100 * CHUNK, Content_Length=str(100 * CHUNK))
    with pytest.raises(FetchError, match=r"larger than 5 MB"):
        await local_fetcher.fetch(server.url())


@pytest.mark.parametrize("chunked", [False, True], ids=["no-length-until-close", "chunked"])
async def test_oversized_body_stops_at_cap_with_bounded_memory(server: LocalServer, chunked: bool) -> None:
    server.routes["/"] = streamed(20_000_000, chunked=chunked)
    async with HttpFetcher(allow_private_networks=True) as fetcher:
        error, peak = await peak_memory_growth(fetcher.fetch(server.url()))
    framing = "chunked" if chunked else "close-delimited"
    print(f"\n[memory] 20 MB {framing} body, 5 MB cap: peak growth {peak / 1e6:.1f} MB")
    assert isinstance(error, FetchError)
    assert "larger than 5 MB" in str(error)
    assert peak < 15_000_000  # the 5 MB cap plus working space; the body alone is 20 MB


async def test_content_length_understating_the_body_is_not_read_past(
    server: LocalServer, local_fetcher: HttpFetcher
) -> None:
    server.routes["/"] = streamed(16 * CHUNK, Content_Length="100")
    page = await local_fetcher.fetch(server.url())
    assert page.body == b"a" * 100


async def test_small_cap_applies_to_pages_that_fit_the_default(server: LocalServer) -> None:
    server.routes["/"] = reply(200, b"x" * 2_000)
    async with HttpFetcher(allow_private_networks=True, max_bytes=1_000) as fetcher:
        with pytest.raises(FetchError, match="larger than 1 kB"):
            await fetcher.fetch(server.url())




@pytest.fixture(scope="module")
def gigabyte_bomb() -> bytes:
    return gzip_of_zeros(1 << 30)




@pytest.mark.parametrize("size_name", ["10MB", "1GiB"])
async def test_gzip_bomb_stops_at_cap_with_bounded_memory(
    server: LocalServer, request: pytest.FixtureRequest, size_name: str
) -> None:
    payload = gzip_of_zeros(10 << 20) if size_name == "10MB" else request.getfixturevalue("gigabyte_bomb")
    server.routes["/"] = sending(payload, Content_Encoding="gzip", Content_Length=str(len(payload)))
    async with HttpFetcher(allow_private_networks=True) as fetcher:
        error, peak = await peak_memory_growth(fetcher.fetch(server.url()))
    wire = len(payload) / 1e3
    print(f"\n[memory] gzip bomb {size_name} ({wire:.0f} kB on the wire): peak growth {peak / 1e6:.1f} MB")
    assert isinstance(error, FetchError)
    assert "larger than 5 MB" in str(error)
    assert peak < 15_000_000  # far below the inflated size; httpx aiter_bytes would exceed this


@pytest.mark.parametrize(
    ("encoding", "squeeze"),
    [
        ("gzip", gzip.compress),
        ("x-gzip", gzip.compress),
        ("deflate", zlib.compress),
        ("deflate", lambda data: zlib.compress(data)[2:-4]),  # bare deflate, as some servers send
        ("gzip", lambda data: gzip.compress(data[:100]) + gzip.compress(data[100:])),  # two members
        ("identity", lambda data: data),
    ],
)
async def test_compressed_pages_are_decoded(
    server: LocalServer, local_fetcher: HttpFetcher, encoding: str, squeeze: Callable[[bytes], bytes]
) -> None:
    text = "<p>" + "Parliament votes on the budget. " * 200 + "</p>"
    payload = squeeze(text.encode())
    server.routes["/"] = sending(payload, Content_Encoding=encoding, Content_Length=str(len(payload)))
    page = await local_fetcher.fetch(server.url())
    assert page.text() == text


async def test_decompressed_size_is_capped_even_when_wire_size_is_tiny(server: LocalServer) -> None:
    payload = gzip.compress(b"x" * 50_000)
    server.routes["/"] = sending(payload, Content_Encoding="gzip", Content_Length=str(len(payload)))
    async with HttpFetcher(allow_private_networks=True, max_bytes=20_000) as fetcher:
        with pytest.raises(FetchError, match="larger than 20 kB"):
            await fetcher.fetch(server.url())


@pytest.mark.parametrize("encoding", ["br", "zstd", "gzip, gzip", "compress"])
async def test_unsupported_or_stacked_encodings_are_refused(
    server: LocalServer, local_fetcher: HttpFetcher, encoding: str
) -> None:
    server.routes["/"] = reply(200, b"\x00\x01", Content_Encoding=encoding)
    with pytest.raises(FetchError, match="unsupported content encoding"):
        await local_fetcher.fetch(server.url())


async def test_corrupt_gzip_is_an_error(server: LocalServer, local_fetcher: HttpFetcher) -> None:
    server.routes["/"] = reply(200, b"\x1f\x8b\x08\x00garbage-garbage", Content_Encoding="gzip")
    with pytest.raises(FetchError, match="corrupt"):
        await local_fetcher.fetch(server.url())


# Multi-member gzip (RFC 1952): a member may end exactly where a network read ends, and the next
# member's header may straddle two reads.

FIRST, SECOND = b"<p>" + b"first member. " * 40, b"second member, longer. " * 60 + b"</p>"
MEMBERS = gzip.compress(FIRST) + gzip.compress(SECOND)
FIRST_END = len(gzip.compress(FIRST))


def read_body(pieces: Sequence[bytes], encoding: str = "gzip", max_bytes: int = 5_000_000) -> bytes:
    reader = BodyReader(encoding, max_bytes)
    for piece in pieces:
        reader.feed(piece)
    return reader.result()


@pytest.mark.parametrize(
    "tail",
    [b"", b"\x00" * 8, b"junk after the body", b"\x1f"],
    ids=["no-tail", "zero-padding", "junk", "lone-magic-byte"],
)
def test_gzip_members_decode_wherever_the_reads_split(tail: bytes) -> None:
    payload = MEMBERS + tail
    for cut in range(len(payload) + 1):
        assert read_body([payload[:cut], payload[cut:]]) == FIRST + SECOND, f"split at byte {cut}"
    # Both boundaries at once: the first member ends a read and the next header is cut short.
    for header_bytes in range(1, 11):
        second_cut = FIRST_END + header_bytes
        pieces = [payload[:FIRST_END], payload[FIRST_END:second_cut], payload[second_cut:]]
        assert read_body(pieces) == FIRST + SECOND, f"header split after {header_bytes} bytes"
    assert read_body([payload[i : i + 1] for i in range(len(payload))]) == FIRST + SECOND


def test_a_later_member_that_claims_to_be_gzip_must_decode() -> None:
    damaged = MEMBERS[:FIRST_END] + b"\x1f\x8b\x08\x00garbage-garbage"
    with pytest.raises(FetchError, match="corrupt"):
        read_body([damaged[:FIRST_END], damaged[FIRST_END:]])


def test_bomb_split_into_members_stops_at_the_cap() -> None:
    member = gzip.compress(bytes(1 << 20))  # about 1 kB that inflates to 1 MiB
    reader = BodyReader("gzip", 5_000_000)
    fed = 0
    with pytest.raises(FetchError, match="larger than 5 MB"):
        for _ in range(1000):
            reader.feed(member)  # one member per read, the case that used to end the body
            fed += 1
    assert fed == 4  # the fifth MiB passes 5 MB: stopped there, not after the thousand members
    assert len(reader.result()) <= 5_000_001


def sending_chunks(pieces: Sequence[bytes], **headers: str) -> Handler:
    """Chunked transfer coding, one HTTP chunk per piece: the client never reads across a piece's end."""

    async def handler(writer: asyncio.StreamWriter) -> None:
        fields = {"Content-Type": "text/html", "Transfer-Encoding": "chunked"}
        fields.update({k.replace("_", "-"): v for k, v in headers.items()})
        writer.write(head(200, fields))
        for piece in pieces:
            writer.write(b"%x\r\n%b\r\n" % (len(piece), piece))
            await writer.drain()
        writer.write(b"0\r\n\r\n")
        await writer.drain()

    return handler


@pytest.mark.parametrize("header_bytes", [0, 1, 4], ids=["member-ends-a-read", "magic-split", "header-split"])
async def test_fetcher_decodes_gzip_members_in_separate_reads(
    server: LocalServer, local_fetcher: HttpFetcher, header_bytes: int
) -> None:
    cut = FIRST_END + header_bytes
    server.routes["/"] = sending_chunks([MEMBERS[:cut], MEMBERS[cut:]], Content_Encoding="gzip")
    page = await local_fetcher.fetch(server.url())
    assert page.body == FIRST + SECOND


async def test_fetcher_stops_a_many_member_bomb_at_the_cap(server: LocalServer) -> None:
    member = gzip.compress(bytes(1 << 20))
    server.routes["/"] = sending_chunks([member] * 1000, Content_Encoding="gzip")  # 1 GiB inflated
    async with HttpFetcher(allow_private_networks=True) as fetcher:
        error, peak = await peak_memory_growth(fetcher.fetch(server.url()))
    print(f"\n[memory] gzip bomb in 1000 members of 1 MiB: peak growth {peak / 1e6:.1f} MB")
    assert isinstance(error, FetchError)
    assert "larger than 5 MB" in str(error)
    assert peak < 15_000_000


# ========================================================================================
# Time and network failures
# ========================================================================================




@pytest.mark.parametrize("send_headers", [True, False], ids=["drip-body", "silent"])
async def test_total_deadline_covers_slow_servers(server: LocalServer, send_headers: bool) -> None:
    server.routes["/"] = dripping(send_headers=send_headers)
    # The per-read timeout alone would never fire on a server sending a byte every 0.25 s.
    async with HttpFetcher(allow_private_networks=True, deadline=1.5) as fetcher:
        with pytest.raises(FetchError, match=r"timed out after 1.5 s"):
            await fetcher.fetch(server.url())


async def test_deadline_covers_redirect_chains(server: LocalServer) -> None:
    server.routes["/a"] = redirect("/b")
    server.routes["/b"] = dripping(send_headers=True)
    async with HttpFetcher(allow_private_networks=True, deadline=1.5) as fetcher:
        with pytest.raises(FetchError, match="timed out"):
            await fetcher.fetch(server.url("/a"))


async def test_connection_refused(local_fetcher: HttpFetcher) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with pytest.raises(FetchError, match=r"could not connect to 127\.0\.0\.1: connection refused"):
        await local_fetcher.fetch(f"http://127.0.0.1:{port}/")


async def test_garbage_response_is_an_error(server: LocalServer, local_fetcher: HttpFetcher) -> None:
    async def garbage(writer: asyncio.StreamWriter) -> None:
        writer.write(b"SSH-2.0-OpenSSH_9.6\r\n\r\n")
        await writer.drain()

    server.routes["/"] = garbage
    with pytest.raises(FetchError, match="invalid HTTP response"):
        await local_fetcher.fetch(server.url())


async def test_unresolvable_host(server: LocalServer) -> None:
    async with HttpFetcher(allow_private_networks=True, resolver=mapping_resolver({})) as fetcher:
        with pytest.raises(FetchError, match=r"could not resolve nowhere\.test"):
            await fetcher.fetch("http://nowhere.test/")


# ========================================================================================
# Pinning: the checked address is the one connected to, with Host/SNI left as the name
# ========================================================================================


async def test_connects_to_resolved_address_but_keeps_the_host_name(server: LocalServer) -> None:
    server.routes["/"] = reply(200, b"<p>pinned</p>")
    dns = FakeDns(["127.0.0.1"])
    async with HttpFetcher(allow_private_networks=True, resolver=dns) as fetcher:
        page = await fetcher.fetch(f"http://news.test:{server.port}/")
    assert page.text() == "<p>pinned</p>"
    assert page.final_url == f"http://news.test:{server.port}/"
    assert dns.queries == [("news.test", server.port)]
    assert server.requests[0][1]["host"] == f"news.test:{server.port}"


def make_certificates(directory: Path) -> tuple[Path, Path, Path]:
    """A throwaway CA and a certificate for news.test signed by it."""

    def run(*args: str) -> None:
        subprocess.run(["openssl", *args], cwd=directory, check=True, capture_output=True)

    ec = ("-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes")
    ca_extensions = [
        "-addext",
        "basicConstraints=critical,CA:TRUE",
        "-addext",
        "keyUsage=critical,keyCertSign",
    ]
    run(
        "req",
        "-x509",
        *ec,
        "-keyout",
        "ca.key",
        "-out",
        "ca.pem",
        "-days",
        "2",
        "-subj",
        "/CN=test CA",
        *ca_extensions,
    )
    run("req", *ec, "-keyout", "leaf.key", "-out", "leaf.csr", "-subj", "/CN=news.test")
    (directory / "leaf.ext").write_text(
        "subjectAltName=DNS:news.test\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n"
    )
    signing = ["-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial", "-days", "2", "-extfile", "leaf.ext"]
    run("x509", "-req", "-in", "leaf.csr", "-out", "leaf.pem", *signing)
    return directory / "ca.pem", directory / "leaf.pem", directory / "leaf.key"


@pytest.mark.skipif(shutil.which("openssl") is None, reason="needs the openssl command to make certificates")
async def test_tls_is_verified_against_the_host_name_not_the_pinned_address(tmp_path: Path) -> None:
    ca, cert, key = make_certificates(tmp_path)
    server_side = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server_side.load_cert_chain(cert, key)
    names_seen: list[str | None] = []
    server_side.sni_callback = lambda _sock, name, _ctx: names_seen.append(name)  # type: ignore[assignment,misc]
    srv = LocalServer(ssl_context=server_side)
    srv.routes["/"] = reply(200, b"<p>secure</p>")
    await srv.start()
    client_side = ssl.create_default_context(cafile=str(ca))
    resolver = mapping_resolver({"news.test": ["127.0.0.1"], "other.test": ["127.0.0.1"]})
    try:
        async with HttpFetcher(
            allow_private_networks=True, resolver=resolver, ssl_context=client_side
        ) as fetcher:
            page = await fetcher.fetch(f"https://news.test:{srv.port}/")
            assert page.text() == "<p>secure</p>"
            assert names_seen == ["news.test"]
            assert srv.requests[0][1]["host"] == f"news.test:{srv.port}"

            # Same server, same pinned address, different name: the certificate must not match.
            with pytest.raises(FetchError, match=r"TLS certificate of other\.test is not valid"):
                await fetcher.fetch(f"https://other.test:{srv.port}/")
        async with HttpFetcher(allow_private_networks=True, resolver=resolver) as default_trust:
            with pytest.raises(FetchError, match=r"TLS certificate of news\.test is not valid"):
                await default_trust.fetch(f"https://news.test:{srv.port}/")
    finally:
        await srv.close()


# ========================================================================================
# Public-only mode (the default): refusals before any connection
# ========================================================================================

LOOPBACK_SPELLINGS = [
    "127.0.0.1",
    "2130706433",
    "0x7f000001",
    "0X7F.0.0.1",
    "127.1",
    "0177.0.0.1",
    "017700000001",
    "127.0.0.1.",
    "１２７.0.0.1",  # full-width digits, folded by IDNA
]


@pytest.mark.parametrize("spelling", LOOPBACK_SPELLINGS)
async def test_loopback_spellings_are_refused_before_connecting(server: LocalServer, spelling: str) -> None:
    server.routes["/"] = reply(200, b"<p>internal admin</p>")
    url = f"http://{spelling}:{server.port}/"
    async with HttpFetcher() as fetcher:
        with pytest.raises(FetchError, match=r"refused: address 127\.0\.0\.1 is not public \(loopback\)"):
            await fetcher.fetch(url)
    assert server.connections == 0

    # The same spelling really does reach the loopback server when private networks are allowed,
    # so the refusal above is about the address, not about an unparseable URL.
    async with HttpFetcher(allow_private_networks=True) as fetcher:
        assert (await fetcher.fetch(url)).text() == "<p>internal admin</p>"
    assert server.connections == 1


async def test_localhost_name_is_refused_before_connecting(server: LocalServer) -> None:
    async with HttpFetcher() as fetcher:
        for host in ("localhost", "LOCALHOST.", "admin.localhost"):
            with pytest.raises(FetchError, match="is not public"):
                await fetcher.fetch(f"http://{host}:{server.port}/")
    assert server.connections == 0


REFUSED_URLS = [
    ("http://[::1]/", "loopback"),
    ("http://127。0。0。1/", "loopback"),  # ideographic full stops, folded by IDNA
    ("http://ⓛⓞⓒⓐⓛⓗⓞⓢⓣ/", "localhost"),  # circled letters
    ("http://[::ffff:127.0.0.1]/", "127.0.0.1"),
    ("http://[::ffff:7f00:1]/", "127.0.0.1"),
    ("http://[64:ff9b::7f00:1]/", "NAT64"),
    ("http://[64:ff9b:1::a00:1]/", "NAT64"),
    ("http://[2002:7f00:1::]/", "6to4"),
    ("http://[2001:0:4136:e378:8000:63bf:3fff:fdd2]/", "Teredo"),
    ("http://[::127.0.0.1]/", "IPv4-compatible"),
    ("http://[fd00:ec2::254]/latest/meta-data/", "metadata"),
    ("http://[fe80::1]/", "link-local"),
    ("http://169.254.169.254/latest/meta-data/", "metadata"),
    ("http://0xa9fea9fe/", "metadata"),
    ("http://100.100.100.200/", "metadata"),
    ("http://100.64.0.1/", "CGNAT"),
    ("http://10.1.2.3/", "private"),
    ("http://192.168.0.1/", "private"),
    ("http://172.16.5.4/", "private"),
    ("http://0.0.0.0/", "unspecified"),
    ("http://0/", "unspecified"),
    ("http://224.0.0.1/", "multicast"),
    ("http://255.255.255.255/", "broadcast"),
    ("https://example.com:8443/", "port 8443 is not allowed"),
    ("http://example.com:22/", "port 22 is not allowed"),
    ("http://example.com:0/", "invalid port"),
    ("http://example.com:99999/", "malformed URL or port"),
    ("http://user:pass@example.com/", "credentials"),
    ("http://user@example.com/", "credentials"),
    ("http://example.com\\@127.0.0.1/", "credentials"),
    ("file:///etc/passwd", "only http and https"),
    ("ftp://example.com/file", "only http and https"),
    ("javascript:alert(1)", "only http and https"),
    ("data:text/html,<script>1</script>", "only http and https"),
    ("gopher://example.com/", "only http and https"),
    ("example.com/article", "not an absolute"),
    ("//example.com/article", "not an absolute"),
    ("http:///nohost", "no host"),
    ("http://%31%32%37.0.0.1/", "invalid host"),
    ("http://[fe80::1%25eth0]/", "invalid host"),
    ("http://exa mple.com/", "invalid host"),
    ("http://example.com\n.evil/", "control characters"),
    ("http://example.999/", "invalid IPv4"),
    ("http://1.2.3.4.5/", "invalid IPv4"),
    ("", "empty"),
]


@pytest.mark.parametrize(("url", "message"), REFUSED_URLS)
def test_validate_url_refusals(url: str, message: str) -> None:
    with pytest.raises(FetchError, match="refused") as caught:
        validate_url(url)
    assert message in str(caught.value)


@pytest.mark.parametrize(("url", "message"), REFUSED_URLS)
async def test_fetch_refuses_without_touching_the_network(url: str, message: str) -> None:
    network = ScriptedNetwork()
    resolver = FakeDns(["93.184.216.34"])
    async with HttpFetcher(resolver=resolver, network_backend=network) as fetcher:
        with pytest.raises(FetchError, match="refused"):
            await fetcher.fetch(url)
    assert network.connects == []
    assert resolver.queries == []


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://Example.COM/a b?q=é#frag", "https://example.com/a%20b?q=%C3%A9"),
        ("http://example.com:80", "http://example.com/"),
        ("https://example.com:443/x", "https://example.com/x"),
        ("http://example.com.:443/", "http://example.com:443/"),
        ("HTTPS://пример.рф/путь", "https://xn--e1afmkfd.xn--p1ai/%D0%BF%D1%83%D1%82%D1%8C"),
        ("  https://example.com/already%20encoded  ", "https://example.com/already%20encoded"),
        ("http://93.184.216.34/", "http://93.184.216.34/"),
        ("http://[2606:4700:4700:0::1111]/", "http://[2606:4700:4700::1111]/"),
    ],
)
def test_validate_url_normalises_accepted_urls(url: str, expected: str) -> None:
    assert validate_url(url) == expected


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8080/",
        "http://localhost:3000/",
        "http://10.0.0.5/",
        "http://[::1]:9000/",
        "http://0x7f.1/",
    ],
)
def test_private_networks_and_ports_allowed_only_on_request(url: str) -> None:
    with pytest.raises(FetchError):
        validate_url(url)
    assert validate_url(url, allow_private_networks=True).startswith("http://")


def test_credentials_and_schemes_stay_refused_on_private_networks() -> None:
    for url in ("http://user:pass@10.0.0.5/", "file:///etc/passwd", "ftp://10.0.0.5/"):
        with pytest.raises(FetchError, match="refused"):
            validate_url(url, allow_private_networks=True)


# ========================================================================================
# Hostile DNS (scripted resolver and network)
# ========================================================================================

PUBLIC_IP = "93.184.216.34"


@pytest.mark.parametrize(
    "answer",
    [
        ["127.0.0.1"],
        ["10.0.0.7"],
        ["169.254.169.254"],
        [PUBLIC_IP, "127.0.0.1"],
        ["127.0.0.1", PUBLIC_IP],
        [PUBLIC_IP, "::1"],
        ["2606:4700::1111", "fd00:ec2::254"],
        ["::ffff:127.0.0.1"],
        ["64:ff9b::a9fe:a9fe"],
    ],
)
async def test_every_resolved_address_must_be_public(answer: list[str]) -> None:
    network = ScriptedNetwork({PUBLIC_IP: canned(), "2606:4700::1111": canned()})
    async with HttpFetcher(resolver=FakeDns(answer), network_backend=network) as fetcher:
        with pytest.raises(FetchError, match=r"refused: intranet\.test resolves to .* which is not public"):
            await fetcher.fetch("http://intranet.test/")
    assert network.connects == []


async def test_dns_rebinding_cannot_move_the_connection() -> None:
    # First answer public, every later one loopback: a second lookup would land on 127.0.0.1.
    dns = FakeDns([PUBLIC_IP], ["127.0.0.1"])
    network = ScriptedNetwork({PUBLIC_IP: canned(body=b"<p>public page</p>")})
    async with HttpFetcher(resolver=dns, network_backend=network) as fetcher:
        page = await fetcher.fetch("http://rebind.test/story?id=1")
    assert page.text() == "<p>public page</p>"
    assert dns.queries == [("rebind.test", 80)]
    assert network.connects == [(PUBLIC_IP, 80)]
    sent = bytes(network.streams[0].sent)
    assert sent.startswith(b"GET /story?id=1 HTTP/1.1\r\n")
    assert b"\r\nHost: rebind.test\r\n" in sent


async def test_a_new_connection_after_rebinding_is_checked_again() -> None:
    dns = FakeDns([PUBLIC_IP], ["127.0.0.1"])
    network = ScriptedNetwork({PUBLIC_IP: canned(302, b"", Location="/next")})
    async with HttpFetcher(resolver=dns, network_backend=network) as fetcher:
        with pytest.raises(FetchError, match=r"resolves to 127\.0\.0\.1.*redirected from rebind\.test"):
            await fetcher.fetch("http://rebind.test/")
    assert network.connects == [(PUBLIC_IP, 80)]


async def test_connection_falls_back_only_to_other_checked_addresses() -> None:
    network = ScriptedNetwork({"93.184.216.35": canned(body=b"<p>second</p>")})
    resolver = FakeDns([PUBLIC_IP, "93.184.216.35"])
    async with HttpFetcher(resolver=resolver, network_backend=network) as fetcher:
        page = await fetcher.fetch("http://multi.test/")
    assert page.text() == "<p>second</p>"
    assert network.connects == [(PUBLIC_IP, 80), ("93.184.216.35", 80)]


@pytest.mark.parametrize(
    ("location", "message"),
    [
        ("http://10.0.0.5/admin", r"address 10\.0\.0\.5 is not public"),
        ("http://169.254.169.254/latest/meta-data/iam/", "metadata"),
        ("http://[::1]/", "loopback"),
        ("http://2130706433/", "loopback"),
        ("http://internal.test/", r"internal\.test resolves to 192\.168\.1\.1"),
        ("http://news.test:8080/", "port 8080"),
        ("file:///etc/passwd", "only http and https"),
    ],
)
async def test_redirect_to_a_private_target_is_refused(location: str, message: str) -> None:
    resolver = mapping_resolver({"news.test": [PUBLIC_IP], "internal.test": ["192.168.1.1"]})
    network = ScriptedNetwork({PUBLIC_IP: canned(302, b"", Location=location)})
    async with HttpFetcher(resolver=resolver, network_backend=network) as fetcher:
        with pytest.raises(FetchError, match=message) as caught:
            await fetcher.fetch("http://news.test/story")
    assert "redirected from news.test" in str(caught.value)
    assert network.connects == [(PUBLIC_IP, 80)]


async def test_public_redirect_is_followed_on_the_scripted_network() -> None:
    other = "93.184.216.40"
    resolver = mapping_resolver({"news.test": [PUBLIC_IP], "cdn.test": [other]})
    network = ScriptedNetwork(
        {PUBLIC_IP: canned(301, b"", Location="http://cdn.test/x"), other: canned(body=b"<p>cdn</p>")}
    )
    async with HttpFetcher(resolver=resolver, network_backend=network) as fetcher:
        page = await fetcher.fetch("http://news.test/")
    assert page.final_url == "http://cdn.test/x"
    assert network.connects == [(PUBLIC_IP, 80), (other, 80)]


async def test_backend_refuses_other_ports_by_itself() -> None:
    network = ScriptedNetwork({PUBLIC_IP: b""})
    backend = PinnedBackend(resolver=FakeDns([PUBLIC_IP]), allow_private_networks=False, inner=network)
    with pytest.raises(FetchError, match="port 6379"):
        await backend.connect_tcp("cache.test", 6379)
    with pytest.raises(FetchError, match="not public"):
        await backend.connect_tcp("0x7f000001", 80)
    assert network.connects == []


# ========================================================================================
# Logging and the test double
# ========================================================================================


async def test_query_strings_never_reach_the_logs(
    server: LocalServer, caplog: pytest.LogCaptureFixture
) -> None:
    server.routes["/s"] = redirect("/t?token=hunter2")
    server.routes["/t"] = reply(200, b"<p>x</p>")
    caplog.set_level(logging.DEBUG)
    async with HttpFetcher(allow_private_networks=True) as fetcher:
        await fetcher.fetch(server.url("/s?session=s3cr3t"))
    logged = "\n".join(
        record.getMessage() for record in caplog.records if record.name.startswith("retrieval")
    )
    assert "/s" in logged
    assert "s3cr3t" not in logged and "hunter2" not in logged
    assert not [r for r in caplog.records if r.name.startswith("retrieval") and r.levelno >= logging.INFO]


async def test_static_fetcher_serves_its_pages() -> None:
    ready = FetchedPage("https://a.test/1", "https://a.test/final", 200, "text/html", b"<p>a</p>", "utf-8")
    fetcher: Fetcher = StaticFetcher(
        {
            "https://a.test/1": ready,
            "https://b.test/html": b"  <html><p>b</p></html>",
            "https://b.test/plain": "Just text, é",
            "https://c.test/broken": FetchError("HTTP 500 from c.test"),
        }
    )
    async with fetcher:
        assert await fetcher.fetch("https://a.test/1") is ready
        html = await fetcher.fetch("https://b.test/html")
        assert (html.content_type, html.final_url, html.status) == ("text/html", "https://b.test/html", 200)
        plain = await fetcher.fetch("https://b.test/plain")
        assert (plain.content_type, plain.text()) == ("text/plain", "Just text, é")
        with pytest.raises(FetchError, match=r"HTTP 500 from c\.test"):
            await fetcher.fetch("https://c.test/broken")
        with pytest.raises(FetchError, match=r"HTTP 404 from d\.test"):
            await fetcher.fetch("https://d.test/missing")
        with pytest.raises(FetchError, match="only http and https"):
            await fetcher.fetch("file:///etc/passwd")
    assert isinstance(fetcher, StaticFetcher)
    assert fetcher.requested[:2] == ["https://a.test/1", "https://b.test/html"]
    assert len(fetcher.requested) == 6


async def test_proxy_environment_is_ignored(server: LocalServer, monkeypatch: pytest.MonkeyPatch) -> None:
    # A proxy that would answer everything: if the fetcher obeyed the environment, it would get this page.
    proxy = LocalServer()
    proxy.routes = {}
    await proxy.start()
    try:
        for name in ("HTTP_PROXY", "http_proxy", "HTTPS_PROXY", "https_proxy", "ALL_PROXY", "all_proxy"):
            monkeypatch.setenv(name, proxy.url())
        monkeypatch.delenv("NO_PROXY", raising=False)
        monkeypatch.delenv("no_proxy", raising=False)
        server.routes["/"] = reply(200, b"<p>direct</p>")
        async with HttpFetcher(allow_private_networks=True) as fetcher:
            assert (await fetcher.fetch(server.url())).text() == "<p>direct</p>"
        assert proxy.connections == 0
    finally:
        await proxy.close()
