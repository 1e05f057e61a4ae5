"""Statement-attribution benchmark: the extractor against hand-labelled passages, with its speed.

Usage: python bench/attribution.py DIR [--json] [--repeat N] [--embed]

DIR is an attribution set laid out like ../shared/data/attribution-dev: `gold.jsonl` (passages with their
labelled statements) and `score.py` (its scorer). The figures come from that scorer's own functions (loaded
from
DIR, never copied here), so they equal what `score.py` prints: precision, recall (overall, quotes, reported
speech, by how the speaker is named), attribution errors, how often a correct statement carries the day the
passage names, and the milliseconds the extractor spends per passage. `--embed` also times the default MiniLM
embedder on the same passages' chunks, the budget the issue sets: extraction must stay well inside it.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import statistics
import sys
import time
from pathlib import Path
from types import ModuleType
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from retrieval.statements import EXTRACTOR_VERSION, extract_statements


def load_scorer(folder: Path) -> ModuleType:
    spec = importlib.util.spec_from_file_location("attribution_score", folder / "score.py")
    if spec is None or spec.loader is None:
        raise SystemExit(f"no score.py in {folder}")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def extract_all(
    scorer: ModuleType, passages: list[dict[str, Any]], repeat: int
) -> tuple[dict[str, Any], list[float]]:
    """Each passage's statements in the scorer's format, and the fastest of `repeat` timings per passage
    (ms)."""
    out: dict[str, list[dict[str, Any]]] = {}
    timings: list[float] = []
    for number, passage in enumerate(passages, 1):
        article = scorer.make_article(number, passage)
        best = float("inf")
        for _ in range(repeat):
            start = time.perf_counter()
            found = extract_statements(article)
            best = min(best, (time.perf_counter() - start) * 1000)
        timings.append(best)
        out[passage["id"]] = [
            {"speaker": s.speaker, "role": s.role, "text": s.text, "kind": s.kind,
             "said_on": s.said_on.isoformat() if s.said_on else None}
            for s in found
        ]  # fmt: skip
    return out, timings


def embedding_ms(passages: list[dict[str, Any]]) -> tuple[float, float]:
    """MiniLM alone (the fastest embedder the product ships): ms per passage and chunks per passage."""
    from retrieval.chunking import Chunker, passage_for_embedding
    from retrieval.embed import LocalEmbedder

    embedder = LocalEmbedder()
    chunker = Chunker(embedder.count_tokens)
    texts = [[passage_for_embedding(p["title"], c.text) for c in chunker.split(p["text"])] for p in passages]
    embedder.embed_sync(texts[0])  # warm up the session
    start = time.perf_counter()
    for chunks in texts:
        embedder.embed_sync(chunks)
    total = (time.perf_counter() - start) * 1000
    return total / len(passages), sum(map(len, texts)) / len(passages)


def run(folder: Path, repeat: int, embed: bool) -> dict[str, Any]:
    scorer = load_scorer(folder)
    passages = [
        json.loads(line)
        for line in (folder / "gold.jsonl").read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]
    extracted, timings = extract_all(scorer, passages, repeat)
    result = scorer.score(passages, extracted, 0.5)
    dates = scorer.dates(passages, result)
    by = result["recall_by"]
    words = statistics.mean(len(p["text"].split()) for p in passages)
    figures: dict[str, Any] = {
        "extractor_version": EXTRACTOR_VERSION,
        "passages": len(passages),
        "extracted": result["extracted"],
        "correct": result["correct"],
        "precision": result["precision"],
        "recall": result["recall"],
        "recall_quotes": by["kind=quote"]["recall"],
        "recall_reported": by["kind=reported"]["recall"],
        "recall_by_reference": {k.removeprefix("ref="): v for k, v in by.items() if k.startswith("ref=")},
        "recall_by_tag": {k.removeprefix("tag="): v for k, v in by.items() if k.startswith("tag=")},
        "attribution_errors": result["attribution_errors"],
        "attribution_errors_wrong_speaker": result["attribution_errors_wrong_speaker"],
        "attribution_errors_garbled_name": result["attribution_errors_garbled_name"],
        "attribution_error_rate": result["attribution_error_rate"],
        "spurious": result["spurious"],
        "fp_on_no_speech": result["fp_on_no_speech"],
        "dates": dates,
        "date_accuracy": (
            round(dates["said_on_agrees_with_gold_month_day"] / dates["with_gold_month_day"], 3)
            if dates["with_gold_month_day"]
            else None
        ),
        "ms_per_passage": round(statistics.mean(timings), 2),
        "ms_per_passage_p95": round(sorted(timings)[int(0.95 * (len(timings) - 1))], 2),
        "ms_per_passage_max": round(max(timings), 2),
        "words_per_passage": round(words),
    }
    if embed:
        ms, chunks = embedding_ms(passages)
        figures["minilm_embed_ms_per_passage"] = round(ms, 1)
        figures["chunks_per_passage"] = round(chunks, 2)
        figures["extraction_share_of_embedding"] = round(figures["ms_per_passage"] / ms, 3)
    return figures


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("folder", type=Path, help="attribution set: gold.jsonl and score.py")
    ap.add_argument("--json", action="store_true", help="print the figures as one JSON object")
    ap.add_argument(
        "--repeat", type=int, default=3, help="time each passage this many times, keep the fastest"
    )
    ap.add_argument("--embed", action="store_true", help="also time MiniLM embedding of the same passages")
    args = ap.parse_args()
    f = run(args.folder, max(1, args.repeat), args.embed)
    if args.json:
        print(json.dumps(f, ensure_ascii=False))
        return
    print(
        f"attribution set {args.folder} ({f['passages']} passages, ~{f['words_per_passage']} words each); "
        f"extractor version {f['extractor_version']}"
    )
    print(
        f"  precision {f['precision']}  recall {f['recall']}  (quotes {f['recall_quotes']}, reported "
        f"{f['recall_reported']})"
    )
    print(
        f"  attribution errors {f['attribution_errors']} of {f['extracted']} extracted"
        f" ({f['attribution_error_rate']}: {f['attribution_errors_wrong_speaker']} wrong speaker,"
        f" {f['attribution_errors_garbled_name']} garbled name); spurious {f['spurious']}; on no-speech"
        f" passages {f['fp_on_no_speech']}"
    )
    print(
        "  recall by reference: "
        + ", ".join(f"{k} {v['hit']}/{v['n']}" for k, v in f["recall_by_reference"].items() if v["n"])
    )
    print(
        "  recall by tag: "
        + ", ".join(f"{k} {v['hit']}/{v['n']}" for k, v in f["recall_by_tag"].items() if v["n"])
    )
    d = f["dates"]
    print(
        f"  dates: {d['with_said_on']} of {d['correct_with_gold_when']} correct statements whose passage says"
        f" when carry a date; where it names month and day, {d['said_on_agrees_with_gold_month_day']} of"
        f" {d['with_gold_month_day']} agree"
    )
    print(
        f"  speed: {f['ms_per_passage']} ms per passage (p95 {f['ms_per_passage_p95']}, max"
        f" {f['ms_per_passage_max']})"
    )
    if "minilm_embed_ms_per_passage" in f:
        print(
            f"  MiniLM embedding of the same passages: {f['minilm_embed_ms_per_passage']} ms per passage"
            f" ({f['chunks_per_passage']} chunks); extraction is"
            f" {f['extraction_share_of_embedding']:.1%} of it"
        )
    print(
        f"precision {f['precision']} recall {f['recall']} attribution_errors {f['attribution_errors']}"
        f" fp_on_no_speech {f['fp_on_no_speech']}"
    )


if __name__ == "__main__":
    main()
