"""How the hybrid's fusion is chosen: every candidate fusion judged on halves it was not fitted on.

Usage: python bench/fusion_study.py CANDIDATES.jsonl.gz [--json]

The input is what `bench/retrieval.py --dump-candidates` writes: for every question, the candidates both
rankings found (`Searcher.candidates`: cosine and BM25 scores, their article) and the article holding its
evidence. Re-ranking them costs no embedding and no index query, so a grid of fusions takes seconds, and the
ranks are those `Searcher.search` would give (the same fusion functions, the same order, one hit per article).

A fusion with a fitted parameter is fitted on one half of the questions and scored on the other, both ways,
for two ways of halving: even/odd positions (the same weeks on both sides) and early/late dates (the later
half's news unseen when fitting, as a hidden set of later questions would be). A fusion with nothing fitted
is simply scored on each half. Two ways of fitting are shown: the best Hits@5 + MRR@10 on the fitting half
("best"), and the value whose gain over dense-only is most dependable there ("reliable": the best 10th
percentile, over resamples of the half's question weeks, of the smaller of its Hits@5 and MRR@10 gains).

The rule (issue 18): the hybrid shipped must not fall below dense-only on any half, in Hits@5 or MRR@10,
judged on the held-out figures of the "reliable" fit; among fusions that pass, the best mean held-out
Hits@5 + MRR@10 wins (then the lower chance of falling below dense-only on redrawn weeks), with its
parameter fitted the same way on the whole set. Each "P" is that chance: how often, over resamples of all
the question weeks, Hits@5 or MRR@10 comes out below dense-only's.
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

import numpy as np  # noqa: E402

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

# How a parameter is fitted on a half: "best" takes the best Hits@5 + MRR@10 there; "reliable" the best 10th
# percentile, over resamples of the half's weeks, of the smaller of the two gains over dense-only (then the
# best median). Ties go to the value giving BM25 less say.
CRITERIA = ("best", "reliable")
FITS = (("even", "odd"), ("odd", "even"), ("early", "late"), ("late", "early"))
RESAMPLES = 1000
Risk = tuple[float, float, float]


def study(rows: Sequence[Row], *, seed: int = 0) -> dict[str, Any]:
    split, cut = halves([r.date for r in rows])
    split_all = {**split, "all": list(range(len(rows)))}
    rng = np.random.default_rng(seed)
    # Resamples of each half's weeks (a question's date is its week's quiz): what a new set of news would be.
    weeks = {h: _week_resamples([rows[i].date for i in pos], pos, rng) for h, pos in split_all.items()}

    def figures(ranks: Sequence[int | None]) -> dict[str, dict[str, float]]:
        return {h: metrics([ranks[i] for i in pos]) for h, pos in split_all.items()}

    def score(f: Callable[[Row], Scores]) -> list[int | None]:
        return [rank(r, f(r)) for r in rows]

    out: dict[str, Any] = {"split": {"late_from": cut, **{h: len(p) for h, p in split.items()}}}
    dense_ranks = score(dense_only)
    base = {"dense": figures(dense_ranks), "bm25": figures(score(bm25_only))}
    out["baselines"] = base
    dense_hit, dense_rr = _per_question(dense_ranks)

    def reliability(ranks: Sequence[int | None], half: str) -> Risk:
        """Over resampled weeks of `half`: 10th percentile and median of the smaller of the two gains over
        dense (Hits@5, MRR@10), and how often that gain is negative."""
        hit, rr = _per_question(ranks)
        gain_hit, gain_rr = hit - dense_hit, rr - dense_rr
        worse = np.array([min(gain_hit[ix].mean(), gain_rr[ix].mean()) for ix in weeks[half]])
        if not len(worse):  # an empty half (a slice of the set with one date)
            return 0.0, 0.0, 0.0
        return float(np.quantile(worse, 0.1)), float(np.median(worse)), float(np.mean(worse < 0))

    grid_figures: dict[str, dict[str, Any]] = {}
    held_out: dict[str, dict[str, dict[str, Any]]] = {c: {} for c in CRITERIA}
    for name, (grid, make) in FAMILIES.items():
        ranks = {g: score(_fused(make(g))) for g in grid}
        per = {g: figures(ranks[g]) for g in grid}
        risk = {g: {h: reliability(ranks[g], h) for h in split_all} for g in grid}
        grid_figures[name] = {
            str(g): {**per[g]["all"], "below_dense_risk": round(risk[g]["all"][2], 3)} for g in grid
        }
        for criterion in CRITERIA:
            held: dict[str, Any] = {}
            for fit_half, test_half in FITS:
                g = _fit(criterion, grid, fit_half, per, risk)
                held[test_half] = {"fitted_on": fit_half, "param": g, **per[g][test_half]}
            g = _fit(criterion, grid, "all", per, risk)
            held["all"] = {"param": g, "below_dense_risk": round(risk[g]["all"][2], 3), **per[g]["all"]}
            held_out[criterion][name] = held
    for name, f in FIXED.items():
        fixed_ranks = score(_fused(f))
        fig = figures(fixed_ranks)
        for criterion in CRITERIA:
            held_out[criterion][name] = {h: {"fitted_on": None, "param": None, **fig[h]} for h in HALF_NAMES}
            held_out[criterion][name]["all"] = {
                "param": None, "below_dense_risk": round(reliability(fixed_ranks, "all")[2], 3), **fig["all"]
            }  # fmt: skip
    out["grid"] = grid_figures
    out["held_out"] = held_out
    verdicts: dict[str, dict[str, dict[str, Any]]] = {c: {} for c in CRITERIA}
    for criterion, families in held_out.items():
        for name, held in families.items():
            below = [h for h in HALF_NAMES if any(held[h][m] < base["dense"][h][m] for m in GUARDED)]
            mean = sum(_merit(held[h]) for h in HALF_NAMES) / len(HALF_NAMES)
            verdicts[criterion][name] = {"below_dense_on": below, "mean_held_out": round(mean, 4)}
    out["verdicts"] = verdicts
    chosen = verdicts["reliable"]
    passing = [n for n, v in chosen.items() if not v["below_dense_on"]]
    # Then, on a tie, the lower chance of falling below dense-only on redrawn weeks.
    merit = {
        n: (float(chosen[n]["mean_held_out"]), -held_out["reliable"][n]["all"]["below_dense_risk"])
        for n in passing
    }
    winner = max(passing, key=merit.__getitem__) if passing else None
    out["chosen"] = None if winner is None else {"family": winner, **held_out["reliable"][winner]["all"]}
    return out


def _fit(
    criterion: str,
    grid: Sequence[float],
    half: str,
    per: Mapping[float, Mapping[str, Mapping[str, float]]],
    risk: Mapping[float, Mapping[str, Risk]],
) -> float:
    order = {g: -i for i, g in enumerate(grid)}
    if criterion == "best":
        return max(grid, key=lambda g: (_merit(per[g][half]), order[g]))
    return max(grid, key=lambda g: (risk[g][half][0], risk[g][half][1], order[g]))


def _week_resamples(dates: Sequence[str], positions: Sequence[int], rng: np.random.Generator) -> list[Any]:
    by_week: dict[str, list[int]] = {}
    for d, i in zip(dates, positions, strict=True):
        by_week.setdefault(d, []).append(i)
    groups = [np.array(v) for v in by_week.values()]
    n = len(groups)
    if not n:
        return []
    return [np.concatenate([groups[j] for j in rng.integers(0, n, n)]) for _ in range(RESAMPLES)]


def _per_question(ranks: Sequence[int | None]) -> tuple[np.ndarray, np.ndarray]:
    hit = np.array([1.0 if r is not None and r <= 5 else 0.0 for r in ranks])
    rr = np.array([1.0 / r if r is not None and r <= K else 0.0 for r in ranks])
    return hit, rr


def _fused(f: Fuse) -> Callable[[Row], Scores]:
    return lambda r: f(r.similarity, r.bm25)


def _merit(m: Mapping[str, float]) -> float:
    return m["hits@5"] + m["mrr@10"]


def render(report: Mapping[str, Any]) -> str:
    sp = report["split"]
    cols = (*HALF_NAMES, "all")
    lines = [
        f"halves: even {sp['even']}, odd {sp['odd']}, early {sp['early']}, late {sp['late']} "
        f"(late from {sp['late_from']}); cells: Hits@5/MRR@10",
        f"{'':10}" + "".join(f"{h:>18}" for h in cols),
    ]
    for name, fig in report["baselines"].items():
        lines.append(f"{name:10}" + "".join(f"{_cell(fig[h]):>18}" for h in cols))
    for criterion, families in report["held_out"].items():
        how = {
            "best": "its best Hits@5 + MRR@10",
            "reliable": "the 10th percentile of the smaller gain over dense, its weeks resampled",
        }[criterion]
        lines.append(f"held out; parameter fitted on the other half by {how} ('all': on the whole set):")
        for name, held in families.items():
            cells = "".join(f"{_cell(held[h]) + _param(held[h]):>18}" for h in cols)
            v = report["verdicts"][criterion][name]
            below = ", ".join(v["below_dense_on"]) or "none"
            lines.append(
                f"{name:10}{cells}   below dense on: {below}; mean {v['mean_held_out']:.3f}; "
                f"P(below dense, new weeks) {held['all']['below_dense_risk']:.2f}"
            )
    lines.append("grid (whole set; P: either figure below dense on resampled weeks):")
    for name, per in report["grid"].items():
        lines.append(
            f"  {name}: " + "  ".join(f"{g} {_cell(f)} P{f['below_dense_risk']:.2f}" for g, f in per.items())
        )
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
