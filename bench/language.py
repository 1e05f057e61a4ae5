"""Language detection on short texts: py3langid as it comes, our detector (the same model with the Cyrillic
letter rules, as ingestion runs it), and the letters-and-words guess questions get.

Usage: python bench/language.py [--json] [--errors]

The texts are bench/language_sample.py's: ten languages, news-style sentences written for it, cut to
forwarded-post lengths (20-50, 50-100 and 100-200 characters), and headlines under 30 characters. Prints
accuracy per language and length band, and the time per text.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.language_sample import BANDS, SENTENCES, samples
from retrieval.text import detect_language, guess_language
from retrieval.text._language import _identifier


def _raw(text: str) -> str | None:
    return str(_identifier().classify(text)[0])


METHODS: dict[str, Callable[[str], str | None]] = {
    "py3langid alone": _raw,
    "ours (ingestion)": detect_language,
    "letters and words (questions)": guess_language,
}


def run() -> dict[str, object]:
    texts = samples()
    _identifier()  # loaded before the clock starts
    report: dict[str, object] = {"texts": len(texts), "methods": {}}
    for name, method in METHODS.items():
        right: dict[tuple[str, int], int] = defaultdict(int)
        total: dict[tuple[str, int], int] = defaultdict(int)
        errors: Counter[tuple[str, str | None]] = Counter()
        wrong: list[tuple[str, str | None, str]] = []
        started = time.perf_counter()
        for lang, text, band in texts:
            got = method(text)
            total[(lang, band)] += 1
            if got == lang:
                right[(lang, band)] += 1
            else:
                errors[(lang, got)] += 1
                wrong.append((lang, got, text))
        elapsed = time.perf_counter() - started
        table = {
            lang: [f"{right[(lang, b)]}/{total[(lang, b)]}" for b in range(-1, len(BANDS))]
            for lang in SENTENCES
        }
        report["methods"][name] = {  # type: ignore[index]
            "accuracy": round(sum(right.values()) / len(texts), 4),
            "by_language_and_band": table,
            "confusions": {f"{a}->{b}": n for (a, b), n in errors.most_common()},
            "ms_per_text": round(1000 * elapsed / len(texts), 3),
            "wrong": wrong,
        }
    return report


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--errors", action="store_true", help="list every text a method got wrong")
    args = parser.parse_args()
    report = run()
    if args.json:
        print(json.dumps(report, ensure_ascii=False, indent=1))
        return
    bands = " | ".join(["headlines < 30", *(f"{lo}-{hi}" for lo, hi in BANDS)])
    print(f"{report['texts']} texts; per language: correct of texts by length band ({bands} characters)")
    for name, figures in report["methods"].items():  # type: ignore[attr-defined]
        print(f"\n{name}: accuracy {figures['accuracy']:.3f}, {figures['ms_per_text']} ms a text")
        for lang, cells in figures["by_language_and_band"].items():
            print(f"  {lang}  " + "  ".join(f"{c:>6}" for c in cells))
        if figures["confusions"]:
            print("  confusions: " + ", ".join(f"{k} {v}" for k, v in figures["confusions"].items()))
        if args.errors:
            for lang, got, text in figures["wrong"]:
                print(f"    {lang} -> {got}: {text}")


if __name__ == "__main__":
    main()
