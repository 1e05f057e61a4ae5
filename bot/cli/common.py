"""What every `briefbot` subcommand shares: the usage error, dates and filters from the options, JSON output,
the progress bar, and the services (and briefer) opened for one command and closed after it."""

from __future__ import annotations

import argparse
import contextlib
import json
import logging
import re
import sys
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any, TextIO

from bot.settings import Settings
from retrieval.errors import BriefbotError
from retrieval.store import SearchFilters

if TYPE_CHECKING:
    from bot.services import Services
    from briefing.briefer import Briefer


class UsageError(BriefbotError):
    """The command line asks for something that cannot be done as written: exit status 2."""


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


def search_filters(args: argparse.Namespace) -> SearchFilters:
    """The --since, --until, --source and --chat options a subcommand has, as search filters."""
    return SearchFilters(
        since=parse_when(args.since) if getattr(args, "since", None) else None,
        until=parse_when(args.until, end_of_day=True) if getattr(args, "until", None) else None,
        outlet=getattr(args, "source", None),
        scope=getattr(args, "chat", None),
    )


def print_json(obj: Any) -> None:
    print(json.dumps(obj, ensure_ascii=False, indent=2, default=str))


def quiet_http_logs() -> None:
    # The Telegram token is part of every Bot API URL: request logs must never reach the output.
    for name in ("httpx", "httpcore", "telegram.request"):
        logging.getLogger(name).setLevel(logging.WARNING)


@contextlib.asynccontextmanager
async def opened_services(settings: Settings, **options: Any) -> AsyncIterator[Services]:
    """The services for one command (`options` go to `open_services`), closed when it is done."""
    # Loaded here, not at the top: `briefbot --help` and the commands that need no library start faster.
    from bot.services import open_services

    services = await open_services(settings, **options)
    try:
        yield services
    finally:
        await services.aclose()


@contextlib.asynccontextmanager
async def opened_briefer(settings: Settings) -> AsyncIterator[Briefer]:
    """A briefer on freshly opened services, both closed when the command is done."""
    from briefing.briefer import build_briefer

    async with opened_services(settings) as services:
        briefer = build_briefer(services)
        try:
            yield briefer
        finally:
            await briefer.aclose()


class Progress:
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
