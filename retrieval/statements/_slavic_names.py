"""Names in Russian and Ukrainian: the words of a stretch of text, given names in any case with their gender,
titles and organisation nouns back in the nominative ("министра" -> министр, "в министерстве" ->
министерство), and surnames back in the nominative where the case is known ("по словам Ильина" -> Ильин,
"за словами Коваленка" -> Коваленко, "Беловой" -> Белова). A surname whose case cannot be told is left alone;
the memory (`_slavic_memory`) prefers the full name the article gave earlier."""

from __future__ import annotations

import re
from dataclasses import dataclass

from ._slavic_words import GIVEN_NAMES

_CAPITAL = re.compile(r"[А-ЯЁІЇЄҐ]")
_WORD = re.compile(r"[\w'’ʼ.-]*\w[.]?|[,:;()—–]|\x01+")


@dataclass(slots=True)
class Token:
    text: str  # for a quotation, its words without the marks
    start: int
    end: int
    quoted: bool = False

    @property
    def low(self) -> str:
        return self.text.lower().replace("ё", "е").replace("’", "'").replace("ʼ", "'")


def tokens(sentence: str, masked: str, start: int = 0, end: int | None = None) -> list[Token]:
    """The words, punctuation and quotations (one token each, `quoted`) of `sentence[start:end]`."""
    end = len(sentence) if end is None else end
    out: list[Token] = []
    for m in _WORD.finditer(masked, start, end):
        if m.group().startswith("\x01"):
            inner = sentence[m.start() : m.end()].strip("«»„“”\"'")
            out.append(Token(inner, m.start(), m.end(), quoted=True))
            continue
        text = m.group()
        if text.endswith(".") and not re.fullmatch(r"[А-ЯЁІЇЄҐA-Z]\.", text):
            text = text[:-1]  # a full stop, not an initial
        out.append(Token(text, m.start(), m.start() + len(text)))
    return out


def is_capital(token: Token) -> bool:
    return not token.quoted and bool(_CAPITAL.match(token.text))


def is_initial(token: Token) -> bool:
    return bool(re.fullmatch(r"[А-ЯЁІЇЄҐ]\.", token.text))


def is_acronym(token: Token) -> bool:
    """ "ТАСС", "МИД", "МЗС": an organisation's initials."""
    return (
        not token.quoted and len(token.text) > 1 and token.text.isupper() and bool(_CAPITAL.match(token.text))
    )


# --- given names ---------------------------------------------------------------------------------------

# Case endings of given names: nominative ending -> the other cases' endings, for each declension.
_DECLENSION = {
    "ий": ("ия", "ию", "ием", "ии", "ієм", "ієві"),
    "ій": ("ія", "ію", "ієві", "ієм", "ії"),
    "ей": ("ея", "ею", "еем", "ее"),
    "ай": ("ая", "аю", "аем", "ае"),
    "ь": ("я", "ю", "ем", "е"),
    "ия": ("ии", "ию", "ией", "иею"),
    "ія": ("ії", "ію", "ією"),
    "ья": ("ьи", "ье", "ью", "ьей"),
    "я": ("и", "і", "е", "ю", "ей", "ею", "єю"),
    "а": ("ы", "и", "е", "і", "у", "ой", "ою", "ою"),
    "о": ("а", "у", "ові", "ом", "і"),
    "": ("а", "у", "ом", "е", "ові", "і", "ем"),
}
# Form -> (nominative, gender) of every name it may be: "Валентина" is a woman's name and a man's genitive.
_GIVEN: dict[str, list[tuple[str, str]]] = {}


def _learn(form: str, name: str, gender: str) -> None:
    readings = _GIVEN.setdefault(form.lower(), [])
    if (name, gender) not in readings:
        readings.append((name, gender))


for _name, _gender in GIVEN_NAMES.items():
    _learn(_name, _name, _gender)
    for _ending, _forms in _DECLENSION.items():
        if _name.endswith(_ending) and (_ending or _name[-1] not in "аяоьйе"):
            stem = _name[: len(_name) - len(_ending)] if _ending else _name
            for _form in _forms:
                _learn(stem + _form, _name, _gender)
            break
_learn("ользі", "Ольга", "f")
_learn("ігоря", "Ігор", "m")  # soft, unlike its spelling
_learn("ігореві", "Ігор", "m")


def given_name(word: str, *, oblique: bool = False) -> tuple[str, str, bool] | None:
    """A given name in any case: its nominative, gender and whether this form is the nominative. A form that
    is both ("Валентина", "Ярослава") reads as the nominative unless the phrase is `oblique` ("по словам
    …")."""
    readings = _GIVEN.get(word.lower().replace("’", "'"))
    if not readings:
        return None
    nominative = [r for r in readings if r[0].lower() == word.lower()]
    other = [r for r in readings if r[0].lower() != word.lower()]
    name, gender = (other or nominative)[0] if oblique else (nominative or other)[0]
    return name, gender, name.lower() == word.lower()


def case_of_given(word: str, *, oblique: bool = False) -> str:
    """Which case a given name's form shows: "nom", "gen" (also the accusative of a man's name), "dat",
    "acc" (a woman's), "ins", or "obl" when it cannot be told."""
    found = given_name(word, oblique=oblique)
    if found is None or found[2]:
        return "nom"
    low = word.lower()
    if low.endswith(("ом", "ем", "ой", "ою", "ей", "ею", "єм", "єю", "ією", "ием")):
        return "ins"
    if found[1] == "f" and low.endswith(("у", "ю")):
        return "acc"
    if found[1] == "m" and low.endswith(("у", "ю", "ові", "еві", "єві")):
        return "dat"
    if low.endswith(("а", "я", "ы", "и", "і", "ї")):
        return "gen"
    return "obl"


# --- surnames --------------------------------------------------------------------------------------------

_RU_MASC = {
    "gen": (("ского", "ский"), ("цкого", "цкий"), ("ова", "ов"), ("ева", "ев"), ("ёва", "ёв"),
            ("ина", "ин"), ("ына", "ын"), ("ого", "ой"), ("я", "ь"), ("а", "")),
    "dat": (("скому", "ский"), ("цкому", "цкий"), ("ову", "ов"), ("еву", "ев"), ("ину", "ин"), ("ю", "ь"),
            ("у", "")),
    "ins": (("ским", "ский"), ("цким", "цкий"), ("овым", "ов"), ("евым", "ев"), ("иным", "ин"), ("ем", "ь"),
            ("ом", "")),
}  # fmt: skip
_RU_FEM = {
    "gen": (("ской", "ская"), ("цкой", "цкая"), ("овой", "ова"), ("евой", "ева"), ("иной", "ина"),
            ("ыной", "ына")),
    "acc": (("скую", "ская"), ("ову", "ова"), ("еву", "ева"), ("ину", "ина")),
}  # fmt: skip
_RU_FEM["dat"] = _RU_FEM["ins"] = _RU_FEM["gen"]
_UK_MASC = {
    "gen": (("ського", "ський"), ("цького", "цький"), ("ова", "ов"), ("єва", "єв"), ("іна", "ін"),
            ("нка", "нко"), ("ого", "ий"), ("я", "й"), ("а", "")),
    "dat": (("ському", "ський"), ("нкові", "нко"), ("ові", ""), ("еві", ""), ("єві", "й"), ("нку", "нко"),
            ("у", "")),
    "ins": (("ським", "ський"), ("нком", "нко"), ("ом", ""), ("ем", ""), ("єм", "й")),
}  # fmt: skip
_UK_FEM = {
    "gen": (("ської", "ська"), ("цької", "цька"), ("ової", "ова"), ("євої", "єва"), ("іної", "іна")),
    "acc": (("ську", "ська"), ("ову", "ова"), ("єву", "єва"), ("іну", "іна")),
}  # fmt: skip
_UK_FEM["dat"] = _UK_FEM["ins"] = _UK_FEM["gen"]
_RULES = {("ru", "m"): _RU_MASC, ("ru", "f"): _RU_FEM, ("uk", "m"): _UK_MASC, ("uk", "f"): _UK_FEM}


def nominative_surname(word: str, gender: str, case: str, language: str) -> str:
    """The surname back in the nominative, given its gender and case ("gen", "dat", "acc", "ins"); unchanged
    in the nominative, for a word that never declines, and for a woman's surname that does not end as a
    declining one does."""
    if case in ("nom", "obl") or gender not in ("m", "f"):
        return word
    rules = _RULES[(language, gender)].get("gen" if case == "acc" and gender == "m" else case, ())
    low = word.lower()
    for ending, replacement in rules:
        if low.endswith(ending) and len(low) > len(ending) + 2:
            stem = word[: len(word) - len(ending)]
            if replacement == "" and not re.search(r"[бвгджзйклмнпрстфхцчшщь']$", stem.lower()):
                continue  # a vowel before the ending: not a consonant stem
            return stem + replacement
    return word


def surname_forms(surname: str, language: str) -> set[str]:
    """Lower-case forms a surname may take in the other cases, for finding "Ильина" as Ильин's genitive."""
    low = surname.lower()
    out = {low}
    for (lang, _), table in _RULES.items():
        if lang != language:
            continue
        for rules in table.values():
            for ending, replacement in rules:
                if replacement and low.endswith(replacement):
                    out.add(low[: len(low) - len(replacement)] + ending)
                elif not replacement and re.search(r"[бвгджзйклмнпрстфхцчшщ]$", low):
                    out.add(low + ending)
    if language == "uk" and low.endswith("ко"):
        out |= {low[:-1] + e for e in ("а", "ові", "у", "ом")}
    return out


# --- titles and organisation nouns -------------------------------------------------------------------------

_LEMMA_ENDINGS = (
    ("", ""), ("а", ""), ("у", ""), ("ом", ""), ("е", ""), ("ові", ""), ("і", ""), ("ем", ""), ("ы", ""),
    ("я", "ь"), ("ю", "ь"), ("ем", "ь"), ("е", "ь"), ("я", "й"), ("ю", "й"), ("ем", "й"), ("еві", "ь"),
    ("ы", "а"), ("и", "а"), ("е", "а"), ("у", "а"), ("ой", "а"), ("ою", "а"), ("і", "а"),
    ("ии", "ия"), ("ию", "ия"), ("ией", "ия"), ("ії", "ія"), ("ію", "ія"), ("ією", "ія"),
    ("а", "о"), ("у", "о"), ("ом", "о"), ("е", "о"), ("і", "о"), ("ові", "о"),
    ("ия", "ие"), ("ии", "ие"), ("ию", "ие"), ("ием", "ие"), ("ю", "я"), ("ям", "я"), ("і", "я"),
    ("ы", ""), ("и", ""), ("ов", ""), ("ів", ""), ("ам", ""), ("ами", ""), ("ах", ""), ("ях", ""),
)  # fmt: skip


def lemma(word: str, vocabulary: frozenset[str]) -> str | None:
    """The nominative of a title or organisation noun in any case ("министра", "мерії", "відомству"), if it
    is in `vocabulary`."""
    low = word.lower().replace("ё", "е").replace("’", "'")
    for ending, replacement in _LEMMA_ENDINGS:
        if low.endswith(ending) and len(low) > len(ending) + 1:
            candidate = low[: len(low) - len(ending)] + replacement if ending else low
            if candidate in vocabulary:
                return candidate
    return None


def nominative_phrase(words: list[str], head: int, vocabulary: frozenset[str]) -> list[str]:
    """An organisation's name with its head noun (at `head`) back in the nominative and the words before it
    agreeing ("Министерства энергетики Заречья" -> "Министерство энергетики Заречья", "пресс-службе" ->
    "пресс-служба"); what follows the head is a genitive or a name and stays as it is."""
    base = lemma(words[head], vocabulary)
    if base is None:
        return words
    out = list(words)
    out[head] = base.capitalize() if words[head][:1].isupper() else base
    for i in range(head):
        out[i] = _agree(words[i], _gender_of_noun(base))
    return out


def _gender_of_noun(noun: str) -> str:
    if noun.endswith(("ие", "о", "ння", "ття", "ство")):
        return "n"
    return "f" if noun.endswith(("а", "я")) else "m"


def _agree(word: str, gender: str) -> str:
    """An adjective before an organisation noun, in the nominative of the noun's gender: "Национального" ->
    "Национальный", "Обласної" -> "Обласна" (best effort: adjectives only)."""
    low = word.lower()
    m = re.search(r"(ого|его|ому|ему|ым|им|ой|ую|ое|ая|ий|ый|ій|ої|ою|у|а|е)$", low)
    if m is None or len(low) < 5:
        return word
    stem = word[: m.start()]
    ukrainian = bool(re.search(r"[іїєґ]", low))
    if gender == "f":
        return stem + ("а" if ukrainian else "ая")
    if gender == "n":
        return stem + ("е" if ukrainian else "ое")
    return stem + ("ий" if ukrainian else ("ий" if re.search(r"[кгхжшчщ]$", stem.lower()) else "ый"))
