"""Who is speaking: the noun phrase before (or after) a speech verb read as a named person, an organisation,
an
unnamed source ("a U.S. official", "officials"), or a reference to someone named earlier ("he", "the agency",
"the spokesman", "the statement"), resolved against what the article has said so far, in reading order."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime

from retrieval._names import Named, is_name_word, parse_name
from retrieval._speaker_words import (
    CONNECTORS,
    DOC_NOUNS,
    GROUP_NOUNS,
    INSTITUTION_NOUNS,
    ORG_NOUNS,
    PERSON_NOUNS,
    PREPOSITIONS,
    ROLE_NOUNS,
    ROLE_WORDS,
    TITLE_WORDS,
    TOKEN,
    plain,
)

_HONORIFICS = {"sir": "he", "lord": "he", "mr": "he", "dame": "she", "lady": "she", "mrs": "she", "ms": "she"}
_LEAD = frozenset(
    "but and so yet meanwhile however now still also then instead ultimately indeed separately moreover plus "
    "thus hence and, while whereas though although".split()
)
_INDEFINITE = frozenset(
    "a an one another some many several most other few numerous both all various multiple dozens hundreds "
    "thousands two three four five six seven eight nine ten more".split()
)
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
    registry: dict[str, Speaker] = field(default_factory=dict)  # surname -> the person's full name
    orgs: list[Speaker] = field(default_factory=list)
    org_nouns: dict[str, set[str]] = field(default_factory=dict)
    places: set[str] = field(default_factory=set)
    trailing: bool = False  # whether the subject being read follows the statement it attributes
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


def words_of(text: str) -> list[str]:
    return [m.group() for m in TOKEN.finditer(text)]


# ---- reading a subject ----------------------------------------------------------------------------------


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
        if (
            w in ("to", "of", "for")
            and plain(prev) in TITLE_WORDS
            and i + 1 < len(words)
            and is_name_word(words[i + 1])
        ):
            continue  # "Ambassador to Ukraine Jane Roe", "Secretary of State Marco Rubio"
        if w == "on" and plain(prev) in INSTITUTION_NOUNS and i + 1 < len(words) and is_name_word(words[i + 1]):
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
        if mods and all(is_name_word(w) for w in mods) and not any("-" in w for w in mods):
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


# ---- resolution ------------------------------------------------------------------------------------------


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
    parts = [p for p in name.split() if plain(p) not in ("jr", "sr", "ii", "iii", "iv")] or name.split()
    return parts[-1].lower()


def resolve_pronoun(pronoun: str, state: State) -> Speaker | None:
    """The person (he, she), organisation (it) or group (they) a pronoun points to: the latest speaker or
    sentence subject within a few sentences that may be called so."""
    reach = _PRONOUN_REACH if pronoun in ("he", "she") else 2
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
        text = f"{speaker.role or ''} {speaker.name if speaker.unnamed else ''}"
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
    """ "The statement said", "the executive order says", "the retailer's statement reads": its issuer."""
    owner = [
        w for w in owner if w.lower() not in ("the", "a", "an", "new", "executive", "court", "news", "press")
    ]
    if owner:
        if owner[-1].lower() in _POSSESSIVE:
            return resolve_pronoun(_POSSESSIVE[owner[-1].lower()], state)
        if owner[-1].endswith(("'s", "’s")):
            base = [re.sub(r"['’]s$", "", w) for w in owner]
            return parse_subject(["the", *base] if base[-1].islower() else base, state)
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


# ---- remembering names ----------------------------------------------------------------------------------


def name_runs(words: list[str]) -> list[tuple[int, int]]:
    """Spans of `words` that may name someone: capitalised words with the titles, role words, particles and
    organisation links ("Department of State") between them."""
    runs: list[tuple[int, int]] = []
    i = 0
    while i < len(words):
        if not (is_name_word(words[i]) or _role_before_name(words, i)):
            i += 1
            continue
        j = i
        while j < len(words):
            w = words[j]
            if is_name_word(w) or _role_before_name(words, j):
                j += 1
            elif w.lower() in CONNECTORS and j + 1 < len(words) and is_name_word(words[j + 1]) and j > i:
                j += 1
            elif (
                w.lower() in ("of", "for", "and", "&", "on")
                and j > i
                and j + 1 < len(words)
                and is_name_word(words[j + 1])
                and _org_so_far(words[i:j])
            ):
                j += 1
            else:
                break
        runs.append((i, j))
        i = max(j, i + 1)
    return runs


def _role_before_name(words: list[str], i: int) -> bool:
    """A lowercase role word inside a name run: "Kremlin spokesperson Dmitry Peskov"."""
    w = words[i]
    if not w.islower() or plain(w) not in ROLE_WORDS:
        return False
    k = i + 1
    while k < len(words) and words[k].islower() and plain(words[k]) in ROLE_WORDS:
        k += 1
    return k < len(words) and is_name_word(words[k]) and i > 0 and is_name_word(words[i - 1])


def register(masked: str, state: State, intro: int = 0) -> None:
    """Remember the people and organisations a sentence names (with roles given in front or in an apposition),
    documents someone issued ("signed an executive order", "an OPM memo"), and the sentence's subject as a
    likely
    antecedent for pronouns."""
    words = words_of(masked[intro:])
    for i, w in enumerate(words[1:], 1):
        if words[i - 1].lower() in (
            "in",
            "to",
            "from",
            "at",
            "near",
            "across",
            "into",
            "outside",
            "inside",
        ) and (is_name_word(w) and (i + 1 == len(words) or not is_name_word(words[i + 1]))):
            state.places.add(w)  # "in Moscow", "to Washington": a place, not a person
    first = opening(words)
    subject_done = False
    for start, end in name_runs(words):
        run = words[start:end]
        if start == 0 and len(run) >= 3 and run[0].lower() in ("meet", "watch", "read", "see", "listen"):
            run = run[1:]
        named = parse_name(run)
        if named is None:
            continue
        after = words[end:]
        speaker: Speaker | None
        if named.person and " " in named.name:
            role = named.role or _apposition_role(after)
            key = surname(named.name)
            known = state.registry.get(key)
            if known is None:
                state.registry[key] = Speaker(named.name, role, person=True)
            elif known.name != named.name and not _same_person(known.name, named.name):
                # Two people share the surname: a bare surname stays bare rather than pick one of them.
                state.registry[key] = Speaker(named.name.split()[-1], None, person=True)
            elif known.role is None and role:
                known.role = role
            honor = [plain(w) for w in run if plain(w) in _HONORIFICS]
            if honor:
                state.gender.setdefault(named.name, _HONORIFICS[honor[0]])
            speaker = Speaker(named.name, role or (known.role if known else None), person=True)
        elif not named.person or _org_apposition(after):
            speaker = _register_org(named.name, after, state)
        else:
            speaker = resolve_name(named, state)
        if after[:1] and plain(after[0]) in DOC_NOUNS:
            state.docs.append((plain(after[0]), speaker, state.sentence))  # "an OPM memo", "Trump's order"
        issued = _ISSUED.match(" ".join(after[:10]))
        if issued and speaker is not None:
            state.docs.append((issued.group(1), speaker, state.sentence))
        if subject_done or start != first:
            continue
        subject_done = True
        if _followed_by_predicate(after):
            state.note(speaker, spoke=False)
    if not subject_done and first < len(words) and not is_name_word(words[first]):
        # A described subject ("The envoy flew home", "Analysts expect …") is the topic too.
        k = first
        while k < len(words) and k - first < 5 and not _verb_after(words, k) and words[k] != ",":
            k += 1
        if (
            k < len(words)
            and k > first
            and _verb_after(words, k)
            and words[k - 1].lower()
            not in ("he", "she", "it", "they", "i", "we", "you", "this", "that", "there")
        ):
            described = parse_subject(words[first:k], state)
            if described is not None and described.unnamed:
                state.note(described, spoke=False)


_ISSUED = re.compile(
    r"(?:,[^,]{0,60},\s+)?(?:(?:has|had|have|also|on\s+\w+|\w+ly)\s+)*(?:signed|issued|released|posted|filed|"
    r"published|sent|shared|put\s+out)\s+(?:an?\s+|the\s+|a\s+new\s+|its\s+|his\s+|her\s+)?(?:[\w-]+\s+){0,2}?("
    + "|".join(sorted(DOC_NOUNS))
    + r")\b"
)


def opening(words: list[str]) -> int:
    """Where the sentence's subject starts: after a leading adverbial ("In July,", "Currently,", "Asked about
    it,") and a determiner."""
    k = 0
    if "," in words[:10]:
        comma = words.index(",")
        lead = words[0].lower()
        if lead in PREPOSITIONS or lead.endswith("ly") or lead in _INTRO or lead.endswith("ing"):
            k = comma + 1
    while k < len(words) and words[k].lower() in ("the", "but", "and", "so", "meanwhile", "however", "still"):
        k += 1
    return k


_INTRO = frozenset(
    "asked amid after before during when while as since speaking earlier later last this on in at".split()
)


def _verb_after(words: list[str], k: int) -> bool:
    """Whether words[k] is the verb of the subject before it (any lowercase word after a plural noun)."""
    w = words[k]
    if _VERBISH.fullmatch(w):
        return True
    return k > 0 and w.islower() and plain(words[k - 1]) in GROUP_NOUNS and w not in PREPOSITIONS


def _same_person(a: str, b: str) -> bool:
    x, y = a.split(), b.split()
    return x[0] == y[0] and x[-1] == y[-1]


def _followed_by_predicate(after: list[str]) -> bool:
    """Whether a name is the subject: a verb (or an apposition and then a verb) comes next."""
    k = 0
    if after[:1] == [","]:
        try:
            k = after.index(",", 1) + 1
        except ValueError:
            return False
    if k >= len(after):
        return False
    nxt = after[k]
    if nxt.endswith("ly") and k + 1 < len(after):
        nxt = after[k + 1]
    return (
        bool(_VERBISH.fullmatch(nxt)) and plain(nxt) not in ROLE_NOUNS | ORG_NOUNS | GROUP_NOUNS | DOC_NOUNS
    )


_VERBISH = re.compile(
    r"(?:is|are|was|were|has|have|had|will|would|can|could|should|may|might|must|did|does|do|also|said|says|"
    r"told|tells|took|made|met|went|came|gave|got|won|lost|ran|saw|spoke|wrote|became|began|sent|led|left|"
    r"kept|held|brought|thought|felt|found|paid|set|put|hit|cut|let|[a-z]{2,}ed|[a-z]{2,}s)"
)


def _org_apposition(after: list[str]) -> bool:
    """ "Joann, an 82-year-old fabric and craft retailer,": the apposition says it is an organisation."""
    if after[:1] != [","] or len(after) < 3 or after[1].lower() not in ("a", "an", "the"):
        return False
    end = after.index(",", 1) if "," in after[1:] else min(len(after), 10)
    return plain(after[end - 1]) in ORG_NOUNS and plain(after[end - 1]) not in PERSON_NOUNS


def _register_org(name: str, after: list[str], state: State) -> Speaker:
    org = next((o for o in state.orgs if o.name == name), None)
    if org is None:
        org = Speaker(name, None, person=False)
        state.orgs.append(org)
    else:
        state.orgs.remove(org)
        state.orgs.append(org)
    # "Joann, an 82-year-old fabric and craft retailer," names the nouns "the retailer" may later stand for.
    if after[:1] == [","] and len(after) > 2 and after[1].lower() in ("a", "an", "the"):
        end = after.index(",", 1) if "," in after[1:] else min(len(after), 10)
        nouns = {plain(w) for w in after[1:end] if plain(w) in ORG_NOUNS}
        state.org_nouns.setdefault(name, set()).update(nouns)
    return org


def _apposition_role(words: list[str]) -> str | None:
    """', the Kremlin's spokesman,' right after a name."""
    if len(words) < 3 or words[0] != ",":
        return None
    end = words.index(",", 1) if "," in words[1:] else len(words)
    phrase = words[1:end]
    if phrase and phrase[0].lower() in ("the", "a", "an"):
        phrase = phrase[1:]
    if not 1 <= len(phrase) <= 10 or not any(plain(w) in ROLE_NOUNS for w in phrase):
        return None
    if any(w.lower() in ("who", "which", "that", "is", "was", "has", "had") for w in phrase):
        return None
    return re.sub(r"\s+([’']s\b)", r"\1", " ".join(phrase))


def entity_title(speaker: Speaker) -> Speaker:
    """A copy safe to hand out (the registry's records get roles filled in later)."""
    return Speaker(speaker.name, speaker.role, speaker.person, speaker.unnamed)


__all__ = [
    "TITLE_WORDS",
    "Speaker",
    "State",
    "entity_title",
    "name_runs",
    "opening",
    "parse_subject",
    "register",
    "resolve_doc",
    "resolve_name",
    "resolve_pronoun",
    "resolve_title",
    "words_of",
]
