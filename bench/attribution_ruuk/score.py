#!/usr/bin/env python3
"""Score the statement extractor against the Russian and Ukrainian attribution set (stdlib only).

usage: cd <checkout> && <venv>/bin/python bench/attribution_ruuk/score.py bench/attribution_ruuk/gold.jsonl
       [--language ru|uk] [--split dev|heldout] [--errors] [--json] [--min-f1 0.5]

The same rules as the English set's scorer (../shared/data/attribution-dev/score.py), rewritten here so the
product's tests can use them without that folder, and extended to Cyrillic:

  text match     word-overlap F1 >= 0.5 (bag of lowercased words, ё read as е, quotation marks folded)
                 between the extracted text and the gold text, one of its segments, or, for a `partial`
                 statement, one quoted fragment.
  speaker match  after folding case, ё, punctuation and leading titles or generic nouns ("пресс-секретарь",
                 "агентство", "пан"): equal names; a one-word name equal to the first or last word of the
                 other ("Ильин" / "Дмитрий Ильин"); or the same first and last word. A name left in another
                 case ("Ильина" for Ильин) is not the same name. Aliases count as the speaker.

Each extraction is correct, an attribution error (wrong speaker or garbled name) or spurious; matches to
`optional` gold with the right speaker are left out. precision = correct / (correct + errors + spurious);
recall over the scored (non-optional) gold. Dates: where the gold gives the day (`said_on`), whether the
extraction's date agrees.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import re
import sys
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

FOLD = str.maketrans(
    {
        "ё": "е",
        "Ё": "Е",
        "’": "'",
        "ʼ": "'",
        "‘": "'",
        "“": '"',
        "”": '"',
        "„": '"',
        "«": '"',
        "»": '"',
        "–": "-",
        "—": "-",
    }
)
WORD = re.compile(r"\w+")
# Leading words that title or classify a name rather than being part of it: dropped before names are compared
# (while more than one word is left), as the English scorer drops "Mr", "Sen.", "spokesman".
LEADING = frozenset(
    """mr mrs ms dr sir president minister spokesman spokeswoman spokesperson
    господин госпожа г-н г-жа пан пані президент министр міністр міністерка мэр мер губернатор пресс-секретарь
    прес-секретар прессекретар прессекретарка речник речниця депутат депутатка директор директорка глава
    голова председатель агентство агенція компания компанія издание видання газета партия партія телеканал
    министерство міністерство""".split()
)


def words(text: str) -> list[str]:
    return WORD.findall(text.translate(FOLD).lower())


def overlap_f1(a: str, b: str) -> float:
    wa, wb = Counter(words(a)), Counter(words(b))
    common = sum((wa & wb).values())
    if not common:
        return 0.0
    p, r = common / sum(wa.values()), common / sum(wb.values())
    return 2 * p * r / (p + r)


def gold_texts(g: dict[str, Any]) -> list[str]:
    texts = [g["text"], *g["segments"]]
    if "partial" in g["tags"]:
        texts += re.findall(r'"([^"]{2,})"', g["text"].translate(FOLD))
    return texts


def text_score(extracted: str, g: dict[str, Any]) -> float:
    return max(overlap_f1(extracted, t) for t in gold_texts(g))


def name_tokens(name: str) -> list[str]:
    toks = re.findall(r"[\w'-]+", name.translate(FOLD).lower().replace(".", " "))
    toks = [t.strip("'-") for t in toks if t.strip("'-")]
    while len(toks) > 1 and toks[0] in LEADING | {"the", "a", "an"}:
        toks = toks[1:]
    return toks


def same_name(a: str, b: str) -> bool:
    ta, tb = name_tokens(a), name_tokens(b)
    if not ta or not tb:
        return False
    if ta == tb:
        return True
    if len(ta) == 1 or len(tb) == 1:
        one, many = (ta, tb) if len(ta) == 1 else (tb, ta)
        return one[0] in (many[0], many[-1])
    return ta[0] == tb[0] and ta[-1] == tb[-1]


def speaker_matches(extracted: str, g: dict[str, Any]) -> bool:
    return any(same_name(extracted, n) for n in [g["speaker"], *g["aliases"]])


def garbled(extracted: str, g: dict[str, Any]) -> bool:
    """The right name with words glued on in front ("Кремля Аркадий Светлов")."""
    ext = name_tokens(extracted)
    for n in [g["speaker"], *g["aliases"]]:
        want = name_tokens(n)
        if want and len(ext) > len(want) and ext[-len(want) :] == want:
            return True
    return False


def make_article(number: int, passage: dict[str, Any]) -> Any:
    from retrieval.types import Article

    published = passage.get("published")
    values = {
        "id": number,
        "url": passage["url"],
        "title": passage["title"],
        "outlet": "example.invalid",
        "author": None,
        "published_at": datetime.fromisoformat(published).replace(tzinfo=UTC) if published else None,
        "language": passage.get("language"),
        "text": passage["text"],
        "content_hash": f"attribution-ruuk-{passage['id']}",
        "added_by": "attribution-ruuk",
        "added_at": datetime(2026, 1, 1, tzinfo=UTC),
    }
    names = {f.name for f in dataclasses.fields(Article)}
    return Article(**{k: v for k, v in values.items() if k in names})


def run_project(passages: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    from retrieval.statements import extract_statements

    out = {}
    for number, p in enumerate(passages, 1):
        out[p["id"]] = [
            {
                "speaker": s.speaker,
                "role": s.role,
                "text": s.text,
                "kind": s.kind,
                "said_on": s.said_on.isoformat() if s.said_on else None,
            }
            for s in extract_statements(make_article(number, p))
        ]
    return out


def score(
    passages: list[dict[str, Any]], extracted: dict[str, list[dict[str, Any]]], min_f1: float = 0.5
) -> dict[str, Any]:
    details: list[dict[str, Any]] = []
    counts: Counter[str] = Counter()
    hit: dict[tuple[str, int], bool] = {}
    for p in passages:
        gold = p["statements"]
        for i, g in enumerate(gold):
            if not g["optional"]:
                hit[(p["id"], i)] = False
        for e in extracted.get(p["id"], []):
            row = {"passage": p["id"], **e}
            near = [(text_score(e["text"], g), i, g) for i, g in enumerate(gold)]
            candidates = [(s, i, g) for s, i, g in near if s >= min_f1]
            right = [(s, i, g) for s, i, g in candidates if speaker_matches(e["speaker"], g)]
            scored = [(s, i, g) for s, i, g in right if not g["optional"]]
            if scored:
                best = max(scored, key=lambda x: x[0])
                for _, i, _ in scored:
                    hit[(p["id"], i)] = True
                row.update(verdict="correct", gold=best[1], f1=round(best[0], 3))
            elif right:
                row.update(verdict="correct_optional", gold=right[0][1])
            elif candidates:
                best = max(candidates, key=lambda x: x[0])
                g = best[2]
                row.update(
                    verdict="attribution_error",
                    gold=best[1],
                    gold_speaker=g["speaker"],
                    gold_text=g["text"],
                    error="garbled_name" if garbled(e["speaker"], g) else "wrong_speaker",
                )
            else:
                row.update(
                    verdict="spurious_no_speech" if not gold else "spurious",
                    nearest_f1=round(max((s for s, _, _ in near), default=0.0), 3),
                )
            counts[row["verdict"]] += 1
            details.append(row)
    correct, wrong = counts["correct"], counts["attribution_error"]
    spurious = counts["spurious"] + counts["spurious_no_speech"]
    judged = correct + wrong + spurious
    core = [(p["id"], i, g) for p in passages for i, g in enumerate(p["statements"]) if not g["optional"]]

    def recall(pred: Any) -> dict[str, Any]:
        sel = [(pid, i) for pid, i, g in core if pred(g)]
        n_hit = sum(hit[k] for k in sel)
        return {"n": len(sel), "hit": n_hit, "recall": round(n_hit / len(sel), 3) if sel else None}

    by = {
        "all": recall(lambda g: True),
        "named_speaker": recall(lambda g: not g["unnamed"]),
        "unnamed_source": recall(lambda g: g["unnamed"]),
        "kind=quote": recall(lambda g: g["kind"] == "quote"),
        "kind=reported": recall(lambda g: g["kind"] == "reported"),
    }
    for ref in ("full", "surname", "org", "title", "pronoun", "context", "unnamed"):
        by[f"ref={ref}"] = recall(lambda g, ref=ref: g["ref"] == ref)
    for tag in (
        "after",
        "mid",
        "colon",
        "multi",
        "partial",
        "nested",
        "according",
        "dash",
        "case",
        "participle",
    ):
        by[f"tag={tag}"] = recall(lambda g, tag=tag: tag in g["tags"])
    kinds = {}
    for kind in ("quote", "reported"):
        c = Counter(r["verdict"] for r in details if r["kind"] == kind)
        j = c["correct"] + c["attribution_error"] + c["spurious"] + c["spurious_no_speech"]
        kinds[kind] = {
            "extracted": sum(c.values()),
            "correct": c["correct"],
            "attribution_errors": c["attribution_error"],
            "spurious": c["spurious"] + c["spurious_no_speech"],
            "precision": round(c["correct"] / j, 3) if j else None,
        }
    fp_rows = [r for r in details if r["verdict"] == "spurious_no_speech"]
    return {
        "extracted": len(details),
        "correct": correct,
        "correct_optional": counts["correct_optional"],
        "attribution_errors": wrong,
        "attribution_errors_wrong_speaker": sum(1 for r in details if r.get("error") == "wrong_speaker"),
        "attribution_errors_garbled_name": sum(1 for r in details if r.get("error") == "garbled_name"),
        "spurious": spurious,
        "precision": round(correct / judged, 3) if judged else None,
        "attribution_error_rate": round(wrong / judged, 3) if judged else None,
        "recall": by["all"]["recall"],
        "recall_by": by,
        "by_extracted_kind": kinds,
        "no_speech_passages": sum(1 for p in passages if not p["statements"]),
        "fp_on_no_speech": len(fp_rows),
        "no_speech_passages_with_fp": len({r["passage"] for r in fp_rows}),
        "details": details,
        "missed": [
            {
                "passage": pid,
                "gold": i,
                "speaker": g["speaker"],
                "kind": g["kind"],
                "ref": g["ref"],
                "text": g["text"],
            }
            for pid, i, g in core
            if not hit[(pid, i)]
        ],
    }


def dates(passages: list[dict[str, Any]], result: dict[str, Any]) -> dict[str, int]:
    """Of the correct extractions whose gold says when it was said, how many carry a date, and where the
    gold's day is known (the passage's date resolves its weekday or month and day), how many agree with it.
    Keys as the English scorer's, where "month_day" means a day that can be checked."""
    gold = {p["id"]: p["statements"] for p in passages}
    rows = [
        r for r in result["details"] if r["verdict"] == "correct" and gold[r["passage"]][r["gold"]]["when"]
    ]
    dated = [r for r in rows if r["said_on"]]
    checkable = [r for r in dated if gold[r["passage"]][r["gold"]]["said_on"]]
    agree = sum(1 for r in checkable if r["said_on"][:10] == gold[r["passage"]][r["gold"]]["said_on"])
    return {
        "correct_with_gold_when": len(rows),
        "with_said_on": len(dated),
        "with_gold_month_day": len(checkable),
        "said_on_agrees_with_gold_month_day": agree,
    }


def select(passages: list[dict[str, Any]], language: str | None, split: str | None) -> list[dict[str, Any]]:
    return [
        p
        for p in passages
        if (not language or p["language"] == language) and (not split or p["split"] == split)
    ]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("gold", type=Path)
    ap.add_argument("--language", choices=("ru", "uk"))
    ap.add_argument("--split", choices=("dev", "heldout"))
    ap.add_argument("--errors", action="store_true")
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--min-f1", type=float, default=0.5)
    args = ap.parse_args()
    passages = [
        json.loads(line) for line in args.gold.read_text(encoding="utf-8").splitlines() if line.strip()
    ]
    passages = select(passages, args.language, args.split)
    sys.path.insert(0, ".")
    r = score(passages, run_project(passages), args.min_f1)
    d = dates(passages, r)
    if args.json:
        print(json.dumps({"extractor": r, "dates": d}, ensure_ascii=False))
    n_core = sum(1 for p in passages for g in p["statements"] if not g["optional"])
    print(
        f"{len(passages)} passages, {n_core} scored statements; {r['extracted']} extracted = "
        f"{r['correct']} correct + {r['attribution_errors']} attribution errors "
        f"({r['attribution_errors_wrong_speaker']} wrong speaker) + "
        f"{r['spurious']} spurious (+{r['correct_optional']} on optional gold)"
    )
    print("recall by " + ", ".join(f"{k} {v['hit']}/{v['n']}" for k, v in r["recall_by"].items() if v["n"]))
    print(
        f"dates: {d['with_said_on']} of {d['correct_with_gold_when']} carry a date; "
        f"{d['said_on_agrees_with_gold_month_day']} of {d['with_gold_month_day']} checkable agree"
    )
    if args.errors:
        for verdict in ("attribution_error", "spurious", "spurious_no_speech"):
            print(f"\n== {verdict}")
            for row in r["details"]:
                if row["verdict"] == verdict:
                    extra = (
                        f"  [{row['error']}; gold: {row['gold_speaker']}]"
                        if verdict == "attribution_error"
                        else ""
                    )
                    print(
                        f"{row['passage']}  {row['speaker']!r} ({row['kind']}): {row['text'][:150]!r}{extra}"
                    )
        print("\n== missed")
        for m in r["missed"]:
            print(f"{m['passage']}  {m['speaker']!r} ({m['kind']}, {m['ref']}): {m['text'][:120]!r}")
        gold = {p["id"]: p["statements"] for p in passages}
        print("\n== dates that disagree")
        for row in r["details"]:
            if row["verdict"] == "correct" and gold[row["passage"]][row["gold"]]["said_on"]:
                want = gold[row["passage"]][row["gold"]]["said_on"]
                if (row["said_on"] or "")[:10] != want:
                    print(f"{row['passage']}  {row['speaker']!r}: {row['said_on']} (gold {want})")
    print(
        f"precision {r['precision']} recall {r['recall']} attribution_errors {r['attribution_errors']}"
        f" fp_on_no_speech {r['fp_on_no_speech']}"
    )


if __name__ == "__main__":
    try:
        main()
    except BrokenPipeError:
        sys.stderr.close()
