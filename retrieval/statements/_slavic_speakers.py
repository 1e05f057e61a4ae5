"""The noun phrase that speaks, in Russian and Ukrainian: a person ("пресс-секретарь президента Дмитрий
Ильин", "Ильин", "по словам Ильина"), a pronoun, a title alone ("— сказала министр"), an organisation
("Министерство энергетики Заречья", "агентство «Речной курьер»", "в пресс-службе клуба"), or an unnamed source
kept as written ("источник в областной администрации"). The words are cut where the phrase stops: dates,
listeners ("журналистам"), settings ("на пресс-конференции") and asides between commas are not the speaker."""

from __future__ import annotations

import re

from ._discourse import Speaker
from ._slavic_memory import Memory
from ._slavic_names import (
    Token,
    case_of_given,
    given_name,
    is_acronym,
    is_capital,
    is_initial,
    lemma,
    nominative_phrase,
    nominative_surname,
)
from ._slavic_words import (
    FUNCTION_WORDS,
    LINKS,
    LISTENERS,
    ORG_WORDS,
    POSSESSIVES,
    PRONOUNS,
    ROLE_WORDS,
    UNNAMED_WORDS,
)

WEEKDAYS = frozenset(
    """понедельник вторник среду среда четверг пятницу пятница субботу суббота воскресенье понеділок вівторок
    середу середа четвер п'ятницю п'ятниця суботу субота неділю неділя""".split()
)
_MONTHS = re.compile(
    r"^(?:январ[ьяе]|феврал[ьяе]|март[аеу]?|апрел[ьяе]|ма[йяе]|июн[ьяе]|июл[ьяе]|август[аеу]?|сентябр[ьяе]|"
    r"октябр[ьяе]|ноябр[ьяе]|декабр[ьяе]|січ(?:ень|ня|ні)|лют(?:ий|ого|ому)|берез(?:ень|ня|ні)|квіт(?:ень|ня|ні)|"
    r"трав(?:ень|ня|ні)|черв(?:ень|ня|ні)|лип(?:ень|ня|ні)|серп(?:ень|ня|ні)|верес(?:ень|ня|ні)|жовт(?:ень|ня|ні)|"
    r"листопад[аі]?|груд(?:ень|ня|ні))$"
)
# Prepositions that open a setting rather than part of a name: "на пресс-конференции", "после встречи".
_SETTING = frozenset("на под під после після перед во время під час со ссылкой з посиланням".split())
_SETTING_NOUNS = re.compile(
    r"^(?:интервью|інтерв'ю|эфир|ефір|соцсет|соцмереж|телеграм|telegram|фейсбу|facebook|своём|своем|своєму|"
    r"ходе|ході|обращени|зверненн|заседани|засіданн|брифинг|брифінг|сесі|встреч|зустріч|последнем|останньому|"
    r"ответ|відповід)"
)
_ASIDE = re.compile(
    r"^(?:в\s+свою\s+очередь|своєю\s+чергою|со\s+своей\s+стороны|зі\s+свого\s+боку|в\s+частности|зокрема|"
    r"впрочем|кстати|до\s+речі|как\s+известно|як\s+відомо|который|которая|которое|которые|которого|которой|"
    r"який|яка|яке|які|якого|якої|опрошенн|опитан|знакомы|знайом|"
    # adverbial participles: "Гаврилова, отвечая на вопрос о ценах, заявила …"
    r"отвечая|комментируя|выступая|говоря|подводя|ссылаясь|обращаясь|касаясь|поясняя|оценивая|"
    r"\w+(?:ючи|учи|ачи|ячи)(?!\w))",
    re.IGNORECASE,
)
_SPOKESPEOPLE = frozenset(
    "пресс-служба пресслужба прес-служба представитель представник представниця спикер речник речниця".split()
)


def is_date_word(token: Token) -> bool:
    low = token.low
    return low in WEEKDAYS or bool(_MONTHS.match(low)) or low in _DAYTIME


_DAYTIME = frozenset("утром вечером днем ночью вранці увечері вдень вночі".split())


def _is_date_at(words: list[Token], i: int) -> bool:
    """A weekday, month or time of day; a number only before a month ("3 июля")."""
    if words[i].low.isdigit():
        return i + 1 < len(words) and bool(_MONTHS.match(words[i + 1].low))
    return is_date_word(words[i])


def cut_np(words: list[Token], *, leading: bool) -> list[Token]:
    """The phrase without settings, dates, listeners and links: from the front too when `leading` (the words
    after a verb: "— сказал в понедельник глава …", "сказал Ильин журналистам в Кряжске")."""
    i = 0
    if leading:
        while i < len(words):
            w = words[i]
            nxt = words[i + 1] if i + 1 < len(words) else None
            if w.low in LINKS or w.low in LISTENERS or _is_date_at(words, i) or w.text in (",", "—", "–"):
                i += 1
            elif w.low in ("в", "во", "у") and nxt is not None and is_date_word(nxt):
                i += 2
            elif w.low in LISTENERS | {"агентству", "виданню", "изданию", "газете", "газеті", "телеканалу"}:
                i += 1
            elif (w.quoted and i > 0 and words[i - 1].low in LISTENERS) or w.low in (
                "ей",
                "ему",
                "им",
                "їй",
                "йому",
            ):
                i += 1
            elif w.low in _SETTING or (
                w.low in ("в", "у") and nxt is not None and _SETTING_NOUNS.match(nxt.low)
            ):
                # "Під час зустрічі з мешканцями у середу голова громади …": the setting ends at its date, or
                # where a title or a name starts.
                i = _after_setting(words, i)
            else:
                break
    out: list[Token] = []
    for j in range(i, len(words)):
        w = words[j]
        nxt = words[j + 1] if j + 1 < len(words) else None
        if out and (
            w.low in LINKS
            or w.low in LISTENERS
            or (
                w.low in ("в", "во", "у")
                and nxt is not None
                and (is_date_word(nxt) or _SETTING_NOUNS.match(nxt.low))
            )
            or w.low in _SETTING
            or (_is_date_at(words, j) and not is_capital(w))
            or w.text in (":", "(", ")", "—", "–")
        ):
            break
        out.append(w)
    while out and out[-1].text == ",":
        out.pop()
    return out


def _after_setting(words: list[Token], i: int) -> int:
    last_date = max((j for j in range(i, len(words)) if is_date_word(words[j])), default=None)
    if last_date is not None and last_date + 1 < len(words):
        return last_date + 1
    for j in range(i + 1, len(words)):
        if is_capital(words[j]) or lemma(words[j].text, ROLE_WORDS) or lemma(words[j].text, UNNAMED_WORDS):
            return j
    return len(words)


def segments(words: list[Token]) -> list[list[Token]]:
    """Comma-separated pieces, asides dropped ("Быстров, в свою очередь,", "Кравец, которая …,")."""
    pieces: list[list[Token]] = [[]]
    for w in words:
        if w.text == ",":
            pieces.append([])
        else:
            pieces[-1].append(w)
    return [p for p in pieces if p and not _ASIDE.match(" ".join(t.text for t in p))]


def speaker_of(
    words: list[Token], memory: Memory, sentence: str, *, case: str = "nom", gender: str | None = None
) -> tuple[Speaker, str | None] | None:
    """The speaker a phrase names, and its gender when known; None when it names no one it can resolve."""
    while words and (words[0].low in FUNCTION_WORDS or words[0].low in LINKS):
        words = words[1:]
    if len(words) > 1 and words[0].low in ("в", "во", "у") and lemma(words[1].text, ORG_WORDS):
        words = words[1:]  # "в министерстве пояснили": the body
    if not words:
        return None
    if lemma(words[0].text, UNNAMED_WORDS) and not any(given_name(w.text) for w in words):
        return _unnamed(words, sentence), None
    if len(words) == 1 and words[0].low in PRONOUNS:
        found = memory.pronoun(PRONOUNS[words[0].low])
        return (found, memory.genders.get(found.name)) if found else None
    person = _person(words, memory, sentence, case, gender)
    if person is not None:
        return person
    org = _org(words, memory, sentence)
    if org is not None:
        return org, None
    heads = [lemma(w.text, ROLE_WORDS) for w in words if not w.quoted]
    if heads and heads[0] is not None:
        found = memory.title(words[0].text, [w.text for w in words[1:] if not w.quoted])
        return (found, memory.genders.get(found.name)) if found else None
    if any(lemma(w.text, UNNAMED_WORDS) for w in words[:3]):
        return _unnamed(words, sentence), None
    return None


def _unnamed(words: list[Token], sentence: str) -> Speaker:
    """An unnamed source as written, its noun put back in the nominative ("співрозмовника видання" ->
    "співрозмовник видання")."""
    text = _text(words, sentence)
    head = next((i for i, w in enumerate(words) if lemma(w.text, UNNAMED_WORDS)), None)
    if head is not None and head == 0 and len(words) > 1:
        base = lemma(words[0].text, UNNAMED_WORDS) or words[0].text
        if words[0].text[:1].isupper():
            base = base.capitalize()
        text = base + sentence[words[0].end : words[-1].end]
        text = " ".join(text.split())
    return Speaker(text, None, person=True, unnamed=True)


def possessive(word: str, memory: Memory) -> Speaker | None:
    """ "По его словам", "за її словами": the latest person of that gender."""
    gender = POSSESSIVES.get(word.lower())
    return memory.pronoun(gender) if gender else None


def _text(words: list[Token], sentence: str) -> str:
    return " ".join(sentence[words[0].start : words[-1].end].split())


def _person(
    words: list[Token], memory: Memory, sentence: str, case: str, gender: str | None
) -> tuple[Speaker, str | None] | None:
    # The name is the last run of capitalised words (initials included); the words before it are the role.
    end = len(words)
    while end and not (is_capital(words[end - 1]) or is_initial(words[end - 1])):
        end -= 1
    if end != len(words) or not end:
        return None  # the phrase does not end on a name
    start = end
    while (
        start
        and (is_capital(words[start - 1]) or is_initial(words[start - 1]))
        and not is_acronym(words[start - 1])
    ):
        start -= 1
    run = words[start:end]
    if not run or is_acronym(run[-1]):
        return None
    # Where the person's name starts: at a given name, at the initials, or at the surname alone.
    first = next((i for i, w in enumerate(run[:-1]) if given_name(w.text) and not is_initial(w)), None)
    if first is None:
        first = next((i for i, w in enumerate(run[:-1]) if is_initial(w)), len(run) - 1)
    name_words = run[first:]
    role_words = words[:start] + run[:first]
    role = _text(role_words, sentence) if role_words else None
    if (
        role_words
        and lemma(role_words[0].text, ORG_WORDS)
        and not any(lemma(w.text, ROLE_WORDS) for w in role_words)
    ):
        return None  # "Министерство энергетики Заречья": an organisation, not a role before a name
    if role_words and role_words[0].low in FUNCTION_WORDS:
        role = _text(role_words[1:], sentence) if len(role_words) > 1 else None
    surname = name_words[-1].text
    if len(name_words) == 1 and lemma(surname, ORG_WORDS | ROLE_WORDS | UNNAMED_WORDS):
        return None  # "Відомство", "Тренер": a noun that opens the sentence, not a surname
    if len(name_words) == 1:
        if memory.by_surname(surname) is None and (_place_like(surname, role_words) or gender == "pl"):
            return None  # "мэр Ольховки": a title and a place; "Организаторы заявили": not one person
        if any(o.speaker.name == surname for o in memory.orgs):
            return None
        found = memory.surname(surname, case, gender, _nominative_role(role))
        return found, memory.genders.get(found.name) or gender
    given = given_name(name_words[0].text, oblique=case != "nom")
    if given is not None:
        name_case = case_of_given(name_words[0].text, oblique=case != "nom")
        surname = nominative_surname(surname, given[1], name_case, memory.language)
        middle = " ".join(w.text for w in name_words[1:-1])
        first_name = given[0] + (f" {middle}" if middle else "")
        found = memory.person(first_name, surname, _nominative_role(role), given[1])
        return found, given[1]
    initials = " ".join(w.text for w in name_words[:-1])
    found = memory.person(initials, surname, _nominative_role(role), gender)
    return found, gender


def _place_like(word: str, role_words: list[Token]) -> bool:
    """A lone capitalised word after a title that reads as a place in the genitive ("мэр Ольховки",
    "голова громади Вербогору") rather than a surname."""
    if not role_words:
        return False
    return word.lower().endswith(("и", "ы", "і", "ї", "у", "я")) or (
        word.lower().endswith("а") and not word.lower().endswith(("ова", "ева", "ина", "ына", "іна", "єва"))
    )


def _nominative_role(role: str | None) -> str | None:
    return role.strip(" ,") if role else None


# Bodies that stand alone as a name ("У поліції повідомили", "Кремль заявил"); other bare nouns ("компания",
# "агентство") speak only for an organisation named before.
_STANDALONE = frozenset(
    "кремль нацбанк кабмин кабмін мерія мэрия поліція полиция прокуратура уряд правительство".split()
)


def _org(words: list[Token], memory: Memory, sentence: str) -> Speaker | None:
    """An organisation: its name in «…» after its noun, its initials ("ТАСС"), or its noun with what follows
    ("Посольство Северного союза в Кряжске"); a spokesperson or press service speaks for it; a bare noun
    ("в министерстве", "пресс-служба клуба") is the organisation named before."""
    if lemma(words[0].text, ROLE_WORDS) and words[0].low not in _SPOKESPEOPLE:
        return None  # "Голова Верховної Ради", "глава компании «…»": a title, not the body it heads
    quoted = next((i for i, w in enumerate(words) if w.quoted), None)
    heads: list[tuple[int, str]] = []
    for i, w in enumerate(words):
        found = None if w.quoted else lemma(w.text, ORG_WORDS)
        if found is not None:
            heads.append((i, found))
    if (
        quoted is not None
        and heads
        and heads[0][0] < quoted
        and not any(is_capital(w) for w in words[quoted + 1 :])
    ):
        # "агентство «Речной курьер»", "представитель компании «Дорстрой-Север»"
        return memory.org(words[quoted].text, {h for _, h in heads} - _SPOKESPEOPLE)
    if len(words) <= 2 and any(is_acronym(w) for w in words):
        acronym = next(w for w in words if is_acronym(w))
        return memory.org(acronym.text, {acronym.low})
    if not heads:
        if len(words) == 1 and is_capital(words[0]):
            return next((o.speaker for o in memory.orgs if o.speaker.name == words[0].text), None)
        return None
    i, head = heads[0]
    if head in _SPOKESPEOPLE:
        rest = words[i + 1 :]
        if not rest:
            return None
        inner = _org(rest, memory, sentence)
        body = lemma(rest[0].text, ORG_WORDS) if len(rest) == 1 else None
        return memory.body(body) if inner is None and body is not None else inner
    start = i
    while (
        start
        and not words[start - 1].quoted
        and words[start - 1].low not in FUNCTION_WORDS
        and not lemma(words[start - 1].text, ROLE_WORDS)
    ):
        start -= 1
    phrase = words[start:]
    if len(phrase) == 1 or (len(phrase) == 2 and phrase[1].low == "президента"):
        known = memory.body(head)
        if known is not None:
            return known
    if len(phrase) == 1 and head not in _STANDALONE:
        return None
    return memory.org(" ".join(nominative_phrase([w.text for w in phrase], i - start, ORG_WORDS)), {head})
