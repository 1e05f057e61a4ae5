"""Reading one sentence, the groundwork: the speech verbs found in it (on the sentence with its quotations
masked, so words inside a quote are never speakers or verbs), the statements collected so far, and who is
speaking at each verb: the subject before it ("the agency said", "Jane Roe, D-Ohio, chair of …, said"), after
it ("said law professor Jane Roe") or at the start of the clause ("…, adding that …")."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from ._clauses import clause_end, intro_end
from ._discourse import Speaker, State, resolve_name
from ._names import parse_name
from ._register import _VERBISH, name_runs, opening
from ._sentences import MASK, mask, quote_spans
from ._speaker_words import GROUP_NOUNS, ORG_NOUNS, PERSON_NOUNS, PREPOSITIONS, TOKEN, plain
from ._speakers import parse_subject, words_of
from ._speech_verbs import ADVERBIAL, GAP, VERB

Found = tuple[Speaker, str, str, datetime | None]


# Words that end a subject when reading leftwards from a verb: the clause the subject belongs to starts after
# them.
# Page furniture glued before a sentence's subject ("Sign up The US Department of Energy …").
_JUNK = frozenset("sign up subscribe click follow join share advertisement related read more watch".split())


_PUNCT = frozenset((",", ";", ":", ".", "!", "?", "—", "–", "(", ")"))


_AFTER_NAME = frozenset("in at on during via who after before to when while".split())


_NAME_LINKS = frozenset("of for and the de von al van da a an".split())


_LEAD_TIME = re.compile(
    r"(?:(?:a|one|two|three|four|five|several|few|\d+)\s+(?:days?|weeks?|months?|years?|hours?)\s+(?:later|earlier)"
    r"|later|earlier|then|meanwhile|separately|afterwards|since\s+then)\s*,?\s+",
    re.IGNORECASE,
)


_BOUNDARY_WORDS = frozenset(
    "that when while because as after before if although though since where whereas whom unless until than "
    "so whether what how why".split()
)


_AUX = frozenset(
    "is are was were be been being am will would can could should may might must did does do has have had "
    "not never n't no".split()
)


@dataclass(slots=True)
class _Hit:
    start: int  # where the verb (or the comma before a participle) begins
    end: int
    verb: str
    kind: str  # say | pos | psay | ppos


@dataclass(slots=True)
class _Frame:
    speaker: Speaker
    attr_start: int  # where the attribution (subject and verb) begins in the sentence
    attr_end: int
    kind: str  # quote | reported
    start: int
    end: int
    date_text: str
    text: str | None = None
    boundary: bool = True  # whether its attribution opens a clause of its own (ends the one before)


def _hit(m: re.Match[str]) -> _Hit | None:
    kind = m.lastgroup or "say"
    verb = m.group(kind)
    if verb.lower() in _NOUN_TOO and re.match(r"\s+(?:ahead|of|from|about)\b", m.string[m.end() :]):
        return None  # "citing weather service forecasts ahead of the weekend": the noun
    return _Hit(start=m.start(), end=m.end(), verb=verb, kind=kind)


_NOUN_TOO = frozenset(
    "forecasts reports claims notes calls warns posts tweets promises pledges threats".split()
)


def _skip_adverbials(rest: str) -> str:
    while (adverbial := ADVERBIAL.match(rest)) and adverbial.end() > 0:
        rest = rest[adverbial.end() :]
    return rest


def _clause_start(masked: str, start: int, end: int) -> int:
    """Where the statement before a trailing attribution begins: after a colon ("Jan. 7: …")."""
    colon = masked.rfind(": ", start, end)
    return colon + 2 if colon >= 0 and MASK not in masked[colon:end] else start


def _namey(word: str) -> bool:
    return word[:1].isupper()


def _apposition(words: list[str]) -> bool:
    """Whether the words between two commas can describe the name before them ("D-Ohio", "73", "chair of the
    committee", "a Dover Republican", "who has led the agency since 2019")."""
    first = words[0].lower()
    if first in ("who", "whose"):
        return True
    if any(w.lower() in _AUX or w.lower() in ("that", "which", "said", "says") for w in words):
        return False
    if re.fullmatch(r"\d{1,3}", words[0]) and len(words) <= 2:
        return True  # an age
    if re.fullmatch(r"[RDI]-[A-Z][\w.]*", words[0]):
        return True  # a party and state tag
    if first in ("the", "a", "an", "its", "his", "her", "their", "former", "now", "then", "also"):
        return True
    return any(plain(w) in PERSON_NOUNS | ORG_NOUNS | GROUP_NOUNS for w in words) and len(words) <= 12


def _weak_apposition(words: list[str]) -> bool:
    """A party tag, an age or a description that cannot be the name itself ("D-Ohio", "73", "a Dover
    Republican")."""
    return bool(words) and (
        bool(re.fullmatch(r"[RDI]-[A-Z][\w.]*|\d{1,3}", words[0])) or words[0].lower() in ("a", "an")
    )


class SubjectReader:
    """Finds who speaks at each verb of one sentence and collects its statements."""

    def __init__(self, sentence: str, state: State, *, subject: Speaker | None = None) -> None:
        self.sentence = sentence
        self.masked = mask(sentence)
        self.state = state
        self.spans = quote_spans(sentence)
        self.hits = [h for m in VERB.finditer(self.masked) if (h := _hit(m)) is not None]
        self.used: set[int] = set()
        self.frames: list[_Frame] = []
        self.intro = intro_end(self.masked)
        self.subject = subject

    def _left_subject(self, hit: _Hit) -> tuple[Speaker, int] | None:
        """The speaker ending the text before the verb, and where the attribution starts."""
        self.state.trailing = bool(re.match(r"\s*(?:[.!?]|$)", _skip_adverbials(self.masked[hit.end :])))
        try:
            return self._left_subject_of(hit)
        finally:
            self.state.trailing = False

    def _left_subject_of(self, hit: _Hit) -> tuple[Speaker, int] | None:
        left = self.masked[: hit.start]
        gap = GAP.search(left)
        core = left[: gap.start()] if gap else left
        if gap and re.match(r"\s*,", gap.group()):
            core += ","
        stripped = core.rstrip()
        if stripped.endswith(", who") or stripped.endswith(",who"):
            comma = stripped.rfind(",")
            toks = list(TOKEN.finditer(self.masked[:comma]))
            words = [t.group() for t in toks]
            runs = [r for r in name_runs(words) if r[1] == len(words)]
            if runs:
                a = runs[-1][0]
                speaker = parse_subject(words[a:], self.state)
                return (speaker, toks[a].start()) if speaker is not None else None
            return self._subject_of(self.masked[:comma], None)
        if re.search(r"(?:^|\s)(?:who|that)\s*$", stripped, re.I):
            return None  # "Officials who said nothing …": a restrictive relative clause, not an attribution
        if re.search(r"(?:^|[\s,;])(?:and|but|or)\s*$", stripped) and (
            not stripped.rstrip(" ,").endswith(("and", "but", "or")) or True
        ):
            before = re.sub(r",?\s*(?:and|but|or)\s*$", "", stripped)
            if self.frames:
                return self.frames[-1].speaker, len(before)
            subject = self._initial_subject(limit=len(before))
            if subject is None or (
                " " not in subject.name
                and not subject.unnamed
                and subject.name not in {s.name for s, _, _ in self.state.salient}
            ):
                return None  # an unknown single word ("The West is united … and condemns") is no speaker
            return subject, len(before)
        if stripped.endswith(","):
            return self._apposed(stripped)
        found = self._subject_of(core, None)
        if found is not None and found[0].unnamed and re.match(r"(?:an?|the)\s", self.masked[found[1] :]):
            # "Tyler Mallari, a spokesperson with the Zakat Foundation previously told": a name, then its role
            # with the closing comma missing.
            named = self._subject_of(self.masked[: found[1]].rstrip(" ,"), None)
            if (
                named is not None
                and named[0].person
                and not named[0].unnamed
                and self.masked[: found[1]].rstrip().endswith(",")
            ):
                speaker = named[0]
                role = found[0].name.split(" ", 1)[1] if " " in found[0].name else found[0].name
                return Speaker(speaker.name, speaker.role or role, True), named[1]
        return found

    def _subject_of(self, text: str, offset: int | None) -> tuple[Speaker, int] | None:
        """The subject at the end of `text` (masked, up to the verb's gap), from the last clause boundary."""
        gap = GAP.search(text)
        text = text[: gap.start()] if gap else text
        toks = list(TOKEN.finditer(text))
        k = len(toks)
        while k > 0:
            tok = toks[k - 1].group()
            low = tok.lower()
            if (
                tok.startswith(MASK)
                or tok in (",", ";", ":", "—", "–", "−", "(", ")", '"', "[", "]")
                or (tok == "-" and k > 1)
            ):
                break
            if low in _BOUNDARY_WORDS:
                break
            if (
                low in ("and", "or", "but")
                and not (k >= 2 and k < len(toks) and _namey(toks[k - 2].group()) and _namey(toks[k].group()))
                and not (
                    # "U.S. intelligence and law enforcement agencies": two modifiers of one plural noun
                    low == "and"
                    and k >= 2
                    and plain(toks[-1].group()) in GROUP_NOUNS
                    and toks[k - 2].group().isalpha()
                    and plain(toks[k - 2].group()) not in GROUP_NOUNS
                    and toks[k - 2].group().lower() not in _AUX
                )
            ):
                break
            if low in ("who",) and k >= 2 and toks[k - 2].group() == ",":
                break
            k -= 1
        if k == len(toks):
            return None
        lead = re.match(_LEAD_TIME, text[toks[k].start() :])
        if lead and lead.end() < len(text) - toks[k].start():
            k = next((i for i, t in enumerate(toks) if t.start() >= toks[k].start() + lead.end()), len(toks))
            if k == len(toks):
                return None
        words = [t.group() for t in toks[k:]]
        if any(w.lower() in _AUX for w in words):
            return None
        start = toks[k].start()
        if start < self.intro:
            words = [t.group() for t in toks[k:] if t.start() >= self.intro]
            start = self.intro
        speaker = parse_subject(words, self.state)
        if speaker is None:
            return None
        return speaker, start

    def _apposed(self, core: str) -> tuple[Speaker, int] | None:
        """ "Sen. Jane Roe, D-Ohio, chair of the committee, said" / "John Doe, 73, said": the name before the
        appositions is the subject, and an apposition with a role noun is its role."""
        end = len(core.rstrip(" ,"))
        role: str | None = None
        for _ in range(3):
            comma = core.rfind(",", 0, end)
            if comma < 0:
                return None
            phrase = core[comma + 1 : end].strip()
            words = words_of(phrase)
            if role is None and 2 <= len(words) <= 4 and all(w[:1].isupper() for w in words):
                # "Another former staffer, James Johnston, told …": the name comes after its description
                named = parse_name(words)
                before = words_of(core[:comma])
                if named is not None and named.person and before and any(
                    plain(w) in PERSON_NOUNS for w in before[-6:]
                ):
                    speaker = resolve_name(named, self.state)
                    return speaker, comma + 1 + (len(core[comma + 1 :]) - len(core[comma + 1 :].lstrip()))
            if not words or len(words) > 16 or MASK in phrase or not _apposition(words):
                return None
            if role is None and any(plain(w) in PERSON_NOUNS | {"ceo", "chair"} for w in words):
                role = re.sub(r"^(?:the|a|an)\s+", "", phrase)
            found = self._subject_of(core[:comma], None)
            if found is not None and _weak_apposition(words_of(core[found[1] : comma])):
                end = comma  # "Jane Roe, D-Ohio, chair of …": the party tag is an apposition too
                continue
            if found is not None and not found[0].unnamed:
                speaker, start = found
                if role and not speaker.role and (speaker.person or " " not in speaker.name):
                    speaker = Speaker(speaker.name, role, True)  # "Peskov, the Kremlin's spokesman, said"
                return speaker, start
            end = comma
        return None

    def _inverted(self, after: int) -> Speaker | None:
        """'… said Kremlin spokesman Dmitry Peskov.' / '…, said law professor Jane Roe, an expert on …'."""
        rest = _skip_adverbials(self.masked[after:])
        toks = list(TOKEN.finditer(rest))
        words: list[str] = []
        end = 0
        for i, tok in enumerate(toks):
            w = tok.group()
            if w.startswith(MASK) or w in _PUNCT:
                break
            if words and w.lower() in _AFTER_NAME:
                break
            if w.islower() and len(words) >= 2 and all(x[:1].isupper() for x in words[-2:]):
                break  # "says Mark Zandi chief economist of Moody's Analytics": a description after the name
            if w.islower() and w not in _NAME_LINKS:
                # a lowercase word is part of the speaker's description only if a name still follows it
                later = [t.group() for t in toks[i + 1 :]]
                stop = next((k for k, t in enumerate(later) if t in _PUNCT or t.startswith(MASK)), len(later))
                if not any(t[:1].isupper() for t in later[:stop]) and any(x[:1].isupper() for x in words):
                    break
            words.append(w)
            end = tok.end()
            if len(words) > 14:
                return None
        if not words or words[0].lower() in ("that", "it", "this", "there", "he", "she", "they", "we", "i"):
            return None
        speaker = parse_subject(words, self.state)
        if speaker is None:
            return None
        appos = re.match(r"\s*,\s*(?:the\s+|a\s+|an\s+)?([^,.;\x01]{3,90})", rest[end:])
        if speaker.person and not speaker.role and not speaker.unnamed and appos:
            phrase = words_of(appos.group(1))
            if any(plain(w) in PERSON_NOUNS for w in phrase) and _apposition(phrase):
                speaker = Speaker(speaker.name, appos.group(1).strip(), True)
        return speaker

    def _initial_subject(self, limit: int | None = None) -> Speaker | None:
        """The subject opening the sentence, for a participle or a coordinated verb ('He did not say …, but
        said …')."""
        if self.subject is not None:
            return self.subject
        text = self.masked[self.intro : limit]
        clause = max(text.rfind(". "), text.rfind("; "), text.rfind(": "))
        text = text[clause + 2 :] if clause >= 0 and MASK not in text[clause:] else text
        toks = words_of(text)
        first = opening(toks)
        if first and toks[first - 1].lower() == "the":
            first -= 1
        toks = toks[first:]
        while toks and (toks[0].lower() in _JUNK or toks[0].lower() in ("but", "and", "also", "then")):
            toks = toks[1:]
        k = 0
        while k < len(toks):
            w = toks[k]
            p = plain(w)
            if (
                w[:1].isupper()
                or p in ("the", "a", "an", "of", "for")
                or p in PERSON_NOUNS | ORG_NOUNS | GROUP_NOUNS
                or w.endswith(("'s", "’s"))
            ):
                k += 1
                continue
            if (
                k < 6
                and re.fullmatch(r"[a-z\d][\w-]*", w)
                and not _VERBISH.fullmatch(w)
                and p not in PREPOSITIONS | _AUX
            ):
                k += 1  # "the 66-year-old dictator", "the outgoing administration"
                continue
            break
        if k == 0 or k == len(toks):
            return None
        return parse_subject(toks[:k], self.state)

    def _cataphoric(self, speaker: Speaker | None, start: int, comma: int, astart: int) -> Speaker | None:
        """ "Nigel Farage will also attend, he confirmed": a pronoun after the statement points to the one
        person
        the statement names, not to someone from an earlier sentence."""
        if not re.match(r"[\s,\x01]*(?:he|she)\b", self.masked[comma : astart + 4], re.IGNORECASE):
            return None
        words = words_of(self.masked[start:comma])
        people = set()
        for a, b in name_runs(words):
            named = parse_name(words[a:b])
            person = resolve_name(named, self.state) if named is not None else None
            if person is not None and person.person and " " in person.name:
                people.add(person.name)
        if len(people) == 1:
            name = people.pop()
            return next((s for s, _, _ in reversed(self.state.salient) if s.name == name), None) or Speaker(
                name, None, True
            )
        return None

    def _comma_before(self, pos: int) -> int:
        """The comma that ends a statement before its trailing attribution at `pos`; a comma inside the
        closing
        quotation mark ('…workers,” declared Raimondo') counts, the statement then ends after the mark."""
        comma = self.masked.rfind(",", 0, pos)
        before = self.masked[:pos].rstrip()
        if before.endswith(MASK):
            inner = self.sentence[: len(before)].rstrip()
            if re.search(r"[,—–-]\s*[\"”’]$", inner):
                return len(before)
        return comma

    def _stops(self, start: int) -> list[int]:
        """Where later attributions in the sentence begin: a reported clause ends before them."""
        stops = []
        for hit in self.hits:
            if hit.start <= start:
                continue
            if hit.kind in ("psay", "ppos"):
                stops.append(hit.start)
                continue
            left = self.masked[start : hit.start]
            coord = re.search(
                r",?\s+(?:and|but)\s+(?:(?:he|she|they|it)\s+)?(?:(?:also|has|had|have|then|later)\s+)*$",
                left,
            )
            if coord:
                stops.append(start + coord.start())
                continue
            if hit.kind != "say" and hit.verb.lower() not in ("called", "urged", "accused"):
                continue
            found = self._left_subject(hit)
            if found is not None and found[1] > start:
                cut = re.search(
                    r"(?:,\s*|\s)(?:(?:and|but|while|whereas|as|though)\s+)?$", self.masked[start : found[1]]
                )
                if cut is not None and (
                    cut.group().strip() or self.masked[found[1] - 1 : found[1]] in (",", " ")
                ):
                    if cut.group().strip(" ") or re.search(r"[,;]\s*$", self.masked[: found[1]]):
                        stops.append(start + cut.start())
        return stops

    def _add(
        self, speaker: Speaker, astart: int, aend: int, kind: str, start: int | None, end: int | None,
        date_text: str, text: str | None = None, boundary: bool = True,
    ) -> None:  # fmt: skip
        if start is None:
            start = max(
                self.intro, *(f.end for f in self.frames if f.end is not None and f.end <= (end or 0)), 0
            )
            start = _clause_start(self.masked, start, end or 0)
        if end is None:
            end = clause_end(self.masked, start, self._stops(start))
        elif kind == "reported" and start < end:
            glued = list(re.finditer(r"(?<=[a-z\d])\s+(?=(?:The|A|An)\s+[a-z])", self.masked[start:end]))
            if glued:
                start += glued[-1].end()  # "Breakdown of cases in Texas The outbreak …": a headline glued on
        if end <= start or not speaker.name:
            return
        self.frames.append(_Frame(speaker, astart, aend, kind, start, end, date_text, text, boundary))
