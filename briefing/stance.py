"""Position questions ("What is the Kremlin's stance on the annexed regions?") answered with dated,
attributed statements, grouped by speaker and ordered by date, each naming and citing the outlets that
reported it.

Everything here is offline: statements come from the library (extracted at ingestion); each is read in its
article, so a quote that leans on the sentence before it is shown with that sentence (quote_context.py); its
relevance to the topic comes from the local embedder and from what the topic covers (topics.py). Rows and
their text are built in timeline.py; the LLM summary above them, when there is one, in stance_summary.py.
"""

from __future__ import annotations

import asyncio
import functools
import re
from dataclasses import dataclass
from datetime import datetime

from briefing._stance_slavic import parse_slavic_stance
from briefing.citations import SentenceEmbeddings
from briefing.quote_context import context_before, leans, proper_nouns, sentence_before
from briefing.timeline import Row, display_names, merge_outlets, speaker_groups, write
from briefing.topics import expand, find_terms, table_vectors
from briefing.types import NOT_FOUND_ANSWER, Briefing
from retrieval.search import Searcher
from retrieval.statements import article_sentences
from retrieval.store import ChunkRecord, Library, SearchFilters, Statement
from retrieval.text import STOPWORDS, fold_words, romanisations, romanise, same_person, script_of

__all__ = [
    "StanceQuery", "StanceService", "Timeline", "actor_terms", "is_stance_question", "parse_stance_question",
    "speaks_for",
]  # fmt: skip

# Who speaks for an institution or country. Terms match the start of a word in a speaker's name or role
# ("ukrain" matches "Ukrainian"); the short ones must match a whole word.
# Speakers and roles in Cyrillic are matched in their romanised form (retrieval.text.romanise), hence the
# romanised Russian and Ukrainian stems: Кремль "kreml", России "rossii", Росії "rosii", Москва "moskv".
_ALIASES: dict[str, tuple[str, ...]] = {
    "kremlin": (
        "kremlin", "peskov", "putin", "presidential", "lavrov", "ushakov", "zakharova", "russian president",
        "russian foreign minist", "kreml",
    ),
    "russia": (
        "russia", "kremlin", "lavrov", "peskov", "putin", "moscow", "foreign ministry", "medvedev", "ushakov",
        "zakharova", "nebenzya", "shoigu", "kreml", "rossii", "rossiya", "rossiysk", "rosii", "rosiia",
        "rosiisk", "moskv",
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
    # The same actors asked in Russian or Ukrainian (/stance Кремль).
    "кремль": "kremlin", "россия": "russia", "росія": "russia", "москва": "russia", "украина": "ukraine",
    "україна": "ukraine", "киев": "ukraine", "київ": "ukraine", "сша": "us", "вашингтон": "us",
    "белый дом": "us", "білий дім": "us", "ес": "eu", "єс": "eu", "евросоюз": "eu", "євросоюз": "eu",
    "брюссель": "eu", "оон": "un", "нато": "nato",
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
_CYRILLIC = re.compile(r"[\u0400-\u04FF]")
_NOT_ACTORS = frozenset(
    """you i we they he she it this that people anyone everyone someone article report text story news
    document study paper source sources author writer media press public world bot""".split()
)
# Relevance of a row to the topic (MiniLM cosines with the topic): its own words and the context they lean
# on count in full, the sentences and the headline around them slightly less. Words that name something the
# topic covers (briefing/topics.py) add a bonus, half as much when only the reporter's sentence or headline
# names it. Words that name only another subject the table knows get half the weight of their surroundings
# and a penalty. Below the threshold the row is left out. Chosen on bench/stance.py (README, "Stance
# timelines"): a plateau of the grid, not its single best point.
RELEVANCE_THRESHOLD = 0.35
_CONTEXT_WEIGHT, _SENTENCE_WEIGHT, _TITLE_WEIGHT = 1.0, 0.9, 0.8
_TERM_BONUS, _FRAME_TERM_BONUS = 0.3, 0.15
_ELSEWHERE_FACTOR, _ELSEWHERE_PENALTY = 0.5, 0.1
_FOLLOW_FACTOR = 0.8
# A row or a topic in another script than Latin (a Russian statement, a topic asked in Ukrainian) is beyond
# the sentence model, which reads English only: its cosines across scripts are noise around zero, and between
# two Cyrillic texts high whatever they say. It is judged on the topic's terms alone (briefing/_topic_stems.py
# has the Russian and Ukrainian ones), as if its cosine were this: enough with a term in its own words (+0.3)
# or in its sentence and headline (+0.15), not without.
_UNREADABLE_COSINE = 0.2


@dataclass(slots=True)
class StanceQuery:
    actor: str
    topic: str | None
    terms: list[str]


def parse_stance_question(question: str) -> StanceQuery | None:
    """The actor and topic of a question about someone's position, or None for any other question. Asked
    in Russian or Ukrainian, it is read by their patterns (briefing/_stance_slavic.py), the actor given back
    in the nominative."""
    text = " ".join(question.strip().rstrip("?!. ").split())
    if _CYRILLIC.search(text):
        found = parse_slavic_stance(text)
        if found is None:
            return None
        return StanceQuery(actor=found[0], topic=found[1], terms=actor_terms(found[0]))
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
    words = [w for w in re.findall(r"[\w.'’-]+", actor.lower()) if w not in STOPWORDS]
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
    for Ukraine. Anyone else asked about is a person (the speaker, by `same_person`) or a body their role
    names. Names and roles in Cyrillic are read romanised, with a г read as g and as h ("Сибига" is Sybiha),
    and terms and text are folded as name keys are (y and i one letter: "Podoliak" is "podolyak")."""
    group = _ACTOR_KEYS.get(actor.lower().strip())
    if group is None and same_person(actor, speaker):
        return True
    # Not the speaker: a body their role names ("Pentagon spokesman").
    subject = f"{speaker} | {role or ''}" if group is not None else role or ""
    return any(_affiliated(group, terms, fold_words(text)) for text in romanisations(subject))


@functools.lru_cache(maxsize=1024)
def _folded(term: str) -> str:
    return fold_words(romanise(term))


def _affiliated(group: str | None, terms: list[str], text: str) -> bool:
    hits = [(pos, t) for t in terms if (pos := _term_at(_folded(t), text)) >= 0]
    if not hits:
        return False
    if group is None:
        return True
    mine = min(pos for pos, _ in hits)
    for other, other_terms in _ALIASES.items():
        if other == group or set(other_terms) & {t for _, t in hits if t not in _GENERIC_TERMS}:
            continue
        positions = [
            p for t in other_terms if t not in _GENERIC_TERMS and (p := _term_at(_folded(t), text)) >= 0
        ]
        if positions and min(positions) < mine:
            return False
        if positions and all(t in _GENERIC_TERMS for _, t in hits):
            return False
    return True


def speaks_for(actor: str, statement: Statement) -> bool:
    """Whether a statement's speaker speaks for the actor: the one matching rule the timeline and the watches
    share (`actor_terms` finds the candidates, `_belongs` settles affiliations). A person asked about is
    the speaker by `retrieval.text.same_person`, in any script and romanisation ("Peskov" is "Дмитрий
    Песков" and "Пєсков", not "Пескова")."""
    terms = actor_terms(actor)
    return bool(terms) and _belongs(actor, terms, statement.speaker, statement.role)


# ---- the timeline ---------------------------------------------------------------------------------------


@dataclass(slots=True)
class Timeline:
    rows: list[Row]
    names: dict[str, tuple[str, str | None]]  # speaker group -> display name and role
    briefing: Briefing


@dataclass(slots=True)
class _Article:
    title: str
    sentences: list[str]
    where: dict[str, int]  # sentence -> its first position
    names: frozenset[str] = frozenset()  # its proper nouns, lowercased


class StanceService:
    def __init__(
        self, library: Library, searcher: Searcher, *, embeddings: SentenceEmbeddings | None = None
    ) -> None:
        self.library = library
        self.searcher = searcher
        # Sentences are compared on the model the thresholds below were set for (MiniLM in the ensemble),
        # through a cache: the same statements, headlines and topic names come back question after question.
        self.embeddings = embeddings or SentenceEmbeddings(searcher.embedder.sentence_model(), store=library)

    async def prepare(self, actor: str, topic: str, *, filters: SearchFilters | None = None) -> None:
        """Do now what the first timeline or watch check of this actor and topic would: the topic table
        embedded, the topic's own vector, and the vectors of what the actor said that the library does not
        store (the context a statement leans on). They stay in `embeddings` for the checks to come."""
        await table_vectors(self.embeddings)
        await self.rows(actor, topic, filters=filters, limit=1)

    async def timeline(
        self, actor: str, topic: str | None = None, *, filters: SearchFilters | None = None, limit: int = 20
    ) -> Briefing:
        found = await self.build(actor, topic, filters=filters, limit=limit)
        return found.briefing if found is not None else _not_found()

    async def build(
        self, actor: str, topic: str | None = None, *, filters: SearchFilters | None = None, limit: int = 20
    ) -> Timeline | None:
        """The timeline as rows and as written text; None when nothing is on record."""
        rows = await self.rows(actor, topic, filters=filters, limit=limit)
        if rows is None:
            return None
        statements = [p for row in rows for p in row.parts]
        names = display_names(statements, {id(p): row.group for row in rows for p in row.parts}, actor)
        # Drawing the chart takes tens of milliseconds of CPU: off the event loop, where every other chat's
        # answer waits for it.
        return Timeline(rows, names, await asyncio.to_thread(write, rows, actor, topic, names))

    async def rows(
        self, actor: str, topic: str | None = None, *, filters: SearchFilters | None = None, limit: int = 20
    ) -> list[Row] | None:
        """The timeline's rows, best first when there is a topic, newest first otherwise; None when nothing
        the actor's people said (about the topic) is on record."""
        terms = actor_terms(actor)
        if not terms:
            return None
        found = await self.library.statements(
            speaker_terms=terms, filters=filters, limit=max(500, limit * 25)
        )
        found = [(s, r) for s, r in found if _belongs(actor, terms, s.speaker, s.role)]
        if not found:
            return None
        groups = speaker_groups([s for s, _ in found])
        articles = {a: await self._article(a) for a in dict.fromkeys(s.article_id for s, _ in found)}
        rows = self._read(found, groups, articles)
        if topic:
            scores = await self._relevance(rows, topic, actor, articles)
            rows = [row for row, score in zip(rows, scores, strict=True) if score >= 0]
            for row, score in zip(rows, [s for s in scores if s >= 0], strict=True):
                row.score = score
        if not rows:
            return None
        rows = merge_outlets(rows)
        if topic:
            rows.sort(key=lambda r: r.score, reverse=True)
        else:
            rows.sort(key=lambda r: r.said_on or datetime.min, reverse=True)
        return rows[:limit]

    async def _article(self, article_id: int) -> _Article:
        article = await self.library.get_article(article_id)
        if article is None:
            return _Article("", [], {})
        sentences = article_sentences(article)
        where: dict[str, int] = {}
        for i, sentence in enumerate(sentences):
            where.setdefault(sentence, i)
        return _Article(article.title, sentences, where, proper_nouns(" ".join(sentences)))

    def _read(
        self,
        found: list[tuple[Statement, ChunkRecord]],
        groups: dict[int, str],
        articles: dict[int, _Article],
    ) -> list[Row]:
        """One row per sentence and speaker. A statement that leans on what came before joins the row of
        its speaker's sentence it leans on, or carries the reporter's sentence as context; with nothing to
        lean on it is left out."""
        at: dict[int, int | None] = {
            id(s): articles[s.article_id].where.get(" ".join(s.sentence.split())) for s, _ in found
        }
        rows: list[Row] = []
        by_sentence: dict[tuple[int, int, str], Row] = {}  # (article, sentence, speaker) -> its row
        ordered = sorted(found, key=lambda sr: (sr[0].article_id, _order(at[id(sr[0])]), sr[0].id or 0))
        for statement, record in ordered:
            group, where = groups[id(statement)], at[id(statement)]
            here = by_sentence.get((statement.article_id, where, group)) if where is not None else None
            if here is not None:  # the same speaker earlier in the same sentence
                here.parts.append(statement)
                continue
            row = Row(group, [statement], record)
            article = articles[statement.article_id]
            if leans(statement.text, article.names):
                context = context_before(article.sentences, where, article.title)
                if context is None:
                    continue  # nothing to lean on: never shown alone
                lead = (
                    by_sentence.get((statement.article_id, context.index, group))
                    if context.index is not None else None
                )  # fmt: skip
                if lead is not None:  # its own speaker's sentence before: one row
                    lead.parts.append(statement)
                    row = lead
                else:
                    row.context = context.text
                    rows.append(row)
            else:
                rows.append(row)
            if where is not None:
                by_sentence[(statement.article_id, where, group)] = row
                before = sentence_before(articles[statement.article_id].sentences, where)
                if before is not None and row.follows is None:
                    previous = by_sentence.get((statement.article_id, before, group))
                    row.follows = previous if previous is not row else None
        return rows

    async def _relevance(
        self, rows: list[Row], topic: str, actor: str, articles: dict[int, _Article]
    ) -> list[float]:
        """How much each row is about the topic, or -1 when it is clearly about something else.

        The row's own words and the context they lean on count in full; the sentences around the words and
        the headline count a little less, and only half when the words name another subject the table knows
        and nothing the topic covers ("foreign peacekeepers" in an article about the annexed regions).
        """
        expansion = await expand(topic, actor, self.embeddings)
        # Statements' words, sentences and titles are stored with their vectors (briefing.embeddings).
        await self.embeddings.statements(
            [(p, articles[p.article_id].title) for row in rows for p in row.parts]
        )
        own = [row.text for row in rows]
        sentences = [" ".join(dict.fromkeys(p.sentence for p in row.parts)) for row in rows]
        contexts = [row.context or "" for row in rows]
        titles = [articles[row.parts[0].article_id].title for row in rows]
        unique = list(dict.fromkeys(t for t in [topic, *own, *sentences, *contexts, *titles] if t))
        vectors = await self.embeddings.vectors(unique)
        index = {text: i for i, text in enumerate(unique)}

        def cosine(text: str) -> float:
            return float(vectors[index[text]] @ vectors[0]) if text else 0.0

        scores: dict[int, float] = {}
        topic_script = script_of(topic)
        for row, text, sentence, context, title in zip(rows, own, sentences, contexts, titles, strict=True):
            said = max(cosine(text), _CONTEXT_WEIGHT * cosine(context))
            around = max(_SENTENCE_WEIGHT * cosine(sentence), _TITLE_WEIGHT * cosine(title))
            if topic_script not in (None, "Latn") or script_of(text) not in (None, "Latn"):
                said = around = _UNREADABLE_COSINE
            elsewhere = bool(find_terms(expansion.others, text))
            covered = bool(find_terms(expansion.terms, text)) or (
                not elsewhere and bool(find_terms(expansion.terms, context))
            )
            if elsewhere and not covered:
                score = max(said, _ELSEWHERE_FACTOR * around) - _ELSEWHERE_PENALTY
            else:
                if covered:
                    score = max(said, around) + _TERM_BONUS
                else:
                    framed = bool(find_terms(expansion.terms, f"{sentence} {title}"))
                    score = max(said, around) + (_FRAME_TERM_BONUS if framed else 0.0)
                # A speaker's next sentence goes on with the same subject unless it names another one.
                if row.follows is not None and id(row.follows) in scores:
                    score = max(score, _FOLLOW_FACTOR * scores[id(row.follows)])
            scores[id(row)] = score
        return [s if (s := scores[id(row)]) >= RELEVANCE_THRESHOLD else -1.0 for row in rows]


def _order(position: int | None) -> int:
    return position if position is not None else 10**9


def _not_found() -> Briefing:
    return Briefing(answer=NOT_FOUND_ANSWER, found=False, kind="stance")
