"""Stance benchmark: recall and precision of the topic view on a small labelled set of stance questions.

Usage: python bench/stance.py [SET_DIR] [--json] [--verbose] [--embedder local|ensemble]

SET_DIR (default: bench/stance_set) holds `articles/` (news items written for the project) and
`questions.json`; the demo articles (bot/demo_articles) are stored with them. Every article goes through the
product's `Ingestor`, statement extraction included; then each question (actor, topic) is answered by
`StanceService.timeline` and its text read back row by row.

Each question labels statements by a phrase of their own text: `must` (on the topic, said by the actor's
people) and `must_not` (same people, other topics). A row matches a label when the label occurs in the row's
own words (not in a context line or the outlet list). Figures, summed over the questions:
- extracted: `must` labels that appear at all in the actor's timeline without a topic (the extractor found
  them under one of the actor's people); the topic view cannot show more;
- view recall: `must` labels shown / extracted `must` labels (what the topic view itself loses);
- end-to-end recall: `must` labels shown / all `must` labels;
- precision: rows matching a `must` label / rows matching any label (unlabelled rows are counted apart);
- duplicate rows: a `distinct` statement (one statement, several outlets) shown on more than one row;
- bare rows: a quote of at most six words with no name or figure of its own, shown with no context line.

The text is parsed rather than the service's objects so that the same script measures older versions of the
code (copy it and the set into an older checkout).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import re
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

_HERE = Path(__file__).resolve().parent
sys.path[:] = [str(_HERE.parent)] + [p for p in sys.path if Path(p or ".").resolve() != _HERE]

from bot.services import open_services  # noqa: E402
from bot.settings import Settings  # noqa: E402
from briefing.stance import StanceService  # noqa: E402

DEMO = _HERE.parent / "bot" / "demo_articles"
_ROW = re.compile(r"^(?:\d{1,2} [A-Z][a-z]{2} \d{4}|undated) — (?P<text>.*)$")
_CONTEXT = re.compile(r"^\s*(?:>|↳)")
# The outlets and markers at the end of a row: " — Outlet [1], Other [2]" (or, before, just "[1][2]").
_TRAILER = re.compile(r"\s+—\s+(?:[^—\[\]]+\s(?:\[\d+\])+(?:,\s+)?)+$|(?:\s*\[\d+\])+\s*$")
_QUOTES = str.maketrans({"“": '"', "”": '"', "‘": "'", "’": "'", "—": "-", "–": "-"})


@dataclass
class Row:
    speaker: str
    text: str
    context: list[str] = field(default_factory=list)


def norm(text: str) -> str:
    return " ".join(text.translate(_QUOTES).lower().split())


def rows_of(answer: str) -> list[Row]:
    """The timeline's rows: speaker heading, the row's own words (outlets and markers cut), context lines."""
    rows: list[Row] = []
    speaker = ""
    for line in answer.splitlines():
        if line.startswith("## "):
            speaker = line[3:].strip()
            continue
        row = _ROW.match(line.strip())
        if row and speaker:
            text = row.group("text")
            while (cut := _TRAILER.sub("", text)) != text:
                text = cut
            rows.append(Row(speaker, text))
        elif rows and speaker and _CONTEXT.match(line) and line.strip():
            rows[-1].context.append(line.strip())
    return rows


def bare(row: Row) -> bool:
    text = row.text.strip()
    if row.context or not text.startswith(("“", '"')) or not text.endswith(("”", '"')):
        return False
    words = re.findall(r"[\w'’-]+", text)
    named = any(w[:1].isupper() for w in words[1:]) or any(ch.isdigit() for ch in text)
    return len(words) <= 6 and not named


@dataclass
class Score:
    question: str
    must: int = 0
    extracted: int = 0
    shown: int = 0
    relevant_rows: int = 0
    irrelevant_rows: int = 0
    unlabelled_rows: int = 0
    duplicate_rows: int = 0
    bare_rows: int = 0
    missed: list[str] = field(default_factory=list)
    wrongly_shown: list[str] = field(default_factory=list)
    unlabelled: list[str] = field(default_factory=list)


def score(question: dict[str, Any], topic_rows: list[Row], all_rows: list[Row]) -> Score:
    must = [norm(m) for m in question["must"]]
    must_not = [norm(m) for m in question["must_not"]]
    s = Score(question["id"], must=len(must))
    everything = [norm(r.text) for r in all_rows]
    shown = [norm(r.text) for r in topic_rows]
    for label in must:
        if any(label in text for text in everything):
            s.extracted += 1
            if any(label in text for text in shown):
                s.shown += 1
            else:
                s.missed.append(label)
    for row, text in zip(topic_rows, shown, strict=True):
        if any(label in text for label in must):
            s.relevant_rows += 1
        elif any(label in text for label in must_not):
            s.irrelevant_rows += 1
            s.wrongly_shown.append(row.text)
        else:
            s.unlabelled_rows += 1
            s.unlabelled.append(row.text)
        s.bare_rows += bare(row)
    for group in question.get("distinct", []):
        for label in group:
            hits = sum(norm(label) in text for text in shown)
            s.duplicate_rows += max(0, hits - 1)
    return s


async def run(set_dir: Path, embedder: str, verbose: bool) -> dict[str, Any]:
    questions = json.loads((set_dir / "questions.json").read_text(encoding="utf-8"))["questions"]
    with tempfile.TemporaryDirectory(prefix="bench-stance-") as tmp:
        settings = Settings(_env_file=None, data_dir=Path(tmp), embedding_backend=embedder)  # type: ignore[call-arg,arg-type]
        services = await open_services(settings)
        try:
            for file in [*sorted(DEMO.glob("*.txt")), *sorted((set_dir / "articles").glob("*.txt"))]:
                result = await services.ingestor.ingest_file(file)
                if not result.ok:
                    raise SystemExit(f"ingestion failed: {file}: {result.reason}")
            service = StanceService(services.library, services.searcher)
            scores = []
            for q in questions:
                topic = await service.timeline(q["actor"], q["topic"])
                everything = await service.timeline(q["actor"], None, limit=1000)
                s = score(q, rows_of(topic.answer) if topic.found else [], rows_of(everything.answer))
                scores.append(s)
                if verbose:
                    print(f"\n### {q['id']}: {q['actor']} on {q['topic']}")
                    print(topic.answer)
        finally:
            await services.aclose()
    return summary(scores)


def summary(scores: list[Score]) -> dict[str, Any]:
    must = sum(s.must for s in scores)
    extracted = sum(s.extracted for s in scores)
    shown = sum(s.shown for s in scores)
    relevant = sum(s.relevant_rows for s in scores)
    labelled = relevant + sum(s.irrelevant_rows for s in scores)
    return {
        "questions": len(scores),
        "must": must,
        "extracted": extracted,
        "view_recall": round(shown / extracted, 3) if extracted else None,
        "end_to_end_recall": round(shown / must, 3) if must else None,
        "precision": round(relevant / labelled, 3) if labelled else None,
        "rows": relevant + sum(s.irrelevant_rows + s.unlabelled_rows for s in scores),
        "unlabelled_rows": sum(s.unlabelled_rows for s in scores),
        "duplicate_rows": sum(s.duplicate_rows for s in scores),
        "bare_rows": sum(s.bare_rows for s in scores),
        "per_question": [
            {
                "id": s.question, "must": s.must, "extracted": s.extracted, "shown": s.shown,
                "relevant_rows": s.relevant_rows, "irrelevant_rows": s.irrelevant_rows,
                "unlabelled_rows": s.unlabelled_rows, "duplicate_rows": s.duplicate_rows,
                "bare_rows": s.bare_rows, "missed": s.missed, "wrongly_shown": s.wrongly_shown,
                "unlabelled": s.unlabelled,
            }
            for s in scores
        ],
    }  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("set_dir", nargs="?", type=Path, default=_HERE / "stance_set")
    parser.add_argument("--json", action="store_true", help="print every figure as JSON")
    parser.add_argument("--verbose", action="store_true", help="also print each timeline")
    parser.add_argument(
        "--embedder", default="local", choices=("local", "ensemble"),
        help="search embedder for ingestion (stance compares sentences on MiniLM either way); default local",
    )  # fmt: skip
    args = parser.parse_args()
    result = asyncio.run(run(args.set_dir, args.embedder, args.verbose))
    if args.json:
        print(json.dumps(result, indent=2))
        return
    print(
        f"{result['questions']} questions, {result['must']} on-topic statements labelled, "
        f"{result['extracted']} extracted under the actor"
    )
    print(
        f"view recall {result['view_recall']}  end-to-end recall {result['end_to_end_recall']}  "
        f"precision {result['precision']}  ({result['rows']} rows, {result['unlabelled_rows']} unlabelled)"
    )
    print(f"duplicate rows {result['duplicate_rows']}  bare quotes shown alone {result['bare_rows']}")
    for q in result["per_question"]:
        flags = []
        if q["missed"]:
            flags.append(f"missed {q['missed']}")
        if q["wrongly_shown"]:
            flags.append(f"off-topic {q['wrongly_shown']}")
        print(f"  {q['id']:<28} {q['shown']}/{q['extracted']}/{q['must']}  {'; '.join(flags)}")


if __name__ == "__main__":
    main()
