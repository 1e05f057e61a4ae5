"""Briefing benchmark: offline briefings for news questions, plus the calibration of the briefing thresholds.

Usage: python bench/briefing.py DIR [--limit N] [--json] [--calibrate] [--data-dir PATH] [--embedder E]

DIR is the RealTime QA set (`corpus.jsonl.gz`, `questions.jsonl`; see bench/retrieval.py, whose loader and
ingestion conventions this reuses). Every passage is ingested through the product's `Ingestor`. The evidence
passages of the questions at odd positions are stored under a separate chat scope, so that one store gives
three views of the corpus:
- full: everything (the benchmark proper);
- held-out: everything except the odd questions' evidence (web distractors and the even questions' evidence);
- unrelated: only the even questions' evidence passages, i.e. a store of news on other subjects.

Measured on the full view, for every question, through `Briefer.ask` with the offline writer:
- answer in cited passages: the correct answer string occurs (case-insensitively) in an article the briefing
  cites; also reported: in the briefing text itself, and in any of the top 8 search hits (the ceiling);
- evidence cited: the question's evidence passage is among the citations;
- resolving markers: share of `[n]` in the text that have a citation, and of citations used in the text;
- found rate, and answer latency p50/p95 (search + writing + citation checks).

`--calibrate` adds the two calibrations:
- relevance gate: best-hit cosine (and lexical coverage) of even questions (evidence stored: should be found)
  vs odd questions (evidence absent: should not), in the held-out and the unrelated view;
- support check: a claim made of question + answer against its evidence passage (supported) vs against the
  best-ranked other passage that does not contain the answer (not supported).
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import json
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

_HERE = Path(__file__).resolve().parent
sys.path[:] = [str(_HERE.parent)] + [p for p in sys.path if Path(p or ".").resolve() != _HERE]

from bench._common import percentile  # noqa: E402
from bench.retrieval import Passage, Question, as_extracted, load, visible_article  # noqa: E402
from bot.services import Services, build_embedder, open_services  # noqa: E402
from bot.settings import Settings  # noqa: E402
from briefing.briefer import Briefer, judge_relevance, search_calibration  # noqa: E402
from briefing.citations import SentenceEmbeddings, content_words, support_scores  # noqa: E402
from briefing.writer import OfflineWriter  # noqa: E402
from retrieval.embed import Embedder  # noqa: E402
from retrieval.store import SHARED_SCOPE, Hit, SearchFilters  # noqa: E402
from retrieval.text import MARKER  # noqa: E402

HELDOUT_SCOPE = "bench-heldout"
VIEWER_SCOPE = "bench-viewer"
EVIDENCE_OUTLET = "rtqa-evidence"
BATCH = 64
K = 8
_STATE_FILE = "bench-briefing.json"

FULL = SearchFilters()
HELD_OUT = SearchFilters(scope=VIEWER_SCOPE)
UNRELATED = SearchFilters(scope=VIEWER_SCOPE, outlet=EVIDENCE_OUTLET)


@dataclass(slots=True)
class Case:
    question: Question
    answer: str
    kept: bool  # evidence visible outside the full view (even positions)


def cases(data: Path, questions: list[Question]) -> list[Case]:
    answers: dict[str, str] = {}
    with (data / "questions.jsonl").open(encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                row = json.loads(line)
                answers[row["id"]] = str(row["answer"])
    return [Case(q, answers[q.id], kept=i % 2 == 0) for i, q in enumerate(questions)]


# ---- the store --------------------------------------------------------------------------------------------


async def build_store(
    services: Services, passages: list[Passage], all_cases: list[Case]
) -> dict[str, int | None]:
    evidence = {c.question.evidence: c.kept for c in all_cases}
    items = as_extracted(passages)
    groups: dict[str, list[tuple[Passage, Any]]] = {SHARED_SCOPE: [], HELDOUT_SCOPE: []}
    for p, item in zip(passages, items, strict=True):
        if p.id in evidence:
            item.site = EVIDENCE_OUTLET
        scope = HELDOUT_SCOPE if evidence.get(p.id) is False else SHARED_SCOPE
        groups[scope].append((p, item))
    visible: dict[str, int | None] = {}
    done = 0
    started = time.perf_counter()
    for scope, pairs in groups.items():
        for start in range(0, len(pairs), BATCH):
            batch = pairs[start : start + BATCH]
            results = await services.ingestor.ingest_many([i for _, i in batch], added_by=scope)
            for (p, _), r in zip(batch, results, strict=True):
                visible[p.id] = visible_article(r)
            done += len(batch)
            if done % (BATCH * 16) < BATCH:
                print(
                    f"  ingested {done}/{len(passages)} ({time.perf_counter() - started:.0f}s)",
                    file=sys.stderr,
                )
    return visible


async def open_store(
    data_dir: Path, passages: list[Passage], all_cases: list[Case], embedder: Embedder
) -> tuple[Services, dict]:
    settings = Settings(_env_file=None, data_dir=data_dir)  # type: ignore[call-arg]
    services = await open_services(settings, embedder=embedder)
    signature = hashlib.sha256(
        "\n".join(
            [p.id for p in passages] + [c.question.id for c in all_cases if c.kept] + [services.index.name]
        ).encode()
    ).hexdigest()[:16]
    state_path = data_dir / _STATE_FILE
    state = json.loads(state_path.read_text()) if state_path.is_file() else None
    if state is not None and state.get("signature") == signature:
        return services, state["visible"]
    if (await services.library.stats())["articles"]:
        await services.aclose()
        raise SystemExit(f"{data_dir} holds another store; give an empty or new --data-dir")
    visible = await build_store(services, passages, all_cases)
    state_path.write_text(json.dumps({"signature": signature, "visible": visible}))
    return services, visible


# ---- the benchmark ----------------------------------------------------------------------------------------


async def bench(services: Services, briefer: Briefer, all_cases: list[Case], visible: dict) -> dict[str, Any]:
    latencies: list[float] = []
    found = in_cited = in_text = in_hits = evidence_cited = 0
    markers_total = markers_ok = citations_total = citations_used = 0
    texts: dict[int, str] = {}
    by_half = [0, 0]  # answer in cited passages, even / odd positions
    await briefer.ask("warm-up question about the news")
    for i, case in enumerate(all_cases):
        q, answer = case.question, case.answer.lower()
        started = time.perf_counter()
        briefing = await briefer.ask(q.text, filters=FULL, k=K)
        latencies.append((time.perf_counter() - started) * 1000)
        hits = await services.searcher.search(q.text, k=K)
        in_hits += any(answer in h.text.lower() for h in hits)
        if not briefing.found:
            continue
        found += 1
        numbers = {c.n for c in briefing.citations}
        used = [int(n) for n in MARKER.findall(briefing.answer)]
        markers_total += len(used)
        markers_ok += sum(n in numbers for n in used)
        citations_total += len(numbers)
        citations_used += len(numbers & set(used))
        in_text += answer in briefing.answer.lower()
        cited_text = []
        for c in briefing.citations:
            if c.article_id not in texts:
                article = await services.library.get_article(c.article_id)
                texts[c.article_id] = (article.text if article else "").lower()
            cited_text.append(texts[c.article_id])
        hit = any(answer in t for t in cited_text)
        in_cited += hit
        by_half[i % 2] += hit
        evidence_cited += visible.get(q.evidence) in {c.article_id for c in briefing.citations}
        if (i + 1) % 100 == 0:
            print(f"  asked {i + 1}/{len(all_cases)}", file=sys.stderr)
    n = len(all_cases) or 1
    return {
        "questions": len(all_cases),
        "found_rate": round(found / n, 4),
        "answer_in_cited_passages": round(in_cited / n, 4),
        "answer_in_cited_even_odd": [round(by_half[h] / max(1, len(all_cases[h::2])), 4) for h in (0, 1)],
        "answer_in_briefing_text": round(in_text / n, 4),
        "answer_in_top8_hits": round(in_hits / n, 4),
        "evidence_cited": round(evidence_cited / n, 4),
        "markers_resolving": round(markers_ok / markers_total, 4) if markers_total else None,
        "citations_used": round(citations_used / citations_total, 4) if citations_total else None,
        "markers": markers_total,
        "latency_ms": {
            "p50": round(percentile(latencies, 50), 1),
            "p95": round(percentile(latencies, 95), 1),
            "mean": round(statistics.fmean(latencies), 1) if latencies else None,
        },
    }


# ---- calibration ------------------------------------------------------------------------------------------


def _pr(positives: list[bool], negatives: list[bool]) -> dict[str, float]:
    tp, fn = sum(positives), len(positives) - sum(positives)
    fp = sum(negatives)
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    fpr = fp / len(negatives) if negatives else 0.0
    return {
        "precision": round(precision, 4),
        "recall": round(recall, 4),
        "f1": round(f1, 4),
        "fpr": round(fpr, 4),
    }


async def calibrate_relevance(services: Services, all_cases: list[Case]) -> dict[str, Any]:
    shipped, _ = search_calibration(services.embedder.id)
    out: dict[str, Any] = {"shipped_threshold": shipped}
    for view_name, view in (("held_out", HELD_OUT), ("unrelated", UNRELATED)):
        signals: list[tuple[bool, float, float, int]] = []
        for case in all_cases:
            hits = await services.searcher.search(case.question.text, k=K, filters=view)
            verdict = judge_relevance(case.question.text, hits, threshold=2.0, lexical=2.0)
            signals.append((case.kept, verdict.best_similarity, verdict.best_lexical,
                            len(content_words(case.question.text))))  # fmt: skip
        table: list[dict[str, Any]] = []
        # Up to 0.94: the ensemble's cosines sit higher than MiniLM's (its bar is 0.725, MiniLM's 0.42).
        for t in [*(step / 100 for step in range(20, 96, 2)), shipped]:
            for lexical in (None, 0.75, 0.85, 1.0):

                def found(
                    sim: float, lex: float, words: int, t: float = t, lexical: float | None = lexical
                ) -> bool:
                    return sim >= t or (lexical is not None and words >= 2 and lex >= lexical)

                pos = [found(s, lx, w) for kept, s, lx, w in signals if kept]
                neg = [found(s, lx, w) for kept, s, lx, w in signals if not kept]
                table.append({"threshold": t, "lexical": lexical, **_pr(pos, neg)})
        pos_sims = sorted(s for kept, s, _, _ in signals if kept)
        neg_sims = sorted(s for kept, s, _, _ in signals if not kept)
        out[view_name] = {
            "best_f1": max(table, key=lambda r: r["f1"]),
            "shipped": next(r for r in table if r["threshold"] == shipped and r["lexical"] is None),
            "table": table,
            "positive_similarity_quartiles": [round(percentile(pos_sims, p), 3) for p in (25, 50, 75)],
            "negative_similarity_quartiles": [round(percentile(neg_sims, p), 3) for p in (25, 50, 75)],
        }
    return out


async def calibrate_support(
    services: Services, embeddings: SentenceEmbeddings, all_cases: list[Case], visible: dict
) -> dict[str, Any]:
    pairs: list[tuple[bool, float, float]] = []
    for case in all_cases:
        if not case.kept:
            continue
        evidence_id = visible.get(case.question.evidence)
        if evidence_id is None:
            continue
        claim = f"{case.question.text.rstrip('?')}: {case.answer}."
        hits = await services.searcher.search(case.question.text, k=K)
        article = await services.library.get_article(evidence_id)
        if article is None:
            continue
        own = Hit(
            chunk_id="e", article_id=article.id, title=article.title, url=article.url, outlet=article.outlet,
            published=article.published_at, text=article.text, score=0.0,
        )  # fmt: skip
        cov, cos = await support_scores(claim, own, embeddings)
        pairs.append((True, cov, cos))
        other = next(
            (h for h in hits if h.article_id != evidence_id and case.answer.lower() not in h.text.lower()),
            None,
        )
        if other is not None:
            cov, cos = await support_scores(claim, other, embeddings)
            pairs.append((False, cov, cos))
    table: list[dict[str, Any]] = []
    for cov_t in (0.5, 0.6, 0.7, 0.8, 0.9):
        for cos_t in (0.5, 0.55, 0.6, 0.65, 0.7, 0.75, 0.8, 2.0):
            pos = [c >= cov_t or s >= cos_t for ok, c, s in pairs if ok]
            neg = [c >= cov_t or s >= cos_t for ok, c, s in pairs if not ok]
            table.append({"coverage": cov_t, "cosine": cos_t, **_pr(pos, neg)})
    return {"pairs": len(pairs), "best_f1": max(table, key=lambda r: r["f1"]), "table": table}


# ---- the run ----------------------------------------------------------------------------------------------


async def run(
    data: Path, limit: int | None, data_dir: Path | None, calibrate: bool, embedder_name: str = "ensemble"
) -> dict[str, Any]:
    passages, questions = load(data, limit)
    all_cases = cases(data, questions)
    print(f"{len(passages)} passages, {len(all_cases)} questions", file=sys.stderr)
    with tempfile.TemporaryDirectory(prefix="bench-briefing-") as tmp:
        embedder: Embedder = build_embedder(Settings(_env_file=None, embedding_backend=embedder_name))  # type: ignore[call-arg, arg-type]
        services, visible = await open_store(data_dir or Path(tmp), passages, all_cases, embedder)
        try:
            # As build_briefer wires it: sentence work on the sentence model, the gate for the search model.
            offline = OfflineWriter(
                SentenceEmbeddings(services.embedder.sentence_model(), store=services.library)
            )
            relevance, margin = search_calibration(services.embedder.id)
            briefer = Briefer(
                services.searcher, services.library, offline, offline=offline,
                relevance_threshold=relevance, passage_margin=margin,
            )  # fmt: skip
            report: dict[str, Any] = {"briefing": await bench(services, briefer, all_cases, visible)}
            if calibrate:
                report["relevance"] = await calibrate_relevance(services, all_cases)
                report["support"] = await calibrate_support(services, offline.embeddings, all_cases, visible)
        finally:
            await services.aclose()
    report["run"] = {
        "passages": len(passages), "questions": len(all_cases), "k": K, "embedder": embedder_name,
        "relevance_threshold": relevance, "passage_margin": margin,
    }  # fmt: skip
    return report


def _prf(row: dict[str, Any]) -> str:
    return f"P {row['precision']:.3f} R {row['recall']:.3f} F1 {row['f1']:.3f}"


def render(report: dict[str, Any]) -> str:
    b = report["briefing"]
    lines = [
        f"questions: {b['questions']}  found: {b['found_rate']:.3f}",
        f"answer in cited passages: {b['answer_in_cited_passages']:.3f}   in briefing text: "
        f"{b['answer_in_briefing_text']:.3f}   in top-{K} hits (ceiling): {b['answer_in_top8_hits']:.3f}",
        f"evidence passage cited: {b['evidence_cited']:.3f}",
        f"[n] resolving: {b['markers_resolving']}   citations used in text: {b['citations_used']}"
        f"   ({b['markers']} markers)",
        f"answer latency: p50 {b['latency_ms']['p50']:.0f} ms, p95 {b['latency_ms']['p95']:.0f} ms",
    ]
    for view in ("held_out", "unrelated"):
        if "relevance" not in report:
            break
        r = report["relevance"][view]
        best = r["best_f1"]
        lines.append(
            f"relevance gate, {view} view: best F1 at cosine >= {best['threshold']} "
            f"(lexical {best['lexical']}): {_prf(best)}; similarity quartiles "
            f"stored {r['positive_similarity_quartiles']} vs absent {r['negative_similarity_quartiles']}"
        )
        shipped = report["relevance"]["shipped_threshold"]
        lines.append(f"    the shipped bar, cosine >= {shipped}: {_prf(r['shipped'])}")
        for row in r["table"]:
            if row["lexical"] in (None, 0.85) and round(row["threshold"] * 100, 6) % 4 == 0:
                lines.append(
                    f"    cos>={row['threshold']:.2f} lex>={row['lexical']}: P {row['precision']:.3f} "
                    f"R {row['recall']:.3f} F1 {row['f1']:.3f} FPR {row['fpr']:.3f}"
                )
    if "support" in report:
        s = report["support"]
        best = s["best_f1"]
        lines.append(
            f"support check ({s['pairs']} claim/passage pairs): best F1 at coverage >= {best['coverage']} "
            f"or cosine >= {best['cosine']}: {_prf(best)}"
        )
        for row in s["table"]:
            lines.append(
                f"    cov>={row['coverage']:.2f} cos>={row['cosine']:.2f}: P {row['precision']:.3f} "
                f"R {row['recall']:.3f} F1 {row['f1']:.3f} FPR {row['fpr']:.3f}"
            )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("dir", type=Path, help="folder with corpus.jsonl.gz and questions.jsonl")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.add_argument("--limit", type=int, default=None, help="use only the first N questions")
    parser.add_argument(
        "--embedder", choices=("ensemble", "local"), default="ensemble", help="EMBEDDING_BACKEND to measure"
    )
    parser.add_argument(
        "--calibrate", action="store_true", help="also calibrate the relevance and support bars"
    )
    parser.add_argument(
        "--data-dir", type=Path, default=None, help="keep (and reuse) the store in this folder"
    )
    args = parser.parse_args(argv)
    for name in ("corpus.jsonl.gz", "questions.jsonl"):
        if not (args.dir / name).is_file():
            parser.error(f"{args.dir / name} not found")
    report = asyncio.run(run(args.dir, args.limit, args.data_dir, args.calibrate, args.embedder))
    print(json.dumps(report, indent=2, default=str) if args.json else render(report))
    return 0


if __name__ == "__main__":
    sys.exit(main())
