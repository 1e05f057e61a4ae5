"""Citation-check benchmark: does `check` keep faithful sentences and drop sentences with invented content?

Usage: python bench/claims.py [--json] [--show]

Runs the product's citation check (`briefing.citations.check`, LLM mode, the offline embedder the briefer
compares sentences with) on the labelled set in tests/claim_set.py: one writer sentence at a time, citing its
passages. A sentence is kept when it survives unflagged. "Supported" is the positive class: recall is the
share of faithful sentences kept (paraphrases, summaries, merges of two passages), precision the share of kept
sentences that are faithful; the share of unfaithful sentences dropped is printed by kind (an added clause, a
name, a number). Needs no data set.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from collections import Counter
from pathlib import Path
from typing import Any

_HERE = Path(__file__).resolve().parent
# Run as a script, Python puts bench/ first on sys.path; the project root is what the imports need.
sys.path[:] = [str(_HERE.parent)] + [p for p in sys.path if Path(p or ".").resolve() != _HERE]

from briefing.citations import SentenceEmbeddings  # noqa: E402
from retrieval.embed import LocalEmbedder  # noqa: E402
from tests.support.claim_set import CASES, kept  # noqa: E402


async def run() -> dict[str, Any]:
    embeddings = SentenceEmbeddings(LocalEmbedder())
    results = [(case, await kept(case, embeddings)) for case in CASES]
    tp = sum(1 for case, k in results if k and case.supported)
    fp = sum(1 for case, k in results if k and not case.supported)
    fn = sum(1 for case, k in results if not k and case.supported)
    dropped_by_kind = Counter(case.kind for case, k in results if not k and not case.supported)
    total_by_kind = Counter(case.kind for case, _ in results if not case.supported)
    kept_by_kind = Counter(case.kind for case, k in results if k and case.supported)
    faithful_by_kind = Counter(case.kind for case, _ in results if case.supported)
    return {
        "cases": len(results),
        "supported": sum(c.supported for c, _ in results),
        "precision": tp / max(1, tp + fp),
        "recall": tp / max(1, tp + fn),
        "unsupported_dropped": sum(dropped_by_kind.values()) / max(1, sum(total_by_kind.values())),
        "faithful_kept_by_kind": {k: f"{kept_by_kind[k]}/{n}" for k, n in sorted(faithful_by_kind.items())},
        "unsupported_dropped_by_kind": {
            k: f"{dropped_by_kind[k]}/{n}" for k, n in sorted(total_by_kind.items())
        },
        "wrong": [
            {"sentence": case.sentence, "supported": case.supported, "kept": k}
            for case, k in results
            if k != case.supported
        ],
    }


def render(report: dict[str, Any], show: bool) -> str:
    lines = [
        f"{report['cases']} sentences ({report['supported']} faithful): precision {report['precision']:.3f}, "
        f"recall {report['recall']:.3f} (faithful kept), "
        f"unfaithful dropped {report['unsupported_dropped']:.3f}",
        f"  faithful kept by kind: {report['faithful_kept_by_kind']}",
        f"  unfaithful dropped by kind: {report['unsupported_dropped_by_kind']}",
    ]
    if show:
        for row in report["wrong"]:
            verdict = "kept although unfaithful" if row["kept"] else "dropped although faithful"
            lines.append(f"  {verdict}: {row['sentence']}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.add_argument("--show", action="store_true", help="print every sentence judged wrongly")
    args = parser.parse_args(argv)
    report = asyncio.run(run())
    print(json.dumps(report, indent=2) if args.json else render(report, args.show))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
