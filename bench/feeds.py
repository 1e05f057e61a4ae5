"""Polling many followed feeds: time per round, what conditional GET saves, peak memory, and the delay from a
story's publication to the alert of a chat that watches the actor it quotes.

Usage: python bench/feeds.py [--feeds 200] [--items 20] [--embedder local|ensemble] [--json]
                             [--no-rounds | --no-alerts]

A local feed site (tests/support/feed_site.py) runs in a child process, so its work and memory do not count.
The bench follows `--feeds` RSS feeds in one scope through `FeedPoller`, with the product's fetcher, ingestor
and library on a temporary data dir, then runs three rounds:

  first   every feed read in full, nothing in it yet (each follower's first read)
  new     `--items` new stories published on every feed just before the round: each page fetched,
          extracted, embedded, stored and indexed
  same    nothing changed: every feed answers 304 to the conditional GET

and prints, per round, its wall time, the feed and page requests made, the 304s (each one a feed body not
downloaded or parsed and no item page looked at), the stories stored, and the process's peak RSS (the
extraction workers are separate processes and not counted). `publish → stored` is the time from the
publication of the new stories to the end of the round that stored them (the round started at once: a real
deployment adds up to FEEDS_POLL_SECONDS of waiting).

Then `alert`: the real bot (python-telegram-bot's Application, polling the tests' Bot API stand-in, on a data
dir of its own) follows `--feeds` other feeds of the site with /follow and watches an actor with /watch
Dmitry Peskov, in one chat, polling every second (FEEDS_POLL_SECONDS=1). `--items` stories are published on
every feed at once, each opening with a quote of his that the English statement extractor reads (each with
its own words and figure, so none is a report of another). Per story, the delay runs from the moment the
site serves it to the moment its alert reaches the stand-in, p50 / p95 / max printed; the polling job reads
the feeds by itself, and each feed's stories are checked against the watch as soon as that feed is done. A
deployment adds the wait for the next round (up to FEEDS_POLL_SECONDS; here under about a second).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import random
import sys
import tempfile
import time
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

_HERE = Path(__file__).resolve().parent
_ROOT = _HERE.parent
# Run as a script, this file's folder comes first on sys.path and bench/retrieval.py would shadow the
# retrieval package; the repository root takes its place.
sys.path[:] = [str(_ROOT)] + [p for p in sys.path if Path(p or ".").resolve() != _HERE]

from bench._common import peak_rss_mb, percentile  # noqa: E402

ACTOR = "Dmitry Peskov"
CHAT = 1001
# Feeds of the round bench, and the feeds whose stories quote the watched actor.
ROUNDS, SAID = "feed", "said"


def quote(feed: int, item: int) -> tuple[str, str]:
    """A story's opening quote of the watched actor, and the words that tell its alert apart: every story
    gets other subjects and its own figure, so no two are reports of one statement."""
    from tests.support.feed_site import _WORDS

    rng = random.Random(f"said-{feed}-{item}")
    a, b, c, d = rng.sample(_WORDS, 4)
    figure = 1000 + feed * 100 + item
    key = f"{figure} inspectors"
    return (
        f'"The {a} {b} and the {c} {d} will get {key} this year," Kremlin spokesman {ACTOR} told reporters '
        "in Moscow.",
        key,
    )


def _serve(conn: Connection, feeds: int) -> None:
    """The child: a site of `feeds` empty feeds under each of /feed and /said. ("publish", prefix, N) adds
    N stories to each feed under prefix and answers the time they were served from; ("stats",) reports."""
    from tests.support.feed_site import FeedSite, Item, dated

    async def main() -> None:
        async with FeedSite() as site:
            stories: dict[tuple[str, int], list[Item]] = {}
            for prefix in (ROUNDS, SAID):
                for n in range(feeds):
                    stories[prefix, n] = []
                    site.rss(f"/{prefix}/{n}.xml", f"Bench {prefix} {n}", [])
            conn.send(site.url)
            loop = asyncio.get_running_loop()
            while True:
                command = await loop.run_in_executor(None, conn.recv)
                if command[0] == "publish":
                    prefix, count = command[1], command[2]
                    for n in range(feeds):
                        start = len(stories[prefix, n])
                        fresh = [
                            Item(
                                f"{prefix}{n}-{i}", f"Bench {prefix} {n} story {i}", dated(0),
                                lead=quote(n, i)[0] if prefix == SAID else None,
                            )
                            for i in range(start, start + count)
                        ]  # fmt: skip
                        stories[prefix, n] = fresh + stories[prefix, n]
                        site.rss(f"/{prefix}/{n}.xml", f"Bench {prefix} {n}", stories[prefix, n])
                    conn.send(time.time())  # served from now on: the site answers from this loop
                elif command[0] == "stats":
                    conn.send({"requests": sum(site.hits.values()), "not_modified": site.not_modified})
                else:
                    conn.send("bye")
                    return

    asyncio.run(main())


async def rounds(base: str, conn: Connection, feeds: int, items: int, embedder: Any) -> dict[str, Any]:
    """Following, then the first / new / same rounds through `FeedPoller`, without the bot."""
    from bot.services import open_services
    from retrieval.feeds import FeedSettings
    from retrieval.fetch import HttpFetcher
    from retrieval.store import SHARED_SCOPE
    from tests.support.corpus import make_settings

    out: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory() as tmp:
        settings = make_settings(Path(tmp) / "data", fetch_allow_private_networks=True)
        services = await open_services(
            settings, embedder=embedder, fetcher=HttpFetcher(allow_private_networks=True)
        )
        services.feeds.settings = FeedSettings(interval=900.0, max_new_items=items)
        try:
            started = time.perf_counter()
            for n in range(feeds):
                await services.feeds.follow(f"{base}/{ROUNDS}/{n}.xml", scope=SHARED_SCOPE)
            follow_s = time.perf_counter() - started
            for name in ("first", "new", "same"):
                published = None
                if name == "new":
                    conn.send(("publish", ROUNDS, items))
                    conn.recv()
                    published = time.perf_counter()
                started = time.perf_counter()
                report = await services.feeds.poll()
                ended = time.perf_counter()
                out.append({
                    "round": name, "seconds": round(ended - started, 2), "feed_requests": report.feed_fetches,
                    "not_modified": report.not_modified, "page_requests": report.page_fetches,
                    "stored": sum(len(v) for v in report.new_articles.values()),
                    "failed_feeds": len(report.failed),
                    "publish_to_stored_s": round(ended - published, 2) if published is not None else None,
                    "peak_rss_mib": round(peak_rss_mb()),
                })  # fmt: skip
        finally:
            services.index.close()
            services.library.close()
            await services.fetcher.aclose()
    new, same = out[1], out[2]
    return {
        "follow_all_s": round(follow_s, 2), "rounds": out,
        # Without validators the unchanged round would download and parse every feed again.
        "conditional_get_saved": {"feed_bodies": same["not_modified"], "of_requests": same["feed_requests"]},
        "stories_per_s_new_round": round(new["stored"] / new["seconds"], 1) if new["seconds"] else None,
    }  # fmt: skip


async def _command(tg: Any, command: str, args: str, replies: int) -> list[Any]:
    """A command from the chat through the Bot API stand-in; the bot's `replies` answers."""
    before = len(tg.sent_messages(CHAT))
    tg.push_update(tg.make_command(CHAT, command, args))
    async with asyncio.timeout(300):
        while len(tg.sent_messages(CHAT)) < before + replies:  # noqa: ASYNC110 (the stand-in has no event)
            await asyncio.sleep(0.05)
    return list(tg.sent_messages(CHAT)[before:])


async def alerts(base: str, conn: Connection, feeds: int, items: int, embedder: Any) -> dict[str, Any]:
    """Publish → alert through the real bot: /follow, /watch, stories published, alerts timed on arrival."""
    from bot.app import build_application, start_polling, stop_polling
    from bot.services import open_services
    from retrieval.fetch import HttpFetcher
    from tests.support.bot_env import keep_embedder_open
    from tests.support.corpus import make_settings
    from tests.support.telegram_server import BotApiServer

    expected = {quote(n, i)[1] for n in range(feeds) for i in range(items)}
    with tempfile.TemporaryDirectory() as tmp:
        async with BotApiServer() as tg:
            settings = make_settings(
                Path(tmp) / "data", telegram_bot_token=tg.token, telegram_api_base_url=f"{tg.url}/bot",
                allowed_chat_ids=[CHAT], feeds_poll_seconds=1, feeds_max_new_items=max(items, 1),
                links_per_minute=100_000, fetch_allow_private_networks=True,
            )  # fmt: skip

            async def factory(s: Any) -> Any:
                fetcher = HttpFetcher(allow_private_networks=True)
                return await open_services(s, embedder=embedder, fetcher=fetcher)

            app = build_application(settings, services_factory=factory)
            await start_polling(app, timeout=1)
            try:
                for n in range(feeds):
                    await _command(tg, "follow", f"{base}/{SAID}/{n}.xml", replies=2)
                await _command(tg, "watch", ACTOR, replies=1)
                before = len(tg.sent_messages(CHAT))
                conn.send(("publish", SAID, items))
                published = conn.recv()
                arrived: dict[str, float] = {}
                # Until every story's alert is in, or nothing new came for two minutes after the last one.
                last = time.time()
                while len(arrived) < len(expected) and time.time() - last < 120 + 10 * (not arrived):
                    for call in tg.sent_messages(CHAT)[before:]:
                        # The statement's own line: the comparison line after it may cite another story.
                        text = str(call.params.get("text") or "").split("Reported by")[0]
                        key = next((k for k in expected if k in text), None)
                        if "Watch:" in text and key is not None and key not in arrived:
                            arrived[key] = call.timestamp
                            last = time.time()
                    await asyncio.sleep(0.2)
                runtime = app.bot_data.runtime
                assert runtime is not None
                articles = await runtime.services.library.list_articles(limit=100_000)
                last_stored = max((a.added_at.timestamp() for a in articles), default=published)
            finally:
                keep_embedder_open(app)
                await stop_polling(app)
    delays = sorted(t - published for t in arrived.values())
    return {
        "stories": len(expected), "stored": len(articles), "alerts": len(arrived), "poll_seconds": 1,
        # When the last story's row was written (its statements and index follow within seconds).
        "last_stored_s": round(last_stored - published, 1),
        "p50_s": round(percentile(delays, 50), 1) if delays else None,
        "p95_s": round(percentile(delays, 95), 1) if delays else None,
        "first_s": round(delays[0], 1) if delays else None, "max_s": round(delays[-1], 1) if delays else None,
        "peak_rss_mib": round(peak_rss_mb()),
    }  # fmt: skip


async def run(
    feeds: int, items: int, embedder_kind: str, *, with_rounds: bool = True, with_alerts: bool = True
) -> dict[str, Any]:
    import logging

    from retrieval.embed import LocalEmbedder, minilm_e5

    # A round longer than the one-second interval makes the scheduler skip (and log) the next start.
    logging.getLogger("apscheduler").setLevel(logging.ERROR)

    ctx = multiprocessing.get_context("spawn")
    ours, theirs = ctx.Pipe()
    server = ctx.Process(target=_serve, args=(theirs, feeds), daemon=True)
    server.start()
    if not ours.poll(60):
        raise RuntimeError("the local feed site did not start within 60 s")
    base = ours.recv()
    minilm = LocalEmbedder()
    embedder = minilm if embedder_kind == "local" else minilm_e5(minilm)
    result: dict[str, Any] = {"feeds": feeds, "items_per_feed": items, "embedder": embedder.id}
    try:
        if with_rounds:
            result |= await rounds(base, ours, feeds, items, embedder)
        result["alert"] = await alerts(base, ours, feeds, items, embedder) if with_alerts else None
    finally:
        ours.send(("stop",))
        ours.recv()
        server.join(timeout=10)
    return result


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--feeds", type=int, default=200)
    parser.add_argument("--items", type=int, default=20)
    parser.add_argument("--embedder", choices=("local", "ensemble"), default="local")
    parser.add_argument("--no-rounds", action="store_true", help="only the publish → alert part")
    parser.add_argument("--no-alerts", action="store_true", help="only the polling rounds")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    result = asyncio.run(
        run(
            args.feeds, args.items, args.embedder, with_rounds=not args.no_rounds,
            with_alerts=not args.no_alerts,
        )
    )  # fmt: skip
    if args.json:
        print(json.dumps(result, indent=2))
        return 0
    print(f"{result['feeds']} feeds x {result['items_per_feed']} new items, embedder {result['embedder']}")
    if "rounds" in result:
        print(f"following all of them: {result['follow_all_s']} s")
        columns = ("seconds", "feed req", "304", "pages", "stored", "peak RSS")
        widths = (8, 9, 5, 6, 7, 9)
        print(f"{'round':<6} " + " ".join(f"{c:>{w}}" for c, w in zip(columns, widths, strict=True)))
        for r in result["rounds"]:
            print(
                f"{r['round']:<6} {r['seconds']:>8} {r['feed_requests']:>9} {r['not_modified']:>5} "
                f"{r['page_requests']:>6} {r['stored']:>7} {r['peak_rss_mib']:>6} MiB"
            )
        saved = result["conditional_get_saved"]
        print(f"conditional GET: {saved['feed_bodies']} of {saved['of_requests']} feed requests answered 304")
        print(f"publish → stored: {result['rounds'][1]['publish_to_stored_s']} s")
    alert = result.get("alert")
    if alert:
        print(
            f"publish → alert (the bot, FEEDS_POLL_SECONDS={alert['poll_seconds']}): "
            f"{alert['alerts']} alerts for {alert['stories']} stories ({alert['stored']} stored); "
            f"p50 {alert['p50_s']} s, p95 {alert['p95_s']} s, "
            f"first {alert['first_s']} s, last {alert['max_s']} s (the last story stored at "
            f"{alert['last_stored_s']} s)"
        )
    return 0 if not alert or alert["alerts"] == alert["stories"] else 1


if __name__ == "__main__":
    sys.exit(main())
