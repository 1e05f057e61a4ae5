"""What a stance topic covers: the words a statement on it may use instead of the topic's own.

People ask about "the annexed regions"; officials talk about Crimea, Donetsk, "the new regions" or "the
current front line". Word overlap with the question misses those statements and a sentence embedding of a
two-word topic scores them low, so a topic is expanded before statements are matched against it.

`COVERS` is a curated table of subjects that recur in news about governments' positions (the war in Ukraine
and its diplomacy first, then trade and a few other conflicts). Each entry has the names people use when
they ask about the subject and the terms a statement on it uses in their place: places, institutions, the
officials' own phrases ("new regions"), and the concrete things the subject is made of (a ceasefire is a
"truce", a "halt to the fighting"). Terms that are as common in other subjects are left out ("measures",
"package", "agreement"), because a term found in a statement counts as evidence on its own.

A topic picks the entries whose name it contains (all of the name's words, the actor's words counted too:
asked of NATO, "Ukraine's membership" is "NATO membership"), or whose name it is close to in meaning.
Topics the table does not know get no expansion and are matched on their own words and meaning.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

import numpy as np

from briefing._topic_stems import STEMS
from briefing.citations import SentenceEmbeddings
from retrieval.text import STOPWORDS

__all__ = ["COVERS", "Cover", "TopicTerms", "compile_terms", "expand", "find_terms", "table_vectors"]


@dataclass(frozen=True, slots=True)
class Cover:
    names: tuple[str, ...]
    terms: tuple[str, ...]


COVERS: tuple[Cover, ...] = (
    Cover(
        names=("annexed regions", "annexed territories", "occupied territories", "occupied regions",
               "occupied land", "new regions", "annexation", "territorial concessions", "territory",
               "territories", "land", "borders", "territorial integrity", "crimea", "donbas"),
        terms=("crimea", "sevastopol", "donetsk", "luhansk", "zaporizhzhia", "kherson", "donbas",
               "new regions", "four regions", "five regions", "territory", "territories", "territorial",
               "land", "front", "front line", "frontline", "front lines", "frontlines", "line of contact",
               "annexed", "annexation", "occupied", "occupation", "occupy", "referendum", "referendums",
               "borders"),
    ),
    Cover(
        names=("ceasefire", "cease-fire", "truce", "armistice", "cessation of hostilities",
               "halt to the fighting", "end of the fighting"),
        terms=("ceasefire", "cease-fire", "truce", "armistice", "cessation of hostilities",
               "halt the fighting", "halt to the fighting", "stop the fighting", "stop fighting",
               "end the fighting", "end to the fighting", "freeze the conflict", "frozen conflict",
               "pause in the fighting", "halt strikes", "halt attacks", "halt to strikes",
               "partial ceasefire", "moratorium"),
    ),
    Cover(
        names=("peacekeepers", "peacekeeping", "peacekeeping force", "foreign troops", "reassurance force",
               "troops in ukraine", "western troops", "european troops"),
        terms=("peacekeepers", "peacekeeping", "foreign troops", "western troops", "european troops",
               "send troops", "sending troops", "send soldiers", "sending soldiers", "contingent",
               "reassurance force", "boots on the ground", "coalition of the willing", "military presence",
               "deployment", "deploy", "deploying", "deployed", "security guarantee", "security guarantees"),
    ),
    Cover(
        names=("security guarantees", "security guarantee", "guarantees"),
        terms=("security guarantee", "security guarantees", "guarantee", "guarantees", "reassurance force",
               "peacekeepers", "article 5", "foreign troops", "deterrent"),
    ),
    Cover(
        names=("sanctions", "embargo", "price cap", "export controls", "frozen assets", "asset freeze",
               "restrictions"),
        terms=("sanctions", "sanction", "sanctioned", "restrictions", "restrictive measures",
               "measures against", "embargo", "price cap", "shadow fleet", "blacklist", "blacklisted",
               "asset freeze", "frozen assets", "immobilised assets", "immobilized assets", "export controls",
               "secondary sanctions"),
    ),
    Cover(
        names=("minerals deal", "minerals agreement", "mineral deal", "minerals", "rare earths", "rare earth",
               "critical minerals", "natural resources", "mineral resources", "resources deal"),
        terms=("minerals", "mineral", "rare earths", "rare earth", "rare-earth", "natural resources",
               "mineral resources", "critical minerals", "lithium", "titanium", "investment fund", "subsoil",
               "resources"),
    ),
    Cover(
        names=("nato membership", "nato accession", "joining nato", "nato bid", "accession to nato",
               "membership in nato", "nato enlargement", "neutrality"),
        terms=("membership", "join nato", "joining nato", "accession to nato", "nato accession", "invitation",
               "open door", "neutrality", "neutral status", "non-aligned", "out of nato", "enlargement",
               "irreversible path", "bucharest"),
    ),
    Cover(
        names=("eu membership", "eu accession", "joining the eu", "european integration", "accession talks",
               "membership in the eu", "eu enlargement"),
        terms=("membership", "accession", "candidate status", "negotiating cluster", "cluster", "enlargement",
               "join the eu", "joining the eu", "european integration", "copenhagen criteria"),
    ),
    Cover(
        names=("peace talks", "negotiations", "talks", "peace process", "peace deal", "peace plan",
               "settlement", "peace agreement", "diplomacy"),
        terms=("talks", "negotiations", "negotiate", "negotiating", "negotiators", "settlement", "peace deal",
               "peace agreement", "peace plan", "peace process", "delegation", "delegations", "summit",
               "dialogue", "mediation", "mediator", "round of talks", "memorandum"),
    ),
    Cover(
        names=("prisoner exchange", "prisoner swap", "prisoners of war", "pows", "prisoners", "captives"),
        terms=("prisoners", "prisoner", "pows", "pow", "captives", "captured soldiers", "prisoner exchange",
               "prisoner swap", "repatriation", "bodies of fallen"),
    ),
    Cover(
        names=("kursk", "kursk incursion", "kursk operation", "kursk offensive", "kursk region"),
        terms=("kursk", "sudzha", "incursion", "cross-border", "belgorod"),
    ),
    Cover(
        names=("zaporizhzhia nuclear plant", "nuclear plant", "nuclear power plant", "nuclear safety",
               "znpp"),
        terms=("nuclear plant", "nuclear power plant", "reactor", "reactors", "iaea", "rosatom", "enerhodar",
               "nuclear safety", "cooling"),
    ),
    Cover(
        names=("nuclear weapons", "nuclear doctrine", "nuclear threats", "nuclear deterrence",
               "nuclear arms"),
        terms=("nuclear weapons", "nuclear weapon", "nuclear doctrine", "warheads", "deterrence",
               "nuclear arsenal", "tactical nuclear", "nuclear strike", "new start", "arms control"),
    ),
    Cover(
        names=("energy infrastructure", "energy strikes", "power grid", "energy facilities", "energy truce"),
        terms=("energy infrastructure", "energy facilities", "energy sites", "power grid", "power plants",
               "power stations", "substations", "blackouts", "electricity", "refineries", "refinery"),
    ),
    Cover(
        names=("grain deal", "grain exports", "black sea", "black sea shipping", "grain corridor",
               "black sea initiative"),
        terms=("grain", "black sea", "ports", "shipping", "odesa", "navigation", "corridor", "vessels",
               "fertiliser", "fertilizer", "ammonia"),
    ),
    Cover(
        names=("military aid", "weapons", "arms supplies", "weapons deliveries", "aid to ukraine", "arms",
               "military assistance"),
        terms=("weapons", "arms", "military aid", "military assistance", "missiles", "air defence",
               "air defense", "patriot", "tanks", "f-16", "ammunition", "shells", "artillery", "long-range",
               "tomahawk", "atacms", "storm shadow", "taurus", "arms deliveries"),
    ),
    Cover(
        names=("defence spending", "defense spending", "military spending", "defence budgets",
               "defense budgets", "military budgets", "burden sharing"),
        terms=("spending", "budget", "budgets", "gdp", "economic output", "military expenditure", "rearm",
               "rearmament", "defence investment", "defense investment", "burden sharing", "percent of"),
    ),
    Cover(
        names=("tariffs", "trade war", "trade", "duties", "trade deal", "trade talks", "import taxes"),
        terms=("tariffs", "tariff", "duties", "levies", "trade war", "import taxes", "trade deal",
               "trade talks", "customs", "reciprocal", "trade deficit", "exports", "imports"),
    ),
    Cover(
        names=("gas supplies", "gas transit", "gas", "oil", "energy exports", "pipelines", "oil and gas"),
        terms=("gas", "pipeline", "pipelines", "transit", "lng", "oil", "crude", "turkstream", "nord stream",
               "barrels", "gazprom", "energy exports"),
    ),
    Cover(
        names=("economy", "inflation", "interest rates", "economic growth", "monetary policy", "recession"),
        terms=("economy", "economic growth", "inflation", "interest rate", "interest rates", "central bank",
               "recession", "unemployment", "federal reserve", "monetary policy", "budget deficit"),
    ),
    Cover(
        names=("elections", "election", "legitimacy", "martial law"),
        terms=("elections", "election", "vote", "ballot", "legitimacy", "legitimate president", "martial law",
               "mandate", "polls"),
    ),
    Cover(
        names=("gaza", "hostages", "gaza ceasefire", "hamas"),
        terms=("gaza", "hamas", "hostages", "hostage", "rafah", "humanitarian aid", "israel", "israeli"),
    ),
    Cover(
        names=("taiwan", "taiwan strait", "reunification"),
        terms=("taiwan", "taipei", "strait", "reunification", "one china", "independence"),
    ),
    Cover(
        names=("iran nuclear deal", "iran nuclear programme", "iran nuclear program", "uranium enrichment",
               "jcpoa"),
        terms=("enrichment", "enriched uranium", "uranium", "iaea", "jcpoa", "centrifuges", "snapback",
               "nuclear programme", "nuclear program"),
    ),
)  # fmt: skip

# Each entry also takes its Russian and Ukrainian stems (briefing/_topic_stems.py).
COVERS = tuple(Cover(c.names, (*c.terms, *STEMS.get(c.names[0], ()))) for c in COVERS)

# A topic's embedding this close to one of an entry's names (MiniLM cosine) takes that entry's terms too:
# "the occupied land" is "occupied territories", "rare earth deal" the minerals deal.
NAME_COSINE = 0.75


@dataclass(frozen=True, slots=True)
class TopicTerms:
    """A topic and what it covers: the phrases to embed and the terms whose mention counts as on-topic."""

    topic: str
    names: tuple[str, ...]  # the topic and the names of the entries it took
    terms: tuple[str, ...]  # the topic's own content words and the entries' terms
    # The terms of the subjects the topic did not take: a statement naming one of them (and nothing the
    # topic covers) is about something else, whatever the article around it is about.
    others: tuple[str, ...] = ()


def _stem(word: str) -> str:
    word = word.lower().strip("'’-")
    for suffix in ("'s", "’s", "ies", "es", "s"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            return word[: -len(suffix)] + ("y" if suffix == "ies" else "")
    return word


def _stems(text: str) -> set[str]:
    return {_stem(w) for w in re.findall(r"[\w'’-]+", text.lower()) if w not in STOPWORDS}


# Every name of the table, in order, with its entry.
_TABLE_NAMES: tuple[tuple[Cover, str], ...] = tuple((cover, name) for cover in COVERS for name in cover.names)


def compile_terms() -> int:
    """Compile the patterns of every term of the table now (a few hundred; `_term_pattern` keeps them): the
    first stance question with a topic tests them all and otherwise compiles them itself (about 0.15 s). The
    number of terms."""
    terms = {t for cover in COVERS for t in cover.terms}
    for term in terms:
        _term_pattern(term)
    return len(terms)


async def table_vectors(embeddings: SentenceEmbeddings) -> np.ndarray:
    """The table's names embedded, one row per name of `_TABLE_NAMES`: once per process and sentence model
    (`SentenceEmbeddings.kept`). It was most of the cost of a topic's first watch check or stance question
    (156 names, 0.4-0.6 s on a loaded 2-core machine), and the bot does it at start and at /watch instead."""
    return await embeddings.kept([name for _, name in _TABLE_NAMES])


async def expand(topic: str, actor: str, embeddings: SentenceEmbeddings | None = None) -> TopicTerms:
    """The topic with the table entries it names (or is close to in meaning) folded in."""
    asked = _stems(topic)
    with_actor = asked | _stems(actor)
    matched: dict[int, set[str]] = {}  # entry -> the topic's stems its best-fitting name accounts for
    for number, cover in enumerate(COVERS):
        for name in cover.names:
            stems = _stems(name)
            fits = stems & asked
            if stems and stems <= with_actor and fits and len(fits) > len(matched.get(number, ())):
                matched[number] = fits
    # "trade talks" is about trade: an entry that accounts for fewer of the topic's words gives way.
    chosen = [
        COVERS[n] for n, stems in matched.items() if not any(stems < other for other in matched.values())
    ]
    if _CYRILLIC.search(topic):
        # A topic asked in Russian or Ukrainian ("новым регионам", "перемир'я") takes the entries whose word
        # beginnings it holds; the table's names are English, and so is the sentence model.
        chosen += [c for c in COVERS if c not in chosen and find_terms(_cyrillic_terms(c), topic)]
    if embeddings is not None and not _CYRILLIC.search(topic):
        table = await table_vectors(embeddings)
        # The names of the entries not taken yet, in the table's order.
        rows = [n for n, (cover, _) in enumerate(_TABLE_NAMES) if cover not in chosen]
        close = table[rows] @ await embeddings.own(topic)
        for index in np.argsort(-close):
            if close[index] < NAME_COSINE:
                break
            cover = _TABLE_NAMES[rows[int(index)]][0]
            if cover not in chosen:
                chosen.append(cover)
    # The topic's own words count as terms only for a subject the table does not know: "deal" in "minerals
    # deal" would match "deal with the root causes".
    own = [_own_term(w) for w in re.findall(r"[\w'’-]+", topic.lower()) if w not in STOPWORDS and len(w) >= 3]
    terms = tuple(dict.fromkeys(t for cover in chosen for t in cover.terms)) if chosen else tuple(own)
    names_taken = tuple(dict.fromkeys([topic, *(cover.names[0] for cover in chosen)]))
    others = tuple(
        dict.fromkeys(t for cover in COVERS if cover not in chosen for t in cover.terms if t not in terms)
    )
    return TopicTerms(topic=topic, names=names_taken, terms=terms, others=others)


_CYRILLIC = re.compile(r"[\u0400-\u04FF]")
# Cyrillic words of a topic the table does not know are matched by their beginnings (Russian and Ukrainian
# inflect: "выборах", "выборы"), with this many letters of the ending left off, keeping at least four.
_OWN_ENDING = 2


def _cyrillic_terms(cover: Cover) -> tuple[str, ...]:
    return tuple(t for t in cover.terms if _CYRILLIC.search(t))


def _own_term(word: str) -> str:
    if not _CYRILLIC.search(word) or len(word) <= 4:
        return word
    return word[: max(4, len(word) - _OWN_ENDING)]


def find_terms(terms: tuple[str, ...], text: str) -> list[str]:
    """The terms that occur in the text as whole words (a final plural "s" either way); a Cyrillic term is
    a run of word beginnings (Russian and Ukrainian inflect: "нов регион" finds "новых регионов")."""
    lowered = text.lower().replace("’", "'").replace("ё", "е")
    found = []
    for term in terms:
        start, pattern = _term_pattern(term)
        if start in lowered and pattern.search(lowered):
            found.append(term)
    return found


@functools.lru_cache(maxsize=4096)
def _term_pattern(term: str) -> tuple[str, re.Pattern[str]]:
    """What a text must contain for the term to occur (its first word, as a plain substring), and the
    pattern that says whether it does. A stance question tests a few hundred terms against every row: the
    substring test rules most out at once, and the patterns are compiled once, not looked up in re's small
    cache (which they overflowed) on every call."""
    lowered = term.lower()
    if _CYRILLIC.search(term):
        words = lowered.replace("’", "'").replace("ё", "е").split()
        return words[0], re.compile(r"(?<![\w-])" + r"\w*\s+".join(re.escape(w) for w in words))
    body = re.escape(lowered).replace(r"\ ", r"\s+")
    pattern = rf"(?<![\w-]){body}(?:s|es)?(?![\w-])"
    if term.endswith("s"):
        pattern += rf"|(?<![\w-]){re.escape(lowered[:-1])}(?![\w-])"
        lowered = lowered[:-1]
    return lowered.split(" ")[0], re.compile(pattern)
