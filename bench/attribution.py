"""Statement-attribution benchmark: the extractor against hand-labelled passages, per language, and its speed.

Usage: python bench/attribution.py [DIR ...] [--json] [--repeat N] [--embed]

Each DIR is an attribution set laid out like ../shared/data/attribution-dev: `gold.jsonl` (passages with
their labelled statements) and `score.py` (its scorer). Without DIR: the English set in
../shared/data/attribution-dev (when it is there) and the Russian and Ukrainian set that ships in
bench/attribution_ruuk. The figures come from each set's own scorer (loaded from DIR, never copied here), so
they equal what its `score.py` prints:
precision, recall (overall, quotes, reported speech, by how the speaker is named), attribution errors, how
often a correct statement carries the day the passage names, and the milliseconds the extractor spends per
passage. A set whose passages carry `language` and `split` is scored per language, and for each language on
its development and held-out passages separately: the columns sit side by side. `--embed` also times the
default MiniLM embedder on the same passages' chunks, the budget the issue sets: extraction must stay well
inside it.
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


REPO = Path(__file__).resolve().parents[1]
DEFAULT_SETS = (REPO.parent / "shared" / "data" / "attribution-dev", REPO / "bench" / "attribution_ruuk")


def groups(passages: list[dict[str, Any]]) -> list[tuple[str, list[dict[str, Any]]]]:
    """The columns a set is reported in: one per language (all its passages), and, where passages say which
    split they are in, the development and held-out ones apart."""
    out: list[tuple[str, list[dict[str, Any]]]] = []
    for language in dict.fromkeys(p.get("language", "en") for p in passages):
        mine = [p for p in passages if p.get("language", "en") == language]
        out.append((language, mine))
        splits = sorted({p["split"] for p in mine if "split" in p})
        if len(splits) > 1:
            out += [(f"{language} {split}", [p for p in mine if p.get("split") == split]) for split in splits]
    return out


def figures(scorer: ModuleType, passages: list[dict[str, Any]], extracted: dict[str, Any],
            timings: dict[str, float]) -> dict[str, Any]:  # fmt: skip
    result = scorer.score(passages, {p["id"]: extracted[p["id"]] for p in passages}, 0.5)
    dates = scorer.dates(passages, result)
    by = result["recall_by"]
    ms = [timings[p["id"]] for p in passages]
    return {
        "extractor_version": EXTRACTOR_VERSION,
        "passages": len(passages),
        "statements": sum(1 for p in passages for g in p["statements"] if not g["optional"]),
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
        "ms_per_passage": round(statistics.mean(ms), 2),
        "ms_per_passage_p95": round(sorted(ms)[int(0.95 * (len(ms) - 1))], 2),
        "ms_per_passage_max": round(max(ms), 2),
        "words_per_passage": round(statistics.mean(len(p["text"].split()) for p in passages)),
    }


def run(folder: Path, repeat: int, embed: bool) -> dict[str, dict[str, Any]]:
    """The set's figures per column ("en"; "ru", "ru dev", "ru heldout", …)."""
    scorer = load_scorer(folder)
    passages = [
        json.loads(line)
        for line in (folder / "gold.jsonl").read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]
    extracted, timings = extract_all(scorer, passages, repeat)
    by_id = dict(zip((p["id"] for p in passages), timings, strict=True))
    out = {label: figures(scorer, mine, extracted, by_id) for label, mine in groups(passages)}
    if embed:
        ms, chunks = embedding_ms(passages)
        for f in out.values():
            f["minilm_embed_ms_per_passage"] = round(ms, 1)
            f["chunks_per_passage"] = round(chunks, 2)
            f["extraction_share_of_embedding"] = round(f["ms_per_passage"] / ms, 3)
    return out


_ROWS: tuple[tuple[str, Any], ...] = (
    ("passages", lambda f: f["passages"]),
    ("scored statements", lambda f: f["statements"]),
    ("extracted", lambda f: f["extracted"]),
    ("correct", lambda f: f["correct"]),
    ("precision", lambda f: f["precision"]),
    ("recall", lambda f: f["recall"]),
    ("recall quotes / reported", lambda f: f"{f['recall_quotes']} / {f['recall_reported']}"),
    ("wrong speaker / garbled name", lambda f: f"{f['attribution_errors_wrong_speaker']} / "
                                               f"{f['attribution_errors_garbled_name']}"),
    ("spurious", lambda f: f["spurious"]),
    ("extracted on no-speech passages", lambda f: f["fp_on_no_speech"]),
    ("dates agree / checkable", lambda f: f"{f['dates']['said_on_agrees_with_gold_month_day']} / "
                                          f"{f['dates']['with_gold_month_day']}"),
    ("ms per passage (p95)", lambda f: f"{f['ms_per_passage']} ({f['ms_per_passage_p95']})"),
)  # fmt: skip


def table(columns: dict[str, dict[str, Any]]) -> str:
    labels = list(columns)
    cells = [[str(get(columns[label])) for label in labels] for _, get in _ROWS]
    width = max(len(name) for name, _ in _ROWS)
    sizes = [max(len(label), *(len(row[i]) for row in cells)) for i, label in enumerate(labels)]
    def line(head: str, row: list[str]) -> str:
        return head.ljust(width) + "  " + "  ".join(c.rjust(size) for c, size in zip(row, sizes, strict=True))

    rows = [line(name, row) for (name, _), row in zip(_ROWS, cells, strict=True)]
    return "\n".join([line("", labels), *rows])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("folders", type=Path, nargs="*", help="attribution sets: gold.jsonl and score.py in each")
    ap.add_argument("--json", action="store_true", help="print the figures as one JSON object")
    ap.add_argument(
        "--repeat", type=int, default=3, help="time each passage this many times, keep the fastest"
    )
    ap.add_argument("--embed", action="store_true", help="also time MiniLM embedding of the same passages")
    args = ap.parse_args()
    folders = args.folders or [f for f in DEFAULT_SETS if (f / "gold.jsonl").exists()]
    columns: dict[str, dict[str, Any]] = {}
    for folder in folders:
        for label, f in run(folder, max(1, args.repeat), args.embed).items():
            columns[label if label not in columns else f"{label} ({folder.name})"] = f
    if args.json:
        print(json.dumps(columns, ensure_ascii=False))
        return
    print(f"attribution sets: {', '.join(str(f) for f in folders)}; extractor version {EXTRACTOR_VERSION}")
    print(table(columns))
    for label, f in columns.items():
        refs = ", ".join(f"{k} {v['hit']}/{v['n']}" for k, v in f["recall_by_reference"].items() if v["n"])
        tags = ", ".join(f"{k} {v['hit']}/{v['n']}" for k, v in f["recall_by_tag"].items() if v["n"])
        print(f"{label}: recall by reference: {refs}; by tag: {tags}")
        if "minilm_embed_ms_per_passage" in f:
            print(
                f"{label}: MiniLM embedding of the same passages: {f['minilm_embed_ms_per_passage']} ms per"
                f" passage ({f['chunks_per_passage']} chunks); extraction is"
                f" {f['extraction_share_of_embedding']:.1%} of it"
            )
    for label, f in columns.items():
        print(
            f"{label}: precision {f['precision']} recall {f['recall']} attribution_errors"
            f" {f['attribution_errors']} fp_on_no_speech {f['fp_on_no_speech']}"
        )


if __name__ == "__main__":
    main()
