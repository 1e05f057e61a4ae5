"""`briefbot ask`, `briefbot stance` and `briefbot digest`: sourced briefings from the command line.

Importing this module registers the subcommands with `bot.cli` (through its `_EXTRA_COMMANDS` hook).
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from datetime import datetime
from pathlib import Path

from bot.cli import _EXTRA_COMMANDS, _EXTRA_HELP, UsageError, _filters, _print, parse_when
from bot.settings import Settings
from briefing.types import Briefing


def _date(value: datetime | None) -> str:
    return f"{value.day} {value:%b %Y}" if value else "undated"


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
            print(f"[{c.n}] {c.outlet}, {_date(c.published)}: {c.title}\n    {c.url}")


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


_COMMANDS = (
    ("ask", _ask, "a short briefing with sources that answers a question"),
    ("stance", _stance, "what someone said about a topic, over time"),
    ("digest", _digest, "the stories added recently, grouped, most reported first"),
)


def register() -> None:
    """Add the briefing subcommands to the CLI; safe to call more than once."""
    known = {name for name, _ in _EXTRA_COMMANDS}
    for name, configure, help_text in _COMMANDS:
        if name not in known:
            _EXTRA_COMMANDS.append((name, configure))
            _EXTRA_HELP[name] = help_text


register()
