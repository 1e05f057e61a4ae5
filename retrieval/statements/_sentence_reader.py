"""The statements of one sentence: direct quotes (`_quotes`), reported speech before or after its
attribution ("X said (that) …", "…, the agency said", "According to X, …"), evaluative acts with an object
("accused X of …", "urged X to …"), participles (", adding that …"), each with its speaker (`_subjects`) and
date. Verbs are found on the sentence with its quotations masked; statement text is cut from the original."""

from __future__ import annotations

import re
from datetime import datetime

from ._clauses import (
    _BARE_START,
    _OTHER_SENSES,
    _clause_follows,
    _has_verb,
    _label_end,
    _stem,
    _voiceless,
    clause_end,
    framing_cut,
    list_mark,
    tidy,
)
from ._discourse import Speaker
from ._quotes import QuoteReader
from ._said_dates import DAYREF, explicit_date, names_a_day, relative_to_last
from ._sentences import MASK
from ._speakers import parse_subject, words_of
from ._speech_verbs import (
    BARE_OBJECT,
    GAP,
    LISTENER,
    NEEDS_THAT,
    NOT_A_CLAUSE_START,
    NP_OBJECT,
    OBJECT_LINK,
    QUOTE_ONLY,
    SUBJECT_START,
)
from ._subjects import Found, _clause_start, _Frame, _Hit, _skip_adverbials

_NEGATION = re.compile(
    r"\b(?:not|never|n['’]t|no\s+longer|declined\s+to|refused\s+to|(?:did|does|do|would|could|will|cannot|can|"
    r"should|may|might|must|to|is|are|was|were|be|been|being|am)(?:\s+not)?(?:\s+\w+ly)?)\s*$",
    re.IGNORECASE,
)


_PASSIVE_AFTER = re.compile(r"\s+(?:to\s+(?:be|have)\b|as\s+saying\b)")


class SentenceReader(QuoteReader):
    """Finds the statements of one sentence."""

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

    def _according_to(self) -> None:
        for m in re.finditer(
            # The name ends at a comma, a semicolon or a full stop, but not at the one of "U.S." or "D.C.".
            r"(?:^|(?<=[,\s]))according to\s+([^,;\x01]{2,160}?)"
            r"(?=\s*(?:[,;]|(?<!\.[A-Z])\.(?:\s|$)|$|\x01))",
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
            when = explicit_date(
                masked[hit.start : hit.end + 40].split(",")[0], self.state.published, self.state.year
            )
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
            if (core.rstrip().endswith((",", MASK)) or comma_gap or not core.strip()) and hit.verb not in (
                "told",
                "tells",
            ):  # "…, told USA TODAY" names the listener, never the speaker
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
                r"\s+(?:to\s+[a-z]+|an?\s|the\s|its\s|his\s|her\s|their\s|new\s|plans?\s|\d|\$|[a-z]+\s+[a-z]"
                r"|(?:one|two|three|four|five|six|seven|eight|nine|ten|several|dozens|hundreds|thousands)\s)",
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
            if strict and not re.match(r"\s*(?:he|she|it|they|we|i|there|this|these|those)\s", pos, re.I):
                self._maybe_trailing(hit, speaker, astart, at, pos, participle)
                return
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
        after = _skip_adverbials(rest)
        # The attribution's own time words ("said on Sunday, Feb. 9"), not the words of a clause after it.
        said = max(stop.start() if stop else len(rest), len(rest) - len(after))
        date_text = self.masked[comma : hit.end + said]
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
        said_on = explicit_date(text, state.published, state.year) or relative_to_last(text, state.last_said)
        if said_on is not None:
            state.dates[frame.speaker.name] = said_on
        elif names_a_day(text):
            return None  # "said on Tuesday" in an article with no date: not the day of any other statement
        else:
            said_on = state.dates.get(frame.speaker.name) or state.published
        state.last_said = said_on or state.last_said
        return said_on


__all__ = ["Found", "SentenceReader"]
