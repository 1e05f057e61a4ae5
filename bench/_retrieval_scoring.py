"""Scoring for bench/retrieval.py: ranks, Hits@k and MRR@10, and the halves a fusion is judged on.

A fusion fitted to the whole question set can look better than its dense side there and fall below it on new
questions (issue 18: hybrid 0.714 against dense 0.700 here, 0.677 against 0.687 on a hidden set). So every
method is also reported on two ways of halving the set, and the hybrid must beat or equal dense-only on each
half: even/odd positions (the same weeks on both sides) and early/late question dates (news neither half has
seen, which is what a hidden set of later questions is).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

K = 10
HALF_NAMES = ("even", "odd", "early", "late")
# What "not below dense" is checked on.
GUARDED = ("hits@5", "mrr@10")


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


def date_cut(dates: Sequence[str]) -> str:
    """The first date of the late half: the date boundary that splits the questions most evenly.

    Cutting between dates rather than at the middle position keeps each week's questions (which share their
    news) on one side.
    """
    if not dates:
        return ""
    return min(sorted(set(dates)), key=lambda d: (abs(2 * sum(x < d for x in dates) - len(dates)), d))


def halves(dates: Sequence[str]) -> tuple[dict[str, list[int]], str]:
    """Question positions in each half, and the date that starts the late half."""
    cut = date_cut(dates)
    positions = list(range(len(dates)))
    return {
        "even": positions[0::2],
        "odd": positions[1::2],
        "early": [i for i in positions if dates[i] < cut],
        "late": [i for i in positions if dates[i] >= cut],
    }, cut


def per_half(ranks: Sequence[int | None], split: Mapping[str, Sequence[int]]) -> dict[str, dict[str, float]]:
    return {name: metrics([ranks[i] for i in split[name]]) for name in HALF_NAMES if split[name]}


def not_below(report: Mapping[str, Any], method: str, floor: str = "dense") -> dict[str, bool]:
    """For each half (and the whole set), whether `method` equals or beats `floor` on Hits@5 and MRR@10."""
    checks = {"all": all(report[method][m] >= report[floor][m] for m in GUARDED)}
    for half, figures in report["halves"][method].items():
        base = report["halves"][floor][half]
        checks[half] = all(figures[m] >= base[m] for m in GUARDED)
    return checks
