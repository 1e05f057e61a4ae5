"""Retrieval benchmark: the product's ingestion and search on a news question set, three ways side by side.

Usage: python bench/retrieval.py DIR [--json] [--limit N] [--data-dir PATH] [--embedder ensemble|local]
                                   [--raw-every N]

DIR holds `corpus.jsonl.gz` (passages `{id, url, title, text, published}`) and `questions.jsonl`
(`{id, date, question, choices, answer, evidence_id}`). Every passage goes through `Ingestor.ingest_many`
(dedup, chunking, embedding, SQLite, embedded Chroma) into a fresh data dir; every question then goes through
`Searcher.search` in hybrid ("ours"), BM25-only and dense-only mode.

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
`--raw-every N` times the bare embedder on every Nth ingest batch only: the ensemble is slow enough that
timing every batch would double the run.
"""

from __future__ import annotations

import argparse
import asyncio
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

from bench._common import RssSampler, Stopwatch, peak_rss_mb, percentile  # noqa: E402
from bot.services import Services, build_embedder, open_services  # noqa: E402
from bot.settings import Settings  # noqa: E402
from retrieval.chunking import passage_for_embedding  # noqa: E402
from retrieval.embed import Embedder  # noqa: E402
from retrieval.ingest import IngestResult  # noqa: E402
from retrieval.search import Mode  # noqa: E402
from retrieval.store import Extracted  # noqa: E402
from retrieval.urls import canonical_url  # noqa: E402

K = 10
INGEST_BATCH = 64
MODES: tuple[tuple[str, Mode], ...] = (("ours", "hybrid"), ("bm25", "bm25"), ("dense", "dense"))
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


def load(data: Path, limit: int | None) -> tuple[list[Passage], list[Question]]:
    with gzip.open(data / "corpus.jsonl.gz", "rt", encoding="utf-8") as fh:
        rows = [json.loads(line) for line in fh if line.strip()]
    with (data / "questions.jsonl").open(encoding="utf-8") as fh:
        questions = [json.loads(line) for line in fh if line.strip()]
    passages = [Passage(r["id"], r["url"], r.get("title") or "", r["text"]) for r in rows]
    qs = [Question(q["id"], q["question"], q["evidence_id"]) for q in questions]
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


def visible_article(result: IngestResult) -> int | None:
    """The article search would show for this passage, or None when it was not stored."""
    if result.status == "near_duplicate" and result.duplicate_of is not None:
        return result.duplicate_of.id
    if result.article is None or result.status == "failed":
        return None
    return result.article.duplicate_of or result.article.id


# ---- ingestion --------------------------------------------------------------------------------------------


async def ingest(
    services: Services, passages: Sequence[Passage], raw_every: int = 1
) -> tuple[dict[str, int | None], dict[str, Any]]:
    """Ingest in batches; after each batch the bare embedder re-embeds exactly the texts that batch embedded.

    Interleaving the two measurements exposes both to the same machine load, so their ratio stays fair on a
    shared machine. With `raw_every` N only every Nth batch is re-embedded (a slow embedder would otherwise
    double the run); the raw rate is then measured on that sample.
    """
    items = as_extracted(passages)
    visible: dict[str, int | None] = {}
    statuses: Counter[str] = Counter()
    chunks = raw_chunks = 0
    clock, raw_clock = Stopwatch(), Stopwatch()
    with RssSampler() as rss:
        for start in range(0, len(items), INGEST_BATCH):
            batch = items[start : start + INGEST_BATCH]
            with clock:
                results = await services.ingestor.ingest_many(batch)
            texts: list[str] = []
            for p, r in zip(passages[start : start + INGEST_BATCH], results, strict=True):
                visible[p.id] = visible_article(r)
                statuses[r.status] += 1
                if r.status == "added" and r.article is not None:
                    chunks += r.chunks
                    texts.extend(await _embedded_texts(services, r.article.id))
            if texts and (start // INGEST_BATCH) % raw_every == 0:
                with raw_clock:
                    await services.embedder.embed(texts)
                raw_chunks += len(texts)
            done = start + len(batch)
            if done % (INGEST_BATCH * 16) == 0 or done == len(items):
                print(f"  ingested {done}/{len(items)} ({clock.seconds:.0f}s)", file=sys.stderr)
    rate = chunks / clock.seconds if clock.seconds else 0.0
    raw_rate = raw_chunks / raw_clock.seconds if raw_clock.seconds else 0.0
    figures = {
        "passages": len(items),
        "statuses": dict(statuses),
        "chunks": chunks,
        "seconds": round(clock.seconds, 2),
        "chunks_per_s": round(rate, 2),
        "articles_per_s": round(len(items) / clock.seconds, 2) if clock.seconds else None,
        "raw_embedder_chunks_per_s": round(raw_rate, 2),
        "raw_embedder_chunks": raw_chunks,
        "vs_raw_embedder": round(rate / raw_rate, 3) if raw_rate else None,
        "rss_peak_sampled_mb": round(rss.peak_mb, 1),
    }
    return visible, figures


async def _embedded_texts(services: Services, article_id: int) -> list[str]:
    """The texts ingestion embedded for an article, rebuilt from what it stored."""
    article = await services.library.get_article(article_id)
    if article is None:
        return []
    return [passage_for_embedding(article.title, c.text) for c in await services.library.chunks(article_id)]


# ---- search and scoring -----------------------------------------------------------------------------------


def rank_of(article_ids: Sequence[int], target: int | None) -> int | None:
    """1-based rank of the target among distinct articles, or None if absent."""
    if target is None:
        return None
    seen: list[int] = []
    for a in article_ids:
        if a not in seen:
            seen.append(a)
    return seen.index(target) + 1 if target in seen else None


def metrics(ranks: Sequence[int | None]) -> dict[str, float]:
    n = len(ranks) or 1
    hit = lambda k: sum(1 for r in ranks if r is not None and r <= k) / n  # noqa: E731
    mrr = sum(1 / r for r in ranks if r is not None and r <= K) / n
    return {
        "hits@1": round(hit(1), 4),
        "hits@5": round(hit(5), 4),
        "hits@10": round(hit(10), 4),
        "mrr@10": round(mrr, 4),
        "n": len(ranks),
    }


async def evaluate(
    services: Services, questions: Sequence[Question], visible: dict[str, int | None]
) -> tuple[dict[str, list[int | None]], list[float]]:
    ranks: dict[str, list[int | None]] = defaultdict(list)
    latencies: list[float] = []
    await services.searcher.search("warm-up query", k=K)
    for i, q in enumerate(questions):
        for name, mode in MODES:
            started = time.perf_counter()
            hits = await services.searcher.search(q.text, k=K, mode=mode, per_article=1)
            if mode == "hybrid":
                latencies.append((time.perf_counter() - started) * 1000)
            ranks[name].append(rank_of([h.article_id for h in hits], visible.get(q.evidence)))
        if (i + 1) % 200 == 0:
            print(f"  asked {i + 1}/{len(questions)}", file=sys.stderr)
    return ranks, latencies


# ---- the run ----------------------------------------------------------------------------------------------


def _signature(passages: Sequence[Passage], services: Services) -> str:
    chunker = services.ingestor.chunker
    parts = [p.id for p in passages] + [
        services.embedder.id, str(chunker.max_tokens), str(chunker.overlap_tokens), str(chunker.min_tokens),
        passage_for_embedding("T", "x"), passage_for_embedding("T", "T x"),
    ]  # fmt: skip
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()[:16]


async def run(
    data: Path, limit: int | None, data_dir: Path | None, embedder_name: str = "ensemble", raw_every: int = 8
) -> dict[str, Any]:
    passages, questions = load(data, limit)
    print(f"{len(passages)} passages, {len(questions)} questions", file=sys.stderr)
    embedder: Embedder = build_embedder(Settings(_env_file=None, embedding_backend=embedder_name))  # type: ignore[call-arg, arg-type]
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
            else:
                if (await services.library.stats())["articles"]:
                    raise SystemExit(f"{root} holds another store; give an empty or new --data-dir")
                visible, ingest_figures = await ingest(services, passages, raw_every)
                state_path.write_text(json.dumps({"signature": signature, "visible": visible}))
            ranks, latencies = await evaluate(services, questions, visible)
        finally:
            await services.aclose()
    report: dict[str, Any] = {name: metrics(ranks[name]) for name, _ in MODES}
    report["ingest"] = ingest_figures
    report["latency_ms"] = {
        "p50": round(percentile(latencies, 50), 1),
        "p95": round(percentile(latencies, 95), 1),
        "mean": round(statistics.fmean(latencies), 1) if latencies else None,
    }
    # Parameters were chosen on the even positions; the odd ones are the held-out half.
    report["halves"] = {
        name: {"even": metrics(ranks[name][0::2]), "odd": metrics(ranks[name][1::2])} for name, _ in MODES
    }
    report["unfindable"] = sum(1 for q in questions if visible.get(q.evidence) is None)
    report["rss_peak_mb"] = round(peak_rss_mb(), 1)
    report["run"] = {
        "date": datetime.now(UTC).strftime("%Y-%m-%d"),
        "passages": len(passages),
        "questions": len(questions),
        "k": K,
        "embedder": embedder.id,
        "raw_every": raw_every,
        "ingest_batch": INGEST_BATCH,
    }
    return report


def render(report: dict[str, Any]) -> str:
    lines = [f"{'':8}{'hits@1':>8}{'hits@5':>8}{'hits@10':>9}{'mrr@10':>8}   even/odd mrr@10"]
    for name, _ in MODES:
        m, h = report[name], report["halves"][name]
        lines.append(
            f"{name:8}{m['hits@1']:8.3f}{m['hits@5']:8.3f}{m['hits@10']:9.3f}{m['mrr@10']:8.3f}"
            f"   {h['even']['mrr@10']:.3f}/{h['odd']['mrr@10']:.3f}"
        )
    run_ = report["run"]
    lines.append(
        f"questions {run_['questions']}, passages {run_['passages']}, "
        f"evidence not stored: {report['unfindable']}; even/odd = tuning/held-out half"
    )
    ing = report["ingest"]
    if "skipped" in ing:
        lines.append(f"ingest: {ing['skipped']}")
    else:
        lines.append(
            f"ingest: {ing['chunks']} chunks in {ing['seconds']:.1f}s = {ing['chunks_per_s']:.1f} chunks/s, "
            f"{ing['articles_per_s']:.1f} articles/s; "
            f"raw embedder {ing['raw_embedder_chunks_per_s']:.1f} chunks/s "
            f"(ingest at {ing['vs_raw_embedder']:.0%} of it); statuses {ing['statuses']}"
        )
        lines.append(f"RSS while ingesting (sampled peak): {ing['rss_peak_sampled_mb']:.0f} MiB")
    lat = report["latency_ms"]
    lines.append(f"hybrid search latency: p50 {lat['p50']:.1f} ms, p95 {lat['p95']:.1f} ms")
    lines.append(f"peak RSS (getrusage): {report['rss_peak_mb']:.0f} MiB")
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
        help="time the bare embedder on every Nth batch only (default: 8 for the ensemble, 1 for MiniLM)",
    )  # fmt: skip
    args = parser.parse_args(argv)
    for name in ("corpus.jsonl.gz", "questions.jsonl"):
        if not (args.dir / name).is_file():
            parser.error(f"{args.dir / name} not found")
    raw_every = args.raw_every or (8 if args.embedder == "ensemble" else 1)
    report = asyncio.run(run(args.dir, args.limit, args.data_dir, args.embedder, max(1, raw_every)))
    print(json.dumps(report, indent=2) if args.json else render(report))
    return 0


if __name__ == "__main__":
    sys.exit(main())
