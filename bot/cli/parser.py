"""The `briefbot` command line: every subcommand, its options and the function that runs it."""

from __future__ import annotations

import argparse
import functools
from typing import Any

from bot.cli.feeds import cmd_feeds, cmd_follow, cmd_poll, cmd_unfollow
from bot.cli.library import (
    cmd_backup,
    cmd_forget,
    cmd_ingest,
    cmd_prepare,
    cmd_reindex,
    cmd_sources,
    cmd_stats,
)
from bot.cli.questions import cmd_ask, cmd_demo, cmd_digest, cmd_search, cmd_stance
from bot.cli.reading import cmd_extract, cmd_statements
from bot.cli.runner import cmd_run


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
    # Every subcommand takes the global options too.
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

    p = sub_parser("follow", help="follow a feed, a site page naming one, or a public @channel (shared)")
    p.add_argument("url", metavar="URL|@CHANNEL")
    p.add_argument("--chat", help="follow for this chat instead of for everyone")
    p.add_argument("--no-poll", action="store_true", help="do not read the feed now")
    p.set_defaults(run=cmd_follow)

    p = sub_parser("unfollow", help="stop following a feed (its number in `feeds`, or its URL)")
    p.add_argument("ref", metavar="N|URL")
    p.add_argument("--chat", help="this chat's follow instead of the shared one")
    p.set_defaults(run=cmd_unfollow)

    p = sub_parser("feeds", help="the followed feeds, with their last read and last error")
    p.add_argument("--chat", help="this chat's follows instead of the shared ones")
    p.add_argument("--json", action="store_true")
    p.set_defaults(run=cmd_feeds)

    p = sub_parser("poll", help="one polling round of the followed feeds, now")
    p.add_argument("--force", action="store_true", help="also the feeds backing off after errors")
    p.set_defaults(run=cmd_poll)

    p = sub_parser("reindex", help="rebuild the dense index from the library")
    p.set_defaults(run=cmd_reindex)

    p = sub_parser(
        "prepare", help="check the embedding models and write their graphs (E5's, MiniLM's optimised)"
    )
    p.set_defaults(run=cmd_prepare)

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

    for name, configure, help_text in _BRIEFING_COMMANDS:
        configure(sub_parser(name, help=help_text))
    return parser


def _add_filters(p: argparse.ArgumentParser, verb: str = "search") -> None:
    """The options `common.search_filters` reads."""
    p.add_argument("--since", help="published on/after: YYYY-MM-DD or 24h / 7d")
    p.add_argument("--until", help="published on/before: YYYY-MM-DD")
    p.add_argument("--source", help="only this outlet")
    p.add_argument("--chat", help=f"{verb} as this chat (its own and shared articles)")


def _ask(p: argparse.ArgumentParser) -> None:
    p.add_argument("question")
    p.add_argument("--json", action="store_true", help="print {answer, found, citations} as JSON")
    _add_filters(p, "answer")
    p.set_defaults(run=cmd_ask)


def _stance(p: argparse.ArgumentParser) -> None:
    p.add_argument("actor", help="who, e.g. Kremlin, Lavrov")
    p.add_argument("topic", nargs="?", help="about what, e.g. annexed regions")
    p.add_argument("--json", action="store_true")
    p.add_argument("--chart", metavar="FILE.png", help="also write the statements-over-time chart here")
    _add_filters(p, "answer")
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


_BRIEFING_COMMANDS = (
    ("ask", _ask, "a short briefing with sources that answers a question"),
    ("stance", _stance, "what someone said about a topic, over time"),
    ("digest", _digest, "the stories added recently, grouped, most reported first"),
    ("statements", _statements, "the statements (who said what, when) in an article file, not stored"),
)
