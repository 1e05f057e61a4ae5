"""Remembering who an article names, in reading order: people with their roles (given in front, "Kremlin
spokesperson Dmitry Peskov", or in an apposition, "Peskov, the Kremlin's spokesman,"), organisations and nouns
it uses for them ("Joann, an 82-year-old retailer,"), documents someone issued ("signed an executive order"),
places ("in Moscow") and each sentence's subject, the likely antecedent of a later "he" or "the agency"."""

from __future__ import annotations

import re

from ._discourse import _HONORIFICS, Speaker, State, resolve_name, surname
from ._names import is_name_word, parse_name
from ._said_dates import explicit_date
from ._speaker_words import (
    CONNECTORS,
    DOC_NOUNS,
    GROUP_NOUNS,
    ORG_NOUNS,
    PERSON_NOUNS,
    PREPOSITIONS,
    ROLE_NOUNS,
    ROLE_WORDS,
    plain,
)
from ._speakers import _org_so_far, parse_subject, words_of


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
                and (_org_so_far(words[i:j]) or _org_so_far(words[j + 1 : j + 4]))
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
    j = i - 1
    while j > 0 and words[j].islower() and plain(words[j]) in ROLE_WORDS:
        j -= 1  # "Ukrainian presidential adviser Ivan Hrytsenko": several role words in a row
    return k < len(words) and is_name_word(words[k]) and i > 0 and is_name_word(words[j])


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
        if subject_done:
            continue
        if start == first:
            subject_done = True
            if _followed_by_predicate(after):
                state.note(speaker, spoke=False)
                if speaker.person and _MEDIUM_CUE.search(masked):
                    # "Trump took to Truth Social late Wednesday, Sept. 18, to …": when his next words came
                    when = explicit_date(masked, state.published, state.year)
                    if when is not None:
                        state.dates[speaker.name] = when
        elif (
            start <= 3 and words[0].lower() in _SUBORDINATORS and speaker.person
            and _followed_by_predicate(after)
        ):
            # "When President Donald Trump revealed …, he ticked off …": the subordinate clause's subject is
            # who the main clause's "he" is.
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
    if ":" in words[:16]:
        k = words.index(":") + 1  # "No song unsung, no wine untasted: Anne Hathaway may have …"
    elif "," in words[:10]:
        comma = words.index(",")
        lead = words[0].lower()
        if lead in PREPOSITIONS or lead.endswith("ly") or lead in _INTRO or lead.endswith("ing"):
            k = comma + 1
    while k < len(words) and words[k].lower() in ("the", "but", "and", "so", "meanwhile", "however", "still"):
        k += 1
    return k


_MEDIUM_CUE = re.compile(
    r"\b(?:took to|posted|in a post|speech|interview|news conference|press conference|briefing|address|"
    r"statement|remarks|rally|hearing|testimony)\b"
)
_SUBORDINATORS = frozenset("when as after before while since once although though because if".split())
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
    adverb = nxt.endswith("ly") or nxt in ("first", "also", "then", "later", "again", "once")
    if adverb and k + 1 < len(after):
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
