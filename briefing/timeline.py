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
import threading
from collections import Counter
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

from briefing.types import Briefing, Citation
from retrieval.statements import opens_with_verb, reported
from retrieval.store import ChunkRecord, Statement
from retrieval.text import STOPWORDS, format_date, guess_language, person_keys, romanise, script_of

__all__ = [
    "SAME_EVENT", "Row", "display_names", "merge_outlets", "prepare_chart", "said", "same_words",
    "speaker_groups", "write",
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


def speaker_groups(statements: list[Statement]) -> dict[int, str]:
    """One key per speaker across articles, scripts and spellings: "Sergei Lavrov", "Sergey Lavrov",
    "Сергей Лавров" and a bare "Lavrov" are one; so are "Volodymyr Zelenskyy" and "Владимир Зеленский"
    (surname and first initial, `retrieval.text.person_keys`), and "Andrii Sybiha", "Андрій Сибіга" and
    "Андрей Сибига" (a г read as h or g). Names that share a (surname, initial) under some reading are one
    speaker; a bare surname joins the one speaker with a first name it can belong to."""
    keys = {id(s): person_keys(s.speaker) for s in statements}
    parent: dict[str, str] = {}

    def root(key: str) -> str:
        while parent.setdefault(key, key) != key:
            key = parent[key]
        return key

    def join(keys_of_one: list[str]) -> None:
        first = root(keys_of_one[0])
        for key in keys_of_one[1:]:
            parent[root(key)] = first

    named = {k for ks in keys.values() for k in ks if k[1]}
    for ks in keys.values():  # the readings of one name are one speaker
        join([f"{surname}|{initial}" for surname, initial in ks])
    groups: dict[int, str] = {}
    for s in statements:
        ks = keys[id(s)]
        if not any(initial for _, initial in ks):  # a bare surname
            speakers = {root(f"{surname}|{initial}") for surname, initial in named if (surname, "") in ks}
            if len(speakers) == 1:
                join([next(iter(speakers)), *(f"{surname}|" for surname, _ in ks)])
    for s in statements:
        # The group's name: its smallest key, the same whichever statement comes first.
        groups[id(s)] = root(f"{keys[id(s)][0][0]}|{keys[id(s)][0][1]}")
    members: dict[str, list[str]] = {}
    for key in parent:
        members.setdefault(root(key), []).append(key)
    return {i: min(members[g]) for i, g in groups.items()}


def _pick(counter: Counter[str], script: str, asked: str) -> str | None:
    """The name (or role) to show from those a group was reported under: in the script the question was
    asked in, the one holding the question's own spelling if any, else the most used (then the longest)."""
    mine = [n for n in counter if script_of(n) == script]
    if not mine:
        return None
    spelled = [n for n in mine if asked and all(w in n.lower().split() for w in asked.lower().split())]
    return max(spelled or mine, key=lambda n: (counter[n], len(n)))


def display_names(
    statements: list[Statement], groups: dict[int, str], asked: str = ""
) -> dict[str, tuple[str, str | None]]:
    """Each group's name and role as shown: in the script of the question (`asked`: the actor as asked;
    Latin when it has none), in its spelling when a report used it ("Zelenskyy" asked, "Volodymyr
    Zelenskyy" shown), else the most used. A group reported only in another script is shown romanised, and a
    role only in the name's script."""
    script = script_of(asked) or "Latn"
    names: dict[str, Counter[str]] = {}
    roles: dict[str, Counter[str]] = {}
    for s in statements:
        group = groups[id(s)]
        names.setdefault(group, Counter())[s.speaker] += 1
        if s.role:
            roles.setdefault(group, Counter())[s.role] += 1
    out: dict[str, tuple[str, str | None]] = {}
    for group, counter in names.items():
        name = _pick(counter, script, asked)
        if name is None:
            name = max(counter, key=lambda n: (counter[n], len(n)))
            name = romanise(name) if script == "Latn" else name
        # A role in another script than the name is left out ("пресс-секретарь" beside "Dmitry Peskov").
        role_counter = roles.get(group) or Counter()
        role = _pick(role_counter, script_of(name) or script, "")
        if role:
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


@functools.lru_cache(maxsize=8192)
def _features(text: str) -> tuple[tuple[str, ...], str, frozenset[str], frozenset[str]]:
    """What `same_words` compares of one text, worked out once: a timeline compares every row with every
    other (250 statements of one speaker are 31,000 pairs, 2.6 s of regular expressions when each pair
    read its two texts again)."""
    words = tuple(re.findall(r"\w+", text.lower()))
    return words, " ".join(words), frozenset(_content(text)), frozenset(_names_and_figures(text))


def same_words(a: str, b: str) -> bool:
    """The same statement in two reports, give or take punctuation, tense and a few words."""
    (wa, ja, ca, fa), (wb, jb, cb, fb) = _features(a), _features(b)
    if not wa or not wb:
        return False
    if wa == wb:
        return True
    (shorter, short_text), (_, long_text) = sorted(((wa, ja), (wb, jb)), key=lambda w: len(w[0]))
    if len(shorter) >= 4 and short_text in long_text:
        return True
    if not ca or not cb:
        return False
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
    if script_of(statement.text) == "Cyrl":
        # Russian or Ukrainian words keep their own quotation marks, and a reported clause stands as written:
        # "said" before a Russian clause would be neither language.
        return "«" + statement.text.strip(' «»“”"') + "»" if statement.kind == "quote" else statement.text
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
    asked_script = script_of(f"{actor} {topic or ''}") or "Latn"
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
            # Words in another script than the question's are shown as said, marked with their language.
            theirs = guess_language(row.text) if script_of(row.text) != asked_script else None
            mark = f"[{theirs}] " if theirs else ""
            lines.append(f"{format_date(row.said_on)} — {mark}{said(row.parts)} — {reporters}")
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


def prepare_chart() -> None:
    """Load matplotlib and the chart's fonts now (a blocking call; about 0.4 s of CPU and 27 MiB), so that
    the first stance answer does not pay for them. The figure drawn is thrown away, not cached."""
    from briefing.chart import statements_chart

    statements_chart([(datetime(2000, 1, 1), "A"), (datetime(2000, 1, 3), "B")], "warm-up")


# Charts being drawn: one lock per key's stripe, so that stance answers asking for the same chart at once
# (a bot just started) draw it once and the others take it from the cache; different charts rarely share one.
_DRAWING = [threading.Lock() for _ in range(16)]


def _chart(points: tuple[tuple[datetime, str], ...], title: str) -> bytes:
    with _DRAWING[hash((points, title)) % len(_DRAWING)]:
        return _drawn(points, title)


# The same timeline comes back whenever a question about it is asked again over the same statements; the
# chart, the most expensive part of a stance answer (about 60 ms), is drawn once for it. The picture depends
# on nothing but these arguments (briefing.chart gives the same bytes for the same input).
@functools.lru_cache(maxsize=32)
def _drawn(points: tuple[tuple[datetime, str], ...], title: str) -> bytes:
    # matplotlib costs about 0.3 s and 27 MiB to load: the bot loads it at start (`prepare_chart`); other
    # callers (the CLI) only when a chart is drawn.
    from briefing.chart import statements_chart

    return statements_chart(list(points), title)
