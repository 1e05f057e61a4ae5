"""`briefbot ingest`, `sources`, `forget`, `reindex`, `backup`, `stats` and `prepare`: the library, from a
terminal."""

from __future__ import annotations

import argparse
import asyncio
import re
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bot.cli.common import Progress, UsageError, opened_services, print_json
from bot.settings import Settings
from retrieval.errors import BriefbotError
from retrieval.store import SHARED_SCOPE
from retrieval.urls import article_ref

if TYPE_CHECKING:
    from retrieval.ingest import IngestResult


async def cmd_ingest(settings: Settings, args: argparse.Namespace) -> int:
    failures = 0
    async with opened_services(settings) as services:
        targets: list[str] = args.targets
        progress = Progress(len(targets))
        for target in targets:
            if re.match(r"^https?://", target, re.IGNORECASE):
                results = [await services.ingestor.ingest_url(target, added_by=SHARED_SCOPE)]
            # One stat of a command-line argument: too cheap to be worth a thread.
            elif Path(target).exists():  # noqa: ASYNC240
                files_bar = Progress(0)

                def tick(result: IngestResult, bar: Progress = files_bar) -> None:
                    bar.step(result.source)

                results = await services.ingestor.ingest_path(
                    Path(target), added_by=SHARED_SCOPE, progress=tick, on_total=files_bar.set_total
                )
            else:
                results = [_failed(target, "no such file, and not an http(s) URL")]
            progress.step(target)
            for r in results:
                failures += not r.ok
                print(_describe(r))
    return 1 if failures else 0


def _failed(source: str, reason: str) -> IngestResult:
    from retrieval.ingest import IngestResult

    return IngestResult(source, "failed", reason=reason)


def _describe(r: IngestResult) -> str:
    a = r.article
    if r.status == "failed" or a is None:
        return f"failed   {r.source}: {r.reason}"
    if r.status == "added":
        date = a.published_at.date().isoformat() if a.published_at else "date unknown"
        return f"added    #{a.id} {a.title!r} — {a.outlet}, {date} ({r.chunks} passages) [{r.source}]"
    if r.status == "near_duplicate" and r.duplicate_of is not None:
        twin = r.duplicate_of
        return f"linked   #{a.id} near-duplicate of #{twin.id} {twin.title!r} [{r.source}]"
    return f"already  #{a.id} {a.title!r} is already stored [{r.source}]"


async def cmd_sources(settings: Settings, args: argparse.Namespace) -> int:
    async with opened_services(settings) as services:
        articles = await services.library.list_articles(scope=args.chat, limit=args.limit)
    if args.json:
        print_json([
            {"id": a.id, "title": a.title, "outlet": a.outlet, "url": a.url, "added_by": a.added_by,
             "published": a.published_at.isoformat() if a.published_at else None, "chunks": a.chunk_count,
             "duplicate_of": a.duplicate_of}
            for a in articles
        ])  # fmt: skip
        return 0
    if not articles:
        print("No articles stored yet. Add some with `briefbot ingest PATH|URL`.")
    for a in articles:
        date = a.published_at.date().isoformat() if a.published_at else "no date"
        dup = f" (near-duplicate of #{a.duplicate_of})" if a.duplicate_of else ""
        print(f"#{a.id:<5} {date:<10} {a.outlet[:24]:<24} {a.title[:70]}{dup}")
    return 0


async def cmd_forget(settings: Settings, args: argparse.Namespace) -> int:
    scope = args.chat or SHARED_SCOPE
    if article_ref(args.target) is None:
        raise UsageError(f"not an article id or URL: {args.target!r}")
    async with opened_services(settings) as services:
        article = await services.find_article(args.target, scope)
        if article is None or article.added_by != scope:
            # Each scope keeps its own copy of an article: removing one never takes another's.
            whose = "shared" if scope == SHARED_SCOPE else f"chat {scope}"
            hint = "" if article is None else f" (it belongs to chat {article.added_by}: pass --chat)"
            raise BriefbotError(f"No {whose} article {args.target!r}{hint}.")
        await services.ingestor.forget(article.id)
    print(f"Forgot #{article.id} {article.title!r}.")
    return 0


async def cmd_reindex(settings: Settings, args: argparse.Namespace) -> int:
    from bot.services import EMBEDDER_META_KEY

    async with opened_services(settings, allow_embedder_change=True) as services:
        for other in services.index.other_collections():
            print(f"note: an index built by another embedder remains: {other}", file=sys.stderr)
        # reindex reports (articles done, articles in all) once per batch of passages, not once per article.
        chunks = await services.ingestor.reindex(progress=Progress(0).report)
        await services.library.set_meta(EMBEDDER_META_KEY, services.index.name)
        print(f"Reindexed {chunks} passages into {services.index.name}.")
    return 0


async def cmd_backup(settings: Settings, args: argparse.Namespace) -> int:
    """Online copies of the two databases; safe while the bot runs. The dense index is rebuilt, not copied."""
    from bot.state import BotState
    from retrieval.store import Library

    target = Path(args.target)
    # A stat and at most one directory entry of a command-line argument, before any other work starts.
    if target.exists() and any(target.iterdir()):  # noqa: ASYNC240
        raise UsageError(f"{target} is not empty; back up into a new folder")
    if not settings.library_path.exists():
        raise UsageError(f"no library at {settings.library_path}")
    copied = []
    for path, store_type in ((settings.library_path, Library), (settings.state_path, BotState)):
        if not path.exists():
            continue
        store = store_type(path)
        try:
            await store.backup(target / path.name)
        finally:
            store.close()
        copied.append(f"{path.name} ({(target / path.name).stat().st_size // 1024} KiB)")
    print(f"Backed up {', '.join(copied)} to {target}.")
    print(
        "To restore: stop the bot, copy these files into an empty data dir, start it; the index is rebuilt."
    )
    return 0


async def cmd_stats(settings: Settings, args: argparse.Namespace) -> int:
    async with opened_services(settings) as services:
        stats: dict[str, Any] = dict(await services.library.stats())
        stats["dense_vectors"] = await services.index.count()
        stats["backends"] = services.backends
        stats["data_dir"] = str(settings.data_dir)
    if args.json:
        print_json(stats)
    else:
        for key, value in stats.items():
            print(f"{key:>18}: {value}")
    return 0


async def cmd_prepare(settings: Settings, args: argparse.Namespace) -> int:
    """Load the configured embedder once: its model files are checked against their hashes, and E5's graph
    and MiniLM's optimised one are written into the models folder if they are not there yet (otherwise the
    first start does it)."""
    from bot.services import build_embedder

    if settings.embedding_backend == "openai":
        print("The embedder is an API endpoint: nothing to prepare.")
        return 0
    started = time.perf_counter()
    embedder = await asyncio.to_thread(build_embedder, settings)
    try:
        await embedder.embed(["a first passage to check the models"])
    finally:
        await embedder.aclose()
    print(
        f"Embedder {embedder.id} ready in {time.perf_counter() - started:.1f} s "
        f"(models built from the installed packages are kept in {settings.models_path})."
    )
    return 0
