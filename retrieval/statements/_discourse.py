"""The article's memory while it is read, and what a reference means in it: a surname is the full name
seen earlier, "he" the latest man who spoke or acted nearby, "the agency" the latest organisation it can mean,
"the spokesman" the latest person with that role, "the statement" whoever issued it. Everything resolves
against what came before in reading order, never against a name that first appears later."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime

from ._names import Named
from ._speaker_words import GROUP_NOUNS, TITLE_WORDS, plain

_HONORIFICS = {"sir": "he", "lord": "he", "mr": "he", "dame": "she", "lady": "she", "mrs": "she", "ms": "she"}


_POSSESSIVE = {"his": "he", "her": "she", "its": "it", "their": "they"}


_AGENCY = frozenset(
    "agency administration service bureau centers center institute survey commission department authority "
    "office board monitor observatory ministry".split()
)


_PLACES = frozenset(
    """Russia Ukraine China Taiwan Japan India Pakistan Iran Iraq Israel Syria Lebanon Egypt Turkey Germany
    France
    Britain Italy Spain Poland Hungary Canada Mexico Brazil Argentina Venezuela Cuba Colombia Australia Korea
    Afghanistan Rwanda Congo Nigeria Kenya Ethiopia Sudan Yemen Qatar Belarus Moldova Georgia Armenia Serbia
    Greece Sweden Finland Norway Denmark Europe Africa Asia America Moscow Kyiv Kiev Beijing Washington London
    Paris Berlin Tehran Jerusalem Gaza Brussels Tokyo Seoul Pyongyang Ankara Warsaw Minsk Caracas Havana
    Ottawa
    California Texas Florida Ohio Arizona Georgia Michigan Pennsylvania Virginia Delaware Alabama Hamas
    Hezbollah
    NATO""".split()
)


_COMPANY = frozenset(
    "company firm retailer chain giant brand business maker automaker carmaker manufacturer lender bank "
    "airline insurer restaurant startup".split()
)


# How many sentences back a pronoun or "the agency" may reach for its antecedent.
_PRONOUN_REACH = 3


_TITLE_REACH = 12


@dataclass(slots=True)
class Speaker:
    name: str
    role: str | None
    person: bool
    unnamed: bool = False


@dataclass(slots=True)
class State:
    """What the reader of the article remembers: names seen so far, who spoke or acted recently, and when each
    speaker spoke."""

    published: datetime | None
    year: int | None = None  # the article's year when it has no date: completes "said April 19"
    registry: dict[str, Speaker] = field(default_factory=dict)  # surname -> the person's full name
    orgs: list[Speaker] = field(default_factory=list)
    org_nouns: dict[str, set[str]] = field(default_factory=dict)
    places: set[str] = field(default_factory=set)
    trailing: bool = False  # whether the subject being read follows the statement it attributes
    quoting: bool = False  # whether it attributes a quotation ('"…," he said')
    last_doc: tuple[Speaker, int] | None = None  # the issuer of the latest "the statement said"
    salient: list[tuple[Speaker, int, bool]] = field(default_factory=list)  # subjects; True for speakers
    docs: list[tuple[str, Speaker, int]] = field(
        default_factory=list
    )  # "signed an order" -> ("order", Trump)
    dates: dict[str, datetime] = field(default_factory=dict)
    gender: dict[str, str] = field(default_factory=dict)
    last_said: datetime | None = None
    sentence: int = 0
    paragraph: int = 0

    def note(self, speaker: Speaker, *, spoke: bool = True) -> None:
        self.salient.append((speaker, self.sentence, spoke))


def resolve_name(named: Named, state: State) -> Speaker:
    """A bare surname becomes the full name seen earlier in the article; a missing role is filled in."""
    if not named.person:
        return Speaker(named.name, named.role, person=False)
    parts = named.name.split()
    known = state.registry.get(surname(named.name))
    if known is None and len(parts) == 1:
        # Family name first ("Hu Xiang" … "Hu said").
        known = next(
            (
                k
                for k in state.registry.values()
                if k.name.split()[0] == named.name and len(k.name.split()) == 2
            ),
            None,
        )
    if known is not None and (
        len(parts) == 1 or known.name == named.name or parts[0] == known.name.split()[0]
    ):
        return Speaker(known.name, named.role or known.role, person=True)
    if len(parts) == 1 and not named.role:
        # A single unknown word: a surname ("Putin", "Affleck") unless the article used it as a place ("in
        # Moscow") or it is a country or capital, which speak for governments ("Rwanda denies …").
        place = named.name in state.places or named.name in _PLACES or named.name in state.org_nouns
        return Speaker(named.name, None, person=not place)
    return Speaker(named.name, named.role, person=True)


def surname(name: str) -> str:
    parts = [p for p in name.split() if plain(p) not in ("jr", "sr") and not re.fullmatch(r"[IVX]+", p)]
    parts = parts or name.split()
    return parts[-1].lower()


def resolve_pronoun(pronoun: str, state: State) -> Speaker | None:
    """The person (he, she), organisation (it) or group (they) a pronoun points to: the latest speaker or
    sentence subject within a few sentences that may be called so."""
    reach = _PRONOUN_REACH if pronoun in ("he", "she") else 2
    if pronoun == "it" and state.last_doc is not None and state.sentence - state.last_doc[1] <= 1:
        return state.last_doc[0]  # '… , the executive order says. … , it says': the document again
    if pronoun in ("he", "she") and state.quoting:
        # '"…," he said': a quotation's "he" is, first of all, the person last quoted nearby.
        for speaker, sentence, spoke in reversed(state.salient):
            if state.sentence - sentence > reach:
                break
            if spoke and speaker.person and not speaker.unnamed and sentence < state.sentence:
                known = state.gender.get(speaker.name) or _role_gender(speaker.role)
                if not known or known == pronoun:
                    state.gender.setdefault(speaker.name, pronoun)
                    return speaker
    for speaker, sentence, spoke in reversed(state.salient):
        if state.sentence - sentence > reach:
            break
        if not spoke and sentence == state.sentence and state.trailing:
            continue  # the subject of "…, she said"'s own statement is not who "she" points back to
        if pronoun in ("he", "she"):
            if speaker.unnamed and _plural(speaker.name) and not spoke and sentence < state.sentence:
                return None  # "Analysts expect a reply. He said …": the text has moved on from him
            if not speaker.person or (speaker.unnamed and _plural(speaker.name)):
                continue
            known = state.gender.get(speaker.name) or _role_gender(speaker.role)
            if known and known != pronoun:
                continue
            state.gender.setdefault(speaker.name, pronoun)
            return speaker
        if pronoun == "it" and not speaker.person:
            return speaker
        if pronoun == "they" and (speaker.unnamed and _plural(speaker.name)):
            return speaker
    return None


def _plural(description: str) -> bool:
    head = description.lower().split()
    words = [plain(w) for w in head]
    return any(w in GROUP_NOUNS for w in words) and not any(w in ("a", "an", "one") for w in words[:1])


def resolve_title(noun: str, state: State) -> Speaker | None:
    """ "The spokesman", "the president", "the official": the latest person whose role (or description) has
    that noun, among recent speakers first, then among everyone named so far."""
    nouns = {noun} | ({"spokesman", "spokeswoman", "spokesperson"} if noun.startswith("spokes") else set())
    for speaker, sentence, _ in reversed(state.salient):
        if state.sentence - sentence > _TITLE_REACH:
            break
        # A pope's or a king's title is part of the name ("Pope Leo XIV").
        text = f"{speaker.role or ''} {speaker.name if speaker.unnamed or noun in _REGNAL else ''}"
        if speaker.person and nouns & _role_nouns(text):
            return speaker
    for speaker in reversed(list(state.registry.values())):
        if speaker.role and nouns & _role_nouns(speaker.role):
            return speaker
    if noun in _GENERIC_PERSON:
        # "the person said", "the official added": the unnamed source quoted just before.
        for speaker, sentence, spoke in reversed(state.salient):
            if state.sentence - sentence > _PRONOUN_REACH:
                break
            if spoke and speaker.unnamed and speaker.person and not _plural(speaker.name):
                return speaker
    if noun not in TITLE_WORDS and noun not in _GENERIC_PERSON:
        # "the singer", "the 66-year-old dictator": a description of the person the text is about.
        for speaker, sentence, _ in reversed(state.salient):
            if state.sentence - sentence > 2:
                break
            if speaker.person and not speaker.unnamed:
                return speaker
    return None


_ABBREVIATED = {
    "gov": "governor", "sen": "senator", "rep": "representative", "gen": "general", "lt": "lieutenant",
    "sec": "secretary", "capt": "captain", "col": "colonel", "adm": "admiral", "amb": "ambassador",
    "prof": "professor", "dr": "doctor", "supt": "superintendent",
}  # fmt: skip


_REGNAL = frozenset({"pope", "king", "queen", "emperor"})
_GENERIC_PERSON = frozenset("person source official spokesperson spokesman spokeswoman insider aide".split())


def _role_nouns(role: str) -> set[str]:
    words = {plain(w) for w in re.findall(r"[\w.-]+", role)}
    return words | {_ABBREVIATED[w] for w in words if w in _ABBREVIATED}


def resolve_org_noun(noun: str, state: State) -> Speaker | None:
    """ "The agency", "the company", "the retail giant": the latest organisation the passage named that the
    noun can stand for."""
    spoke = [s for s, sentence, did in reversed(state.salient) if did and not s.person and not s.unnamed]
    for pool in (spoke, list(reversed(state.orgs))):
        for org in pool:
            words = {plain(w) for w in org.name.split()} | state.org_nouns.get(org.name, set())
            if noun in words or (noun == "agency" and words & _AGENCY):
                return org
    if noun in _COMPANY:
        for pool in (spoke, list(reversed(state.orgs))):
            for org in pool:
                if not {plain(w) for w in org.name.split()} & (_AGENCY | {"government", "court", "police"}):
                    return org
    return None


def resolve_doc(noun: str, owner: list[str], state: State) -> Speaker | None:
    """ "The statement said", "the executive order says", "its filing": its issuer (a named owner, as in "the
    retailer's statement", is read by the caller)."""
    owner = [
        w for w in owner if w.lower() not in ("the", "a", "an", "new", "executive", "court", "news", "press")
    ]
    if owner:
        if owner[-1].lower() in _POSSESSIVE:
            return resolve_pronoun(_POSSESSIVE[owner[-1].lower()], state)
    issuer = _issuer(noun, state)
    if issuer is not None:
        state.last_doc = (issuer, state.sentence)
    return issuer


def _issuer(noun: str, state: State) -> Speaker | None:
    for doc, issuer, sentence in reversed(state.docs):
        if state.sentence - sentence > _TITLE_REACH:
            break
        if doc == noun:
            return issuer
    for speaker, sentence, spoke in reversed(state.salient):
        if state.sentence - sentence > 2:
            break
        if spoke:
            return speaker
    return None


def _role_gender(role: str | None) -> str | None:
    words = set(re.findall(r"\w+", (role or "").lower()))
    if words & {
        "spokeswoman",
        "chairwoman",
        "queen",
        "princess",
        "mrs",
        "ms",
        "congresswoman",
        "madam",
        "actress",
    }:
        return "she"
    if words & {"spokesman", "chairman", "king", "prince", "mr", "congressman", "pope"}:
        return "he"
    return None
