"""One name across scripts and spellings: Песков, Пєсков and Peskov; Зеленский, Зеленський, Zelensky,
Zelenskyy and Zelenskiy.

A name is first romanised, word by word: Ukrainian words (і ї є ґ) by Ukraine's national system of 2010,
other Cyrillic words by BGN/PCGN for Russian, both without diacritics. The Latin spelling is then folded
where romanisations of East Slavic names differ: y, j and i are one letter, a doubled letter is one, and
"ie" is "e" (Пєсков is "Pieskov" in the national system). What the fold cannot join is г: Russian writes
Сибига for the Ukrainian Сибіга (Sybiha), and "g" and "h" stay apart, since folding them would also join
Hill and Gill.

`name_key` is the key: watches, stance questions and timelines compare speakers by it (`same_person` for
"is this the person asked about", `person_key` for grouping). Whole words only: Peskov is not Peskova.
"""

from __future__ import annotations

import re
import unicodedata

__all__ = ["name_key", "person_key", "romanise", "same_person"]

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


def _romanise_word(word: str, ukrainian: bool) -> str:
    out: list[str] = []
    lower = word.lower()
    for i, ch in enumerate(lower):
        before = lower[i - 1] if i else ""
        if ch in "'’ʼ":
            continue
        if ukrainian:
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


def romanise(text: str, *, language: str | None = None) -> str:
    """Cyrillic in Latin letters, Latin text as it is. Text with і ї є ґ or the Ukrainian -ський is read as
    Ukrainian (all of it: "Володимир Зеленський" is "Volodymyr Zelenskyi"), other text as Russian unless
    `language` says "uk"."""
    if not _CYRILLIC.search(text):
        return text
    ukrainian = language == "uk" or _ukrainian(text)
    return _WORD.sub(lambda m: _romanise_word(m.group(0), ukrainian), text)


_LATIN_EXTRA = str.maketrans({"ł": "l", "ø": "o", "đ": "d", "ß": "ss", "æ": "ae", "œ": "oe"})


def _fold(word: str) -> str:
    word = unicodedata.normalize("NFKD", word.translate(_LATIN_EXTRA))
    word = "".join(c for c in word if not unicodedata.combining(c))
    word = word.replace("x", "ks").replace("y", "i").replace("j", "i")
    word = re.sub(r"(.)\1+", r"\1", word)
    return word.replace("ie", "e")


def name_key(name: str, *, language: str | None = None) -> str:
    """The name's words, romanised, lowercased and folded: one key for the spellings of one name ("Dmitry
    Peskov" and "Дмитрий Песков" are both "dmitri peskov"). Punctuation goes; words stay whole."""
    words = re.findall(r"[^\W_]+", romanise(name, language=language).lower())
    return " ".join(_fold(w) for w in words)


def person_key(name: str, *, language: str | None = None) -> tuple[str, str]:
    """(surname, first initial) as keys: how one person is known across articles, whatever the form of the
    first name (Vladimir or Volodymyr Zelensky, Sergei or Sergey Lavrov). A bare surname has no initial."""
    words = name_key(name, language=language).split()
    if not words:
        return ("", "")
    return (words[-1], words[0][:1] if len(words) > 1 else "")


def same_person(asked: str, speaker: str) -> bool:
    """Whether a person asked about (a watch, a /stance actor) is this speaker, across scripts and spellings:
    surnames equal as name keys, and first initials too when both give a first name (Peskov is not Peskova,
    Dmitry Peskov not Nikolai Peskov; "Zelenskyy" is "Владимир Зеленский")."""
    mine, theirs = person_key(asked), person_key(speaker)
    return bool(mine[0]) and mine[0] == theirs[0] and (not mine[1] or not theirs[1] or mine[1] == theirs[1])
