"""Position questions ("What is the Kremlin's stance on the annexed regions?") answered with dated,
attributed statements, grouped by speaker and ordered by date, each citing the outlets that reported it.

Everything here is offline: statements come from the library (extracted at ingestion), relevance to the
topic from word overlap and the local embedder.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

import numpy as np

from briefing.chart import statements_chart
from briefing.types import NOT_FOUND_ANSWER, Briefing, Citation
from retrieval.library import ChunkRecord, Library, Statement
from retrieval.search import Searcher
from retrieval.statements import opens_with_verb, reported
from retrieval.types import SearchFilters

__all__ = ["StanceQuery", "StanceService", "is_stance_question", "parse_stance_question"]

# Who speaks for an institution or country. Terms match the start of a word in a speaker's name or role
# ("ukrain" matches "Ukrainian"); the short ones must match a whole word.
_ALIASES: dict[str, tuple[str, ...]] = {
    "kremlin": (
        "kremlin", "peskov", "putin", "presidential", "lavrov", "ushakov", "zakharova", "russian president",
        "russian foreign minist",
    ),
    "russia": (
        "russia", "kremlin", "lavrov", "peskov", "putin", "moscow", "foreign ministry", "medvedev", "ushakov",
        "zakharova", "nebenzya", "shoigu",
    ),
    "ukraine": ("ukrain", "zelensk", "kyiv", "kiev", "sybiha", "yermak", "kuleba", "podolyak", "tykhy"),
    "us": (
        "us", "u.s.", "united states", "american", "washington", "white house", "state department",
        "pentagon", "trump", "rubio", "vance", "witkoff", "bessent", "hegseth", "biden", "blinken",
    ),
    "eu": (
        "eu", "european union", "european commission", "european council", "brussels", "von der leyen",
        "kallas", "costa",
    ),
    "un": ("un", "united nations", "general assembly", "security council", "guterres"),
    "nato": ("nato", "rutte", "stoltenberg", "north atlantic"),
}  # fmt: skip
_ACTOR_KEYS = {
    "kremlin": "kremlin", "the kremlin": "kremlin",
    "russia": "russia", "moscow": "russia", "russian government": "russia",
    "the russian government": "russia",
    "ukraine": "ukraine", "kyiv": "ukraine", "kiev": "ukraine", "ukrainian government": "ukraine",
    "us": "us", "u.s.": "us", "usa": "us", "united states": "us", "the us": "us", "the united states": "us",
    "america": "us", "washington": "us", "white house": "us", "the white house": "us",
    "trump administration": "us", "the trump administration": "us", "us government": "us",
    "eu": "eu", "the eu": "eu", "european union": "eu", "the european union": "eu", "brussels": "eu",
    "un": "un", "the un": "un", "united nations": "un", "the united nations": "un",
    "nato": "nato",
}  # fmt: skip
# Terms that name an office any country has; on their own they must not pull in another country's people
# ("Ukrainian presidential adviser" is not the Kremlin).
_GENERIC_TERMS = frozenset({"presidential", "foreign ministry"})

_RELATION = (
    r"(?:stance|position|positions|view|views|line|stand|attitude|opinion|take|policy|response|reaction)"
)
_ABOUT = r"(?:on|about|regarding|towards?|over|concerning|of|re)"
_QUESTIONS = [
    re.compile(p, re.IGNORECASE)
    for p in (
        rf"^(?:what(?:'s|’s| is| are| was| were)|tell me|give me|show me|explain|describe)?\s*(?:the\s+)?"
        rf"(?P<actor>.+?)(?:'s|’s|s'|’)\s+(?:official\s+|current\s+|latest\s+)?{_RELATION}"
        rf"(?:\s+{_ABOUT}\s+(?P<topic>.+))?$",
        rf"^(?:what(?:'s|’s| is| are| was| were)|tell me|give me|show me)?\s*(?:the\s+)?{_RELATION}\s+of\s+"
        rf"(?:the\s+)?(?P<actor>.+?)(?:\s+{_ABOUT}\s+(?P<topic>.+))?$",
        rf"^what\s+(?:does|do|did)\s+(?:the\s+)?(?P<actor>.+?)\s+(?:think|say|believe|feel|want)"
        rf"(?:\s+{_ABOUT}\s+(?P<topic>.+))?$",
        rf"^what\s+(?:has|have|had)\s+(?:the\s+)?(?P<actor>.+?)\s+(?:said|stated|argued|claimed)"
        rf"(?:\s+{_ABOUT}\s+(?P<topic>.+))?$",
        rf"^what\s+(?:is|are|was|were)\s+(?:the\s+)?(?P<actor>.+?)\s+saying(?:\s+{_ABOUT}\s+(?P<topic>.+))?$",
        r"^how\s+(?:does|do|did)\s+(?:the\s+)?(?P<actor>.+?)\s+(?:view|see|regard|feel about|think about|"
        r"look at)\s+(?P<topic>.+)$",
        r"^where\s+(?:does|do|did)\s+(?:the\s+)?(?P<actor>.+?)\s+stand(?:\s+(?:on|regarding|with)\s+(?P<topic>.+))?$",
    )
]
_NOT_ACTORS = frozenset(
    """you i we they he she it this that people anyone everyone someone article report text story news
    document study paper source sources author writer media press public world bot""".split()
)
_STOPWORDS = frozenset(
    """a an and are as at be by did do does for from has have how in is it its of on or the their this to
    was were what when where which who why will with about over into than that these those there they
    them""".split()
)
# MiniLM cosine below which a statement and its context are judged unrelated to the topic.
RELEVANCE_THRESHOLD = 0.3
# The same words from the same speaker reported this close together are one statement.
SAME_EVENT = timedelta(days=3)
_SENTENCE_WEIGHT, _PARAGRAPH_WEIGHT, _TITLE_WEIGHT, _LEXICAL_WEIGHT = 1.0, 0.9, 0.8, 0.25


@dataclass(slots=True)
class StanceQuery:
    actor: str
    topic: str | None
    terms: list[str]


def parse_stance_question(question: str) -> StanceQuery | None:
    """The actor and topic of a question about someone's position, or None for any other question."""
    text = " ".join(question.strip().rstrip("?!. ").split())
    for pattern in _QUESTIONS:
        m = pattern.match(text)
        if m is None:
            continue
        actor = re.sub(r"^the\s+", "", m.group("actor").strip(" ,"), flags=re.IGNORECASE)
        if not actor or len(actor.split()) > 5 or actor.lower() in _NOT_ACTORS:
            continue
        if actor.split()[0].lower() in _NOT_ACTORS | {"a", "an", "my", "your", "our"}:
            continue
        topic = (m.groupdict().get("topic") or "").strip(" ,")
        topic = re.sub(r"^the\s+", "", topic, flags=re.IGNORECASE) or None
        return StanceQuery(actor=actor, topic=topic, terms=actor_terms(actor))
    return None


def is_stance_question(question: str) -> bool:
    return parse_stance_question(question) is not None


def actor_terms(actor: str) -> list[str]:
    """Speaker-matching terms: the alias list of a known institution, else the actor's own words."""
    group = _ACTOR_KEYS.get(actor.lower().strip())
    if group is not None:
        return list(_ALIASES[group])
    words = [w for w in re.findall(r"[\w.'’-]+", actor.lower()) if w not in _STOPWORDS]
    terms = [" ".join(words)] if words else []
    if len(words) > 1 and len(words[-1]) >= 3:
        terms.append(words[-1])  # a surname also finds "Sergei Lavrov" when asked about "Sergey Lavrov"
    return [t for t in dict.fromkeys(terms) if t]


def _term_at(term: str, text: str) -> int:
    """Where the term starts a word in `text` (lowercase), or -1."""
    tail = r"(?![\w.])" if len(term) <= 4 else ""
    m = re.search(rf"(?<![\w.]){re.escape(term)}{tail}", text)
    return m.start() if m else -1


def _belongs(actor: str, terms: list[str], speaker: str, role: str | None) -> bool:
    """Whether a speaker speaks for the actor. For a known institution the earliest affiliation named
    wins: "United States ambassador to the UN" speaks for the US, "Ukrainian Foreign Ministry spokesman"
    for Ukraine."""
    text = f"{speaker} | {role or ''}".lower()
    hits = [(pos, t) for t in terms if (pos := _term_at(t, text)) >= 0]
    if not hits:
        return False
    group = _ACTOR_KEYS.get(actor.lower().strip())
    if group is None:
        return True
    mine = min(pos for pos, _ in hits)
    for other, other_terms in _ALIASES.items():
        if other == group or set(other_terms) & {t for _, t in hits if t not in _GENERIC_TERMS}:
            continue
        positions = [p for t in other_terms if t not in _GENERIC_TERMS and (p := _term_at(t, text)) >= 0]
        if positions and min(positions) < mine:
            return False
        if positions and all(t in _GENERIC_TERMS for _, t in hits):
            return False
    return True


# ---- the timeline ---------------------------------------------------------------------------------------


@dataclass(slots=True)
class _Entry:
    """One statement as shown: possibly reported by several outlets."""

    speaker: str  # group key
    statement: Statement
    sources: list[tuple[Statement, ChunkRecord]] = field(default_factory=list)
    score: float = 0.0


class StanceService:
    def __init__(self, library: Library, searcher: Searcher) -> None:
        self.library = library
        self.searcher = searcher

    async def timeline(
        self, actor: str, topic: str | None = None, *, filters: SearchFilters | None = None, limit: int = 20
    ) -> Briefing:
        terms = actor_terms(actor)
        if not terms:
            return _not_found()
        rows = await self.library.statements(speaker_terms=terms, filters=filters, limit=max(500, limit * 25))
        rows = [(s, r) for s, r in rows if _belongs(actor, terms, s.speaker, s.role)]
        if not rows:
            return _not_found()
        scores = await self._relevance(rows, topic) if topic else [0.0] * len(rows)
        kept = [(s, r, score) for (s, r), score in zip(rows, scores, strict=True) if not topic or score >= 0]
        if not kept:
            return _not_found()
        groups = _speaker_groups([s for s, _, _ in kept])
        entries = _merge([(s, r, score, groups[id(s)]) for s, r, score in kept])
        if topic:
            entries.sort(key=lambda e: e.score, reverse=True)
        else:
            entries.sort(key=lambda e: _when(e.statement) or datetime.min, reverse=True)
        entries = entries[:limit]
        return _write(entries, actor, topic, _display_names([s for s, _, _ in kept], groups))

    async def _relevance(self, rows: list[tuple[Statement, ChunkRecord]], topic: str) -> list[float]:
        """Similarity of each statement (and the paragraph and headline around it) to the topic, or -1 when
        it is clearly about something else."""
        contexts: dict[int, str] = {}
        for article_id in {s.article_id for s, _ in rows}:
            article = await self.library.get_article(article_id)
            contexts[article_id] = article.text if article else ""
        pieces = []
        for statement, record in rows:
            pieces.append((statement.sentence, _paragraph(contexts[statement.article_id], statement.sentence),
                           record.title))  # fmt: skip
        unique = list(dict.fromkeys([topic, *(text for triple in pieces for text in triple if text)]))
        vectors = await self.searcher.embedder.sentence_model().embed(unique)
        index = {text: i for i, text in enumerate(unique)}
        query = vectors[0]

        def cosine(text: str) -> float:
            return float(np.dot(vectors[index[text]], query)) if text else 0.0

        stems = _stems(topic)
        scores = []
        for sentence, paragraph, title in pieces:
            dense = max(
                _SENTENCE_WEIGHT * cosine(sentence), _PARAGRAPH_WEIGHT * cosine(paragraph),
                _TITLE_WEIGHT * cosine(title),
            )  # fmt: skip
            lexical = _overlap(stems, f"{sentence} {paragraph} {title}")
            score = dense + _LEXICAL_WEIGHT * lexical
            scores.append(score if score >= RELEVANCE_THRESHOLD else -1.0)
        return scores


def _not_found() -> Briefing:
    return Briefing(answer=NOT_FOUND_ANSWER, found=False, kind="stance")


def _paragraph(text: str, sentence: str) -> str:
    probe = " ".join(sentence.split())[:60]
    for paragraph in re.split(r"\n\s*\n", text):
        if probe in " ".join(paragraph.split()):
            return " ".join(paragraph.split())
    return ""


def _stems(text: str) -> set[str]:
    return {w[:5] for w in re.findall(r"\w+", text.lower()) if len(w) >= 3 and w not in _STOPWORDS}


def _overlap(stems: set[str], text: str) -> float:
    if not stems:
        return 0.0
    return len(stems & _stems(text)) / len(stems)


def _when(statement: Statement) -> datetime | None:
    return statement.said_on


# ---- speakers and duplicates ------------------------------------------------------------------------------


def _person_key(name: str) -> tuple[str, str] | None:
    words = re.findall(r"[\w'’-]+", name.lower())
    return (words[-1], words[0][:1]) if len(words) >= 2 else None


def _speaker_groups(statements: list[Statement]) -> dict[int, str]:
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


def _display_names(statements: list[Statement], groups: dict[int, str]) -> dict[str, tuple[str, str | None]]:
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


def _words(text: str) -> list[str]:
    return re.findall(r"\w+", text.lower())


def _same_statement(a: Statement, b: Statement) -> bool:
    """The same words reported by two outlets, give or take punctuation and a few words."""
    wa, wb = _words(a.text), _words(b.text)
    if not wa or not wb:
        return False
    if wa == wb:
        return True
    shorter, longer = sorted((wa, wb), key=len)
    if len(shorter) >= 4 and " ".join(shorter) in " ".join(longer):
        return True
    sa, sb = set(wa), set(wb)
    return len(sa & sb) / len(sa | sb) >= 0.8


def _merge(items: list[tuple[Statement, ChunkRecord, float, str]]) -> list[_Entry]:
    entries: list[_Entry] = []
    for statement, record, score, group in items:
        twin = next(
            (e for e in entries if e.speaker == group and _same_statement(e.statement, statement)
             and _same_time(e.statement.said_on, statement.said_on)),
            None,
        )  # fmt: skip
        if twin is None:
            entries.append(_Entry(group, statement, [(statement, record)], score))
            continue
        if all(r.article_id != record.article_id for _, r in twin.sources):
            twin.sources.append((statement, record))
        twin.score = max(twin.score, score)
        dates = [d for d in (twin.statement.said_on, statement.said_on) if d is not None]
        if statement.kind == "quote" and twin.statement.kind != "quote":
            twin.statement = statement
        # A follow-up report often dates the words by its own publication day; the first report is right.
        twin.statement = replace(twin.statement, said_on=min(dates) if dates else None)
    return entries


def _same_time(a: datetime | None, b: datetime | None) -> bool:
    return a is None or b is None or abs(a - b) <= SAME_EVENT


# ---- writing ----------------------------------------------------------------------------------------------


def _day(value: datetime | None) -> str:
    return f"{value.day} {value:%b %Y}" if value else "undated"


def _line(entry: _Entry) -> str:
    s = entry.statement
    if s.kind == "quote":
        return "“" + s.text.strip(' “”"') + "”"
    return reported(s.text) if opens_with_verb(s.text) else f"said {s.text}"


def _write(
    entries: list[_Entry], actor: str, topic: str | None, names: dict[str, tuple[str, str | None]]
) -> Briefing:
    by_speaker: dict[str, list[_Entry]] = {}
    for entry in entries:
        by_speaker.setdefault(entry.speaker, []).append(entry)
    for said in by_speaker.values():
        said.sort(key=lambda e: (e.statement.said_on is None, e.statement.said_on or datetime.min))
    order = sorted(
        by_speaker,
        key=lambda g: (-len(by_speaker[g]), by_speaker[g][0].statement.said_on or datetime.max, names[g][0]),
    )
    citations: list[Citation] = []
    # One number per article, as in answers: the reader sees sources, not sentences. The citation quotes the
    # sentence of the first statement that cites it.
    numbers: dict[int, int] = {}
    blocks: list[str] = []
    for group in order:
        name, role = names[group]
        lines = [f"## {name} ({role})" if role else f"## {name}"]
        for entry in by_speaker[group]:
            refs = []
            sources = sorted(
                entry.sources, key=lambda sr: (sr[1].published or datetime.max, sr[1].article_id)
            )
            for statement, record in sources:
                key = record.article_id
                if key not in numbers:
                    numbers[key] = len(citations) + 1
                    citations.append(
                        Citation(
                            n=numbers[key],
                            article_id=record.article_id,
                            url=record.url,
                            title=record.title,
                            outlet=record.outlet,
                            published=record.published,
                            quote=statement.sentence,
                        )
                    )
                refs.append(f"[{numbers[key]}]")
            lines.append(f"{_day(entry.statement.said_on)} — {_line(entry)} {''.join(dict.fromkeys(refs))}")
        blocks.append("\n".join(lines))
    dated = sorted(e.statement.said_on for e in entries if e.statement.said_on)
    overview = (
        f"{len(entries)} statement{'s' if len(entries) != 1 else ''} by {len(by_speaker)} "
        f"speaker{'s' if len(by_speaker) != 1 else ''}"
    )
    if dated and dated[0] != dated[-1]:
        overview += f" between {_day(dated[0])} and {_day(dated[-1])}."
    elif dated:
        overview += f" on {_day(dated[0])}."
    else:
        overview += "."
    points = [(e.statement.said_on, names[e.speaker][0]) for e in entries if e.statement.said_on]
    title = f"{actor} on {topic}" if topic else f"Statements: {actor}"
    chart = statements_chart(points, title) if len(points) >= 2 else None
    return Briefing(
        answer="\n\n".join([overview, *blocks]),
        found=True,
        citations=citations,
        kind="stance",
        chart_png=chart,
    )
