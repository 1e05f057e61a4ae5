"""The rows of a stance timeline: who said what, when, reported by whom, with what it leans on.

A row starts as one statement in one article. A statement that leans on the sentence before it joins the
row of that sentence when its own speaker said it ("said the regions are an inseparable part of Russia.
“This is undeniable and non-negotiable.”"); otherwise it keeps the sentence as a context line, marked as the
reporter's words. The same words from the same speaker in several outlets become one row that names each
outlet and cites each article.
"""

from __future__ import annotations

import functools
import re
from collections import Counter
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

from briefing.types import Briefing, Citation
from retrieval.statements import opens_with_verb, reported
from retrieval.store import ChunkRecord, Statement
from retrieval.text import STOPWORDS, format_date

__all__ = [
    "SAME_EVENT", "Row", "display_names", "merge_outlets", "said", "same_words", "speaker_groups", "write",
]  # fmt: skip

# The same words from the same speaker reported this close together are one statement.
SAME_EVENT = timedelta(days=3)
# Two reports of one statement share most of their content words (stems), or nearly all of the shorter one's.
SAME_WORDS = 0.6
CONTAINED_WORDS = 0.85
# A context line longer than this is cut at a word boundary: it is there to say what "this" is.
CONTEXT_WORDS = 45
_NUMBER = re.compile(r"\d[\d.,]*")


@dataclass(slots=True)
class Row:
    """Statements shown as one line: `parts` in one article (a statement and those that lean on it), and
    the same parts as reported by other outlets in `sources`."""

    group: str  # the speaker, as one key across spellings
    parts: list[Statement]
    record: ChunkRecord
    context: str | None = None
    score: float = 0.0
    sources: list[tuple[Statement, ChunkRecord]] = field(default_factory=list)
    # The row of the same speaker in the sentence just before, which this one goes on from.
    follows: Row | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        if not self.sources:
            self.sources = [(self.parts[0], self.record)]

    @property
    def said_on(self) -> datetime | None:
        return self.parts[0].said_on

    @property
    def text(self) -> str:
        return " ".join(p.text for p in self.parts)


# ---- speakers ---------------------------------------------------------------------------------------------


def _person_key(name: str) -> tuple[str, str] | None:
    words = re.findall(r"[\w'’-]+", name.lower())
    return (words[-1], words[0][:1]) if len(words) >= 2 else None


def speaker_groups(statements: list[Statement]) -> dict[int, str]:
    """One key per speaker across articles: "Sergei Lavrov", "Sergey Lavrov" and a bare "Lavrov" are one."""
    surnames: dict[str, set[tuple[str, str]]] = {}
    for s in statements:
        key = _person_key(s.speaker)
        if key:
            surnames.setdefault(key[0], set()).add(key)
    groups: dict[int, str] = {}
    for s in statements:
        key = _person_key(s.speaker)
        if key is None:
            bare = s.speaker.lower()
            candidates = surnames.get(bare, set())
            key = next(iter(candidates)) if len(candidates) == 1 else (bare, "")
        groups[id(s)] = f"{key[0]}|{key[1]}"
    return groups


def display_names(statements: list[Statement], groups: dict[int, str]) -> dict[str, tuple[str, str | None]]:
    """Each group's most used full name and role."""
    names: dict[str, Counter[str]] = {}
    roles: dict[str, Counter[str]] = {}
    for s in statements:
        group = groups[id(s)]
        names.setdefault(group, Counter())[s.speaker] += 1
        if s.role:
            roles.setdefault(group, Counter())[s.role] += 1
    out: dict[str, tuple[str, str | None]] = {}
    for group, counter in names.items():
        name = max(counter, key=lambda n: (counter[n], len(n)))
        role_counter = roles.get(group)
        role = max(role_counter, key=lambda r: (role_counter[r], len(r))) if role_counter else None
        if role_counter and role:
            # "Russian Foreign Minister" says more than the more frequent "Foreign Minister".
            role = max((r for r in role_counter if role in r), key=len)
        out[group] = (name, role)
    return out


# ---- one statement, several outlets -----------------------------------------------------------------------


def _stem(word: str) -> str:
    return word[:6]


def _content(text: str) -> set[str]:
    return {_stem(w) for w in re.findall(r"\w+", text.lower()) if w not in STOPWORDS}


def _names_and_figures(text: str) -> set[str]:
    """What two reports of one statement cannot differ in: its figures and its names (lowercased)."""
    names = {
        m.group(0).lower()
        for m in re.finditer(r"(?<=[\w,;] )[A-Z][\w'’-]+", text)  # capitalised, not opening a sentence
    }
    return names | {n.rstrip(".,") for n in _NUMBER.findall(text)}


def same_words(a: str, b: str) -> bool:
    """The same statement in two reports, give or take punctuation, tense and a few words."""
    wa, wb = re.findall(r"\w+", a.lower()), re.findall(r"\w+", b.lower())
    if not wa or not wb:
        return False
    if wa == wb:
        return True
    shorter, longer = sorted((wa, wb), key=len)
    if len(shorter) >= 4 and " ".join(shorter) in " ".join(longer):
        return True
    ca, cb = _content(a), _content(b)
    if not ca or not cb:
        return False
    fa, fb = _names_and_figures(a), _names_and_figures(b)
    if not (fa <= fb or fb <= fa):
        return False  # "will never give up Crimea" and "... Donetsk" are two statements
    small = min(len(ca), len(cb))
    overlap = len(ca & cb)
    return overlap / len(ca | cb) >= SAME_WORDS or (small >= 4 and overlap / small >= CONTAINED_WORDS)


def _same_time(a: datetime | None, b: datetime | None) -> bool:
    return a is None or b is None or abs(a - b) <= SAME_EVENT


def _same_row(a: Row, b: Row) -> bool:
    if a.group != b.group or not _same_time(a.said_on, b.said_on):
        return False
    return any(same_words(x.text, y.text) for x in a.parts for y in b.parts)


def merge_outlets(rows: list[Row]) -> list[Row]:
    """Rows that report the same statement (same speaker, same days, near-identical words) become one."""
    merged: list[Row] = []
    for row in rows:
        twin = next((m for m in merged if _same_row(m, row)), None)
        if twin is None:
            merged.append(row)
            continue
        for statement, record in row.sources:
            if all(r.article_id != record.article_id for _, r in twin.sources):
                twin.sources.append((statement, record))
        twin.score = max(twin.score, row.score)
        dates = [d for d in (twin.said_on, row.said_on) if d is not None]
        if _prefer(row, twin):
            twin.parts, twin.context = row.parts, row.context
        # A follow-up report often dates the words by its own publication day; the first report is right.
        twin.parts[0] = replace(twin.parts[0], said_on=min(dates) if dates else None)
    return merged


def _prefer(new: Row, old: Row) -> bool:
    """Which report's words to show: the one that quotes, then the one that says more without context."""
    def rank(row: Row) -> tuple[int, int, int]:
        quotes = sum(p.kind == "quote" for p in row.parts)
        return (quotes, len(row.parts), -(row.context is not None))

    return rank(new) > rank(old)


# ---- writing ----------------------------------------------------------------------------------------------


def _words(statement: Statement) -> str:
    if statement.kind == "quote":
        return "“" + statement.text.strip(' “”"') + "”"
    return reported(statement.text) if opens_with_verb(statement.text) else f"said {statement.text}"


def said(parts: list[Statement]) -> str:
    """A row's words: the first statement, then each that follows it in the same breath ("… “This is
    impossible.” Also said Russia had never discussed the subject.")."""
    out = _words(parts[0])
    for part in parts[1:]:
        words = _words(part)
        out = f"{out} {words}" if part.kind == "quote" else f"{out} Also {words}"
    return out


def _short(text: str, limit: int = CONTEXT_WORDS) -> str:
    words = text.split()
    return text if len(words) <= limit else " ".join(words[:limit]).rstrip(",;:") + " …"


def _reading_order(row: Row) -> tuple[bool, datetime, int, int]:
    return (row.said_on is None, row.said_on or datetime.min, row.record.article_id, row.parts[0].id or 0)


def write(
    rows: list[Row], actor: str, topic: str | None, names: dict[str, tuple[str, str | None]]
) -> Briefing:
    """The timeline as text: an overview line, then one block per speaker, rows in date order.

    A row reads "DATE — WORDS — Outlet [n], Outlet [m]"; a context line under it starts with "> " and holds
    the reporter's sentence the words lean on.
    """
    by_speaker: dict[str, list[Row]] = {}
    for row in rows:
        by_speaker.setdefault(row.group, []).append(row)
    for speaker_rows in by_speaker.values():
        # By date; on one day in the order the articles told it.
        speaker_rows.sort(key=_reading_order)
    order = sorted(
        by_speaker,
        key=lambda g: (-len(by_speaker[g]), by_speaker[g][0].said_on or datetime.max, names[g][0]),
    )
    citations: list[Citation] = []
    # One number per article, as in answers: the reader sees sources, not sentences. The citation quotes the
    # sentence of the first statement that cites it.
    numbers: dict[int, int] = {}
    blocks: list[str] = []
    for group in order:
        name, role = names[group]
        lines = [f"## {name} ({role})" if role else f"## {name}"]
        for row in by_speaker[group]:
            outlets: dict[str, list[str]] = {}
            for statement, record in sorted(
                row.sources, key=lambda sr: (sr[1].published or datetime.max, sr[1].article_id)
            ):
                key = record.article_id
                if key not in numbers:
                    numbers[key] = len(citations) + 1
                    citations.append(
                        Citation(
                            n=numbers[key], article_id=record.article_id, url=record.url, title=record.title,
                            outlet=record.outlet, published=record.published, quote=statement.sentence,
                        )
                    )  # fmt: skip
                outlets.setdefault(record.outlet, []).append(f"[{numbers[key]}]")
            reporters = ", ".join(f"{outlet} {''.join(refs)}" for outlet, refs in outlets.items())
            lines.append(f"{format_date(row.said_on)} — {said(row.parts)} — {reporters}")
            if row.context:
                lines.append(f"> {_short(row.context)}")
        blocks.append("\n".join(lines))
    dated = sorted(r.said_on for r in rows if r.said_on)
    overview = (
        f"{len(rows)} statement{'s' if len(rows) != 1 else ''} by {len(by_speaker)} "
        f"speaker{'s' if len(by_speaker) != 1 else ''}"
    )
    if dated and dated[0] != dated[-1]:
        overview += f" between {format_date(dated[0])} and {format_date(dated[-1])}."
    elif dated:
        overview += f" on {format_date(dated[0])}."
    else:
        overview += "."
    points = [(r.said_on, names[r.group][0]) for r in rows if r.said_on]
    title = f"{actor} on {topic}" if topic else f"Statements: {actor}"
    chart = _chart(tuple(points), title) if len(points) >= 2 else None
    return Briefing(
        answer="\n\n".join([overview, *blocks]), found=True, citations=citations, kind="stance",
        chart_png=chart,
    )  # fmt: skip


# The same timeline comes back whenever a question about it is asked again over the same statements; the
# chart, the most expensive part of a stance answer (about 60 ms), is drawn once for it. The picture depends
# on nothing but these arguments (briefing.chart gives the same bytes for the same input).
@functools.lru_cache(maxsize=32)
def _chart(points: tuple[tuple[datetime, str], ...], title: str) -> bytes:
    # matplotlib costs about 0.3 s and 27 MiB to load on top of the rest: only when a chart is drawn.
    from briefing.chart import statements_chart

    return statements_chart(list(points), title)
