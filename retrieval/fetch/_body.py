"""Reading a response body under a size cap, before and after decompression.

httpx's own decoders call `decompressobj.decompress(chunk)` without a length limit, so a single
64 KiB network read of a gzip bomb inflates to ~64 MiB before any cap can look at it (and a
`gzip, gzip` chain multiplies that). Here the raw bytes are counted as they arrive and inflated
with `max_length`, so memory stays within the cap plus one network read whatever the ratio.
"""

from __future__ import annotations

import zlib

from ._types import FetchError, normalise_charset

ACCEPTED_TYPES = {"text/html": "text/html", "application/xhtml+xml": "text/html", "text/plain": "text/plain"}
# What a feed fetch takes: the page types (a site page names its feed), XML feeds and JSON feeds, each
# under one name. Servers label RSS as any of these; the parser looks at the body, not the label.
FEED_TYPES = {
    **ACCEPTED_TYPES,
    **dict.fromkeys(
        ("application/rss+xml", "application/atom+xml", "application/rdf+xml", "application/xml", "text/xml"),
        "application/xml",
    ),
    **dict.fromkeys(("application/feed+json", "application/json"), "application/json"),
}
ACCEPT_ENCODING = "gzip, deflate"
_GZIP_WBITS = 16 + zlib.MAX_WBITS
_GZIP_MAGIC = b"\x1f\x8b"
_INFLATE_STEP = 256 * 1024


def human_size(size: int) -> str:
    if size >= 1_000_000:
        return f"{size / 1_000_000:g} MB"
    if size >= 1_000:
        return f"{size / 1_000:g} kB"
    return f"{size} bytes"


def parse_content_type(header: str | None) -> tuple[str | None, str | None]:
    """(media type lower-cased, declared charset as a codec name) from a Content-Type value."""
    if not header:
        return None, None
    media, _, params = header.partition(";")
    charset = None
    for param in params.split(";"):
        name, _, value = param.partition("=")
        if name.strip().lower() == "charset":
            charset = normalise_charset(value)
    return media.strip().lower() or None, charset


class BodyReader:
    """Accumulates a body; raises FetchError as soon as either size passes `max_bytes`.

    A gzip body may be several members back to back (RFC 1952), and a member can end exactly at the
    end of a network read, or its successor's header can straddle two reads, so the reader never
    assumes the body ended just because a member did. Bytes after the last member that do not start
    another member are ignored, as `gzip -d` does (with a warning) and browsers do after a footer:
    some servers pad a good body or append junk to it, and refusing the page over that would help no
    one. Bytes that do start another member must decode, or the page is corrupt. The size cap counts
    the output of all members together, so splitting a bomb into many members does not get past it.
    """

    def __init__(self, content_encoding: str | None, max_bytes: int) -> None:
        self._max = max_bytes
        self._raw_seen = 0
        self._out = bytearray()
        self._codec = _codec_name(content_encoding)
        self._inflater: zlib._Decompress | None = None  # None between streams, until a header is seen
        self._pending = b""  # bytes too few to recognise a deflate header or a gzip member's magic
        self._members = 0  # compressed streams decoded to their end
        self._finished = False  # the compressed data ended; trailing bytes are ignored

    def feed(self, raw: bytes) -> None:
        self._raw_seen += len(raw)
        if self._raw_seen > self._max:
            raise self._too_large()
        if self._codec == "identity":
            self._out += raw
            if len(self._out) > self._max:
                raise self._too_large()
            return
        data = self._pending + raw if self._pending else raw
        self._pending = b""
        while data and not self._finished:
            if self._inflater is None:
                if len(data) < 2:
                    self._pending = data
                    return
                self._inflater = self._start(data)
                if self._inflater is None:
                    return
            data = self._inflate(data)

    def result(self) -> bytes:
        return bytes(self._out)

    def _start(self, data: bytes) -> zlib._Decompress | None:
        if self._codec == "deflate":
            # "deflate" should be zlib-wrapped (RFC 9110) but some servers send bare deflate.
            return zlib.decompressobj(zlib.MAX_WBITS if _has_zlib_header(data) else -zlib.MAX_WBITS)
        if self._members and not data.startswith(_GZIP_MAGIC):
            self._finished = True  # trailing junk after the last member
            return None
        # The first member is decoded whatever it starts with, so a body that is not gzip is corrupt.
        return zlib.decompressobj(_GZIP_WBITS)

    def _inflate(self, data: bytes) -> bytes:
        """Inflates until `data` is used up or the stream ends; returns the bytes after the end."""
        assert self._inflater is not None
        while True:
            # One byte over the cap proves it was passed; small steps keep each piece small too.
            room = min(self._max - len(self._out) + 1, _INFLATE_STEP)
            try:
                self._out += self._inflater.decompress(data, room)
            except zlib.error as exc:
                raise FetchError("the page's compressed data is corrupt") from exc
            if len(self._out) > self._max:
                raise self._too_large()
            if self._inflater.eof:
                break
            data = self._inflater.unconsumed_tail
            if not data:
                return b""
        rest = self._inflater.unused_data
        self._inflater = None
        self._members += 1
        if self._codec == "deflate":
            self._finished = True  # a deflate body is a single stream
        return rest

    def _too_large(self) -> FetchError:
        return FetchError(f"refused: page is larger than {human_size(self._max)}")


def _codec_name(content_encoding: str | None) -> str:
    codings = [c.strip().lower() for c in (content_encoding or "").split(",") if c.strip()]
    codings = [c for c in codings if c != "identity"]
    if not codings:
        return "identity"
    if len(codings) == 1 and codings[0] in ("gzip", "x-gzip"):
        return "gzip"
    if len(codings) == 1 and codings[0] == "deflate":
        return "deflate"
    raise FetchError(f"refused: unsupported content encoding {content_encoding!r}")


def _has_zlib_header(data: bytes) -> bool:
    return len(data) >= 2 and data[0] & 0x0F == 8 and (data[0] << 8 | data[1]) % 31 == 0
