"""The statements of one sentence: direct quotes with their attribution ("…," Peskov said / said Peskov /
Peskov
said: "…"), reported speech before or after its attribution ("X said (that) …", "…, the agency said",
"According to
X, …"), evaluative acts with an object ("accused X of …", "urged X to …") and participles (", adding that …").

Verbs are found on the sentence with its quotations masked, so words inside a quote are never read as
speakers or
verbs; statement text is cut from the original sentence."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from retrieval._clauses import clause_end, framing_cut, intro_end, list_mark, tidy
from retrieval._discourse import Speaker, State, resolve_name
from retrieval._names import parse_name
from retrieval._register import _VERBISH, name_runs, opening
from retrieval._said_dates import DAYREF, explicit_date, relative_to_last
from retrieval._sentences import MASK, mask, quote_spans
from retrieval._speaker_words import (
    DOC_NOUNS,
    GROUP_NOUNS,
    ORG_NOUNS,
    PERSON_NOUNS,
    PREPOSITIONS,
    TOKEN,
    plain,
)
from retrieval._speakers import parse_subject, words_of
from retrieval._speech_verbs import (
    ADVERBIAL,
    BARE_OBJECT,
    GAP,
    LISTENER,
    NEEDS_THAT,
    NOT_A_CLAUSE_START,
    NP_OBJECT,
    OBJECT_LINK,
    QUOTE_ONLY,
    SUBJECT_START,
    VERB,
)

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
_NEGATION = re.compile(
    r"\b(?:not|never|n['’]t|no\s+longer|declined\s+to|refused\s+to|(?:did|does|do|would|could|will|cannot|can|"
    r"should|may|might|must|to|is|are|was|were|be|been|being|am)(?:\s+not)?(?:\s+\w+ly)?)\s*$",
    re.IGNORECASE,
)
_PASSIVE_AFTER = re.compile(r"\s+(?:to\s+(?:be|have)\b|as\s+saying\b)")


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


class SentenceReader:
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

    # -- public ----------------------------------------------------------------------------------------------

    def read(self, previous: Speaker | None) -> list[Found]:
        for qstart, qend in self.spans:
            self._quote(qstart, qend)
        self._statement_by()
        for index, hit in enumerate(self.hits):
            if index not in self.used:
                self._verb(index, hit)
        self._according_to()
        if not self.frames and previous is not None:
            self._continued_quote(previous)
        return self._finish()

    # -- quotes ----------------------------------------------------------------------------------------------

    def _quote(self, qstart: int, qend: int) -> None:
        """`"…," Peskov said`, `"…" said Peskov`, `Peskov said: "…"` and `Peskov: "…"`."""
        masked, content = self.masked, self.sentence[qstart + 1 : qend - 1]
        ends_open = bool(re.search(r"[,?!—–…-]['’]?\s*$", content)) or masked[qend:].lstrip().startswith(
            (",", "—")
        )
        lead = re.search(r"([\w'’]+)\s*$", masked[:qstart])
        if lead and lead.group(1).lower() in PREPOSITIONS | {
            "the",
            "a",
            "an",
            "called",
            "named",
            "titled",
            "dubbed",
        }:
            ends_open = False  # 'the passage of the "One Big Beautiful Bill Act," Musk announced': a title
        clause = masked[self.intro : qstart]
        if re.search(r"[\w’'\x01]\s*$", clause) and len(re.split(r"[.:;—–]\s", clause)[-1].split()) >= 2:
            ends_open = False  # '… had a "special relationship," Singleton said': a partial quote in a clause
        for index, hit in enumerate(self.hits):
            if index in self.used or hit.start < qend or hit.kind in ("psay", "ppos"):
                continue
            between = masked[qend : hit.start]
            if (
                not ends_open
                or MASK in between
                or re.search(r"[.!?]\s", between)
                or len(between.split()) > 16
            ):
                break
            segment = between.lstrip(" ,—–-")
            if segment.strip() and re.search(r"\w", GAP.sub("", segment)):
                found = self._left_subject(hit)
                speaker = found[0] if found else None
            else:
                speaker = self._inverted(hit.end)  # "…," said the agency / "…," on Tuesday said …
            if speaker is None:
                break
            self.used.add(index)
            stop = re.search(r"[,.;]", masked[hit.end :])
            date_text = masked[qend : hit.end + (stop.start() if stop else len(masked) - hit.end)]
            tail = re.match(r"[^.\x01]{0,80}?,\s*(?=\x01)", masked[hit.end :])
            second = [s for s in self.spans if tail and s[0] == hit.end + tail.end()]
            if second:
                # "We will," Putin said, "defend our land." — one quote interrupted by its attribution.
                joined = content.rstrip(" ,") + " " + self.sentence[second[0][0] + 1 : second[0][1] - 1]
                self._add(
                    speaker, qend, hit.end, "quote", qstart + 1, second[0][1] - 1, date_text, text=joined
                )
                self.used_span = second[0]
            else:
                self._add(speaker, qend, hit.end, "quote", qstart + 1, qend - 1, date_text)
            return
        if any(f.start <= qstart < f.end for f in self.frames):
            return
        before = masked[:qstart]
        colon = re.search(r"(?:^|[.;]\s+)\s*([^,:;\x01]{2,80}?)\s*:\s*$", before)
        if colon and not VERB.search(colon.group(1)) and len(colon.group(1).split()) <= 8:
            words = words_of(colon.group(1))
            if len(words) <= 6 and words and words[-1][:1].isupper():
                speaker = parse_subject(words, self.state)
                if speaker is not None and not speaker.unnamed:
                    self._add(speaker, colon.start(1), colon.end(), "quote", qstart + 1, qend - 1, before)
                return
        for index in range(len(self.hits) - 1, -1, -1):
            hit = self.hits[index]
            if index in self.used or hit.end > qstart or hit.kind not in ("say", "psay"):
                continue
            gap = masked[hit.end : qstart]
            listener = LISTENER.match(gap) if hit.verb in ("told", "tells") else None
            rest = gap[listener.end() :] if listener else gap
            if not re.fullmatch(r"(?:\s+[^\s\x01]+){0,8}?\s*[:,]?\s*", rest) or not re.search(
                r"[:,]\s*$", gap + ","
            ):
                return
            if not re.fullmatch(r"\s*(?:[:,]\s*)?", _skip_adverbials(rest)) and not re.search(
                r"[:]\s*$", gap
            ):
                return
            if hit.kind == "psay":
                subject = self.frames[-1].speaker if self.frames else self._initial_subject(limit=hit.start)
                found = (subject, hit.start) if subject is not None else None
            else:
                found = self._left_subject(hit)
            if found is not None:
                self.used.add(index)
                speaker, astart = found
                self._add(speaker, astart, hit.end, "quote", qstart + 1, qend - 1, masked[astart:qstart])
            return
        self._colon_quote(qstart, qend)

    def _colon_quote(self, qstart: int, qend: int) -> None:
        """'Affleck is a bit more cautious: "…"', 'Trump touted his record: "…"': a quotation that closes a
        sentence after a colon is the words of the sentence's subject."""
        before, after = self.masked[:qstart], self.masked[qend:]
        if not re.search(r":\s*$", before) or not re.fullmatch(r"[\s.!?]*", after) or MASK in before:
            return
        clause = before.rstrip()[:-1]
        if len(clause[self.intro :].split()) > 30 or "said" in clause.split()[-2:]:
            return
        speaker = self._initial_subject(limit=len(clause))
        if speaker is None or not speaker.person or speaker.unnamed:
            return
        words = words_of(clause[self.intro :])
        others = {
            p.name
            for a, b in name_runs(words)
            if (named := parse_name(words[a:b])) is not None
            and (p := resolve_name(named, self.state)).person
            and p.name != speaker.name
        }
        if not others:  # "…, prompting Prime Minister X to warn: …": someone else may be speaking
            self._add(speaker, self.intro, len(clause), "quote", qstart + 1, qend - 1, clause)

    def _continued_quote(self, speaker: Speaker) -> None:
        """A sentence that is only a quote continues the quote of the sentence before it."""
        if (
            not self.spans
            or self.masked.strip().strip(MASK).strip(" .,!?")
            or not self.masked.lstrip().startswith(MASK)
        ):
            return
        start, end = self.spans[0]
        self._add(speaker, start, start, "quote", start + 1, end - 1, "")

    # -- reported speech -------------------------------------------------------------------------------------

    def _according_to(self) -> None:
        for m in re.finditer(
            r"(?:^|(?<=[,\s]))according to\s+([^,;\x01]{2,160}?)(?=\s*(?:[,;]|\.(?:\s|$)|$|\x01))",
            self.masked,
            re.I,
        ):
            words = words_of(m.group(1))
            if _voiceless(words):
                continue
            speaker = parse_subject(words, self.state)
            if speaker is None:
                continue
            lead = self.masked[: m.start()]
            if (
                not lead.strip(" ,")
                or lead.rstrip().endswith((";", ":"))
                or self.intro >= len(lead.rstrip(" ,"))
            ):
                # "According to X, …": the statement follows
                after = m.end() + len(self.masked[m.end() :]) - len(self.masked[m.end() :].lstrip(" ,"))
                self._add(speaker, m.start(), m.end(), "reported", after, None, m.group(0))
            elif lead.rstrip().endswith(","):
                comma = self._comma_before(len(lead.rstrip()))
                self._add(speaker, m.start(), m.end(), "reported", None, comma, m.group(0))

    def _statement_by(self) -> None:
        """'… a previous one made on Feb. 26 by Foreign Minister Sergey Lavrov that …'."""
        m = re.search(
            r"\b(?:statement|remarks?|comments?|one|claim|assertion|warning|pledge|promise|vow)\b"
            r"((?:\s+[\w.,]+){0,6}?)\s+by\s+([^,;\x01]{2,80}?)\s+that\s+",
            self.masked,
        )
        if m is None:
            return
        words = words_of(m.group(2))
        if not words or not words[-1][:1].isupper():
            return
        speaker = parse_subject(words, self.state)
        if speaker is not None:
            self._add(speaker, m.start(), m.end(), "reported", m.end(), None, m.group(1))

    def _verb(self, index: int, hit: _Hit) -> None:
        masked = self.masked
        if any(f.start < hit.start < f.end for f in self.frames if f.kind == "reported" or f.end > hit.start):
            return  # a verb inside someone's reported clause is part of what they said
        if hit.kind in ("psay", "ppos"):
            speaker = self.frames[-1].speaker if self.frames else self._initial_subject(limit=hit.start)
            if speaker is None:
                return
            self.used.add(index)
            self._complement(hit, speaker, hit.start, participle=True)
            return
        left = masked[: hit.start]
        if _NEGATION.search(left) or _PASSIVE_AFTER.match(masked, hit.end):
            return
        what = re.search(r"\b(?:what|whatever)\s+((?:[\w'’.-]+\s+){1,4})$", left, re.I)
        if what and hit.verb.lower() in ("calls", "called", "describes", "described", "terms", "termed"):
            # "over what the White House calls unfair attacks against Israel"
            speaker = parse_subject(words_of(what.group(1)), self.state)
            end = clause_end(masked, hit.end, self._stops(hit.end))
            if speaker is not None:
                self.used.add(index)
                self._add(
                    speaker, what.start(1), hit.end, "reported", hit.end, end, masked[what.start(1) : hit.end]
                )
            return
        if what or re.search(
            r"(?:^|[^\w\s]\s*|\b(?:and|but)\s+)(?:which|whom)\s+(?:[\w'’.-]+\s+){0,3}$", left, re.I
        ):
            # "what Lavrov said the day before": not what he said, but when he spoke
            speaker = parse_subject(words_of(what.group(1)), self.state) if what else None
            when = explicit_date(masked[hit.start : hit.end + 40].split(",")[0], self.state.published)
            if speaker is not None and when is not None:
                self.state.dates[speaker.name] = when
                self.state.note(speaker)
            return
        found = self._left_subject(hit)
        gap = GAP.search(left)
        pronoun = re.search(r",\s*(he|she)\s*$", left[: gap.start()] if gap else left, re.I)
        if found is None and pronoun:
            found = (
                Speaker("", None, True),
                pronoun.start(1),
            )  # resolved from the statement itself, or dropped
        if found is None:
            gap = GAP.search(left)
            core = left[: gap.start()] if gap else left
            comma_gap = gap is not None and gap.group().lstrip().startswith(",")
            if core.rstrip().endswith((",", MASK)) or comma_gap or not core.strip():
                speaker = self._inverted(hit.end)
                if speaker is not None:
                    self.used.add(index)
                    comma = self._comma_before(len(left.rstrip()))
                    self._trailing(hit, speaker, hit.start, comma, inverted=True)
            return
        speaker, astart = found
        self.used.add(index)
        self._complement(hit, speaker, astart)

    def _complement(self, hit: _Hit, speaker: Speaker, astart: int, *, participle: bool = False) -> None:
        """What follows the verb: a clause, an object, or nothing (then the statement came before it)."""
        masked, verb = self.masked, hit.verb.lower()
        rest_at = hit.end
        pos = _skip_adverbials(masked[rest_at:])
        at = rest_at + len(masked[rest_at:]) - len(pos)
        listener = LISTENER.match(masked, at)
        if (
            listener is not None
            and listener.end() > at
            and (
                verb in ("told", "tells", "telling") or re.match(r"\s*,?\s*that\s", masked[listener.end() :])
            )
        ):
            # "told reporters …", "warned the EU that …"
            at = listener.end()
            pos = _skip_adverbials(masked[at:])
            at = len(masked) - len(pos)
        date_text = masked[astart:at]
        if verb in QUOTE_ONLY:
            self._maybe_trailing(hit, speaker, astart, at, pos, participle)
            return
        stem = _stem(verb)
        link = next((v for k, v in OBJECT_LINK.items() if verb.startswith(k)), None)
        if hit.kind in ("pos", "ppos") and not _clause_follows(pos, stem):
            if verb in ("called", "calls", "calling") and not re.match(
                r"\s+(?:[^\s\x01,.;]+\s+){1,6}?\x01", pos
            ):
                if not re.match(r"\s+(?:[^\s\x01,.;]+\s+){1,4}?(?:an?|the)\s+\w", pos) or re.match(
                    r"\s+(?:for|on|off|up|in|out|it)\b", pos
                ):
                    return
            if link is not None and not re.match(rf"\s*(?:[^\s\x01,.;]+\s+){{1,8}}?(?:{link})\s", pos):
                if not any(stem.startswith(b) for b in BARE_OBJECT):
                    self._maybe_trailing(hit, speaker, astart, at, pos, participle)
                    return
            verb_at = hit.end - len(hit.verb)
            end = clause_end(masked, at, self._stops(at))
            if verb in ("called", "calls", "calling"):
                end = _label_end(masked, hit.end, end)
            if len(self.sentence[at:end].split()) < 2:
                self._maybe_trailing(hit, speaker, astart, at, pos, participle)
                return
            self._add(speaker, astart, at, "reported", verb_at, end, date_text, boundary=not participle)
            return
        if that := re.match(r"\s*,?\s*that\s+", pos):
            if stem.startswith(("den", "reject", "dismiss")):
                # "Peskov denied that …": without its verb the statement would say the opposite.
                end = clause_end(masked, at + that.end(), self._stops(at + that.end()))
                self._add(speaker, astart, at, "reported", hit.end - len(hit.verb), end, date_text)
                return
            self._clause(hit, speaker, astart, at + that.end(), date_text, participle)
            return
        if colon := re.match(r"\s*:\s*", pos):
            self._clause(hit, speaker, astart, at + colon.end(), date_text, participle)
            return
        if re.match(r"\s*,?\s*\x01", pos) and hit.kind in ("say", "psay"):
            return  # a quotation follows: the quote pass decided about it
        if verb in NEEDS_THAT or (
            verb in ("told", "tells", "telling")
            and at == rest_at + len(masked[rest_at:]) - len(_skip_adverbials(masked[rest_at:]))
        ):
            self._maybe_trailing(hit, speaker, astart, at, pos, participle)
            return
        if any(stem.startswith(n) for n in NP_OBJECT) and (
            re.match(
                r"\s+(?:to\s+[a-z]+|an?\s|the\s|its\s|his\s|her\s|their\s|new\s|plans?\s|\d|\$|[a-z]+\s+[a-z])",
                pos,
            )
        ):
            if not re.match(r"\s+(?:that|it|this)\b", pos):
                verb_at = hit.end - len(hit.verb)
                end = clause_end(masked, at, self._stops(at))
                if len(re.sub(rf"\s(?:on|in)\s+{DAYREF}.*$", "", self.sentence[at:end]).split()) >= 4:
                    self._add(
                        speaker, astart, at, "reported", verb_at, end, date_text, boundary=not participle
                    )
                    return
        if (SUBJECT_START.match(pos) or _BARE_START.match(pos)) and verb not in ("asked",):
            start = at + len(pos) - len(pos.lstrip())
            # Verbs with a common non-speech sense take a bare clause only when its verb is plain to see
            # ("claimed four regions after votes that Kyiv calls a sham" took land; it said nothing).
            strict = verb in _OTHER_SENSES
            if _has_verb(self.sentence[start : clause_end(masked, start, self._stops(start))], strict=strict):
                self._clause(hit, speaker, astart, start, date_text, participle)
                return
        self._maybe_trailing(hit, speaker, astart, at, pos, participle)

    def _clause(
        self, hit: _Hit, speaker: Speaker, astart: int, start: int, date_text: str, participle: bool
    ) -> None:
        end = clause_end(self.masked, start, self._stops(start))
        if re.search(r",\s*who\s+(?:[\w'’-]+\s+){0,3}$", self.masked[: hit.start]):
            comma = self.masked.find(",", start, end)
            if comma > start:
                end = comma  # "Milei, who says he takes advice from his dogs, became …": the relative clause
        kind = "quote" if re.fullmatch(r"\s*\x01+[\s.]*", self.masked[start:end]) else "reported"
        if kind == "quote":
            start = start + self.masked[start:end].index(MASK) + 1
            end = start + self.masked[start:end].rindex(MASK) - 0
        self._add(speaker, astart, start, kind, start, end, date_text, boundary=not participle)

    def _maybe_trailing(
        self, hit: _Hit, speaker: Speaker, astart: int, at: int, pos: str, participle: bool
    ) -> None:
        if participle or (not speaker.name and self.masked.rfind(",", 0, astart) < 0):
            return
        comma = self._comma_before(astart)
        if comma < 0 or not re.fullmatch(r"[\s,—–\x01-]*", self.masked[comma:astart]):
            return
        if re.match(r"\s*(?:[,;.!?]|$|[a-z]+ing\b|—|–)", pos) or re.match(
            r"\s*(?:in|at|on|during|via|after|before|to|with|of|about|from)\b[^,;\x01]{0,80}?(?:[,;.!?]|$)",
            pos,
        ):
            self._trailing(hit, speaker, astart, comma, inverted=False)

    def _trailing(self, hit: _Hit, speaker: Speaker, astart: int, comma: int, *, inverted: bool) -> None:
        """`Moscow will not discuss it, the Kremlin said on Thursday.`: the statement comes before."""
        if comma < 0:
            return
        start = max(
            [
                self.intro,
                *[f.attr_end if f.start is None or f.start > f.attr_end else f.end for f in self.frames],
            ]
        )
        start = max(start, _clause_start(self.masked, start, comma))
        if start >= comma:
            return
        rest = self.masked[hit.end :]
        stop = re.search(r"[,.;]", rest)
        date_text = self.masked[comma : hit.end + (stop.start() if stop else len(rest))]
        after = _skip_adverbials(rest)
        mid = re.match(r"\s*,\s*", after)
        if (
            mid
            and not inverted
            and SUBJECT_START.match(after, mid.end())
            and not re.match(r"[a-z]+ing\b|according\b|who\b|which\b|in\s+an?\b", after[mid.end() :])
        ):
            # "If the files are not found soon, Dellon says, they could lose their chance": the attribution
            # interrupts the statement.
            resume = len(self.masked) - len(after) + mid.end()
            end = clause_end(self.masked, resume, self._stops(resume))
            text = self.sentence[start:comma] + ", " + self.sentence[resume:end]
            self._add(speaker, astart, hit.end, "reported", start, end, date_text, text=text)
            return
        speaker = self._cataphoric(speaker, start, comma, astart) or speaker
        if not speaker.name:
            return
        glued = list(re.finditer(r"(?<=[a-z\d])\s+(?=(?:The|A|An)\s+[a-z])", self.masked[start:comma]))
        if glued:
            start += glued[
                -1
            ].end()  # "Two dead as powerful quake rocks New Zealand The tremors …": a headline
        words = self.sentence[start:comma].split()
        if len(words) < 3 or (
            words[0].lower() in NOT_A_CLAUSE_START and not _has_verb(self.masked[start:comma])
        ):
            return
        self._add(speaker, astart, hit.end, "reported", start, comma, date_text)

    # -- subjects --------------------------------------------------------------------------------------------

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
                or (tok == "-"
                and k > 1)
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

    # -- collecting ------------------------------------------------------------------------------------------

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

    def _finish(self) -> list[Found]:
        out: list[Found] = []
        for frame in self.frames:
            raw = frame.text if frame.text is not None else self.sentence[frame.start : frame.end]
            if frame.kind == "reported":
                raw, framing = framing_cut(raw)
                frame.date_text += " " + framing
            text = tidy(raw, quote=frame.kind == "quote")
            if not text:
                continue
            said_on = self._date(frame)
            out.append((frame.speaker, text, frame.kind, said_on))
            self.state.note(frame.speaker)
        return out

    def _date(self, frame: _Frame) -> datetime | None:
        state = self.state
        text = list_mark(self.masked) + " " + frame.date_text
        lead = self.masked[self.intro : frame.attr_start]
        if frame.attr_start < frame.start and MASK not in lead and len(lead.split()) <= 8:
            text += " " + lead  # "On Feb. 12, Peskov said …"
        if frame.attr_start > frame.end:
            text += " " + self.masked[frame.end : frame.attr_start]
        said_on = explicit_date(text, state.published) or relative_to_last(text, state.last_said)
        if said_on is not None:
            state.dates[frame.speaker.name] = said_on
        else:
            said_on = state.dates.get(frame.speaker.name) or state.published
        state.last_said = said_on or state.last_said
        return said_on


def _hit(m: re.Match[str]) -> _Hit | None:
    kind = m.lastgroup or "say"
    verb = m.group(kind)
    if verb.lower() in _NOUN_TOO and re.match(r"\s+(?:ahead|of|from|about)\b", m.string[m.end() :]):
        return None  # "citing weather service forecasts ahead of the weekend": the noun
    return _Hit(start=m.start(), end=m.end(), verb=verb, kind=kind)


_NOUN_TOO = frozenset("forecasts reports claims notes calls warns posts tweets promises pledges threats".split())


def _label_end(masked: str, start: int, end: int) -> int:
    """'called the map “an attack on democracy” and DeSantis “a bully.”': the statement is the labels; it ends
    after the last one, before the sentence goes on ('… its “new regions” and has built roads there')."""
    last = None
    for run in re.finditer(r"\x01+", masked[start:end]):
        if last is not None and re.search(
            r",|\band\s+(?:has|have|had|is|are|was|were|will|would|also|then)\b",
            masked[start + last : start + run.start()],
        ):
            break
        last = run.end()
    return start + last if last is not None else end


def _stem(verb: str) -> str:
    return verb.lower()


def _clause_follows(pos: str, stem: str) -> bool:
    """Whether a position verb is followed by its own "that"-clause ("denied that …", "warned that …")."""
    return bool(re.match(r"\s*,?\s*that\s", pos)) and not stem.startswith(("call", "urg", "accus"))


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


# A reported clause with no "that" may open with a bare noun or adjective ("said persistent deficits have …",
# "say demonstrations are …"), but not with a preposition or a word that makes "said" mean something else.
_BARE_START = re.compile(
    r"\s*(?!(?:"
    + "|".join(sorted(PREPOSITIONS))
    + r"|so|yes|no|goodbye|hello|thanks|nothing|something|little|"
    r"much|more|less|otherwise|hi|sorry|amen|and|or|but|as|because|when|while|if|then|earlier|later|previously)\b)"
    r"[a-z][\w'’-]*\s+[a-z\x01]"
)
_FINITE = re.compile(
    r"\b(?:is|are|was|were|be|been|has|have|had|will|would|can|could|should|may|might|must|did|does|do|won['’]t|"
    r"isn['’]t|wasn['’]t|don['’]t|doesn['’]t|didn['’]t|can['’]t)\b|['’](?:re|ll|d|ve|m)\b|\b[a-z]{3,}ed\b"
    r"|\b(?:he|she|it|they|we|i|you|who|which)\s+[a-z]+s?\b|\b[A-Z][\w'’-]*\s+[a-z]{2,}(?<![su])s\b"
)
# Loosely, a plural noun followed by a word may be a subject and its verb ("other cases arose", "the property
# belongs"): enough after "said", whose bare object is nearly always a clause.
_FINITE_LOOSE = re.compile(
    _FINITE.pattern + r"|\b[a-z]{2,}(?<!s)s\b\s+(?!of\b)[a-z]|\b[a-z]{3,}s\s+[a-z]{3,}"
)


_OTHER_SENSES = frozenset(
    "claimed claims added adds reported reports noted notes announced announces confirmed confirms revealed "
    "reveals acknowledged acknowledges shared posted posts wrote writes recalled recalls repeated".split()
)


def _has_verb(text: str, *, strict: bool = False) -> bool:
    """Whether a bare clause after "said" is a clause at all ("the actor's absence" is an object, not one; in
    "claimed four regions after votes that Kyiv calls a sham" the only verb is in a subordinate clause)."""
    text = text.replace(MASK, " x ")
    verb = (_FINITE if strict else _FINITE_LOOSE).search(text)
    return (
        (verb is not None
        and not strict)
        or (verb is not None
        and not re.search(
            r"\b(?:that|which|who|whom|whose|when|where|after|before|because|if|while|since|until)\b",
            text[: verb.start()],
        ))
    )


def _weak_apposition(words: list[str]) -> bool:
    """A party tag, an age or a description that cannot be the name itself ("D-Ohio", "73", "a Dover
    Republican")."""
    return bool(words) and (
        bool(re.fullmatch(r"[RDI]-[A-Z][\w.]*|\d{1,3}", words[0]))
        or words[0].lower() in ("a", "an")
    )


def _voiceless(words: list[str]) -> bool:
    """ "According to federal data / a new study / the lawsuit": a document with no issuer named."""
    head = [w for w in words if w.lower() not in PREPOSITIONS][:1] and _head(words)
    nouns = {plain(head)} if head else set()
    return bool(
        nouns
        & {
            "data",
            "study",
            "studies",
            "survey",
            "poll",
            "records",
            "figures",
            "estimates",
            "statistics",
            "analysis",
            "research",
            "documents",
            "tracker",
            "tally",
            "report",
            "reports",
            "law",
            "bill",
            "numbers",
            "model",
            "projections",
            "forecast",
            "website",
            "site",
            "map",
            "census",
            "calculations",
            "review",
            "filings",
        }
    ) or bool(
        nouns & DOC_NOUNS
        and not any(w.endswith(("'s", "’s")) or w.lower() in ("its", "his", "her", "their") for w in words)
    )


def _head(words: list[str]) -> str:
    """The noun a phrase is about: the last word before its first preposition ("data from the agency")."""
    for i, w in enumerate(words[1:], 1):
        if w.lower() in PREPOSITIONS:
            return words[i - 1]
    return words[-1]


__all__ = ["GROUP_NOUNS", "Found", "SentenceReader"]
