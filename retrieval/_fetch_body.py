"""Reading a response body under a size cap, before and after decompression.

httpx's own decoders call `decompressobj.decompress(chunk)` without a length limit, so a single
64 KiB network read of a gzip bomb inflates to ~64 MiB before any cap can look at it (and a
`gzip, gzip` chain multiplies that). Here the raw bytes are counted as they arrive and inflated
with `max_length`, so memory stays within the cap plus one network read whatever the ratio.
"""

from __future__ import annotations

import zlib

from retrieval._fetch_types import FetchError, normalise_charset

ACCEPTED_TYPES = {"text/html": "text/html", "application/xhtml+xml": "text/html", "text/plain": "text/plain"}
ACCEPT_ENCODING = "gzip, deflate"
_GZIP_WBITS = 16 + zlib.MAX_WBITS
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
    """Accumulates a body; raises FetchError as soon as either size passes `max_bytes`."""

    def __init__(self, content_encoding: str | None, max_bytes: int) -> None:
        self._max = max_bytes
        self._raw_seen = 0
        self._out = bytearray()
        self._codec = _codec_name(content_encoding)
        self._inflater: zlib._Decompress | None = None
        self._pending = b""  # first byte of a deflate body, until its header can be recognised
        self._finished = False  # compressed stream ended; trailing bytes are ignored, as browsers do
        if self._codec == "gzip":
            self._inflater = zlib.decompressobj(_GZIP_WBITS)

    def feed(self, raw: bytes) -> None:
        self._raw_seen += len(raw)
        if self._raw_seen > self._max:
            raise self._too_large()
        if self._codec == "identity":
            self._out += raw
            if len(self._out) > self._max:
                raise self._too_large()
            return
        if self._finished or not raw:
            return
        if self._inflater is None:
            raw = self._pending + raw
            if len(raw) < 2:
                self._pending = raw
                return
            # "deflate" should be zlib-wrapped (RFC 9110) but some servers send bare deflate.
            self._inflater = zlib.decompressobj(zlib.MAX_WBITS if _has_zlib_header(raw) else -zlib.MAX_WBITS)
        self._inflate(raw)

    def result(self) -> bytes:
        return bytes(self._out)

    def _inflate(self, data: bytes) -> None:
        assert self._inflater is not None
        while data:
            # One byte over the cap proves it was passed; small steps keep each piece small too.
            room = min(self._max - len(self._out) + 1, _INFLATE_STEP)
            try:
                self._out += self._inflater.decompress(data, room)
            except zlib.error as exc:
                raise FetchError("the page's compressed data is corrupt") from exc
            if len(self._out) > self._max:
                raise self._too_large()
            if not self._inflater.eof:
                data = self._inflater.unconsumed_tail
                continue
            data = self._inflater.unused_data
            if self._codec == "gzip" and data.startswith(b"\x1f\x8b"):
                # Concatenated gzip members form one valid body.
                self._inflater = zlib.decompressobj(_GZIP_WBITS)
            else:
                self._finished = True
                return

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
