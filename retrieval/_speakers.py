"""Who is speaking: a named person (with role) or an institution parsed from the words before or after a
speech verb, with surnames, pronouns and "the spokesman" resolved against names seen earlier."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime

from retrieval._speaker_words import (
    CONNECTORS,
    INSTITUTION_NOUNS,
    PREPOSITIONS,
    ROLE_NOUNS,
    ROLE_WORDS,
    TITLE_WORDS,
    TOKEN,
    is_cap,
    plain,
)
from retrieval._speech_verbs import GAP, VERB

_HONORIFICS = {"sir": "he", "lord": "he", "mr": "he", "dame": "she", "lady": "she", "mrs": "she", "ms": "she"}
_NATIONALITY = re.compile(r"(?:an|ian|ean|ese|ish|i|ch|ic)$")
# Plural nouns standing alone before "said": Americans, Climatologists, Advocates, Officials.
_GROUP_NOUN = re.compile(r"(?:ans|ists|ers|ates|ats|ics|ors|ents|ants|ials)$")


@dataclass(slots=True)
class Speaker:
    name: str
    role: str | None
    person: bool


@dataclass(slots=True)
class State:
    """What the reader of the article remembers: names seen, who spoke last, and when each speaker spoke."""

    published: datetime | None
    registry: dict[str, Speaker] = field(default_factory=dict)
    spoken: list[tuple[Speaker, int]] = field(default_factory=list)
    dates: dict[str, datetime] = field(default_factory=dict)
    gender: dict[str, str] = field(default_factory=dict)
    paragraph: int = 0


def _run_before(words: list[str]) -> tuple[list[str], int]:
    """The capitalised name run ending the word list, and where it starts."""
    i = len(words)
    while i > 0:
        word = words[i - 1]
        if is_cap(word):
            i -= 1
        elif word.lower() in CONNECTORS and i < len(words):
            # "Ursula von der Leyen": particles count only between capitalised words.
            k = i - 1
            while k > 0 and words[k - 1].lower() in CONNECTORS:
                k -= 1
            if k == 0 or not is_cap(words[k - 1]):
                break
            i = k
        else:
            break
    return words[i:], i


def speaker_from_words(words: list[str], state: State, *, subject: bool = True) -> Speaker | None:
    """Parse 'Russian Foreign Minister Sergey Lavrov' / 'the Kremlin' / 'Lavrov' ending the word list.

    As a `subject`, a name governed by a preposition ("… machines in New Hampshire say") is refused."""
    run, start = _run_before(words)
    if not run and len(words) >= 2 and words[-2].lower() == "the":
        return _by_role(words[-1:], state)  # "the spokesman said"
    if not run or run[-1].endswith(("'s", "’s")) or len(run) > 8:
        return None
    if plain(run[-1]) in INSTITUTION_NOUNS:
        # Russia's Foreign Ministry, the UN General Assembly, the Kremlin.
        return Speaker(" ".join(run), None, person=False)
    split = max(
        (i for i, w in enumerate(run) if plain(w) in TITLE_WORDS or w.endswith(("'s", "’s"))), default=-1
    )
    name, role_words = run[split + 1 :], run[: split + 1]
    # Only words that can belong to a title stay in the role ("Kate Holton Reuters British Prime Minister"
    # is a byline glued to one).
    keep = len(role_words)
    while keep > 0 and _modifier(role_words[keep - 1]):
        keep -= 1
    if keep == 1 and (start == 0 or not is_cap(words[start - 1])):
        keep = 0  # one organisation name may lead a title: "Apple Senior Vice President"
    role_words = role_words[keep:]
    if split >= 0 and run[split].endswith(("'s", "’s")) and len(name) == 1 and not _titled(role_words):
        if name[0].lower() not in state.registry:
            name, role_words = run, []  # "Emily's List" is one name, not a role and a surname
    while (
        len(name) > 2 and (name[0].isupper() or name[0].endswith("s")) and name[0].lower() not in CONNECTORS
    ):
        role_words.append(name.pop(0))  # "Indians DH Mike Napoli": a team and a position, then the name
    j = start
    while j > 0:
        word = words[j - 1]
        if _modifier(word):
            role_words.insert(0, word)
            j -= 1
        elif role_words and (link := _role_link(words[:j])):
            role_words[:0] = words[j - link : j]  # "ambassador to the UN", "head of the IAEA"
            j -= link
        else:
            if is_cap(word) and _titled(role_words) and (j == 1 or not is_cap(words[j - 2])):
                role_words.insert(0, word)  # "Ford spokesman", "Starbucks spokesperson"
                j -= 1
            break
    if subject and j > 0:
        before = words[j - 2] if words[j - 1].lower() == "the" and j > 1 else words[j - 1]
        if before.lower() in PREPOSITIONS:
            return None
    honorifics = [w for w in role_words if plain(w) in _HONORIFICS]
    role_words = [w for w in role_words if plain(w) not in _HONORIFICS]
    role = " ".join(role_words) if _titled(role_words) else None
    if not name:
        return _by_role(role_words, state) if role_words else None
    if len(name) > 4:
        return None
    if (
        len(name) >= 3
        and (known := state.registry.get(name[-1].lower()))
        and known.name.split()[0] != name[-3]
    ):
        name = known.name.split()  # "Doug Burgum Trump said": a list heading glued to "Trump said"
    speaker = _resolve(Speaker(" ".join(name), role, person=True), state)
    if honorifics:
        state.gender.setdefault(speaker.name, _HONORIFICS[plain(honorifics[0])])
    if " " not in speaker.name and _GROUP_NOUN.search(speaker.name) and not speaker.role:
        return None  # "Americans said", "Advocates say": a crowd, not a speaker
    return speaker


def _modifier(word: str) -> bool:
    """A word that can stand in a role: a title, a nationality, an acronym or a possessor."""
    if word.lower() in ROLE_WORDS or plain(word) in TITLE_WORDS or word.endswith(("'s", "’s")):
        return True
    if not is_cap(word):
        return False
    return (word.isupper() and len(word) <= 5) or bool(_NATIONALITY.search(word))


def _role_link(words: list[str]) -> int:
    """How many words at the end of `words` join a role noun to an organisation: "ambassador to (the)"."""
    for size in (3, 2):
        if len(words) >= size:
            tail = [w.lower() for w in words[-size:]]
            if (
                tail[1] in ("to", "of", "for", "at")
                and tail[2:] in ([], ["the"])
                and plain(tail[0]) in ROLE_NOUNS
            ):
                return size
    return 0


def _titled(words: list[str]) -> bool:
    return any(plain(w) in ROLE_NOUNS for w in words)


def _resolve(speaker: Speaker, state: State) -> Speaker:
    """A bare surname becomes the full name seen earlier in the article; a missing role is filled in."""
    known = state.registry.get(speaker.name.split()[-1].lower())
    if known is None and " " not in speaker.name:
        # Family name first ("Hu Xiang" … "Hu said").
        known = next(
            (
                k
                for k in state.registry.values()
                if k.name.split()[0] == speaker.name and all(w.isalpha() for w in k.name.split()[1:])
            ),
            None,
        )
    if known is None:
        return speaker
    if " " not in speaker.name or speaker.name == known.name:
        return Speaker(known.name, speaker.role or known.role, person=True)
    return speaker


def _by_role(role_words: list[str], state: State) -> Speaker | None:
    """'The spokesman' or 'the foreign minister': the latest speaker whose role has that noun."""
    noun = plain(role_words[-1])
    if noun not in ROLE_NOUNS:
        return None
    for speaker, paragraph in reversed(state.spoken):
        if speaker.role and noun in speaker.role.lower() and state.paragraph - paragraph <= 2:
            return speaker
    return None


def register_names(masked: str, state: State) -> None:
    """Remember full names (and their roles) so later surname-only mentions resolve."""
    words = [m.group() for m in TOKEN.finditer(masked)]
    i = 0
    while i < len(words):
        if not is_cap(words[i]):
            i += 1
            continue
        j = i
        while j < len(words) and (
            is_cap(words[j]) or (words[j].lower() in CONNECTORS and j + 1 < len(words))
        ):
            j += 1
        # "Meet Kerri Lubeski, …": an imperative or question word opening the sentence is not a first name.
        first = 1 if i == 0 and j >= 3 and not _modifier(words[0]) else 0
        speaker = speaker_from_words(words[first:j], state, subject=False)
        if speaker is not None and speaker.person and " " in speaker.name:
            role = speaker.role or _apposition(words[j:])
            key = speaker.name.split()[-1].lower()
            known = state.registry.get(key)
            if known is None:
                state.registry[key] = Speaker(speaker.name, role, person=True)
            elif known.role is None and role and known.name == speaker.name:
                known.role = role
        i = max(j, i + 1)


def _apposition(words: list[str]) -> str | None:
    """', the Kremlin's spokesman,' right after a name."""
    if len(words) < 3 or words[0] != ",":
        return None
    try:
        end = words.index(",", 1)
    except ValueError:
        return None
    phrase = words[1:end]
    if phrase and phrase[0].lower() in ("the", "a", "an"):
        phrase = phrase[1:]
    if not 1 <= len(phrase) <= 10 or not any(plain(w) in ROLE_NOUNS for w in phrase):
        return None
    if any(VERB.fullmatch(w) for w in phrase):
        return None
    return " ".join(phrase)


def subject_before(left: str, state: State, current: Speaker | None) -> tuple[Speaker | None, bool]:
    """The speaker ending `left` (text before a verb), and whether the phrase is a real statement
    (False for "what Lavrov said the day before", which only tells us when he spoke)."""
    left = left[: GAP.search(left).start()]  # type: ignore[union-attr]
    if re.search(r"(?:,|\b(?:and|but))\s*$", left) and current is not None:
        return current, True
    left = re.sub(r",\s*who\s*$", "", left)
    pronoun = re.search(r"(?:^|[\s,;(])(he|she)\s*$", left, re.IGNORECASE)
    if pronoun:
        return _antecedent(pronoun.group(1).lower(), state), True
    appositive: str | None = None
    if (split := _apposition_before(left)) is not None:
        left, appositive = split
    institution = re.search(
        r"((?:[A-Z][\w.-]*\s+)*[A-Z][\w.-]*(?:'s|’s))\s+((?:foreign|defen[cs]e|interior|justice|finance|"
        r"economy|energy|health)\s+)?(ministry|government|parliament|military|army|embassy|presidency)\s*$",
        left,
    )
    if institution:
        name = " ".join(w.capitalize() if w.islower() else w for w in institution.group().split())
        return Speaker(name, None, person=False), _real(left[: institution.start()])
    words = [m.group() for m in TOKEN.finditer(left)]
    found = speaker_from_words(words, state)
    if found is None:
        return None, True
    speaker = found
    if appositive and speaker.person:
        speaker = Speaker(speaker.name, speaker.role or appositive, person=True)
    _, start = _run_before(words)
    return speaker, _real(
        " ".join(words[: start - (1 if start and words[start - 1].lower() == "the" else 0)])
    )


def _antecedent(pronoun: str, state: State) -> Speaker | None:
    """The latest person who spoke in this or the previous paragraph and may be called `pronoun`."""
    for speaker, paragraph in reversed(state.spoken):
        if state.paragraph - paragraph > 1:
            break
        if not speaker.person:
            continue
        known = state.gender.get(speaker.name) or _role_gender(speaker.role)
        if known and known != pronoun:
            continue
        state.gender.setdefault(speaker.name, pronoun)
        return speaker
    return None


def _role_gender(role: str | None) -> str | None:
    words = set(re.findall(r"\w+", (role or "").lower()))
    if words & {"spokeswoman", "chairwoman", "queen", "princess", "mrs", "ms", "congresswoman", "madam"}:
        return "she"
    if words & {"spokesman", "chairman", "king", "prince", "mr", "congressman"}:
        return "he"
    return None


def _apposition_before(left: str) -> tuple[str, str] | None:
    match = re.search(r",\s*(?:the\s+|a\s+|an\s+)?([^,\x01]{3,80}),\s*$", left)
    if match is None:
        return None
    phrase = match.group(1).strip()
    words = phrase.split()
    if len(words) > 10 or not any(plain(w) in ROLE_NOUNS for w in words) or VERB.search(phrase):
        return None
    return left[: match.start()], phrase


def _real(before_subject: str) -> bool:
    return not re.search(r"\b(?:what|how|whatever|whether|if)\s*$", before_subject, re.IGNORECASE)
