"""`briefbot extract` and `briefbot statements`: what briefbot reads in an article, without storing it."""

from __future__ import annotations

import argparse
import asyncio
import json
import re
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlparse

from bot.cli.common import UsageError, print_json
from bot.settings import Settings
from retrieval.errors import BriefbotError

if TYPE_CHECKING:
    from retrieval.store import Article, Extracted, Statement


def _read_local_file(target: str) -> tuple[bytes, str]:
    from retrieval.ingest import read_with_url

    path = Path(target)
    if not path.is_file():
        raise UsageError(f"no such file: {target}")
    return read_with_url(path)


async def cmd_extract(settings: Settings, args: argparse.Namespace) -> int:
    from retrieval.extract import extract_html, extract_text

    target: str = args.target
    extracted: Extracted
    if re.match(r"^https?://", target, re.IGNORECASE):
        from bot.services import build_fetcher

        async with build_fetcher(settings) as fetcher:
            page = await fetcher.fetch(target)
        if page.content_type == "text/plain":
            extracted = extract_text(page.text(), url=args.url or page.final_url)
        else:
            extracted = extract_html(page.body, url=args.url or page.final_url)
    else:
        raw, file_url = await asyncio.to_thread(_read_local_file, target)
        if Path(target).suffix.lower() in (".html", ".htm"):
            extracted = extract_html(raw, url=args.url)
        else:
            extracted = extract_text(raw.decode("utf-8", errors="replace"), url=args.url)
        extracted.url = extracted.url or file_url
    out = {
        "title": extracted.title,
        "text": extracted.text,
        "url": extracted.url,
        "published": extracted.published.isoformat() if extracted.published else None,
        "author": extracted.author,
        "site": extracted.site,
    }
    if args.json:
        print_json(out)
    else:
        print(
            f"{out['title']}\n{out['site']} · {out['published'] or 'date unknown'} · {out['url']}\n\n"
            f"{out['text']}"
        )
    return 0


def _article(
    number: int, text: str, title: str = "", url: str = "", published: datetime | None = None
) -> Article:
    from retrieval.store import Article
    from retrieval.text import detect_language

    # As ingestion does: the statement rules read an article by its language.
    language = detect_language(f"{title}\n{text}", fallback="en")
    return Article(
        id=number, url=url, title=title, outlet=urlparse(url).netloc.removeprefix("www.") or "unknown",
        author=None, published_at=published, language=language, text=text, content_hash="", added_by="cli",
        added_at=datetime.now(UTC),
    )  # fmt: skip


def _statement_row(s: Statement) -> dict[str, Any]:
    return {
        "speaker": s.speaker, "role": s.role, "kind": s.kind, "text": s.text,
        "said_on": s.said_on.date().isoformat() if s.said_on else None,
    }  # fmt: skip


def cmd_statements(settings: Settings, args: argparse.Namespace) -> int:
    """Statements in one article file, or (--jsonl) in passages read from standard input, one JSON object a
    line:
    {"id", "text", "title"?, "url"?, "published"?} -> {"id", "statements": [...]} (plus "error" for a bad
    line)."""
    from retrieval.statements import extract_statements

    if args.jsonl:
        for number, line in enumerate(sys.stdin, 1):
            if not line.strip():
                continue
            row: dict[str, Any] = {"id": None, "statements": []}
            try:
                passage = json.loads(line)
                row["id"] = passage.get("id", number)
                published = passage.get("published")
                when = datetime.fromisoformat(published) if published else None
                article = _article(
                    number, passage["text"], passage.get("title") or "", passage.get("url") or "", when
                )
                row["statements"] = [_statement_row(s) for s in extract_statements(article)]
            except (ValueError, KeyError, TypeError, AttributeError) as exc:
                row["error"] = (
                    f"line {number}: {type(exc).__name__}: {exc}"  # one bad line loses nothing else
                )
            print(json.dumps(row, ensure_ascii=False), flush=False)
        return 0
    if not args.file:
        raise UsageError("give an article FILE, or --jsonl to read passages from standard input")
    from retrieval.extract import extract_html, extract_text

    path = Path(args.file)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise BriefbotError(f"cannot read {path}: {exc.strerror or exc}") from exc
    extracted = (
        extract_html(raw) if path.suffix.lower() in (".html", ".htm")
        else extract_text(raw.decode("utf-8", errors="replace"))
    )  # fmt: skip
    article = _article(1, extracted.text, extracted.title or "", extracted.url or path.resolve().as_uri(),
                       extracted.published)  # fmt: skip
    rows = [_statement_row(s) for s in extract_statements(article)]
    if args.json:
        print_json(rows)
    else:
        for r in rows:
            role = f" ({r['role']})" if r["role"] else ""
            text = f"“{r['text']}”" if r["kind"] == "quote" else r["text"]
            print(f"{r['said_on'] or 'undated'}  {r['speaker']}{role}: {text}")
        print(f"{len(rows)} statement{'s' if len(rows) != 1 else ''}", file=sys.stderr)
    return 0
