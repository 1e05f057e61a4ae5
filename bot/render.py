"""Briefings as Telegram HTML: citations become links from our own metadata, long answers are split safely."""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from datetime import datetime

from briefing.types import Briefing, Citation

MESSAGE_LIMIT = 4096
_CITE = re.compile(r"\[(\d+)\]")


def fmt_date(value: datetime | None) -> str:
    return value.strftime("%-d %b %Y") if value else "undated"


def _size(text: str) -> int:
    # Telegram counts UTF-16 code units; measuring the raw HTML keeps a margin for the markup it strips.
    return len(text.encode("utf-16-le")) // 2


def _inline(text: str, citations: dict[int, Citation]) -> str:
    """Escape a plain-text line and turn each known [n] into a link; unknown numbers are dropped."""
    out: list[str] = []
    pos = 0
    for match in _CITE.finditer(text):
        out.append(html.escape(text[pos : match.start()], quote=False))
        cite = citations.get(int(match.group(1)))
        if cite is not None:
            out.append(f'<a href="{html.escape(cite.url, quote=True)}">[{cite.n}]</a>')
        pos = match.end()
    out.append(html.escape(text[pos:], quote=False))
    return "".join(out)


def _line(text: str, citations: dict[int, Citation]) -> str:
    if text.startswith("## "):
        return f"<b>{_inline(text[3:].strip(), citations)}</b>"
    if text.startswith("> "):
        # The reporter's sentence a statement leans on (stance timelines): set apart from what was said.
        return f"<i>↳ {_inline(text[2:].strip(), citations)}</i>"
    return _inline(text, citations)


def source_lines(citations: Sequence[Citation]) -> list[str]:
    lines = ["<b>Sources</b>"]
    for c in citations:
        title = html.escape(c.title, quote=False)
        lines.append(
            f"{c.n}. {html.escape(c.outlet, quote=False)} · {fmt_date(c.published)} · "
            f'<a href="{html.escape(c.url, quote=True)}">{title}</a>'
        )
    return lines


def render_blocks(briefing: Briefing) -> list[str]:
    """HTML blocks, each complete in itself (no tag spans two blocks), in reading order."""
    by_n = {c.n: c for c in briefing.citations}
    blocks: list[str] = []
    if briefing.note:
        blocks.append(f"<i>{html.escape(briefing.note, quote=False)}</i>")
    for paragraph in re.split(r"\n\s*\n", briefing.answer.strip()):
        if paragraph.strip():
            blocks.append("\n".join(_line(line, by_n) for line in paragraph.split("\n")))
    if briefing.citations:
        blocks.append("\n".join(source_lines(briefing.citations)))
    return blocks


def _split_block(block: str, limit: int) -> list[str]:
    """A block longer than a message is cut at line, then sentence, then word boundaries outside tags."""
    if _size(block) <= limit:
        return [block]
    pieces: list[str] = []
    current = ""
    for unit in _units(block):
        if _size(unit) > limit:
            plain = unit if "<" not in unit else _strip_tags(unit)
            unit = plain[: limit // 2 - 1] + "…"
        if current and _size(current) + _size(unit) > limit:
            pieces.append(current.rstrip())
            current = unit.lstrip()
        else:
            current += unit
    if current.strip():
        pieces.append(current.rstrip())
    return pieces


def _units(block: str) -> list[str]:
    """Lines and sentences, never cutting inside a tag: tags open and close on one line in our output."""
    units: list[str] = []
    for line in block.split("\n"):
        parts = re.split(r"(?<=[.!?…])\s+(?![^<]*>)", line)
        units.extend(p + " " for p in parts[:-1])
        units.append(parts[-1] + "\n")
    return units


def _strip_tags(text: str) -> str:
    return html.escape(html.unescape(re.sub(r"<[^>]+>", "", text)), quote=False)


def pack(blocks: Sequence[str], limit: int = MESSAGE_LIMIT) -> list[str]:
    """Blocks joined by blank lines into as few messages as fit, splitting only between blocks if possible."""
    messages: list[str] = []
    current = ""
    for block in blocks:
        for piece in _split_block(block, limit):
            candidate = f"{current}\n\n{piece}" if current else piece
            if _size(candidate) <= limit:
                current = candidate
            else:
                messages.append(current)
                current = piece
    if current:
        messages.append(current)
    return messages


def render_briefing(briefing: Briefing, limit: int = MESSAGE_LIMIT) -> list[str]:
    return pack(render_blocks(briefing), limit)


def to_plain(message_html: str) -> str:
    """The same message without markup, for when Telegram rejects our HTML."""
    return html.unescape(re.sub(r"<[^>]+>", "", message_html))
