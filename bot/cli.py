"""`briefbot` command line: the same services as the bot, driven from a terminal."""

from __future__ import annotations

import argparse
import asyncio
import functools
import json
import logging
import re
import sys
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, TextIO

from pydantic import ValidationError

from bot.settings import Settings, load_settings
from retrieval.types import SHARED_SCOPE, SearchFilters

SAMPLE_QUESTION = "What is the Kremlin's stance on the annexed regions?"


class UsageError(Exception):
    pass


def parse_when(value: str, *, end_of_day: bool = False) -> datetime:
    """`2025-02-27`, an ISO timestamp, or a span back from now such as `24h`, `7d`, `2w`."""
    value = value.strip()
    span = re.fullmatch(r"(\d+)\s*([hdw])", value.lower())
    if span:
        n, unit = int(span.group(1)), span.group(2)
        delta = {"h": timedelta(hours=n), "d": timedelta(days=n), "w": timedelta(weeks=n)}[unit]
        return datetime.now(UTC) - delta
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError as exc:
        raise UsageError(f"not a date: {value!r} (use YYYY-MM-DD, an ISO time, or 24h / 7d)") from exc
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    if end_of_day and len(value) == 10:
        parsed += timedelta(days=1, seconds=-1)
    return parsed.astimezone(UTC)


def _filters(args: argparse.Namespace) -> SearchFilters:
    return SearchFilters(
        since=parse_when(args.since) if getattr(args, "since", None) else None,
        until=parse_when(args.until, end_of_day=True) if getattr(args, "until", None) else None,
        outlet=getattr(args, "source", None),
        scope=getattr(args, "chat", None),
    )


def _print(obj: Any) -> None:
    print(json.dumps(obj, ensure_ascii=False, indent=2, default=str))


class _Progress:
    """A one-line progress bar on stderr, only when there are many items and stderr is a terminal."""

    def __init__(self, total: int, stream: TextIO | None = None) -> None:
        self.stream = stream or sys.stderr
        self.done = 0
        self._ended = False
        self.set_total(total)

    def set_total(self, total: int) -> None:
        self.total = total
        self.enabled = total > 3 and self.stream.isatty()

    def step(self, label: str = "") -> None:
        self.move_to(self.done + 1, label)

    def report(self, done: int, total: int) -> None:
        """For callers that report a running count of `total` rather than one call per item."""
        if total != self.total:
            self.set_total(total)
        self.move_to(done)

    def move_to(self, done: int, label: str = "") -> None:
        self.done = done
        if not self.enabled or self._ended:
            return
        width = 30
        filled = min(width, int(width * self.done / max(self.total, 1)))
        self.stream.write(
            f"\r[{'#' * filled}{'.' * (width - filled)}] {self.done}/{self.total} {label[:40]:<40}"
        )
        if self.done >= self.total:
            self._ended = True  # the line is finished; later output starts on a fresh one
            self.stream.write("\n")
        self.stream.flush()


def _read_local_file(target: str) -> tuple[bytes, str]:
    from retrieval.ingest import read_with_url

    path = Path(target)
    if not path.is_file():
        raise UsageError(f"no such file: {target}")
    return read_with_url(path)


# ---- commands ------------------------------------------------------------------------------------------


async def cmd_ingest(settings: Settings, args: argparse.Namespace) -> int:
    from bot.services import open_services

    services = await open_services(settings)
    failures = 0
    try:
        targets: list[str] = args.targets
        progress = _Progress(len(targets))
        for target in targets:
            if re.match(r"^https?://", target, re.IGNORECASE):
                results = [await services.ingestor.ingest_url(target, added_by=SHARED_SCOPE)]
            # One stat of a command-line argument: too cheap to be worth a thread.
            elif Path(target).exists():  # noqa: ASYNC240
                files_bar = _Progress(0)

                def tick(result: Any, bar: _Progress = files_bar) -> None:
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
    finally:
        await services.aclose()
    return 1 if failures else 0


def _failed(source: str, reason: str) -> Any:
    from retrieval.ingest import IngestResult

    return IngestResult(source, "failed", reason=reason)


def _describe(r: Any) -> str:
    a = r.article
    if r.status == "added":
        date = a.published_at.date().isoformat() if a.published_at else "date unknown"
        return f"added    #{a.id} {a.title!r} — {a.outlet}, {date} ({r.chunks} passages) [{r.source}]"
    if r.status == "duplicate":
        return f"already  #{a.id} {a.title!r} is already stored [{r.source}]"
    if r.status == "near_duplicate":
        return (
            f"linked   #{a.id} near-duplicate of #{r.duplicate_of.id} {r.duplicate_of.title!r} [{r.source}]"
        )
    return f"failed   {r.source}: {r.reason}"


async def cmd_search(settings: Settings, args: argparse.Namespace) -> int:
    from bot.services import open_services

    services = await open_services(settings)
    try:
        hits = await services.searcher.search(args.query, k=args.k, filters=_filters(args))
    finally:
        await services.aclose()
    if args.json:
        _print([h.as_dict() for h in hits])
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


async def cmd_sources(settings: Settings, args: argparse.Namespace) -> int:
    from bot.services import open_services

    services = await open_services(settings)
    try:
        articles = await services.library.list_articles(scope=args.chat, limit=args.limit)
    finally:
        await services.aclose()
    if args.json:
        _print([
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
    from bot.services import open_services
    from retrieval.urls import article_ref

    scope = args.chat or SHARED_SCOPE
    ref = article_ref(args.target)
    if ref is None:
        print(f"Not an article id or URL: {args.target!r}.", file=sys.stderr)
        return 2
    services = await open_services(settings)
    try:
        if isinstance(ref, int):
            article = await services.library.get_article(ref)
        else:
            article = await services.library.find_by_url(ref, scope=scope)
        if article is None or article.added_by != scope:
            # Each scope keeps its own copy of an article: removing one never takes another's.
            whose = "shared" if scope == SHARED_SCOPE else f"chat {scope}"
            hint = "" if article is None else f" (it belongs to chat {article.added_by}: pass --chat)"
            print(f"No {whose} article {args.target!r}{hint}.", file=sys.stderr)
            return 1
        await services.ingestor.forget(article.id)
        print(f"Forgot #{article.id} {article.title!r}.")
        return 0
    finally:
        await services.aclose()


async def cmd_reindex(settings: Settings, args: argparse.Namespace) -> int:
    from bot.services import EMBEDDER_META_KEY, open_services

    services = await open_services(settings, allow_embedder_change=True)
    try:
        for other in services.index.other_collections():
            print(f"note: an index built by another embedder remains: {other}", file=sys.stderr)
        # reindex reports (articles done, articles in all) once per batch of passages, not once per article.
        chunks = await services.ingestor.reindex(progress=_Progress(0).report)
        await services.library.set_meta(EMBEDDER_META_KEY, services.index.name)
        print(f"Reindexed {chunks} passages into {services.index.name}.")
    finally:
        await services.aclose()
    return 0


async def cmd_backup(settings: Settings, args: argparse.Namespace) -> int:
    """Online copies of the two databases; safe while the bot runs. The dense index is rebuilt, not copied."""
    from bot.state import BotState
    from retrieval.library import Library

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
    from bot.services import open_services

    services = await open_services(settings)
    try:
        stats: dict[str, Any] = dict(await services.library.stats())
        stats["dense_vectors"] = await services.index.count()
        stats["backends"] = services.backends
        stats["data_dir"] = str(settings.data_dir)
    finally:
        await services.aclose()
    if args.json:
        _print(stats)
    else:
        for key, value in stats.items():
            print(f"{key:>18}: {value}")
    return 0


async def cmd_extract(settings: Settings, args: argparse.Namespace) -> int:
    from retrieval.extract import ExtractError, extract_html, extract_text
    from retrieval.fetcher import FetchError
    from retrieval.types import Extracted

    target: str = args.target
    extracted: Extracted
    try:
        if re.match(r"^https?://", target, re.IGNORECASE):
            from bot.services import build_fetcher

            fetcher = build_fetcher(settings)
            try:
                page = await fetcher.fetch(target)
            finally:
                await fetcher.aclose()  # type: ignore[attr-defined]
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
    except (ExtractError, FetchError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    out = {
        "title": extracted.title,
        "text": extracted.text,
        "url": extracted.url,
        "published": extracted.published.isoformat() if extracted.published else None,
        "author": extracted.author,
        "site": extracted.site,
    }
    if args.json:
        _print(out)
    else:
        print(
            f"{out['title']}\n{out['site']} · {out['published'] or 'date unknown'} · {out['url']}\n\n"
            f"{out['text']}"
        )
    return 0


async def cmd_demo(settings: Settings, args: argparse.Namespace) -> int:
    from importlib.resources import as_file, files

    from bot.services import open_services

    services = await open_services(settings)
    try:
        results = []
        with as_file(files("bot") / "demo_articles") as folder:
            # Lists the few demo files bundled with the package: not worth a thread.
            for file in sorted(Path(folder).glob("*.txt")):  # noqa: ASYNC240
                results.append(await services.ingestor.ingest_file(file, added_by=SHARED_SCOPE))
        added = sum(r.status == "added" for r in results)
        print(f"Demo articles: {added} added, {len(results) - added} already stored or linked.\n")
        question = args.question or SAMPLE_QUESTION
        print(f"Q: {question}\n")
        from bot.commands import _output
        from briefing.briefer import build_briefer

        briefer = build_briefer(services)
        try:
            _output(await briefer.ask(question), False)
        finally:
            await briefer.aclose()
    finally:
        await services.aclose()
    return 0


def cmd_run(settings: Settings, args: argparse.Namespace) -> int:
    from bot.app import run

    logging.getLogger().setLevel(settings.log_level.upper())
    quiet_http_logs()
    if not settings.telegram_bot_token:
        raise UsageError("TELEGRAM_BOT_TOKEN is not set (see .env.example and the README's BotFather steps)")
    run(settings)
    return 0


# ---- parser ------------------------------------------------------------------------------------------


def _global_options(*, in_subcommand: bool) -> argparse.ArgumentParser:
    """The options taken both before and after the subcommand (`briefbot --data-dir X ask "q"` and
    `briefbot ask --data-dir X "q"`), as an argparse parent.

    argparse copies a subcommand's namespace over the main one, defaults included, so in a subcommand
    the defaults are SUPPRESS: an option given only before the subcommand is then not reset to its default.
    """
    default: Any = argparse.SUPPRESS if in_subcommand else None
    options = argparse.ArgumentParser(add_help=False)
    options.add_argument(
        "--data-dir",
        default=default,
        help="where the library and index live (default ./data, BRIEFBOT_DATA_DIR)",
    )
    options.add_argument(
        "-v", "--verbose", action="store_true", default=argparse.SUPPRESS if in_subcommand else False
    )
    return options


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("briefbot")
    except PackageNotFoundError:  # run from a checkout that was never installed
        return "unknown (not installed)"


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="briefbot",
        description="Sourced news briefings from your articles.",
        parents=[_global_options(in_subcommand=False)],
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {_version()}")
    sub = parser.add_subparsers(dest="command", required=True)
    # Every subcommand, including those registered through _EXTRA_COMMANDS, takes the global options too.
    sub_parser = functools.partial(sub.add_parser, parents=[_global_options(in_subcommand=True)])

    p = sub_parser("ingest", help="add articles from URLs, files or folders")
    p.add_argument("targets", nargs="+", metavar="PATH|URL")
    p.set_defaults(run=cmd_ingest)

    p = sub_parser("search", help="find the passages that bear on a question")
    p.add_argument("query")
    p.add_argument("--k", type=int, default=8)
    _add_filters(p)
    p.add_argument("--json", action="store_true")
    p.set_defaults(run=cmd_search)

    p = sub_parser("sources", help="list stored articles, newest first")
    p.add_argument("--limit", type=int, default=30)
    p.add_argument("--chat", help="only what this chat can see")
    p.add_argument("--json", action="store_true")
    p.set_defaults(run=cmd_sources)

    p = sub_parser("forget", help="remove a shared article (or, with --chat, that chat's) by id or URL")
    p.add_argument("target", metavar="ID|URL")
    p.add_argument("--chat", help="remove this chat's copy instead of the shared one")
    p.set_defaults(run=cmd_forget)

    p = sub_parser("reindex", help="rebuild the dense index from the library")
    p.set_defaults(run=cmd_reindex)

    p = sub_parser("backup", help="copy the library and bot state into a new folder (safe while running)")
    p.add_argument("target", metavar="DIR")
    p.set_defaults(run=cmd_backup)

    p = sub_parser("stats", help="counts and backends")
    p.add_argument("--json", action="store_true")
    p.set_defaults(run=cmd_stats)

    p = sub_parser("extract", help="print the article extracted from a file or URL, without storing it")
    p.add_argument("target", metavar="FILE|URL")
    p.add_argument("--url", help="the page's URL, when extracting a saved file")
    p.add_argument("--json", action="store_true")
    p.set_defaults(run=cmd_extract)

    p = sub_parser("demo", help="load the demo articles and answer a sample question")
    p.add_argument("question", nargs="?")
    p.set_defaults(run=cmd_demo)

    p = sub_parser("run", help="run the Telegram bot (long polling, or a webhook if configured)")
    p.set_defaults(run=cmd_run, sync=True)

    import bot.commands  # noqa: F401 - registers ask, stance, digest

    for name, register in _EXTRA_COMMANDS:
        register(sub_parser(name, help=_EXTRA_HELP.get(name)))
    return parser


def _add_filters(p: argparse.ArgumentParser) -> None:
    p.add_argument("--since", help="published on/after: YYYY-MM-DD or 24h / 7d")
    p.add_argument("--until", help="published on/before: YYYY-MM-DD")
    p.add_argument("--source", help="only this outlet")
    p.add_argument("--chat", help="search as this chat (its own and shared articles)")


# Later features (briefings, the bot) register their subcommands here without this module importing them.
_EXTRA_COMMANDS: list[tuple[str, Callable[[argparse.ArgumentParser], None]]] = []
_EXTRA_HELP: dict[str, str] = {}


def quiet_http_logs() -> None:
    # The Telegram token is part of every Bot API URL: request logs must never reach the output.
    for name in ("httpx", "httpcore", "telegram.request"):
        logging.getLogger(name).setLevel(logging.WARNING)


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.WARNING, format="%(levelname)s %(name)s: %(message)s"
    )
    quiet_http_logs()
    try:
        overrides: dict[str, Any] = {"data_dir": Path(args.data_dir)} if args.data_dir else {}
        settings = load_settings(**overrides)
    except ValidationError as exc:
        print(f"error: invalid settings:\n{exc}", file=sys.stderr)
        return 2
    runner: Callable[[Settings, argparse.Namespace], Awaitable[int] | int] = args.run
    try:
        if getattr(args, "sync", False):
            # The bot owns its event loop (python-telegram-bot's run_polling / run_webhook).
            return int(runner(settings, args))  # type: ignore[arg-type]
        return asyncio.run(runner(settings, args))  # type: ignore[arg-type]
    except UsageError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except Exception as exc:
        from retrieval.embedder import EmbeddingError
        from retrieval.index import DenseIndexError

        if isinstance(exc, DenseIndexError | EmbeddingError):
            print(f"error: {exc}", file=sys.stderr)
            return 1
        if args.verbose:
            raise
        print(f"error: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
