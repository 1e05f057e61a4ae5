"""The fetched page and the fetch error; public through `retrieval.fetch`."""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass

from retrieval.errors import BriefbotError

_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
# The HTML spec's prescan looks at the first 1024 bytes; some sites put a long <head> first.
_PRESCAN_BYTES = 4096
_META_CHARSET = re.compile(
    rb"""<meta[^>]+?charset\s*=\s*["']?\s*([a-zA-Z0-9_.:-]+)""",
    re.IGNORECASE,
)
# Browsers read these labels as windows-1252, a superset that decodes the 0x80-0x9f range sensibly.
_AS_WINDOWS_1252 = frozenset({"latin_1", "ascii", "iso8859_1"})


class FetchError(BriefbotError):
    """A page could not or may not be fetched; `str(exc)` is a one-line reason fit for a user."""


@dataclass(frozen=True, slots=True)
class FetchedPage:
    url: str
    final_url: str
    status: int
    content_type: str
    body: bytes
    encoding: str | None = None
    # The validators the server gave, for the next conditional request (feeds).
    etag: str | None = None
    last_modified: str | None = None

    @property
    def not_modified(self) -> bool:
        """A conditional request found nothing new (HTTP 304): there is no body."""
        return self.status == 304

    def text(self) -> str:
        """The body as text: BOM, then the declared encoding, then `<meta charset>`, then UTF-8."""
        encoding = _bom_encoding(self.body) or self.encoding
        if encoding is None and self.content_type == "text/html":
            encoding = sniff_meta_charset(self.body)
        text = self.body.decode(encoding or "utf-8", errors="replace")
        return text.removeprefix("\ufeff")


def normalise_charset(label: str | None) -> str | None:
    """A Python codec name for a declared charset, or None when the label is unknown."""
    if not label:
        return None
    try:
        name = codecs.lookup(label.strip().strip("\"'")).name
    except LookupError:
        return None
    if name.replace("-", "_") in _AS_WINDOWS_1252:
        return "cp1252"
    return name


def sniff_meta_charset(body: bytes) -> str | None:
    match = _META_CHARSET.search(body[:_PRESCAN_BYTES])
    if match is None:
        return None
    name = normalise_charset(match.group(1).decode("ascii"))
    # A <meta> cannot honestly declare UTF-16: the bytes that spelled it out were ASCII.
    if name is not None and name.replace("-", "_").startswith("utf_16"):
        return "utf-8"
    return name


def _bom_encoding(body: bytes) -> str | None:
    for bom, name in _BOMS:
        if body.startswith(bom):
            return name
    return None
