"""Statements in Russian and Ukrainian articles: which articles they are (`cyrillic_language`), and the
article read sentence by sentence (`extract_cyrillic`), with the same standard as the English rules: every
statement needs a speech verb, "по словам"/"за словами", a quotation's attribution or a dash line's, and a
speaker that is named, described (an unnamed source) or resolved to someone the article named before; dates
come from the attribution, never from what was said."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from retrieval.store import Article, Statement
from retrieval.text import paragraphs

from ._clauses import tidy
from ._discourse import Speaker
from ._sentences import is_prose, mask, statement_sentences
from ._slavic_dates import names_a_day, names_a_weekday_or_date, said_date
from ._slavic_memory import Memory
from ._slavic_names import (
    case_of_given,
    given_name,
    is_capital,
    is_initial,
    lemma,
    nominative_surname,
    tokens,
)
from ._slavic_quotes import Frame
from ._slavic_reader import SentenceReader
from ._slavic_words import ROLE_WORDS

_CYRILLIC = re.compile(r"[а-яёіїєґА-ЯЁІЇЄҐ]")
_LATIN = re.compile(r"[a-zA-Z]")
_UKRAINIAN = re.compile(r"[іїєґІЇЄҐ]")
_RUSSIAN = re.compile(r"[ыэъёЫЭЪЁ]")
_MAX_SENTENCE_WORDS = 200
_WHOLLY_QUOTED = re.compile(r"[«„“\"][^«»„“”\"]+[»“”\"]")


def cyrillic_language(text: str, language: str | None) -> str | None:
    """ "ru" or "uk" when the statement rules for that language apply to a text mostly in Cyrillic: the
    article's own language when it is one of them; when its language is unknown or given as English,
    Ukrainian if the text has more of the letters only Ukrainian uses (і ї є ґ) than of those only Russian
    uses (ы э ъ ё), else Russian. Another stated language keeps the English rules (which find nothing in
    Cyrillic), as does a text mostly in Latin letters whatever its stated language."""
    code = (language or "").lower().split("-")[0]
    if code not in ("", "en", "und", "ru", "uk"):
        return None
    sample = text[:4000]
    cyrillic = len(_CYRILLIC.findall(sample))
    if cyrillic < 20 or cyrillic < 2 * len(_LATIN.findall(sample)):
        return None  # a page marked Russian whose text is English reads as English
    if code in ("ru", "uk"):
        return code
    return "uk" if len(_UKRAINIAN.findall(sample)) > len(_RUSSIAN.findall(sample)) else "ru"


@dataclass(slots=True)
class _Item:
    speaker: Speaker
    text: str
    kind: str
    said_on: datetime | None
    sentence: str


def extract_cyrillic(
    article: Article, language: str, published: datetime | None, year: int | None
) -> list[Statement]:
    memory = Memory(language=language, published=published, year=year)
    items: list[_Item] = []
    prose = [p for p in paragraphs(article.text) if is_prose(p, article.title)]
    for number, paragraph in enumerate(prose):
        memory.paragraph = number
        previous: str | None = None
        dash_speaker: Speaker | None = None
        for sentence in statement_sentences(paragraph):
            if not sentence.strip() or len(sentence.split()) > _MAX_SENTENCE_WORDS:
                continue
            memory.sentence += 1
            masked = mask(sentence)
            frames = SentenceReader(sentence, masked, memory, dash_speaker).read(previous)
            _remember(sentence, masked, frames, memory)
            dash_speaker = None
            # A day one attribution of the sentence names is the day of its others ("Х заявил в понедельник,
            # что …, а Y уточнил, что …").
            shared = next(
                (d for f in frames if (d := _attribution_date(f, sentence, memory)) is not None), None
            )
            for frame in frames:
                item = _item(frame, sentence, memory, shared)
                if item is None:
                    continue
                if (
                    frame.continued
                    and items
                    and items[-1].speaker == frame.speaker
                    and items[-1].kind == "quote"
                ):
                    items[-1].text = f"{items[-1].text} {item.text}"
                else:
                    items.append(item)
                if frame.kind == "quote":
                    dash_speaker = frame.speaker
            previous = None if frames else " ".join(sentence.split())
    found: list[Statement] = []
    seen: set[tuple[str, str]] = set()
    for item in items:
        key = (item.speaker.name.lower(), " ".join(re.findall(r"\w+", item.text.lower())))
        if key in seen:
            continue
        seen.add(key)
        found.append(
            Statement(
                article_id=article.id, speaker=item.speaker.name, role=item.speaker.role, text=item.text,
                kind=item.kind, said_on=item.said_on, sentence=item.sentence, unnamed=item.speaker.unnamed,
            )
        )  # fmt: skip
    return found


def _attribution_date(frame: Frame, sentence: str, memory: Memory) -> datetime | None:
    return said_date(sentence[frame.attribution[0] : frame.attribution[1]], memory.published, memory.year)


def _item(frame: Frame, sentence: str, memory: Memory, shared: datetime | None) -> _Item | None:
    memory.note(frame.speaker, frame.gender)
    name = frame.speaker.name
    attribution = sentence[frame.attribution[0] : frame.attribution[1]]
    said_on = _attribution_date(frame, sentence, memory) or shared
    if said_on is not None:
        memory.dates[name] = said_on
    elif names_a_day(attribution):
        said_on = None  # "во вторник" in an article with no date: not the day of any other statement
    else:
        # The day this speaker spoke before, else the day the article's scene is set on ("Депутаты в
        # понедельник не утвердили бюджет. …, — сказал он."), else the article's date.
        said_on = memory.dates.get(name) or memory.scene or memory.published
    raw = frame.text if frame.text is not None else " ".join(sentence[a:b].strip() for a, b in frame.parts)
    kind = frame.kind
    if kind == "reported" and frame.clause and _WHOLLY_QUOTED.fullmatch(raw.strip()):
        kind, raw = "quote", raw.strip()[1:-1]  # "Как заявил Песков, «никаких сроков нет»": a quotation
    # Without articles a clause is shorter than in English: "граница открыта" is a whole one.
    text = tidy(raw, quote=kind == "quote", min_words=2)
    if not text:
        return None  # too short to stand as a statement ("объявил об отставке"), though its day counts
    return _Item(frame.speaker, text, kind, said_on, " ".join(sentence.split()))


def _remember(sentence: str, masked: str, frames: list[Frame], memory: Memory) -> None:
    """The people a sentence names outside what its statements say, in reading order: the antecedents of a
    later "он" or "министр"; and, in a sentence that says no statement but names a day ("Х и Y во вторник
    представили проект"), the day those people were there, for their statements after it."""
    words = tokens(sentence, masked)
    spans = [span for f in frames for span in f.parts]
    named: list[Speaker] = []
    i = 0
    while i < len(words):
        if not (is_capital(words[i]) or is_initial(words[i])) or any(
            a <= words[i].start < b for a, b in spans
        ):
            i += 1
            continue
        j = i
        while j < len(words) and (is_capital(words[j]) or is_initial(words[j])) and not words[j].quoted:
            j += 1
        run = words[i:j]
        person = _named_person(run, words[max(0, i - 4) : i], memory)
        if person is not None:
            named.append(person)
        i = j
    # The first person a sentence names is most often its subject, the likeliest "он" of the next sentence
    # ("Министр Иван Петров уволил директора Олега Сидорова. Он заявил …"): noted last, so found first.
    for person in reversed(named):
        memory.note(person)
    if not frames and names_a_weekday_or_date(masked):
        day = said_date(masked, memory.published, memory.year)
        if day is not None:
            memory.scene = day
            for person in named:
                memory.dates.setdefault(person.name, day)


def _named_person(run: list, before: list, memory: Memory) -> Speaker | None:
    first = next((k for k, w in enumerate(run[:-1]) if given_name(w.text) and not is_initial(w)), None)
    if first is None:
        if len(run) == 1:
            return memory.by_surname(run[0].text)
        return None
    given = given_name(run[first].text)
    assert given is not None
    case = case_of_given(run[first].text)
    surname = nominative_surname(run[-1].text, given[1], case, memory.language)
    role_start = next((k for k, w in enumerate(before) if lemma(w.text, ROLE_WORDS)), None)
    role = " ".join(w.text for w in before[role_start:]) if role_start is not None else None
    middle = " ".join(w.text for w in run[first + 1 : -1])
    return memory.person(given[0] + (f" {middle}" if middle else ""), surname, role, given[1])
