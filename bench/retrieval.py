"""Retrieval benchmark: the product's ingestion and search on a news question set, every figure in one run.

Usage: python bench/retrieval.py DIR [--json] [--limit N] [--data-dir PATH] [--embedder ensemble|local]
                                   [--raw-every N] [--minilm-every N] [--ingest-sample N] [--reindex]
                                   [--dump-candidates FILE]

DIR holds `corpus.jsonl.gz` (passages `{id, url, title, text, published}`) and `questions.jsonl`
(`{id, date, question, choices, answer, evidence_id}`). Every passage goes through `Ingestor.ingest_many`
(dedup, chunking, embedding, SQLite, embedded Chroma) into a fresh data dir; every question then goes through
`Searcher.search`: the product's hybrid, dense-only, BM25-only, and the other fusions of `FusionConfig` that
were candidates (`CANDIDATES`).

One run reports:
- Hits@1/5/10 and MRR@10 on the whole set and on four halves: even/odd positions and early/late question
  dates (cut between two dates), with the check that the hybrid is not below dense-only on any of them;
- ingestion chunks/s of the measured embedder and, on the same batches, of MiniLM alone in a child process
  (bench/_retrieval_ingest.py), and their ratio;
- question-embedding latency (`Embedder.embed_queries` on one question, as search calls it) and hybrid
  search latency, p50/p95;
- peak RSS of this process (the child is not counted);
- with `--reindex`, `Ingestor.reindex()` over the built store: chunks/s and the minutes 16,000 would take.

Scoring: the rank of the evidence passage among the distinct articles returned (several chunks of one article
count once, so search runs with one hit per article). What counts as finding the evidence:
- the passage's own article, or the article the product linked it to: an exact duplicate resolves to the
  stored article, a near-duplicate (>= 85% shared shingles) to the article it was filed under, because search
  shows only that one and its text is, by construction, nearly the same;
- passages the product refused (fewer than 12 words) cannot be found and count as misses.
Several passages of the corpus are excerpts of one page and share its URL. The product keeps one article per
URL, which would silently drop all but the first excerpt; since the corpus has excerpts rather than pages,
each excerpt of a shared URL is given its own address (`?passage=<id>`) so that every passage is stored and
judged.
Questions carry dates but the passages carry none on purpose: search gets no date filter.

`--limit N` takes the first N questions, their evidence passages and the same fraction of the distractors.
`--data-dir PATH` keeps the store in PATH; a later run on the same PATH, corpus slice and chunking reuses it
and skips ingestion (its ingest figures are then absent), which makes repeated search runs quick.
`--embedder` picks the embedder as `EMBEDDING_BACKEND` does (default: the product's default, the ensemble).
`--raw-every N` re-embeds every Nth ingest batch with the bare embedder (0: never); `--minilm-every N` ingests
every Nth batch with MiniLM alone beside it (0: never; never when MiniLM is the embedder measured). A run that
reuses its store still measures ingestion, on `--ingest-sample N` batches (default 8) spread over the corpus,
ingested into a fresh store, each one by MiniLM alone too (0: no ingestion figures).
`--dump-candidates FILE` writes each question's candidates before fusion, for bench/fusion_study.py.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gzip
import hashlib
import json
import statistics
import sys
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit, urlunsplit

_HERE = Path(__file__).resolve().parent
# Run as a script, this file's folder comes first on sys.path and its name would shadow the retrieval package;
# the repository root takes its place.
sys.path[:] = [str(_HERE.parent)] + [p for p in sys.path if Path(p or ".").resolve() != _HERE]

from bench._common import peak_rss_mb, percentile  # noqa: E402
from bench._retrieval_ingest import (  # noqa: E402
    INGEST_BATCH,
    ingest,
    sample_ingest,
    time_reindex,
    visible_article,
)
from bench._retrieval_scoring import K, halves, metrics, not_below, per_half, rank_of  # noqa: E402
from bot.services import Services, build_embedder, open_services  # noqa: E402
from bot.settings import Settings  # noqa: E402
from retrieval.chunking import passage_for_embedding  # noqa: E402
from retrieval.embed import Embedder  # noqa: E402
from retrieval.search import FusionConfig, Mode, Searcher, topic_text  # noqa: E402
from retrieval.store import Extracted, SearchFilters  # noqa: E402
from retrieval.urls import canonical_url  # noqa: E402

__all__ = ["Passage", "Question", "as_extracted", "load", "visible_article"]

# Other fusions reported beside the product's in every run (one equal to it is skipped): the ensemble's weight
# before issue 18 (0.05, the best on this whole set), min-max fusion at the dense share both embedders' halves
# fitted, and reciprocal-rank fusion with nothing fitted. bench/fusion_study.py compares many more, offline.
CANDIDATES: tuple[tuple[str, FusionConfig], ...] = (
    ("w=0.05", FusionConfig(method="weighted", bm25_weight=0.05)),
    ("minmax", FusionConfig(method="minmax", dense_share=0.8)),
    ("rrf", FusionConfig(method="rrf", rrf_k=60)),
)
TARGETS = {"hits@5": 0.70, "mrr@10": 0.55, "ingest_vs_minilm": 0.45, "query_p95_ms": 30.0, "rss_mb": 1024.0}
_STATE_FILE = "bench-retrieval.json"


@dataclass(slots=True)
class Passage:
    id: str
    url: str
    title: str
    text: str


@dataclass(slots=True)
class Question:
    id: str
    text: str
    evidence: str
    date: str = ""


def load(data: Path, limit: int | None) -> tuple[list[Passage], list[Question]]:
    with gzip.open(data / "corpus.jsonl.gz", "rt", encoding="utf-8") as fh:
        rows = [json.loads(line) for line in fh if line.strip()]
    with (data / "questions.jsonl").open(encoding="utf-8") as fh:
        questions = [json.loads(line) for line in fh if line.strip()]
    passages = [Passage(r["id"], r["url"], r.get("title") or "", r["text"]) for r in rows]
    qs = [Question(q["id"], q["question"], q["evidence_id"], q.get("date") or "") for q in questions]
    if limit is not None and limit < len(qs):
        evidence_ids = {q.evidence for q in qs}
        distractors = [p for p in passages if p.id not in evidence_ids]
        keep_n = round(len(distractors) * limit / len(qs))
        qs = qs[:limit]
        wanted = {q.evidence for q in qs}
        keep = {p.id for p in distractors[:keep_n]} | wanted
        passages = [p for p in passages if p.id in keep]
    return passages, qs


def _with_passage_id(url: str, passage_id: str) -> str:
    parts = urlsplit(url)
    query = (parts.query + "&" if parts.query else "") + urlencode({"passage": passage_id})
    return urlunsplit((parts.scheme, parts.netloc, parts.path, query, parts.fragment))


def as_extracted(passages: Sequence[Passage]) -> list[Extracted]:
    """The passages as extraction would hand them over; excerpts sharing a page URL get distinct addresses."""
    by_url = Counter(canonical_url(p.url) for p in passages)
    items = []
    for p in passages:
        url = _with_passage_id(p.url, p.id) if by_url[canonical_url(p.url)] > 1 else p.url
        # No title, no date: the passage has none, and the product must not be handed invented ones.
        items.append(Extracted(text=p.text, title=p.title or None, url=url))
    return items


# ---- search and scoring -----------------------------------------------------------------------------------


def _methods(services: Services) -> list[tuple[str, Searcher, Mode]]:
    s = services.searcher
    out: list[tuple[str, Searcher, Mode]] = [
        ("hybrid", s, "hybrid"),
        ("dense", s, "dense"),
        ("bm25", s, "bm25"),
    ]
    for name, config in CANDIDATES:
        searcher = Searcher(services.library, services.index, services.embedder, config)
        # The question is embedded once, by the product's searcher (whose hybrid search is timed first).
        searcher.query_vectors = s.query_vectors
        if searcher.config != s.config:
            out.append((name, searcher, "hybrid"))
    return out


async def evaluate(
    services: Services,
    questions: Sequence[Question],
    visible: dict[str, int | None],
    dump: gzip.GzipFile | None = None,
) -> tuple[dict[str, list[int | None]], list[float], list[float]]:
    """Ranks per method, hybrid search latencies and question-embedding latencies (ms).

    With `dump`, each question's candidates (as the hybrid gathers them) go there too, one JSON line each, for
    bench/fusion_study.py.
    """
    ranks: dict[str, list[int | None]] = defaultdict(list)
    search_ms: list[float] = []
    embed_ms: list[float] = []
    methods = _methods(services)
    await services.searcher.search("warm-up query", k=K)
    for i, q in enumerate(questions):
        started = time.perf_counter()
        await services.embedder.embed_queries([topic_text(q.text)])
        embed_ms.append((time.perf_counter() - started) * 1000)
        for name, searcher, mode in methods:
            started = time.perf_counter()
            hits = await searcher.search(q.text, k=K, mode=mode, per_article=1)
            if name == "hybrid":
                search_ms.append((time.perf_counter() - started) * 1000)
            ranks[name].append(rank_of([h.article_id for h in hits], visible.get(q.evidence)))
        # After the searches: its question vector would be cached for them and skew the latency.
        if dump is not None:
            line = await _candidates_line(services, q, visible.get(q.evidence))
            dump.write((json.dumps(line) + "\n").encode())
        if (i + 1) % 200 == 0:
            print(f"  asked {i + 1}/{len(questions)}", file=sys.stderr)
    return ranks, search_ms, embed_ms


async def _candidates_line(services: Services, q: Question, target: int | None) -> dict[str, Any]:
    searcher = services.searcher
    n = max(searcher.config.candidates, K * 4)
    found = await searcher.candidates(topic_text(q.text), n=n, filters=SearchFilters(), mode="hybrid")
    records = await services.library.chunk_records(list(found.similarity.keys() | found.bm25.keys()))
    return {
        "id": q.id,
        "date": q.date,
        "target": target,
        # Lists of pairs keep the order search sees them in (ties are broken by it).
        "similarity": list(found.similarity.items()),
        "bm25": list(found.bm25.items()),
        "dense_hits": found.dense_hits,
        "lexical_hits": found.lexical_hits,
        "article": {cid: rec.article_id for cid, rec in records.items()},
    }


# ---- the run ----------------------------------------------------------------------------------------------


def _signature(passages: Sequence[Passage], services: Services) -> str:
    chunker = services.ingestor.chunker
    parts = [p.id for p in passages] + [
        services.embedder.id, str(chunker.max_tokens), str(chunker.overlap_tokens), str(chunker.min_tokens),
        passage_for_embedding("T", "x"), passage_for_embedding("T", "T x"),
    ]  # fmt: skip
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()[:16]


async def run(
    data: Path,
    limit: int | None,
    data_dir: Path | None,
    embedder_name: str = "ensemble",
    *,
    raw_every: int = 8,
    minilm_every: int = 4,
    reindex: bool = False,
    dump: Path | None = None,
    ingest_sample: int = 8,
) -> dict[str, Any]:
    passages, questions = load(data, limit)
    print(f"{len(passages)} passages, {len(questions)} questions", file=sys.stderr)
    embedder: Embedder = build_embedder(Settings(_env_file=None, embedding_backend=embedder_name))  # type: ignore[call-arg, arg-type]
    if embedder_name == "local":
        minilm_every = 0  # it would be compared with itself
    reindexed: dict[str, Any] | None = None
    with tempfile.TemporaryDirectory(prefix="bench-retrieval-") as tmp:
        root = data_dir or Path(tmp)
        settings = Settings(_env_file=None, data_dir=root)  # type: ignore[call-arg]
        services = await open_services(settings, embedder=embedder)
        try:
            state_path = root / _STATE_FILE
            signature = _signature(passages, services)
            state = json.loads(state_path.read_text()) if state_path.is_file() else None
            ingest_figures: dict[str, Any] = {"skipped": "reused the store in --data-dir"}
            if state is not None and state.get("signature") == signature:
                visible = {k: v for k, v in state["visible"].items()}
                if ingest_sample:
                    print(f"  reusing {root}; ingesting a sample of {ingest_sample} batches", file=sys.stderr)
                    ingest_figures = await sample_ingest(
                        embedder, passages, as_extracted(passages), ingest_sample, raw_every=raw_every
                    )
            else:
                if (await services.library.stats())["articles"]:
                    raise SystemExit(f"{root} holds another store; give an empty or new --data-dir")
                visible, ingest_figures = await ingest(
                    services, passages, as_extracted(passages), raw_every=raw_every, minilm_every=minilm_every
                )
                state_path.write_text(json.dumps({"signature": signature, "visible": visible}))
            with contextlib.ExitStack() as stack:
                out = stack.enter_context(gzip.open(dump, "wb")) if dump is not None else None
                ranks, search_ms, embed_ms = await evaluate(services, questions, visible, out)
            rss_before_reindex = peak_rss_mb()
            if reindex:
                print("  reindexing", file=sys.stderr)
                reindexed = await time_reindex(services)
        finally:
            await services.aclose()
    split, cut = halves([q.date for q in questions])
    report: dict[str, Any] = {name: metrics(r) for name, r in ranks.items()}
    report["methods"] = list(ranks)
    report["halves"] = {name: per_half(r, split) for name, r in ranks.items()}
    report["split"] = {"late_from": cut, **{name: len(pos) for name, pos in split.items()}}
    checks = not_below(report, "hybrid")
    report["hybrid_not_below_dense"] = {**checks, "every_half": all(checks.values())}
    report["ingest"] = ingest_figures
    report["search_latency_ms"] = _latency(search_ms)
    report["query_embedding_ms"] = _latency(embed_ms)
    if reindexed is not None:
        report["reindex"] = reindexed
    report["unfindable"] = sum(1 for q in questions if visible.get(q.evidence) is None)
    report["rss_peak_mb"] = round(rss_before_reindex, 1)
    report["rss_peak_with_reindex_mb"] = round(peak_rss_mb(), 1) if reindexed is not None else None
    report["targets"] = _targets(report)
    report["run"] = {
        "date": datetime.now(UTC).strftime("%Y-%m-%d"),
        "passages": len(passages),
        "questions": len(questions),
        "k": K,
        "embedder": embedder.id,
        "fusion": _describe(services.searcher.config),
        "raw_every": raw_every,
        "minilm_every": minilm_every,
        "ingest_batch": INGEST_BATCH,
    }
    return report


def _latency(values: Sequence[float]) -> dict[str, float | None]:
    return {
        "p50": round(percentile(values, 50), 1),
        "p95": round(percentile(values, 95), 1),
        "mean": round(statistics.fmean(values), 1) if values else None,
    }


def _describe(config: FusionConfig) -> str:
    return ", ".join(f"{k}={getattr(config, k)}" for k in config.__slots__)  # type: ignore[attr-defined]


def _targets(report: dict[str, Any]) -> dict[str, bool | None]:
    """Issue 18's targets, each met or not (None: not measured in this run)."""
    pair = report["ingest"].get("vs_minilm", {}).get("ratio")
    return {
        "hits@5 >= 0.70": report["hybrid"]["hits@5"] >= TARGETS["hits@5"],
        "mrr@10 >= 0.55": report["hybrid"]["mrr@10"] >= TARGETS["mrr@10"],
        "hybrid >= dense on every half": report["hybrid_not_below_dense"]["every_half"],
        "ingest >= 0.45 x MiniLM": None if pair is None else pair >= TARGETS["ingest_vs_minilm"],
        "question embedding p95 <= 30 ms": report["query_embedding_ms"]["p95"] <= TARGETS["query_p95_ms"],
        "peak RSS <= 1 GB": report["rss_peak_mb"] <= TARGETS["rss_mb"],
    }


def render(report: dict[str, Any]) -> str:
    names = report["methods"]
    lines = [f"{'':10}{'hits@1':>7}{'hits@5':>7}{'hits@10':>8}{'mrr@10':>7}   hits@5 / mrr@10 per half"]
    sp = report["split"]
    lines.append(f"{'':40}{'even':>13} {'odd':>13} {'early':>13} {'late':>13}")
    for name in names:
        m, h = report[name], report["halves"][name]
        cells = " ".join(
            f"{h[x]['hits@5']:.3f}/{h[x]['mrr@10']:.3f}" if x in h else f"{'-':^11}"
            for x in ("even", "odd", "early", "late")
        )
        lines.append(
            f"{name:10}{m['hits@1']:7.3f}{m['hits@5']:7.3f}{m['hits@10']:8.3f}{m['mrr@10']:7.3f}   {cells}"
        )
    run_ = report["run"]
    lines.append(
        f"questions {run_['questions']} (even {sp['even']}, odd {sp['odd']}, early {sp['early']}, "
        f"late {sp['late']} from {sp['late_from']}), passages {run_['passages']}, "
        f"evidence not stored: {report['unfindable']}"
    )
    lines.append(f"hybrid: {run_['fusion']}")
    check = report["hybrid_not_below_dense"]
    failed = [h for h, ok in check.items() if h != "every_half" and not ok]
    lines.append(
        f"hybrid >= dense on every half: {'yes' if check['every_half'] else 'no'}"
        + (f" (below on: {', '.join(failed)})" if failed else "")
    )
    ing = report["ingest"]
    if "skipped" in ing:
        lines.append(f"ingest: {ing['skipped']}")
    else:
        sample = ing.get("sample")
        where = (
            f" (sample: {sample['batches']} of {sample['of_batches']} batches, into a fresh store)"
            if sample
            else ""
        )
        lines.append(
            f"ingest{where}: {ing['chunks']} chunks in {ing['seconds']:.1f}s = {ing['chunks_per_s']:.1f} "
            f"chunks/s, {ing['articles_per_s']:.1f} articles/s; statuses {ing['statuses']}"
        )
        if ing["raw_embedder_chunks"]:
            lines.append(
                f"raw embedder {ing['raw_embedder_chunks_per_s']:.1f} chunks/s "
                f"on {ing['raw_embedder_chunks']} chunks (ingest at {ing['vs_raw_embedder']:.0%} of it)"
            )
        pair = ing.get("vs_minilm")
        if pair:
            lines.append(
                f"same batches (every {pair['every']}): default {pair['default_chunks_per_s']:.1f} chunks/s "
                f"({pair['default_chunks']} chunks), MiniLM alone {pair['minilm_chunks_per_s']:.1f} chunks/s "
                f"({pair['minilm_chunks']} chunks): ratio {pair['ratio']:.2f}"
            )
        lines.append(f"RSS while ingesting (sampled peak): {ing['rss_peak_sampled_mb']:.0f} MiB")
    q, s = report["query_embedding_ms"], report["search_latency_ms"]
    lines.append(f"question embedding: p50 {q['p50']:.1f} ms, p95 {q['p95']:.1f} ms")
    lines.append(f"hybrid search latency: p50 {s['p50']:.1f} ms, p95 {s['p95']:.1f} ms")
    lines.append(f"peak RSS (getrusage, before any reindex): {report['rss_peak_mb']:.0f} MiB")
    if "reindex" in report:
        r = report["reindex"]
        lines.append(
            f"reindex: {r['chunks']} chunks in {r['seconds']:.1f}s = {r['chunks_per_s']:.1f} chunks/s; "
            f"16k chunks in {r['minutes_for_16k']} min; peak RSS {report['rss_peak_with_reindex_mb']:.0f} MiB"
        )
    verdict = lambda ok: "n/a" if ok is None else "yes" if ok else "NO"  # noqa: E731
    lines.append("targets: " + "; ".join(f"{k}: {verdict(v)}" for k, v in report["targets"].items()))
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("dir", type=Path, help="folder with corpus.jsonl.gz and questions.jsonl")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.add_argument("--limit", type=int, default=None, help="use only the first N questions (smoke run)")
    parser.add_argument("--data-dir", type=Path, default=None, help="keep (and reuse) the store here")
    parser.add_argument(
        "--embedder", choices=("ensemble", "local"), default="ensemble", help="EMBEDDING_BACKEND to measure"
    )
    parser.add_argument(
        "--raw-every", type=int, default=None, metavar="N",
        help="re-embed every Nth batch with the bare embedder (0: never; default 8, or 1 for MiniLM)",
    )  # fmt: skip
    parser.add_argument(
        "--minilm-every", type=int, default=4, metavar="N",
        help="ingest every Nth batch with MiniLM alone too, for the speed ratio (default 4; 0: never)",
    )  # fmt: skip
    parser.add_argument("--reindex", action="store_true", help="then time Ingestor.reindex() over the store")
    parser.add_argument(
        "--ingest-sample", type=int, default=8, metavar="N",
        help="reusing the store in --data-dir: time ingestion on N batches into a fresh store (0: do not)",
    )  # fmt: skip
    parser.add_argument(
        "--dump-candidates", type=Path, default=None, metavar="FILE",
        help="write each question's candidates (gzipped JSON lines) for bench/fusion_study.py",
    )  # fmt: skip
    args = parser.parse_args(argv)
    for name in ("corpus.jsonl.gz", "questions.jsonl"):
        if not (args.dir / name).is_file():
            parser.error(f"{args.dir / name} not found")
    raw_every = args.raw_every if args.raw_every is not None else (8 if args.embedder == "ensemble" else 1)
    report = asyncio.run(
        run(
            args.dir, args.limit, args.data_dir, args.embedder,
            raw_every=max(0, raw_every), minilm_every=max(0, args.minilm_every), reindex=args.reindex,
            dump=args.dump_candidates, ingest_sample=max(0, args.ingest_sample),
        )
    )  # fmt: skip
    print(json.dumps(report, indent=2) if args.json else render(report))
    return 0


if __name__ == "__main__":
    sys.exit(main())
