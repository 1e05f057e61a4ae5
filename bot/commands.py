"""`briefbot ask`, `briefbot stance` and `briefbot digest`: sourced briefings from the command line; and
`briefbot statements`: what the statement extractor reads in an article, without storing it.

Importing this module registers the subcommands with `bot.cli` (through its `_EXTRA_COMMANDS` hook).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from bot.cli import _EXTRA_COMMANDS, _EXTRA_HELP, UsageError, _filters, _print, parse_when
from bot.settings import Settings
from briefing.types import Briefing
from retrieval.text import format_date


def _output(briefing: Briefing, as_json: bool) -> None:
    if as_json:
        _print(
            {
                "answer": briefing.answer,
                "found": briefing.found,
                "citations": [c.as_dict() for c in briefing.citations],
            }
        )
        return
    if briefing.note:
        print(f"({briefing.note})\n")
    print(briefing.answer)
    if briefing.citations:
        print("\nSources:")
        for c in briefing.citations:
            print(f"[{c.n}] {c.outlet}, {format_date(c.published)}: {c.title}\n    {c.url}")


async def cmd_ask(settings: Settings, args: argparse.Namespace) -> int:
    from bot.services import open_services
    from briefing.briefer import build_briefer

    filters = _filters(args)
    services = await open_services(settings)
    briefer = build_briefer(services)
    try:
        briefing = await briefer.ask(args.question, filters=filters)
    finally:
        await briefer.aclose()
        await services.aclose()
    _output(briefing, args.json)
    return 0


async def cmd_stance(settings: Settings, args: argparse.Namespace) -> int:
    from bot.services import open_services
    from briefing.briefer import build_briefer

    filters = _filters(args)
    services = await open_services(settings)
    briefer = build_briefer(services)
    try:
        if briefer.stance_service is None:
            raise UsageError("stance timelines are not available in this installation")
        briefing = await briefer.stance(args.actor, args.topic, filters=filters)
    finally:
        await briefer.aclose()
        await services.aclose()
    _output(briefing, args.json)
    if args.chart:
        if briefing.chart_png:
            await asyncio.to_thread(Path(args.chart).write_bytes, briefing.chart_png)
            print(f"chart written to {args.chart}", file=sys.stderr)
        else:
            print("no chart: not enough dated statements to plot", file=sys.stderr)
    return 0


async def cmd_digest(settings: Settings, args: argparse.Namespace) -> int:
    from bot.services import open_services
    from briefing.briefer import build_briefer

    since = parse_when(args.since)
    services = await open_services(settings)
    briefer = build_briefer(services)
    try:
        briefing = await briefer.digest(since=since, scope=args.chat)
    finally:
        await briefer.aclose()
        await services.aclose()
    _output(briefing, args.json)
    return 0


def _article(
    number: int, text: str, title: str = "", url: str = "", published: datetime | None = None
) -> Any:
    from retrieval.store import Article

    return Article(
        id=number, url=url, title=title, outlet=urlparse(url).netloc.removeprefix("www.") or "unknown",
        author=None, published_at=published, language="en", text=text, content_hash="", added_by="cli",
        added_at=datetime.now(UTC),
    )  # fmt: skip


def _statement_row(s: Any) -> dict[str, Any]:
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
    from retrieval.extract import ExtractError, extract_html, extract_text

    path = Path(args.file)
    try:
        raw = path.read_bytes()
        extracted = (
            extract_html(raw) if path.suffix.lower() in (".html", ".htm")
            else extract_text(raw.decode("utf-8", errors="replace"))
        )  # fmt: skip
    except (OSError, ExtractError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    article = _article(1, extracted.text, extracted.title or "", extracted.url or path.resolve().as_uri(),
                       extracted.published)  # fmt: skip
    rows = [_statement_row(s) for s in extract_statements(article)]
    if args.json:
        _print(rows)
    else:
        for r in rows:
            role = f" ({r['role']})" if r["role"] else ""
            text = f"“{r['text']}”" if r["kind"] == "quote" else r["text"]
            print(f"{r['said_on'] or 'undated'}  {r['speaker']}{role}: {text}")
        print(f"{len(rows)} statement{'s' if len(rows) != 1 else ''}", file=sys.stderr)
    return 0


def _filter_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--since", help="published on/after: YYYY-MM-DD or 24h / 7d")
    p.add_argument("--until", help="published on/before: YYYY-MM-DD")
    p.add_argument("--source", help="only this outlet")
    p.add_argument("--chat", help="answer as this chat (its own and shared articles)")


def _ask(p: argparse.ArgumentParser) -> None:
    p.add_argument("question")
    p.add_argument("--json", action="store_true", help="print {answer, found, citations} as JSON")
    _filter_options(p)
    p.set_defaults(run=cmd_ask)


def _stance(p: argparse.ArgumentParser) -> None:
    p.add_argument("actor", help="who, e.g. Kremlin, Lavrov")
    p.add_argument("topic", nargs="?", help="about what, e.g. annexed regions")
    p.add_argument("--json", action="store_true")
    p.add_argument("--chart", metavar="FILE.png", help="also write the statements-over-time chart here")
    _filter_options(p)
    p.set_defaults(run=cmd_stance)


def _digest(p: argparse.ArgumentParser) -> None:
    p.add_argument("--since", default="24h", help="added after: 24h, 7d or a date (default 24h)")
    p.add_argument("--chat", help="only what this chat can see")
    p.add_argument("--json", action="store_true")
    p.set_defaults(run=cmd_digest)


def _statements(p: argparse.ArgumentParser) -> None:
    p.add_argument("file", nargs="?", metavar="FILE", help="an article file (.txt, .md, .html)")
    p.add_argument("--json", action="store_true", help="print the statements as a JSON list")
    p.add_argument(
        "--jsonl", action="store_true", help="read passages as JSON lines on stdin, write one line each"
    )
    p.set_defaults(run=cmd_statements, sync=True)


_COMMANDS = (
    ("ask", _ask, "a short briefing with sources that answers a question"),
    ("stance", _stance, "what someone said about a topic, over time"),
    ("digest", _digest, "the stories added recently, grouped, most reported first"),
    ("statements", _statements, "the statements (who said what, when) in an article file, not stored"),
)


def register() -> None:
    """Add the briefing subcommands to the CLI; safe to call more than once."""
    known = {name for name, _ in _EXTRA_COMMANDS}
    for name, configure, help_text in _COMMANDS:
        if name not in known:
            _EXTRA_COMMANDS.append((name, configure))
            _EXTRA_HELP[name] = help_text


register()
