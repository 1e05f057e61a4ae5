"""Peak memory of the real fetcher against oversized responses and gzip bombs.

Usage: python bench/fetch_memory.py [--json] [--max-bytes N]

A local server in a separate process (so its buffers do not count) serves:
  small        a 200 kB HTML page, for reference
  big          50 MB of HTML with no Content-Length (read until the cap stops it)
  big-declared 50 MB with an honest Content-Length (refused before the body is read)
  bomb         10 MB of gzip on the wire that inflates to 10 GB, no Content-Length
  bomb-small   1 MB of gzip inflating to 1 GB, with Content-Length (passes the declared-size check)

Each case is fetched twice with `retrieval.fetch.HttpFetcher` at the product's defaults (5 MB cap,
20 s deadline): once with the resident set sampled every millisecond in a thread (growth over the
resident set just before the fetch), once under tracemalloc (peak of Python-level allocations), each
case in a fresh child process. The server reports how many bytes it wrote before the fetcher hung up.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import multiprocessing
import sys
import time
import tracemalloc
import zlib
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

_HERE = Path(__file__).resolve().parent
# Run as a script, this file's folder comes first on sys.path; the repository root takes its place.
sys.path[:] = [str(_HERE.parent)] + [p for p in sys.path if Path(p or ".").resolve() != _HERE]

from bench._common import RssSampler, current_rss_mb  # noqa: E402
from retrieval.fetch import FetchError, HttpFetcher  # noqa: E402

MB = 1_000_000
CHUNK = 64 * 1024
CASES = {
    "small": "200 kB page (reference)",
    "big": "50 MB page, no Content-Length",
    "big-declared": "50 MB page, honest Content-Length",
    "bomb": "gzip bomb: 10 MB on the wire -> 10 GB, streamed",
    "bomb-small": "gzip bomb: 1 MB on the wire -> 1 GB, with Content-Length",
}


# ---- the server (child process) -----------------------------------------------------------------------


def _gzip_member(zeros: int) -> bytes:
    squeezer = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    block = bytes(1 << 20)
    return b"".join([*(squeezer.compress(block) for _ in range(zeros >> 20)), squeezer.flush()])


def _head(headers: dict[str, str]) -> bytes:
    lines = ["HTTP/1.1 200 OK", *(f"{k}: {v}" for k, v in headers.items()), "Connection: close"]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


def _serve(conn: Connection) -> None:
    # Gzip members can be concatenated into one valid body: one 100 MB member, repeated, makes the bomb.
    member = _gzip_member(100 << 20)
    sentence = b"The council met and voted on the harbour budget again. "
    page_block = (b"<p>" + sentence * 1200)[:CHUNK]

    def plan(path: str) -> tuple[dict[str, str], bytes, int]:
        """Headers, the piece to repeat, and how many times."""
        html = {"Content-Type": "text/html; charset=utf-8"}
        if path == "/small":
            return {**html, "Content-Length": str(200 * 1024)}, page_block[:1024], 200
        if path == "/big":
            return html, page_block, 50 * MB // CHUNK
        if path == "/big-declared":
            return {**html, "Content-Length": str(50 * MB // CHUNK * CHUNK)}, page_block, 50 * MB // CHUNK
        if path == "/bomb":
            return {**html, "Content-Encoding": "gzip"}, member, 100
        if path == "/bomb-small":
            return {**html, "Content-Encoding": "gzip", "Content-Length": str(10 * len(member))}, member, 10
        return {"Content-Length": "0"}, b"", 0

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        sent, path = 0, "?"
        try:
            request = await reader.readuntil(b"\r\n\r\n")
            path = request.split(b" ", 2)[1].decode()
            headers, piece, times = plan(path)
            writer.write(_head(headers))
            for _ in range(times):
                for start in range(0, len(piece), CHUNK):
                    writer.write(piece[start : start + CHUNK])
                    await writer.drain()
                    sent += len(piece[start : start + CHUNK])
        except (ConnectionError, OSError, asyncio.IncompleteReadError):
            pass  # the fetcher hung up: that is the point
        finally:
            writer.close()
            conn.send((path, sent))

    async def main() -> None:
        server = await asyncio.start_server(handle, "127.0.0.1", 0)
        conn.send(server.sockets[0].getsockname()[1])
        await asyncio.get_running_loop().run_in_executor(None, conn.recv)  # any message stops the server
        server.close()

    asyncio.run(main())


# ---- the client (this process) ------------------------------------------------------------------------


async def _fetch(fetcher: HttpFetcher, url: str) -> tuple[str, float]:
    start = time.perf_counter()
    try:
        page = await fetcher.fetch(url)
        outcome = f"fetched {len(page.body) / MB:.2f} MB"
    except FetchError as exc:
        outcome = str(exc)
    return outcome, time.perf_counter() - start


async def _measure(base: str, case: str, max_bytes: int) -> dict[str, Any]:
    url = f"{base}/{case}"
    async with HttpFetcher(allow_private_networks=True, max_bytes=max_bytes) as fetcher:
        await _fetch(fetcher, f"{base}/small")  # warm up: imports, first connection, allocator arenas
        gc.collect()
        before = current_rss_mb() or 0.0
        with RssSampler(interval=0.001) as sampler:
            outcome, seconds = await _fetch(fetcher, url)

        gc.collect()
        tracemalloc.start()
        try:
            baseline = tracemalloc.get_traced_memory()[0]
            tracemalloc.reset_peak()
            await _fetch(fetcher, url)
            traced_peak = tracemalloc.get_traced_memory()[1] - baseline
        finally:
            tracemalloc.stop()
    return {
        "case": case,
        "description": CASES[case],
        "outcome": outcome,
        "seconds": round(seconds, 3),
        "rss_before_mb": round(before, 1),
        "rss_peak_growth_mb": round(sampler.peak_mb - before, 1),
        "rss_samples": sampler.samples,
        "tracemalloc_peak_mb": round(traced_peak / MB, 2),
    }


def _client(base: str, case: str, max_bytes: int, out: Connection) -> None:
    out.send(asyncio.run(_measure(base, case, max_bytes)))


async def run(max_bytes: int) -> dict[str, Any]:
    fork = multiprocessing.get_context("fork")
    ours, theirs = fork.Pipe()
    server = fork.Process(target=_serve, args=(theirs,), daemon=True)
    server.start()
    results = []
    try:
        base = f"http://127.0.0.1:{ours.recv()}"
        for case in CASES:
            # Each case in a fresh process: memory freed by an earlier case would otherwise hide new growth.
            mine, child_end = fork.Pipe()
            client = fork.Process(target=_client, args=(base, case, max_bytes, child_end))
            client.start()
            result = mine.recv()
            client.join()
            sent = []
            while ours.poll(0.5):
                path, count = ours.recv()
                if path == f"/{case}":
                    sent.append(count)
            result["server_wrote_mb"] = round(max(sent, default=0) / MB, 2)
            results.append(result)
        ours.send("stop")
    finally:
        server.join(timeout=5)
        if server.is_alive():
            server.kill()
    return {"max_bytes": max_bytes, "cases": results}


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.add_argument(
        "--max-bytes", type=int, default=5_000_000, help="the fetcher's size cap (default 5 MB)"
    )
    args = parser.parse_args()
    report = asyncio.run(run(args.max_bytes))
    if args.json:
        print(json.dumps(report, indent=2))
        return 0
    print(f"HttpFetcher, cap {args.max_bytes / MB:g} MB; each case in a fresh process\n")
    print(f"{'case':<58} {'RSS growth':>10} {'tracemalloc':>11} {'written':>8} {'time':>6}  outcome")
    for r in report["cases"]:
        print(
            f"{r['description']:<58} {r['rss_peak_growth_mb']:>7.1f} MB {r['tracemalloc_peak_mb']:>8.2f} MB "
            f"{r['server_wrote_mb']:>5.1f} MB {r['seconds']:>5.2f}s  {r['outcome']}"
        )
    print("\nRSS growth: largest resident set seen (sampled every 1 ms) minus the one before the fetch.")
    print(
        "written: bytes the server got into its socket before the fetcher hung up (kernel buffers included)."
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
