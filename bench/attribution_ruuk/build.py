#!/usr/bin/env python3
"""Build gold.jsonl from the hand-written sources `ru.txt` and `uk.txt` (stdlib only).

usage: python bench/attribution_ruuk/build.py [--check]

Source format, one passage after another:

    ### <id> <stratum> <published YYYY-MM-DD or ->
    title: <headline>
    <text: paragraphs separated by blank lines>
    ---
    = speaker | aliases (; between) | role | kind | ref | tags (, between) | when
    + segment (an exact substring of the text; "+@2 …" takes its second occurrence)
    + another segment of the same statement

Tags carry the flags: `unnamed` and `optional` set the fields of the same name. The label's day (`said_on`)
is worked out here from `when` and the publication date: a month and day, a weekday (the latest on or before
publication), "накануне"/"напередодні" (the day before), "вчера"/"вчора"/"учора", "сегодня"/"сьогодні".
Every fourth passage of each language (04, 08, …) is held out: `split` is "heldout", otherwise "dev".
`--check` only verifies that gold.jsonl is what the sources give.
"""

from __future__ import annotations

import json
import re
import sys
from datetime import date, timedelta
from pathlib import Path

HERE = Path(__file__).resolve().parent
SOURCES = ("ru.txt", "uk.txt")
HELD_OUT_EVERY = 4

MONTHS = {
    **{
        m: i
        for i, m in enumerate(
            "января февраля марта апреля мая июня июля августа сентября октября ноября декабря".split(), 1
        )
    },
    **{
        m: i
        for i, m in enumerate(
            "січня лютого березня квітня травня червня липня серпня вересня жовтня листопада грудня".split(),
            1,
        )
    },
}
WEEKDAYS = {
    "понедельник": 0,
    "вторник": 1,
    "среду": 2,
    "четверг": 3,
    "пятницу": 4,
    "субботу": 5,
    "воскресенье": 6,
    "понеділок": 0,
    "вівторок": 1,
    "середу": 2,
    "четвер": 3,
    "п'ятницю": 4,
    "суботу": 5,
    "неділю": 6,
}


def said_on(when: str | None, published: date | None) -> str | None:
    if not when:
        return None
    low = when.lower()
    if m := re.search(r"\b(\d{1,2})\s+(" + "|".join(MONTHS) + r")\b", low):
        year = published.year if published else None
        if year is None:
            return None
        return date(year, MONTHS[m.group(2)], int(m.group(1))).isoformat()
    if published is None:
        return None
    for name, wd in WEEKDAYS.items():
        if re.search(rf"(?<!\w){name}(?!\w)", low):
            return (published - timedelta(days=(published.weekday() - wd) % 7)).isoformat()
    if re.search(r"накануне|напередодні|вчера|вчора|учора", low):
        return (published - timedelta(days=1)).isoformat()
    if re.search(r"сегодня|сьогодні", low):
        return published.isoformat()
    raise ValueError(f"cannot place {when!r}")


def parse(path: Path) -> list[dict]:
    language = path.stem
    blocks = re.split(r"^### ", path.read_text(encoding="utf-8"), flags=re.M)[1:]
    out = []
    for block in blocks:
        head, _, rest = block.partition("\n")
        pid, stratum, stamp = head.split()
        body, _, labels = rest.partition("\n---\n")
        title_line, _, text = body.partition("\n")
        assert title_line.startswith("title: "), pid
        text = text.strip("\n")
        published = None if stamp == "-" else date.fromisoformat(stamp)
        statements = []
        for chunk in re.split(r"^= ", labels, flags=re.M)[1:]:
            lines = chunk.strip("\n").split("\n")
            fields = [f.strip() for f in lines[0].split("|")]
            speaker, aliases, role, kind, ref, tags, when = fields
            tag_list = [t for t in tags.split(",") if t]
            segments, offsets = [], []
            for line in lines[1:]:
                assert line.startswith("+"), (pid, line)
                seg = line[1:].lstrip()
                nth = 1
                if seg.startswith("@"):
                    nth_s, _, seg = seg[1:].partition(" ")
                    nth = int(nth_s)
                starts = [m.start() for m in re.finditer(re.escape(seg), text)]
                if len(starts) < nth or (nth == 1 and len(starts) > 1):
                    raise SystemExit(f"{pid}: segment found {len(starts)} times: {seg!r}")
                start = starts[nth - 1]
                segments.append(seg)
                offsets.append([start, start + len(seg)])
            assert kind in ("quote", "reported") and segments, pid
            statements.append(
                {
                    "speaker": speaker,
                    "aliases": [a.strip() for a in aliases.split(";") if a.strip()],
                    "role": role or None,
                    "kind": kind,
                    "text": " ".join(segments),
                    "segments": segments,
                    "offsets": offsets,
                    "ref": ref,
                    "tags": tag_list,
                    "when": when or None,
                    "said_on": said_on(when, published),
                    "unnamed": "unnamed" in tag_list,
                    "optional": "optional" in tag_list,
                }
            )
        statements.sort(key=lambda s: s["offsets"][0][0])  # type: ignore[index]
        number = int(pid.split("-")[1])
        out.append(
            {
                "id": pid,
                "language": language,
                "stratum": stratum,
                "split": "heldout" if number % HELD_OUT_EVERY == 0 else "dev",
                "url": f"https://example.invalid/{pid}",
                "title": title_line.removeprefix("title: "),
                "published": published.isoformat() if published else None,
                "text": text,
                "statements": statements,
            }
        )
    return out


def main() -> None:
    passages = [p for name in SOURCES for p in parse(HERE / name)]
    lines = "".join(json.dumps(p, ensure_ascii=False) + "\n" for p in passages)
    target = HERE / "gold.jsonl"
    if "--check" in sys.argv:
        sys.exit(0 if target.read_text(encoding="utf-8") == lines else "gold.jsonl is stale: run build.py")
    target.write_text(lines, encoding="utf-8")
    for lang in ("ru", "uk"):
        mine = [p for p in passages if p["language"] == lang]
        gold = [g for p in mine for g in p["statements"]]
        print(
            f"{lang}: {len(mine)} passages ({sum(p['split'] == 'heldout' for p in mine)} held out), "
            f"{sum(not g['optional'] for g in gold)} scored statements + "
            f"{sum(g['optional'] for g in gold)} optional, "
            f"{sum(not p['statements'] for p in mine)} without any"
        )


if __name__ == "__main__":
    main()
