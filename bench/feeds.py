"""Polling many followed feeds: time per round, what conditional GET saves, peak memory.

Usage: python bench/feeds.py [--feeds 200] [--items 20] [--embedder local|ensemble] [--json]

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

The publish → alert delay of watched actors is measured once watches exist: `Runtime.on_new_articles` gets the
new article ids per scope at the end of each round, and the alert delay is that round's delay plus the
watch's own check; the `alert` slot of the JSON output is None until then.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
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

from bench._common import peak_rss_mb  # noqa: E402


def _serve(conn: Connection, feeds: int) -> None:
    """The child: a site of `feeds` empty feeds; ("publish", N) adds N stories to each; ("stats",) reports."""
    from tests.support.feed_site import FeedSite, Item, dated

    async def main() -> None:
        async with FeedSite() as site:
            stories: dict[int, list[Item]] = {n: [] for n in range(feeds)}
            for n in range(feeds):
                site.rss(f"/feed/{n}.xml", f"Bench feed {n}", [])
            conn.send(site.url)
            loop = asyncio.get_running_loop()
            while True:
                command = await loop.run_in_executor(None, conn.recv)
                if command[0] == "publish":
                    for n in range(feeds):
                        start = len(stories[n])
                        fresh = [
                            Item(f"f{n}-{i}", f"Feed {n} story {i}", dated(0))
                            for i in range(start, start + command[1])
                        ]
                        stories[n] = fresh + stories[n]
                        site.rss(f"/feed/{n}.xml", f"Bench feed {n}", stories[n])
                    conn.send("ok")
                elif command[0] == "stats":
                    conn.send({"requests": sum(site.hits.values()), "not_modified": site.not_modified})
                else:
                    conn.send("bye")
                    return

    asyncio.run(main())


async def run(feeds: int, items: int, embedder_kind: str) -> dict[str, Any]:
    from bot.services import open_services
    from retrieval.embed import LocalEmbedder, minilm_e5
    from retrieval.feeds import FeedSettings
    from retrieval.fetch import HttpFetcher
    from retrieval.store import SHARED_SCOPE
    from tests.support.corpus import make_settings

    ctx = multiprocessing.get_context("spawn")
    ours, theirs = ctx.Pipe()
    server = ctx.Process(target=_serve, args=(theirs, feeds), daemon=True)
    server.start()
    if not ours.poll(60):
        raise RuntimeError("the local feed site did not start within 60 s")
    base = ours.recv()
    minilm = LocalEmbedder()
    embedder = minilm if embedder_kind == "local" else minilm_e5(minilm)
    rounds: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory() as tmp:
        settings = make_settings(Path(tmp) / "data", fetch_allow_private_networks=True)
        services = await open_services(
            settings, embedder=embedder, fetcher=HttpFetcher(allow_private_networks=True)
        )
        services.feeds.settings = FeedSettings(interval=900.0, max_new_items=items)
        try:
            started = time.perf_counter()
            for n in range(feeds):
                await services.feeds.follow(f"{base}/feed/{n}.xml", scope=SHARED_SCOPE)
            follow_s = time.perf_counter() - started
            for name in ("first", "new", "same"):
                published = None
                if name == "new":
                    ours.send(("publish", items))
                    ours.recv()
                    published = time.perf_counter()
                started = time.perf_counter()
                report = await services.feeds.poll()
                ended = time.perf_counter()
                rounds.append({
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
    ours.send(("stop",))
    ours.recv()
    server.join(timeout=10)
    new, same = rounds[1], rounds[2]
    return {
        "feeds": feeds, "items_per_feed": items, "embedder": embedder.id, "follow_all_s": round(follow_s, 2),
        "rounds": rounds,
        # Without validators the unchanged round would download and parse every feed again.
        "conditional_get_saved": {"feed_bodies": same["not_modified"], "of_requests": same["feed_requests"]},
        "stories_per_s_new_round": round(new["stored"] / new["seconds"], 1) if new["seconds"] else None,
        "alert": None,  # publish → alert: filled in by the watches work (see the module docstring)
    }  # fmt: skip


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--feeds", type=int, default=200)
    parser.add_argument("--items", type=int, default=20)
    parser.add_argument("--embedder", choices=("local", "ensemble"), default="local")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    result = asyncio.run(run(args.feeds, args.items, args.embedder))
    if args.json:
        print(json.dumps(result, indent=2))
        return 0
    print(f"{result['feeds']} feeds x {result['items_per_feed']} new items, embedder {result['embedder']}")
    print(f"following all of them: {result['follow_all_s']} s")
    print(
        f"{'round':<6} {'seconds':>8} {'feed req':>9} {'304':>5} {'pages':>6} {'stored':>7} {'peak RSS':>9}"
    )
    for r in result["rounds"]:
        print(
            f"{r['round']:<6} {r['seconds']:>8} {r['feed_requests']:>9} {r['not_modified']:>5} "
            f"{r['page_requests']:>6} {r['stored']:>7} {r['peak_rss_mib']:>6} MiB"
        )
    saved = result["conditional_get_saved"]
    print(f"conditional GET: {saved['feed_bodies']} of {saved['of_requests']} feed requests answered 304")
    print(
        f"publish → stored: {result['rounds'][1]['publish_to_stored_s']} s; publish → alert: not measured yet"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
