"""Injection-detector benchmark: how often it fires on real news, and how it does on the labelled set.

Usage: python bench/injection.py DIR [--json] [--show N]

DIR holds `corpus.jsonl.gz` (`{id, url, title, text, published}` per line), as ../shared/data/realtimeqa-2025
does.
Every text is split into paragraphs (blank lines) and sentences (the chunker's splitter); the detector runs on
each, as `without_instructions` does at ingestion. News is written for people, so every hit on it is counted
as a false positive: read the printed hits to see whether one truly addresses a model. The labelled set
(tests/hostile/injection_set.py, written for this project) gives recall on injections in six languages and
false positives on hard negatives. Also prints the detector's speed.
"""

from __future__ import annotations

import argparse
import gzip
import json
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

_HERE = Path(__file__).resolve().parent
# Run as a script, Python puts bench/ first on sys.path; the project root is what the imports need.
sys.path[:] = [str(_HERE.parent)] + [p for p in sys.path if Path(p or ".").resolve() != _HERE]

from retrieval.extract import _injection  # noqa: E402
from retrieval.text import paragraphs, split_sentences  # noqa: E402
from tests.support.injection_set import HARD_NEGATIVES, INJECTIONS  # noqa: E402


def load_texts(data: Path) -> list[str]:
    with gzip.open(data / "corpus.jsonl.gz", "rt", encoding="utf-8") as fh:
        rows = [json.loads(line) for line in fh if line.strip()]
    return [f"{row.get('title') or ''}\n\n{row.get('text') or ''}" for row in rows]


def corpus_figures(texts: list[str]) -> dict[str, Any]:
    paras = [p for text in texts for p in paragraphs(text)]
    sentences = [s for p in paras for s in split_sentences(p)]
    started = time.perf_counter()
    para_hits = [(p, found) for p in paras if (found := _injection.find(p))]
    seconds = time.perf_counter() - started
    sentence_hits = [(s, found) for s in sentences if (found := _injection.find(s))]
    chars = sum(len(p) for p in paras)
    # The head index must find what running every rule over the whole text finds.
    disagree = 0
    for p in paras:
        flat = _injection.flatten(p)
        fast = [(start, name) for start, name, _ in _injection._matches(flat)]
        full = [(start, name) for start, name, _ in _injection._matches(flat, exhaustive=True)]
        disagree += fast != full
    return {
        "texts": len(texts),
        "paragraphs": len(paras),
        "sentences": len(sentences),
        "paragraph_hits": len(para_hits),
        "paragraph_fp_rate": len(para_hits) / max(1, len(paras)),
        "sentence_hits": len(sentence_hits),
        "sentence_fp_rate": len(sentence_hits) / max(1, len(sentences)),
        "mb_per_second": chars / 1e6 / max(seconds, 1e-9),
        "index_disagreements": disagree,
        "hits": [{"phrases": found, "sentence": s} for s, found in sentence_hits],
    }


def labelled_figures() -> dict[str, Any]:
    caught = Counter(lang for lang, text in INJECTIONS if _injection.find(text))
    total = Counter(lang for lang, _ in INJECTIONS)
    false = [(lang, text, _injection.find(text)) for lang, text in HARD_NEGATIVES if _injection.find(text)]
    missed = [(lang, text) for lang, text in INJECTIONS if not _injection.find(text)]
    return {
        "injections": len(INJECTIONS),
        "caught": sum(caught.values()),
        "recall": sum(caught.values()) / len(INJECTIONS),
        "recall_by_language": {lang: f"{caught[lang]}/{n}" for lang, n in sorted(total.items())},
        "hard_negatives": len(HARD_NEGATIVES),
        "false_positives": len(false),
        "missed": missed,
        "false": false,
    }


def render(labelled: dict[str, Any], corpus: dict[str, Any] | None, show: int) -> str:
    lines = [
        f"labelled set: {labelled['caught']}/{labelled['injections']} injections caught "
        f"(recall {labelled['recall']:.3f}; by language {labelled['recall_by_language']}), "
        f"{labelled['false_positives']}/{labelled['hard_negatives']} hard negatives flagged",
    ]
    lines += [f"  missed [{lang}] {text}" for lang, text in labelled["missed"]]
    lines += [f"  flagged [{lang}] {text} -> {found}" for lang, text, found in labelled["false"]]
    if corpus is not None:
        lines += [
            f"corpus: {corpus['texts']} texts, {corpus['paragraphs']} paragraphs, "
            f"{corpus['sentences']} sentences",
            f"  paragraphs flagged: {corpus['paragraph_hits']} "
            f"(false-positive rate {100 * corpus['paragraph_fp_rate']:.3f}%)",
            f"  sentences flagged: {corpus['sentence_hits']} "
            f"(false-positive rate {100 * corpus['sentence_fp_rate']:.4f}%)",
            f"  speed: {corpus['mb_per_second']:.2f} MB of text per second; paragraphs where the head index "
            f"and a full scan disagree: {corpus['index_disagreements']}",
        ]
        for hit in corpus["hits"][:show]:
            lines.append(f"  hit {hit['phrases']}: {hit['sentence'][:300]}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument(
        "dir", type=Path, nargs="?", help="folder with corpus.jsonl.gz (labelled set only without)"
    )
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.add_argument("--show", type=int, default=50, help="print at most N corpus hits")
    args = parser.parse_args(argv)
    labelled = labelled_figures()
    corpus = corpus_figures(load_texts(args.dir)) if args.dir else None
    if args.json:
        print(json.dumps({"labelled": labelled, "corpus": corpus}, ensure_ascii=False, indent=2))
    else:
        print(render(labelled, corpus, args.show))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
