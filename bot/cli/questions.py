"""`briefbot search`, `ask`, `stance`, `digest` and `demo`: what the stored articles say, from a terminal."""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path

from bot.cli.common import opened_briefer, opened_services, parse_when, print_json, search_filters
from bot.settings import Settings
from briefing.types import Briefing
from retrieval.store import SHARED_SCOPE
from retrieval.text import format_date

SAMPLE_QUESTION = "What is the Kremlin's stance on the annexed regions?"




def _output(briefing: Briefing, as_json: bool) -> None:
    if as_json:
        print_json(
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


async def cmd_search(settings: Settings, args: argparse.Namespace) -> int:
    async with opened_services(settings) as services:
        hits = await services.searcher.search(args.query, k=args.k, filters=search_filters(args))
    if args.json:
        print_json([h.as_dict() for h in hits])
        return 0
    if not hits:
        print("No matching passages in the stored articles.")
    for i, h in enumerate(hits, 1):
        date = h.published.date().isoformat() if h.published else "date unknown"
        print(f"[{i}] {h.title} — {h.outlet}, {date}\n    {h.url}\n    {_snippet(h.text)}\n")
    return 0


def _snippet(text: str, limit: int = 300) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rsplit(" ", 1)[0] + "…"


async def cmd_ask(settings: Settings, args: argparse.Namespace) -> int:
    filters = search_filters(args)
    async with opened_briefer(settings) as briefer:
        briefing = await briefer.ask(args.question, filters=filters)
    _output(briefing, args.json)
    return 0


async def cmd_stance(settings: Settings, args: argparse.Namespace) -> int:
    filters = search_filters(args)
    async with opened_briefer(settings) as briefer:
        briefing = await briefer.stance(args.actor, args.topic, filters=filters)
    _output(briefing, args.json)
    if args.chart:
        if briefing.chart_png:
            await asyncio.to_thread(Path(args.chart).write_bytes, briefing.chart_png)
            print(f"chart written to {args.chart}", file=sys.stderr)
        else:
            print("no chart: not enough dated statements to plot", file=sys.stderr)
    return 0


async def cmd_digest(settings: Settings, args: argparse.Namespace) -> int:
    since = parse_when(args.since)
    async with opened_briefer(settings) as briefer:
        briefing = await briefer.digest(since=since, scope=args.chat)
    _output(briefing, args.json)
    return 0


async def cmd_demo(settings: Settings, args: argparse.Namespace) -> int:
    from importlib.resources import as_file, files

    from briefing.briefer import build_briefer

    async with opened_services(settings) as services:
        results = []
        with as_file(files("bot") / "demo_articles") as folder:
            # Lists the few demo files bundled with the package: not worth a thread.
            for file in sorted(Path(folder).glob("*.txt")):  # noqa: ASYNC240
                results.append(await services.ingestor.ingest_file(file, added_by=SHARED_SCOPE))
        added = sum(r.status == "added" for r in results)
        print(f"Demo articles: {added} added, {len(results) - added} already stored or linked.\n")
        question = args.question or SAMPLE_QUESTION
        print(f"Q: {question}\n")
        briefer = build_briefer(services)
        try:
            _output(await briefer.ask(question), False)
        finally:
            await briefer.aclose()
    return 0
