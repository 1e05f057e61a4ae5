"""One name across scripts and spellings: Песков, Пєсков and Peskov; Зеленский, Зеленський, Zelensky,
Zelenskyy and Zelenskiy; Сибіга, Сибига and Sybiha.

A name is first romanised, word by word: Ukrainian words (і ї є ґ) by Ukraine's national system of 2010,
other Cyrillic words by BGN/PCGN for Russian, both without diacritics. The Latin spelling is then folded
where romanisations of East Slavic names differ: y, j and i are one letter, a doubled letter is one, and
"ie" is "e" (Пєсков is "Pieskov" in the national system).

What one spelling cannot settle is г: Ukrainian romanises it "h" (Сибіга, Sybiha), Russian "g", and Russian
writes Ukrainian names with it too (Сибига, "Sibiga", is Sybiha). A name in Cyrillic with г therefore has
two readings, г as "g" and as "h" (`name_keys`), and two names are one when any of their readings agree.
Latin g and h stay apart: a Latin name has one reading, so Hill and Gill are two people (both may still be
Гилл, which cannot tell them apart).

`name_key` is the stored key (the name's own reading, for the statements table); `name_keys` all its
readings and `lookup_keys` what a stored key may be for a name asked about; `same_person` says "is this the
person asked about" (watches, /stance), `person_keys` groups a timeline's speakers. Whole words only:
Peskov is not Peskova.
"""
from __future__ import annotations

import re
import unicodedata

__all__ = [
    "fold_words", "lookup_keys", "name_key", "name_keys", "person_key", "person_keys", "romanisations",
    "romanise", "same_person",
]  # fmt: skip

# BGN/PCGN for Russian, without its diacritics. е is "ye" at the start of a word and after a vowel, ъ or ь.
_RU = dict(
    zip(
        "абвгдеёжзийклмнопрстуфхцчшщъыьэюя",
        "a b v g d e yo zh z i y k l m n o p r s t u f kh ts ch sh shch - y - e yu ya".split(),
        strict=True,
    )
)
# Ukraine's national system (Cabinet resolution 55 of 2010): є ї й ю я are "ye yi y yu ya" at the start of a
# word, "ie i i iu ia" elsewhere; г is "h", ґ "g", и "y", і "i"; ь and the apostrophe are dropped.
_UK = dict(
    zip(
        "абвгґдеєжзиіїйклмнопрстуфхцчшщьюя",
        "a b v h g d e ie zh z y i i i k l m n o p r s t u f kh ts ch sh shch - iu ia".split(),
        strict=True,
    )
)
_UK_INITIAL = {"є": "ye", "ї": "yi", "й": "y", "ю": "yu", "я": "ya"}
# Belarusian letters the two tables lack, as BGN/PCGN writes them.
_BE = {"ў": "w", "і": "i"}
_UK_MARKS = frozenset("іїєґ")
# Ukrainian spells the adjectival surname ending with a soft sign (-ський, -цький), Russian without (-ский).
_UK_ENDING = re.compile(r"[сц]ьк", re.IGNORECASE)
_VOWELS = frozenset("аеёиоуыэюяіїє")
_CYRILLIC = re.compile(r"[\u0400-\u04FF]")
_WORD = re.compile(r"[\u0400-\u04FF'’ʼ]+")
_G = re.compile("[гГ]")


def _romanise_word(word: str, ukrainian: bool, g: str | None) -> str:
    out: list[str] = []
    lower = word.lower()
    for i, ch in enumerate(lower):
        before = lower[i - 1] if i else ""
        if ch in "'’ʼ":
            continue
        if ch == "г" and g is not None:
            latin = "gh" if g == "h" and before == "з" else g  # as зг: "zgh", not "zh"
        elif ukrainian:
            if ch == "г" and before == "з":
                latin = "gh"  # зг is "zgh", so it is not read as "zh"
            elif not i and ch in _UK_INITIAL:
                latin = _UK_INITIAL[ch]
            else:
                latin = _UK.get(ch) or _BE.get(ch) or _RU.get(ch, ch)
        elif ch == "е" and (not i or before in _VOWELS or before in "ъь"):
            latin = "ye"
        else:
            latin = _RU.get(ch) or _BE.get(ch) or ch
        latin = "" if latin == "-" else latin
        if word[i].isupper() and latin:
            latin = latin[0].upper() + latin[1:]
        out.append(latin)
    return "".join(out)


def _ukrainian(text: str) -> bool:
    return bool(_UK_MARKS & set(text.lower())) or bool(_UK_ENDING.search(text))


def romanise(text: str, *, language: str | None = None, g: str | None = None) -> str:
    """Cyrillic in Latin letters, Latin text as it is. Text with і ї є ґ or the Ukrainian -ський is read as
    Ukrainian (all of it: "Володимир Зеленський" is "Volodymyr Zelenskyi"), other text as Russian unless
    `language` says "uk". `g` ("g" or "h") writes every г so instead of as the table does."""
    if not _CYRILLIC.search(text):
        return text
    ukrainian = language == "uk" or _ukrainian(text)
    return _WORD.sub(lambda m: _romanise_word(m.group(0), ukrainian, g), text)


def romanisations(text: str, *, language: str | None = None) -> tuple[str, ...]:
    """The text romanised, first as its table says, then, when it holds a г, with г read the other way
    ("Сибига": "Sibiga", "Sibiha"; "Сибіга": "Sybiha", "Sybiga")."""
    own = romanise(text, language=language)
    if not _G.search(text):
        return (own,)
    return tuple(dict.fromkeys([own, *(romanise(text, language=language, g=g) for g in ("g", "h"))]))


_LATIN_EXTRA = str.maketrans({"ł": "l", "ø": "o", "đ": "d", "ß": "ss", "æ": "ae", "œ": "oe"})


def _fold(word: str) -> str:
    word = unicodedata.normalize("NFKD", word.translate(_LATIN_EXTRA))
    word = "".join(c for c in word if not unicodedata.combining(c))
    word = word.replace("x", "ks").replace("y", "i").replace("j", "i")
    word = re.sub(r"(.)\1+", r"\1", word)
    return word.replace("ie", "e")


def fold_words(text: str) -> str:
    """Latin text lowercased with each word folded as name keys fold it, everything else kept in place: for
    finding a romanised name or title in romanised text ("Podolyak" in "adviser Podoliak")."""
    return re.sub(r"[^\W_]+", lambda m: _fold(m.group(0)), text.lower())


def _key(romanised: str) -> str:
    return " ".join(_fold(w) for w in re.findall(r"[^\W_]+", romanised.lower()))


def name_key(name: str, *, language: str | None = None) -> str:
    """The name's words, romanised, lowercased and folded: one key for the spellings of one name ("Dmitry
    Peskov" and "Дмитрий Песков" are both "dmitri peskov"). Punctuation goes; words stay whole. A г is read
    as its table says (`name_keys` has the other reading)."""
    return _key(romanise(name, language=language))


def name_keys(name: str, *, language: str | None = None) -> tuple[str, ...]:
    """The name's keys under each reading of its г, its own first (`name_key`); one for a Latin name."""
    return tuple(dict.fromkeys(_key(r) for r in romanisations(name, language=language)))


# A Latin h that may stand for a г: not the h of kh, zh, ch, sh (х ж ч ш щ).
_LATIN_H = re.compile(r"(?<![kzcs])h")


def lookup_keys(name: str) -> tuple[str, ...]:
    """Every key under which this name's person may be stored: its own readings, and for a Latin name those
    of a Cyrillic spelling of it, whose г is stored as either letter ("Sybiha" finds "Сибига", stored as
    "sibiga"). Wider than `same_person` (Hill also finds Gill): for narrowing a search down, then checked."""
    keys = list(name_keys(name))
    if not _CYRILLIC.search(name):
        own = keys[0]
        keys += [_LATIN_H.sub("g", own), re.sub("g(?!h)", "h", own)]
    return tuple(k for k in dict.fromkeys(keys) if k)


def person_key(name: str, *, language: str | None = None) -> tuple[str, str]:
    """(surname, first initial) as keys: how one person is known across articles, whatever the form of the
    first name (Vladimir or Volodymyr Zelensky, Sergei or Sergey Lavrov). A bare surname has no initial.
    A г is read as its table says; `person_keys` has every reading."""
    return _person(name_key(name, language=language))


def person_keys(name: str, *, language: str | None = None) -> tuple[tuple[str, str], ...]:
    """`person_key` under each reading of the name's г ("Георгій Тихий": ("tikhi", "h") and ("tikhi",
    "g"), so that "Georgiy Tykhy" is he)."""
    return tuple(dict.fromkeys(_person(k) for k in name_keys(name, language=language)))


def _person(key: str) -> tuple[str, str]:
    words = key.split()
    if not words:
        return ("", "")
    return (words[-1], words[0][:1] if len(words) > 1 else "")


def same_person(asked: str, speaker: str) -> bool:
    """Whether a person asked about (a watch, a /stance actor) is this speaker, across scripts and spellings:
    surnames equal as name keys under some reading of each, and first initials too when both give a first
    name (Peskov is not Peskova, Dmitry Peskov not Nikolai Peskov; "Zelenskyy" is "Владимир Зеленский",
    "Sybiha" is "Андрей Сибига"; Hill is not Gill)."""
    for mine in person_keys(asked):
        for theirs in person_keys(speaker):
            if mine[0] and mine[0] == theirs[0] and (not mine[1] or not theirs[1] or mine[1] == theirs[1]):
                return True
    return False
