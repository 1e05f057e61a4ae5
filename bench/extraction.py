"""Article-extraction benchmark: our extractor against trafilatura, scored on one data set.

Usage: python bench/extraction.py DIR [--json] [--limit N] [--ablate]

The baseline is trafilatura tuned for articles (`include_comments=False, favor_precision=True`);
trafilatura with its defaults is shown too. `--ablate` also runs our extractor once per cleaning rule
with that rule left out, and prints what each rule is worth.

DIR holds `ground-truth.json` (key -> {"articleBody", "url"}) and `html/<key>.html.gz`.
Scoring follows the public article-extraction benchmark (scrapinghub): both bodies become bags of
word 4-gram shingles; per page, true positives, false positives and false negatives are counted
and normalised to sum to one; precision and recall are averaged over the pages where they are
defined; F1 is the harmonic mean of those two averages.
"""

from __future__ import annotations

import argparse
import gzip
import importlib
import json
import re
import statistics
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import trafilatura

if TYPE_CHECKING:
    from retrieval.store import Extracted

_WORD = re.compile(r"\w+")
_SHINGLE_SIZE = 4

Shingle = tuple[str, ...]


@dataclass(frozen=True, slots=True)
class PageScore:
    tp: float
    fp: float
    fn: float


def shingles(text: str, size: int = _SHINGLE_SIZE) -> Counter[Shingle]:
    """Word n-grams of a text, counted. A text shorter than `size` words is one short shingle."""
    words = _WORD.findall(text)
    if not words:
        return Counter()
    last_start = max(1, len(words) - size + 1)
    return Counter(tuple(words[i : i + size]) for i in range(last_start))


def score_page(truth: str, predicted: str) -> PageScore:
    true_bag, pred_bag = shingles(truth), shingles(predicted)
    tp = sum((true_bag & pred_bag).values())
    fp = sum((pred_bag - true_bag).values())
    fn = sum((true_bag - pred_bag).values())
    total = tp + fp + fn
    if total == 0:
        return PageScore(0.0, 0.0, 0.0)
    return PageScore(tp / total, fp / total, fn / total)


def _precision(s: PageScore) -> float:
    if s.fp == 0 and s.fn == 0:
        return 1.0
    return s.tp / (s.tp + s.fp)


def _recall(s: PageScore) -> float:
    if s.fp == 0 and s.fn == 0:
        return 1.0
    return s.tp / (s.tp + s.fn)


def aggregate(scores: Iterable[PageScore]) -> dict[str, float]:
    """Mean precision over pages that predicted something, mean recall over pages that have a truth.

    An empty prediction therefore costs recall only, as in the reference benchmark.
    """
    scores = list(scores)
    precisions = [_precision(s) for s in scores if s.tp + s.fp > 0]
    recalls = [_recall(s) for s in scores if s.tp + s.fn > 0]
    precision = statistics.fmean(precisions) if precisions else 0.0
    recall = statistics.fmean(recalls) if recalls else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": precision, "recall": recall, "f1": f1, "pages": float(len(scores))}


@dataclass(slots=True)
class _Run:
    scores: list[PageScore]
    seconds: list[float]
    texts: list[str]


def _product_module() -> Any:
    """The product's extraction module, imported from the installed package.

    Run as a script, Python puts bench/ first on sys.path, where a sibling module named like a
    product package would shadow it; so bench/ is taken off the path before importing.
    """
    here = Path(__file__).resolve().parent
    sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != here]
    return importlib.import_module("retrieval.extract")


def _product_extractor(skip: frozenset[str] = frozenset()) -> Callable[[str, str | None], str]:
    """The product's extract_html, with the cleaning rules named in `skip` left out."""
    extract = _product_module()

    def ours(html: str, url: str | None) -> str:
        try:
            result: Extracted = extract.extract_html(html, url, skip=skip)
        except extract.ExtractError:
            return ""
        return result.text

    return ours


def _tuned_trafilatura(html: str, url: str | None) -> str:
    return trafilatura.extract(html, include_comments=False, favor_precision=True) or ""


def _plain_trafilatura(html: str, url: str | None) -> str:
    return trafilatura.extract(html) or ""


def load_pages(directory: Path, limit: int | None = None) -> list[tuple[str, str, str | None, str]]:
    """(key, html, url, true body) for each page of the data set, in key order."""
    truth = json.loads((directory / "ground-truth.json").read_text(encoding="utf-8"))
    pages = []
    for key in sorted(truth)[:limit]:
        with gzip.open(directory / "html" / f"{key}.html.gz", "rt", encoding="utf-8") as fh:
            html = fh.read()
        item = truth[key]
        pages.append((key, html, item.get("url"), item.get("articleBody") or ""))
    return pages


def _run(pages: list[tuple[str, str, str | None, str]], fn: Callable[[str, str | None], str]) -> _Run:
    run = _Run([], [], [])
    if pages:
        # one untimed call first: lazy imports and stopword loading are not per-page costs
        fn(pages[0][1], pages[0][2])
    for _key, html, url, body in pages:
        start = time.perf_counter()
        predicted = fn(html, url)
        run.seconds.append(time.perf_counter() - start)
        run.scores.append(score_page(body, predicted))
        run.texts.append(predicted)
    return run


def _p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def _extractors() -> dict[str, tuple[str, Callable[[str, str | None], str]]]:
    """Column heading and function of each extractor compared."""
    return {
        "ours": ("ours", _product_extractor()),
        "trafilatura_tuned": ("traf. tuned", _tuned_trafilatura),
        "trafilatura_defaults": ("traf. defaults", _plain_trafilatura),
    }


def _ablation(
    pages: list[tuple[str, str, str | None, str]], full: _Run
) -> list[tuple[str, float, float, int]]:
    """(rule, F1 without it, what the rule adds to F1, pages whose text it changes) for each cleaning rule."""
    f1 = aggregate(full.scores)["f1"]
    rows = []
    for rule in _product_module().CLEANING_RULES:
        run = _run(pages, _product_extractor(frozenset({rule})))
        without = aggregate(run.scores)["f1"]
        changed = sum(a != b for a, b in zip(run.texts, full.texts, strict=True))
        rows.append((rule, without, f1 - without, changed))
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("directory", type=Path)
    parser.add_argument("--json", action="store_true", help="print the scores as JSON")
    parser.add_argument("--limit", type=int, default=None, help="only the first N pages")
    parser.add_argument("--ablate", action="store_true", help="also score ours without each cleaning rule")
    args = parser.parse_args(argv)

    if not (args.directory / "ground-truth.json").is_file():
        print(f"no ground-truth.json in {args.directory}", file=sys.stderr)
        return 2
    pages = load_pages(args.directory, args.limit)
    extractors = _extractors()
    runs = {name: _run(pages, fn) for name, (_label, fn) in extractors.items()}
    results = {name: aggregate(run.scores) for name, run in runs.items()}
    ablation = _ablation(pages, runs["ours"]) if args.ablate else []

    if args.json:
        out: dict[str, Any] = {
            name: {k: (int(v) if k == "pages" else round(v, 4)) for k, v in res.items()}
            for name, res in results.items()
        }
        if args.ablate:
            out["ablation"] = {
                rule: {"f1_without": round(without, 4), "delta_f1": round(delta, 4), "pages_changed": changed}
                for rule, without, delta, changed in ablation
            }
        print(json.dumps(out))
        return 0

    print(f"{len(pages)} pages from {args.directory}")
    print(f"{'':<22}" + "".join(f"{label:>16}" for label, _fn in extractors.values()))
    for metric in ("precision", "recall", "f1"):
        print(f"{metric:<22}" + "".join(f"{results[name][metric]:>16.3f}" for name in extractors))
    for label, stat in (("time/page mean (ms)", statistics.fmean), ("time/page p95 (ms)", _p95)):
        print(f"{label:<22}" + "".join(f"{1000 * stat(runs[name].seconds):>16.1f}" for name in extractors))
    if args.ablate:
        print(f"\n{'rule left out':<22}{'F1 without':>12}{'rule adds':>12}{'pages changed':>15}")
        for rule, without, delta, changed in sorted(ablation, key=lambda row: -row[2]):
            print(f"{rule:<22}{without:>12.4f}{delta:>+12.4f}{changed:>15}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
