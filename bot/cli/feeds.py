"""`briefbot follow`, `unfollow`, `feeds` and `poll`: followed sources from a terminal. What the CLI follows
is shared (every chat sees it); `--chat ID` acts for one chat instead."""

from __future__ import annotations

import argparse

from bot.cli.common import opened_services, print_json
from bot.settings import Settings
from retrieval.errors import BriefbotError
from retrieval.store import SHARED_SCOPE, FollowRecord


def _scope(args: argparse.Namespace) -> str:
    return str(args.chat) if getattr(args, "chat", None) else SHARED_SCOPE


async def cmd_follow(settings: Settings, args: argparse.Namespace) -> int:
    async with opened_services(settings) as services:
        outcome = await services.feeds.follow(args.url, scope=_scope(args))
        if not outcome.new:
            print(f"already following {outcome.title!r} ({outcome.follow.feed.url})")
            return 0
        feed = outcome.follow.feed
        print(f"following {outcome.title!r}: {outcome.kind}, {outcome.items} items now ({feed.url})")
        if outcome.note:
            print(f"note: {outcome.note}")
        if not args.no_poll:
            report = await services.feeds.poll(feed_ids=[outcome.follow.feed.id], force=True)
            _print_report(report)
    return 0


async def cmd_unfollow(settings: Settings, args: argparse.Namespace) -> int:
    async with opened_services(settings) as services:
        gone = await services.feeds.unfollow(args.ref, scope=_scope(args))
    if gone is None:
        raise BriefbotError(f"not following {args.ref!r} (see `briefbot feeds`)")
    print(f"stopped following {gone.feed.title or gone.feed.url!r}; the articles it brought stay")
    return 0


async def cmd_feeds(settings: Settings, args: argparse.Namespace) -> int:
    async with opened_services(settings) as services:
        follows = await services.feeds.following(_scope(args))
    if args.json:
        print_json([_as_dict(n, f) for n, f in enumerate(follows, 1)])
        return 0
    if not follows:
        print("Following nothing. Add a feed with `briefbot follow URL`.")
    for n, f in enumerate(follows, 1):
        feed = f.feed
        read = f"last read {feed.last_ok_at:%Y-%m-%d %H:%M} UTC" if feed.last_ok_at else "not read yet"
        print(f"{n:>3}. {feed.title or feed.url} [{feed.kind}] {feed.url} · {read}")
        if feed.last_error:
            when = f"; next try {feed.next_try_at:%Y-%m-%d %H:%M} UTC" if feed.next_try_at else ""
            print(f"     last error: {feed.last_error}{when}")
    return 0


async def cmd_poll(settings: Settings, args: argparse.Namespace) -> int:
    async with opened_services(settings) as services:
        report = await services.feeds.poll(force=args.force)
    _print_report(report)
    return 1 if report.failed and len(report.failed) == len(report.feeds) else 0


def _print_report(report: object) -> None:
    from retrieval.feeds import PollReport

    assert isinstance(report, PollReport)
    for one in sorted(report.feeds, key=lambda f: f.feed.id):
        name = one.feed.title or one.feed.url
        if one.status == "failed":
            print(f"failed   {name}: {one.error}")
            continue
        if one.status == "unchanged":
            print(f"same     {name}: not modified")
            continue
        for scope, results in sorted(one.results.items()):
            added = sum(r.status in ("added", "near_duplicate") for r in results)
            failed = [r for r in results if not r.ok]
            whose = "" if scope == SHARED_SCOPE else f" (chat {scope})"
            known = len(results) - added - len(failed)
            print(f"read     {name}{whose}: {added} new, {known} already stored, {len(failed)} failed")
            for r in failed:
                print(f"           failed {r.source}: {r.reason}")
        if not one.results:
            print(f"read     {name}: nothing new")
        if one.note:
            print(f"           note: {one.note}")
    new = sum(len(v) for v in report.new_articles.values())
    print(
        f"{len(report.feeds)} feeds, {report.feed_fetches} feed requests ({report.not_modified} not "
        f"modified), {report.page_fetches} item pages; {new} new articles"
    )


def _as_dict(n: int, f: FollowRecord) -> dict[str, object]:
    feed = f.feed
    return {
        "n": n, "url": feed.url, "title": feed.title, "kind": feed.kind, "followed_as": f.requested,
        "last_ok_at": feed.last_ok_at, "last_error": feed.last_error, "next_try_at": feed.next_try_at,
    }  # fmt: skip
