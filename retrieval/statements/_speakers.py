"""Who is speaking: the noun phrase before (or after) a speech verb read as a named person, an organisation,
an unnamed source ("a U.S. official", "officials"), or a reference to someone named earlier ("he", "the
agency", "the spokesman", "the statement"), resolved by `_discourse` against what the article said so far."""

from __future__ import annotations

import re

from ._discourse import (
    _POSSESSIVE,
    _TITLE_REACH,
    Speaker,
    State,
    resolve_doc,
    resolve_name,
    resolve_org_noun,
    resolve_pronoun,
    resolve_title,
)
from ._names import _NATIONALITY, is_name_word, parse_name
from ._speaker_words import (
    DOC_NOUNS,
    GROUP_NOUNS,
    INSTITUTION_NOUNS,
    ORG_NOUNS,
    PERSON_NOUNS,
    PREPOSITIONS,
    ROLE_NOUNS,
    TITLE_WORDS,
    TOKEN,
    plain,
)

_LEAD = frozenset(
    "but and so yet meanwhile however now still also then instead ultimately indeed separately moreover plus "
    "thus hence and, while whereas though although".split()
)


_INDEFINITE = frozenset(
    "a an one another some many several most other few numerous both all various multiple dozens hundreds "
    "thousands two three four five six seven eight nine ten more".split()
)


def words_of(text: str) -> list[str]:
    return [m.group() for m in TOKEN.finditer(text)]


def parse_subject(words: list[str], state: State) -> Speaker | None:
    """The speaker a subject noun phrase names, resolved; None when it names no one we can tell."""
    while words and (words[0].lower() in _LEAD or words[0] in (",", "-", "–", "—")):
        words = words[1:]
    while words and words[-1] in (",", "-", "–", "—"):
        words = words[:-1]
    if not words or len(words) > 16:
        return None
    if len(words) == 1 and words[0].lower() in ("he", "she", "it", "they"):
        return resolve_pronoun(words[0].lower(), state)
    head, post = _split_post(words)
    if not head:
        return None
    first, last = head[0].lower(), head[-1]
    noun = plain(last)
    if noun in GROUP_NOUNS:
        if first in ("the", "these", "those") and not post and len(head) <= 2:
            return _recent_group(noun, state)
        head = _noun_phrase(head)
        return _unnamed(head + post, person=True) if head else None
    if noun in DOC_NOUNS and not is_name_word(last):
        owner = [w for w in head[:-1] if w.lower() != "the"]
        if owner and owner[-1].endswith(("'s", "’s")):
            # "the retailer's statement", "the McDonald's tweet": the owner speaks
            base = [re.sub(r"['’]s$", "", w) for w in owner]
            return parse_subject(["the", *base] if base[-1].islower() else base, state)
        if post and post[0].lower() in ("from", "by") and len(post) > 1:
            return parse_subject(post[1:], state)  # "a news release from his office", "a post by the agency"
        if first in ("a", "an"):
            return None  # "a statement said": whose, the text does not say
        return resolve_doc(noun, head[:-1], state)
    if is_name_word(last) or plain(last) in ("jr", "sr", "ii", "iii"):
        if first in _INDEFINITE or first in _POSSESSIVE:
            return _unnamed(words, person=True)  # "a Dover Republican", "Another X user"
        body = head[1:] if first == "the" else head
        if len(body) == 1 and plain(body[0]) in ROLE_NOUNS | ORG_NOUNS:
            noun = plain(body[0])
            return resolve_title(noun, state) if noun in ROLE_NOUNS else resolve_org_noun(noun, state)
        named = parse_name(body)
        if named is None:
            return None
        if first == "the" and named.person and len(named.name.split()) == 1 and not named.role:
            return Speaker(named.name, None, person=False)  # "the Kremlin", "the Vatican"
        return resolve_name(named, state)
    if noun in PERSON_NOUNS or noun in ORG_NOUNS:
        return _described(head, post, noun, state)
    return None


def _split_post(words: list[str]) -> tuple[list[str], list[str]]:
    """Head and post-modifier: "Public health officials | in China", "Lawyers | for the Venezuelans",
    "An administration official | who briefed reporters". "of" inside an organisation's name stays."""
    for i in range(1, len(words)):
        w = words[i].lower()
        prev = words[i - 1]
        k = i + 2 if i + 2 < len(words) and words[i + 1].lower() == "the" else min(i + 1, len(words) - 1)
        if w in ("to", "of", "for") and plain(prev) in TITLE_WORDS and k > i and is_name_word(words[k]):
            continue  # "Ambassador to Ukraine Jane Roe", "Secretary of State Marco Rubio"
        if (
            w == "on"
            and plain(prev) in INSTITUTION_NOUNS
            and i + 1 < len(words)
            and is_name_word(words[i + 1])
        ):
            continue  # "Joint Congressional Committee on Inaugural Ceremonies"
        if w in ("of", "for", "and", "&") and is_name_word(prev) and i + 1 < len(words):
            nxt = words[i + 1]
            if is_name_word(nxt) or (
                nxt.lower() == "the" and i + 2 < len(words) and is_name_word(words[i + 2])
            ):
                if plain(prev) in INSTITUTION_NOUNS or w != "of" or _org_so_far(words[:i]):
                    continue
        if (
            w in PREPOSITIONS
            or w in ("who", "that", "which", "whose")
            or (
                w.endswith("ing")
                and w.islower()
                and len(w) > 4
                and not any(is_name_word(x) for x in words[i + 1 :])
            )
        ):
            return words[:i], words[i:]
        if w == ",":
            return words[:i], words[i:]
    return words, []


_NOT_MODIFIERS = frozenset(
    "it he she they we i you also up down then now still just even only already again out off back away "
    "is are was were has have had will would".split()
)


_ED_ADJECTIVES = frozenset(
    "elected unnamed retired unidentified concerned affected frustrated worried interested skilled qualified "
    "licensed trained armed detained displaced wounded injured infected vaccinated appointed based "
    "united".split()
)


def _noun_phrase(words: list[str]) -> list[str]:
    """The noun phrase ending `words`, without a clause glued in front ("It also fired up Republicans")."""
    k = len(words) - 1
    while k > 0:
        w = words[k - 1]
        low = w.lower()
        if low in _NOT_MODIFIERS or (low.endswith("ed") and w.islower() and low not in _ED_ADJECTIVES):
            break
        k -= 1
    return words[k:]


def _org_so_far(words: list[str]) -> bool:
    return any(plain(w) in INSTITUTION_NOUNS and is_name_word(w) for w in words)


def _unnamed(words: list[str], *, person: bool) -> Speaker | None:
    words = [w for w in words if w != ","]
    if len(words) > 12:
        return None
    text = " ".join(words)
    text = re.sub(r"\s+([’'],?s\b|[.,)])", r"\1", text).replace("( ", "(")
    return Speaker(text, None, person=person, unnamed=True)


def _recent_group(noun: str, state: State) -> Speaker | None:
    for speaker, sentence, _ in reversed(state.salient):
        if state.sentence - sentence > _TITLE_REACH:
            break
        if speaker.unnamed and noun in speaker.name.lower():
            return speaker
    return Speaker(noun, None, person=True, unnamed=True)


def _described(head: list[str], post: list[str], noun: str, state: State) -> Speaker | None:
    """ "the agency", "a government spokesman", "Prayut's office", "the Biden administration"."""
    first = head[0].lower()
    if first in _INDEFINITE:
        return _unnamed(head + post, person=noun not in ORG_NOUNS)
    possessor = next((i for i, w in enumerate(head) if w.endswith(("'s", "’s"))), None)
    if possessor is not None and noun in ORG_NOUNS:
        owner = [w for w in head[: possessor + 1] if w.lower() != "the"]
        rest = head[possessor + 1 :]
        if noun == "ministry":
            rest = [w.capitalize() if w.islower() else w for w in rest]  # "Russia's Foreign Ministry"
        return Speaker(" ".join(owner + rest), None, person=False)  # "Prayut's office"
    if noun in ORG_NOUNS and noun not in PERSON_NOUNS:
        mods = head[1:-1] if first == "the" else head[:-1]
        if mods and all(is_name_word(w) for w in mods) and not any("-" in w for w in mods) and not (
            _NATIONALITY.search(mods[0]) and len(mods) > 1
        ):
            name = " ".join([*mods, head[-1]])  # "the Biden administration", "the U.S. government"
            if post and post[0].lower() == "of" and len(post) <= 8:
                name += " " + " ".join(post)
            return Speaker(name, None, person=False)
        if post and post[0].lower() == "of" and len(post) >= 2 and is_name_word(post[-1]):
            return Speaker(" ".join(head[1:] if first == "the" else head) + " " + " ".join(post), None, False)
        if first in _POSSESSIVE and noun in ("office", "campaign", "team", "administration", "government"):
            return resolve_pronoun(_POSSESSIVE[first], state)  # "his office said": he speaks through it
        if first in ("the",) or first in _POSSESSIVE:
            return resolve_org_noun(noun, state)
        return None
    if first == "the" or first in _POSSESSIVE or possessor is not None:
        return resolve_title(noun, state)
    return None
