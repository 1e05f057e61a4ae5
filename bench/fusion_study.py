"""How the hybrid's fusion is chosen: every candidate fusion judged on halves it was not fitted on.

Usage: python bench/fusion_study.py CANDIDATES.jsonl.gz [--json]

The input is what `bench/retrieval.py --dump-candidates` writes: for every question, the candidates both
rankings found (`Searcher.candidates`: cosine and BM25 scores, their article) and the article holding its
evidence. Re-ranking them costs no embedding and no index query, so a grid of fusions takes seconds, and the
ranks are those `Searcher.search` would give (the same fusion functions, the same order, one hit per article).

A fusion with a fitted parameter is fitted on one half of the questions and scored on the other, both ways,
for two ways of halving: even/odd positions (the same weeks on both sides) and early/late dates (the later
half's news unseen when fitting, as a hidden set of later questions would be). A fusion with nothing fitted
is simply scored on each half. The parameter fitted on a half is the one with the best Hits@5 + MRR@10 there;
on a tie, the one giving BM25 the least say.

The rule (issue 18): the hybrid shipped must not fall below dense-only on any half, in Hits@5 or MRR@10,
judged on the held-out figures; among fusions that pass, the best mean held-out Hits@5 + MRR@10 wins.
"""

from __future__ import annotations

import argparse
import gzip
import json
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

_HERE = Path(__file__).resolve().parent
sys.path[:] = [str(_HERE.parent)] + [p for p in sys.path if Path(p or ".").resolve() != _HERE]

from bench._retrieval_scoring import GUARDED, HALF_NAMES, halves, metrics  # noqa: E402
from retrieval import fusion  # noqa: E402

K = 10
Scores = dict[str, float]
Fuse = Callable[[Mapping[str, float], Mapping[str, float]], Scores]


@dataclass(slots=True)
class Row:
    date: str
    target: int | None
    similarity: dict[str, float]
    bm25: dict[str, float]
    dense_hits: int
    lexical_hits: int
    article: dict[str, int]


def load(path: Path) -> list[Row]:
    rows = []
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        for line in fh:
            r = json.loads(line)
            rows.append(
                Row(
                    r["date"], r["target"], dict(r["similarity"]), dict(r["bm25"]),
                    r["dense_hits"], r["lexical_hits"], {c: a for c, a in r["article"].items()},
                )
            )  # fmt: skip
    return rows


def rank(row: Row, scores: Mapping[str, float]) -> int | None:
    """The evidence article's rank among the first K distinct articles, ordered as `Searcher.search` does."""
    if row.target is None:
        return None
    seen: list[int] = []
    for cid in sorted(scores, key=lambda c: scores[c], reverse=True):
        a = row.article.get(cid)
        if a is None or a in seen:
            continue
        seen.append(a)
        if a == row.target:
            return len(seen)
        if len(seen) >= K:
            break
    return None


def dense_only(row: Row) -> Scores:
    return dict(list(row.similarity.items())[: row.dense_hits])


def bm25_only(row: Row) -> Scores:
    return dict(list(row.bm25.items())[: row.lexical_hits])


# name -> (parameter grid, the fusion for a parameter); the first parameter gives BM25 the least say.
FAMILIES: dict[str, tuple[Sequence[float], Callable[[float], Fuse]]] = {
    "weighted": (
        (0.0, 0.01, 0.02, 0.03, 0.04, 0.05, 0.075, 0.1, 0.15, 0.2, 0.3),
        lambda w: lambda s, b: fusion.weighted(s, b, w),
    ),
    "minmax": (
        (1.0, 0.95, 0.9, 0.85, 0.8, 0.75, 0.7, 0.6, 0.5),
        lambda a: lambda s, b: fusion.minmax(s, b, a),
    ),
    "rrf": ((100, 60, 30, 10), lambda k: lambda s, b: fusion.rrf(s, b, int(k))),
}
# Fusions with nothing fitted, scored as they are.
FIXED: dict[str, Fuse] = {"rrf k=60": lambda s, b: fusion.rrf(s, b, 60)}


def study(rows: Sequence[Row]) -> dict[str, Any]:
    split, cut = halves([r.date for r in rows])
    split_all = {**split, "all": list(range(len(rows)))}

    def figures(ranks: Sequence[int | None]) -> dict[str, dict[str, float]]:
        return {h: metrics([ranks[i] for i in pos]) for h, pos in split_all.items()}

    def score(f: Callable[[Row], Scores]) -> list[int | None]:
        return [rank(r, f(r)) for r in rows]

    out: dict[str, Any] = {"split": {"late_from": cut, **{h: len(p) for h, p in split.items()}}}
    base = {"dense": figures(score(dense_only)), "bm25": figures(score(bm25_only))}
    out["baselines"] = base
    grid_figures: dict[str, dict[str, Any]] = {}
    held_out: dict[str, dict[str, Any]] = {}
    for name, (grid, make) in FAMILIES.items():
        per = {g: figures(score(_fused(make(g)))) for g in grid}
        grid_figures[name] = {str(g): per[g] for g in grid}
        held: dict[str, Any] = {}
        for fit_half, test_half in (("even", "odd"), ("odd", "even"), ("early", "late"), ("late", "early")):
            best = max(grid, key=lambda g: (_merit(per[g][fit_half]), -list(grid).index(g)))
            held[test_half] = {"fitted_on": fit_half, "param": best, **per[best][test_half]}
        whole = max(grid, key=lambda g: (_merit(per[g]["all"]), -list(grid).index(g)))
        held["fitted_on_all"] = {"param": whole, **per[whole]["all"]}
        held_out[name] = held
    for name, f in FIXED.items():
        fig = figures(score(_fused(f)))
        held_out[name] = {h: {"fitted_on": None, "param": None, **fig[h]} for h in HALF_NAMES}
        held_out[name]["fitted_on_all"] = {"param": None, **fig["all"]}
    out["grid"] = grid_figures
    out["held_out"] = held_out
    verdicts: dict[str, dict[str, Any]] = {}
    for name, held in held_out.items():
        below = [
            h for h in HALF_NAMES if any(held[h][m] < base["dense"][h][m] for m in GUARDED)
        ]  # fmt: skip
        mean = sum(_merit(held[h]) for h in HALF_NAMES) / len(HALF_NAMES)
        verdicts[name] = {"below_dense_on": below, "mean_held_out": round(mean, 4)}
    out["verdicts"] = verdicts
    passing = [n for n, v in verdicts.items() if not v["below_dense_on"]]
    out["chosen"] = max(passing, key=lambda n: float(verdicts[n]["mean_held_out"])) if passing else None
    return out


def _fused(f: Fuse) -> Callable[[Row], Scores]:
    return lambda r: f(r.similarity, r.bm25)


def _merit(m: Mapping[str, float]) -> float:
    return m["hits@5"] + m["mrr@10"]


def render(report: Mapping[str, Any]) -> str:
    sp = report["split"]
    lines = [
        f"halves: even {sp['even']}, odd {sp['odd']}, early {sp['early']}, late {sp['late']} "
        f"(late from {sp['late_from']}); cells: Hits@5/MRR@10",
        f"{'':10}" + "".join(f"{h:>18}" for h in (*HALF_NAMES, "all")),
    ]
    for name, fig in report["baselines"].items():
        lines.append(f"{name:10}" + "".join(f"{_cell(fig[h]):>18}" for h in (*HALF_NAMES, "all")))
    lines.append("held out (parameter fitted on the other half; 'all': fitted on the whole set):")
    for name, held in report["held_out"].items():
        cells = "".join(f"{_cell(held[h]) + _param(held[h]):>18}" for h in HALF_NAMES)
        whole = held["fitted_on_all"]
        v = report["verdicts"][name]
        below = ", ".join(v["below_dense_on"]) or "none"
        lines.append(
            f"{name:10}{cells}{_cell(whole) + _param(whole):>18}   below dense on: {below}; "
            f"mean {v['mean_held_out']:.3f}"
        )
    lines.append("grid (whole set):")
    for name, per in report["grid"].items():
        lines.append(f"  {name}: " + "  ".join(f"{g} {_cell(f['all'])}" for g, f in per.items()))
    lines.append(f"chosen: {report['chosen']}")
    return "\n".join(lines)


def _cell(m: Mapping[str, float]) -> str:
    return f"{m['hits@5']:.3f}/{m['mrr@10']:.3f}"


def _param(m: Mapping[str, Any]) -> str:
    return "" if m.get("param") is None else f" @{m['param']:g}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("dump", type=Path, help="the file bench/retrieval.py --dump-candidates wrote")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    report = study(load(args.dump))
    print(json.dumps(report, indent=2) if args.json else render(report))
    return 0


if __name__ == "__main__":
    sys.exit(main())
