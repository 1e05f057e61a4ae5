"""`briefbot` command line: the same services as the bot, driven from a terminal.

`parser` declares the subcommands; `library`, `feeds`, `questions`, `reading` and `runner` run them; `common`
holds what they share. Each command raises `BriefbotError` (or `UsageError`) with a message for the user, and
`main` turns it into an exit status.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from bot.cli.common import UsageError, quiet_http_logs
from bot.cli.parser import build_parser
from bot.settings import Settings, load_settings
from retrieval.errors import BriefbotError

__all__ = ["main"]


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
    except BriefbotError as exc:
        # Written for the user (a backend that is down, a page that cannot be read, a wrong option).
        print(f"error: {exc}", file=sys.stderr)
        return 2 if isinstance(exc, UsageError) else 1
    except KeyboardInterrupt:
        return 130
    except Exception as exc:
        if args.verbose:
            raise
        print(f"error: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 1
