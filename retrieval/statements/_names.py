"""A run of words that names a speaker, split into the name and the title or role in front of it:
"Russian Foreign Minister Sergey Lavrov", "U.S. Ambassador to Ukraine Jane Roe", "Energy research firm FGE",
"the U.S. Department of State". Pure functions: resolving surnames against the article is `_speakers`' job."""

from __future__ import annotations

import re
from dataclasses import dataclass

from ._speaker_words import (
    CONNECTORS,
    INSTITUTION_NOUNS,
    ORG_NOUNS,
    ROLE_NOUNS,
    ROLE_WORDS,
    THING_NOUNS,
    TITLE_WORDS,
    is_cap,
    plain,
)

_NATIONALITY = re.compile(r"(?:an|ian|ean|ese|ish|i|ch|ic|ite|er)$")
_ORG_LINKS = frozenset({"of", "for", "and", "&", "on", "the", "de", "du", "des", "del", "di"})
_PLACES = frozenset({"West Bank", "White House lawn", "South Bank", "Left Bank"})
_SUFFIXES = frozenset({"jr", "jr.", "sr", "sr.", "ii", "iii", "iv"})
# All-capital words glued in front of a name by a page: datelines, time zones, outlet names.
_DEBRIS = re.compile(r"^(?:[A-Z]{2,}|[A-Z]{1,3}\d*|ET|EST|EDT|PT|PST|GMT|UTC|BST|CET)$")


@dataclass(slots=True)
class Named:
    name: str
    role: str | None
    person: bool


_ADJECTIVE_TAIL = re.compile(r"-(?:based|born|led|owned|backed|era|style|area|made|bred|raised|run|funded)$")


def is_name_word(word: str) -> bool:
    if _ADJECTIVE_TAIL.search(word):
        return False  # "Vermont-based", "Ohio-born": adjectives, not names
    if re.match(r"(?:[a-z]{1,3}|[a-z]{1,3}['’-])[A-Z][a-z]", word):
        return True  # "diGenova", "al-Assad", "d'Estaing"
    return is_cap(word) or (word.isupper() and len(word) > 1)


def parse_name(words: list[str]) -> Named | None:
    """Name and role from a run such as "Kremlin spokesperson Dmitry Peskov" (no determiner in front)."""
    while words and words[0] in ("'", "’", "-", "–", "—", "(", ")"):
        words = words[1:]
    if not words or len(words) > 14:
        return None
    if words[-1].endswith(("'s", "’s")) or not (is_name_word(words[-1]) or plain(words[-1]) in _SUFFIXES):
        return None
    if _is_org(words) and not _person_after_org(words):
        return _org(words)
    # The name starts after the last title word, lowercase role word or possessive ("Putin's aide Yuri …").
    split = -1
    for i, w in enumerate(words[:-1]):
        p = plain(w)
        if (
            p in TITLE_WORDS
            or (w.islower() and (p in ROLE_WORDS or p in ORG_NOUNS or p in ROLE_NOUNS))
            or w.endswith(("'s", "’s"))
            or (w.islower() and w not in CONNECTORS and w not in ("of", "to", "for", "at", "and", "the"))
        ):
            split = i
    name, role = words[split + 1 :], words[: split + 1]
    if name and name[0].lower() in ("to", "of", "for", "at") and role:
        # "Ambassador to Ukraine Jane Roe", "Secretary of Homeland Security Kristi Noem": the name is the last
        # two words (three with an initial or a particle), the rest belongs to the role.
        keep = _name_length(name[1:])
        role, name = role + name[: len(name) - keep], name[len(name) - keep :]
    for i, w in enumerate(name[:-1]):
        if "-" in w and plain(w.split("-")[0]) in TITLE_WORDS and w.split("-")[1][:1].isupper():
            # "UN Secretary-Antonio Guterres": a title hyphenated onto the first name by the page.
            first_role, _, first_name = w.partition("-")
            role, name = [*role, *name[:i], first_role], [first_name, *name[i + 1 :]]
            break
    if not name:
        return None
    if all(w.isupper() for w in name) and len(name) > 1 and not role:
        return Named(" ".join(name), None, person=False)  # "USA TODAY", "NPR"
    while len(name) > 1 and _DEBRIS.match(name[0]) and not role:
        name = name[1:]  # "ET Smith", "LONDON Jane Roe": a dateline or time zone glued on
    while len(name) > 2 and not role and _NATIONALITY.search(name[0]) and name[0].lower() not in CONNECTORS:
        role, name = [name[0]], name[1:]  # "Austinite Kathy Valentine", "Ukrainian Oleksandr Usyk"
    if len(name) > 4 and not any(w.lower() in CONNECTORS for w in name):
        return None
    if not all(
        is_name_word(w) or w.lower() in CONNECTORS or plain(w) in _SUFFIXES or _initial(w) for w in name
    ):
        return None
    if (
        role
        and re.fullmatch(r"[IVX]+", name[-1])
        and plain(role[-1]) in ("pope", "king", "queen", "emperor", "prince")
    ):
        name, role = [role[-1], *name], role[:-1]  # "Pope Leo XIV", "King Charles III": the title is the name
    role_text = " ".join(role) if role and _titled(role) else None
    if len(name) > 1 and plain(name[-1]) in THING_NOUNS and not role_text:
        return Named(" ".join(name), None, person=False)  # "the McKinney Fire": no "she" points to it
    return Named(" ".join(name), role_text, person=True)


def _person_after_org(words: list[str]) -> bool:
    """ "Food Bank of Delaware President & CEO Cathy Kanefsky": an organisation's title, then a person."""
    titles = [i for i, w in enumerate(words) if plain(w) in ROLE_NOUNS and plain(w) not in INSTITUTION_NOUNS]
    if not titles:
        return False
    name = words[titles[-1] + 1 :]
    if len(name) >= 2 and all(is_name_word(w) and plain(w) not in INSTITUTION_NOUNS for w in name):
        return True
    # "US Assistant Secretary for International Organization Affairs Michele Sison": the title's office, then
    # a first and last name.
    last = words[-2:]
    return len(words) - titles[-1] > 3 and all(
        is_name_word(w) and plain(w) not in INSTITUTION_NOUNS | TITLE_WORDS | ORG_NOUNS for w in last
    ) and any(w.lower() in ("for", "of", "to") for w in words[titles[-1] + 1 : -2])


def _name_length(words: list[str]) -> int:
    if len(words) <= 2:
        return len(words)
    keep = 2
    if len(words) >= 3 and (
        _initial(words[-2]) or words[-2].lower() in CONNECTORS or plain(words[-1]) in _SUFFIXES
    ):
        keep = 3
    return keep


def _initial(word: str) -> bool:
    return bool(re.fullmatch(r"[A-Z]\.?(?:[A-Z]\.?)?", word))


def _titled(words: list[str]) -> bool:
    return any(plain(w) in ROLE_NOUNS or plain(w) in TITLE_WORDS for w in words)


def _is_org(words: list[str]) -> bool:
    """An organisation: an institution noun inside the run ("Tourism Bureau", "Department of State"), or an
    acronym standing alone ("FTC", "NATO")."""
    if len(words) == 1:
        return (words[0].isupper() and len(words[0]) >= 2) or plain(words[0]) in INSTITUTION_NOUNS
    caps = [w for w in words if is_name_word(w)]
    if not caps:
        return False
    last = plain(words[-1])
    if last in INSTITUTION_NOUNS and is_name_word(words[-1]) and " ".join(words) not in _PLACES:
        return True
    if len(words) >= 3 and any(plain(w) in INSTITUTION_NOUNS for w in words[1:]) and all(
        is_name_word(w) or w.lower() in _ORG_LINKS for w in words
    ):
        return True  # "National Oceanic and Atmospheric Administration Fisheries"
    # "Department of Education", "Centers for Disease Control and Prevention", "Food Bank of Delaware"
    for i, w in enumerate(words[:-1]):
        if plain(w) in INSTITUTION_NOUNS and is_name_word(w) and words[i + 1].lower() in _ORG_LINKS:
            return True
    return False


def _org(words: list[str]) -> Named:
    # Lowercase descriptors in front ("energy research firm FGE") are a role of the organisation, not its
    # name.
    start = 0
    for i, w in enumerate(words):
        if w.islower() and w not in _ORG_LINKS:
            start = i + 1
    name = words[start:] or words
    return Named(" ".join(name), None, person=False)
