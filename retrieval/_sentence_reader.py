"""The statements of one sentence: direct quotes with their attribution, and reported speech ("X said
that …", "…, the Kremlin said.", "…, adding that …")."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from retrieval._said_dates import explicit_date
from retrieval._sentences import MASK, TERMINAL, mask, quote_spans
from retrieval._speaker_words import CONNECTORS, PREPOSITIONS, ROLE_WORDS, TOKEN, is_cap
from retrieval._speakers import Speaker, State, speaker_from_words, subject_before
from retrieval._speech_verbs import (
    ADVERBIAL,
    CUT,
    GAP_WORDS,
    LISTENER,
    NOT_A_CLAUSE_START,
    SHORT_PHRASE,
    SOURCE_WORDS,
    SUBJECT_START,
    TRAIL,
    VERB,
)


@dataclass(slots=True)
class _Hit:
    start: int  # where the attribution begins (the verb, or the comma before a participle)
    end: int  # the verb's end
    verb: str
    kind: str  # say | that | pos | psay | ppos


_Found = tuple[Speaker, str, str, datetime | None]


class SentenceReader:
    """Finds the statements of one sentence; verbs are matched on the masked text, statement text is cut
    from the original."""

    def __init__(self, sentence: str, state: State) -> None:
        self.sentence = sentence
        self.masked = mask(sentence)
        self.state = state
        self.spans = quote_spans(sentence)
        self.hits = [_hit(m) for m in VERB.finditer(self.masked)]
        self.used: set[int] = set()
        self.covered: list[tuple[int, int]] = []
        self.found: list[_Found] = []

    @property
    def latest(self) -> Speaker | None:
        return self.found[-1][0] if self.found else None

    def read(self, previous_quote: tuple[Speaker, datetime | None] | None) -> list[_Found]:
        for qstart, qend in self.spans:
            self._quote(qstart, qend)
        self._according_to()
        self._statement_by()
        for index in range(len(self.hits)):
            if index not in self.used:
                self._reported(index)
        if not self.found and previous_quote is not None:
            self._continued_quote(*previous_quote)
        return self.found

    def _emit(
        self, speaker: Speaker, start: int, end: int, kind: str, attribution: str, text: str | None = None
    ) -> None:
        state = self.state
        said_on = explicit_date(attribution, state.published)
        if said_on is not None:
            state.dates[speaker.name] = said_on
        else:
            said_on = state.dates.get(speaker.name, state.published)
        text = _tidy(self.sentence[start:end] if text is None else text, quote=kind == "quote")
        if text:
            self.found.append((speaker, text, kind, said_on))
            self.covered.append((start, end))
            state.spoken.append((speaker, state.paragraph))

    def _words(self, text: str) -> list[str]:
        return [m.group() for m in TOKEN.finditer(text)]

    # -- quotes ----------------------------------------------------------------------------------------------

    def _quote(self, qstart: int, qend: int) -> None:
        """`"…," Peskov said`, `"…" said Peskov`, `Peskov said: "…"` and `Peskov: "…"`."""
        masked, content = self.masked, self.sentence[qstart + 1 : qend - 1]
        ends_open = bool(re.search(r"[,?!—–…-]\s*$", content)) or masked[qend:].lstrip().startswith(",")
        # 'the passage of the "One Big Beautiful Bill Act," Musk announced': a title in quotes, not speech.
        lead = re.search(r"([\w'’]+)\s*$", masked[:qstart])
        if lead and lead.group(1).lower() in PREPOSITIONS | {"the", "a", "an", "called", "named", "titled"}:
            ends_open = False
        for index, hit in enumerate(self.hits):
            if index in self.used or hit.start < qend or hit.kind in ("psay", "ppos"):
                continue
            between = masked[qend : hit.start]
            if not ends_open or MASK in between or re.search(r"\.\s", between) or len(between.split()) > 12:
                break
            segment = between.lstrip(" ,")
            if segment.strip():
                speaker, real = subject_before(segment, self.state, None)
            else:
                speaker, real = _inverted(masked[hit.end :], self.state), True
            if speaker is None or not real:
                break
            self.used.add(index)
            stop = re.search(r"[,.;]", masked[hit.end :])
            attribution = masked[qend : hit.end + (stop.start() if stop else len(masked))]
            tail = re.match(r"[^,.\x01]{0,60},\s*(?=\x01)", masked[hit.end :])
            second = [s for s in self.spans if tail and s[0] == hit.end + tail.end()]
            if second:
                # "We will," Putin said, "defend our land." — one quote interrupted by its attribution.
                joined = content.rstrip(" ,") + " " + self.sentence[second[0][0] + 1 : second[0][1] - 1]
                self._emit(speaker, qstart + 1, second[0][1] - 1, "quote", attribution, text=joined)
                self.covered.append(second[0])
            else:
                self._emit(speaker, qstart + 1, qend - 1, "quote", attribution)
            return
        before = masked[:qstart]
        colon = re.fullmatch(r"\s*([^,:\x01]{2,80}?)\s*:\s*", before)
        if colon:
            if not VERB.search(colon.group(1)) and len(colon.group(1).split()) <= 8:
                speaker = speaker_from_words(self._words(colon.group(1)), self.state)
                if speaker is not None:
                    self._emit(speaker, qstart + 1, qend - 1, "quote", before)
                return
        for index in range(len(self.hits) - 1, -1, -1):
            hit = self.hits[index]
            if index in self.used or hit.end > qstart or hit.kind not in ("say", "that"):
                continue
            gap = masked[hit.end : qstart]
            if not re.fullmatch(r"(?:\s+[^\s\x01]+){0,6}\s*[:,]\s*", gap):
                return
            speaker, real = subject_before(masked[: hit.start], self.state, self.latest)
            if speaker is not None and real:
                self.used.add(index)
                self._emit(
                    speaker,
                    qstart + 1,
                    qend - 1,
                    "quote",
                    masked[self._left_bound(hit.start) : hit.end] + gap,
                )
            return

    def _continued_quote(self, speaker: Speaker, said_on: datetime | None) -> None:
        """A sentence that is only a quote continues the quote of the sentence before it."""
        if (
            not self.spans
            or self.masked.strip().strip(MASK).strip(" .,!?")
            or not self.masked.lstrip().startswith(MASK)
        ):
            return
        text = _tidy(self.sentence[self.spans[0][0] + 1 : self.spans[0][1] - 1], quote=True)
        if text:
            self.found.append((speaker, text, "quote", said_on))

    # -- reported speech -------------------------------------------------------------------------------------

    def _according_to(self) -> None:
        m = re.match(
            r"\s*(?:[^,\x01]{0,40},\s*)?according to\s+([^,\x01]{2,60}),\s*(?=\S)", self.masked, re.I
        )
        if m is None or SOURCE_WORDS.search(m.group(1)) or len(m.group(1).split()) > 8:
            return
        words = self._words(m.group(1))
        if not all(is_cap(w) or w.lower() in ROLE_WORDS | CONNECTORS | {"the", "'s"} for w in words):
            return
        speaker = speaker_from_words(words, self.state)
        if speaker is not None:
            self._emit(speaker, m.end(), self._content_end(m.end()), "reported", self.masked[: m.end()])

    def _statement_by(self) -> None:
        """'… a previous one made on Feb. 26 by Foreign Minister Sergey Lavrov that …'."""
        m = re.search(
            r"\b(?:statement|remarks?|comments?|one|claim|assertion|warning|pledge)\b((?:\s+[\w.]+){0,5}?)"
            r"\s+by\s+"
            r"([^,;\x01]{2,80}?)\s+that\s+",
            self.masked,
        )
        if m is None:
            return
        words = self._words(m.group(2))
        if not all(is_cap(w) or w.lower() in ROLE_WORDS | CONNECTORS for w in words):
            return
        speaker = speaker_from_words(words, self.state)
        if speaker is not None:
            self._emit(speaker, m.end(), self._content_end(m.end()), "reported", m.group(1))

    def _content_end(self, start: int) -> int:
        """Where a reported clause stops: before a participle, a coordinated verb of its own, or a source."""
        end = len(self.masked)
        for hit in self.hits:
            if hit.start <= start:
                continue
            if hit.kind in ("psay", "ppos"):
                end = min(end, hit.start)
                continue
            coord = re.search(
                r",?\s+(?:and|but)\s+(?:(?:he|she)\s+)?(?:(?:also|has|had|have)\s+)*$",
                self.masked[: hit.start],
            )
            if coord and coord.start() > start:
                end = min(end, coord.start())
            elif hit.kind in ("say", "that"):
                # "…, while Golden Globes president Helen Hoehne said": another speaker's clause begins.
                other = re.search(
                    r"[,\x01]\s+(?:while|whereas|but|and|as)\s+[^,;.\x01]{1,80}$", self.masked[: hit.start]
                )
                if other and other.start() > start:
                    end = min(end, other.start() + (self.masked[other.start()] == MASK))
        cut = CUT.search(self.masked, start, end)
        return cut.start() if cut else end

    def _reported(self, index: int) -> None:
        """`Peskov said (that) …`, `Lavrov rejected …`, `…, the Kremlin said.`, `…, adding that …`."""
        hit, masked = self.hits[index], self.masked
        participle = hit.kind in ("psay", "ppos")
        if not participle and any(s <= hit.start < e for s, e in self.covered):
            return  # a verb inside someone's reported clause is part of what they said
        if participle:
            speaker, real = self.latest or _initial_subject(masked, self.state), True
        else:
            speaker, real = subject_before(masked[: hit.start], self.state, self.latest)
        if speaker is None:
            return
        self.used.add(index)
        rest = masked[hit.end :]
        if hit.kind in ("pos", "ppos"):
            if hit.verb in ("called", "calls", "calling") and MASK not in re.split(r"[.;]", rest)[0]:
                return
            verb_at = hit.end - len(hit.verb)
            end = self._content_end(hit.end)
            if hit.verb in ("called", "calls", "calling"):
                # 'called the conditions "very simple"': the label is the statement, not what follows it.
                first = masked.index(MASK, hit.end)
                end = min(end, first + len(masked[first:]) - len(masked[first:].lstrip(MASK)))
            if real and len(self.sentence[hit.end : end].split()) >= 3:
                self._emit(speaker, verb_at, end, "reported", masked[self._left_bound(hit.start) : verb_at])
            return
        start = self._clause_start(hit, rest)
        if start is None:
            if not real:
                _remember_date(speaker, masked[hit.start :], self.state)
                self.state.spoken.append((speaker, self.state.paragraph))
            elif not participle:
                self._trailing(hit, speaker)
            return
        if not real:
            _remember_date(speaker, masked[self._left_bound(hit.start) : start], self.state)
            return
        end = self._content_end(start)
        kind = "quote" if re.fullmatch(r"\s*\x01+[\s.]*", masked[start:end]) else "reported"
        if kind == "quote":
            start, end = start + masked[start:end].index(MASK) + 1, start + masked[start:end].rindex(MASK)
        self._emit(speaker, start, end, kind, masked[self._left_bound(hit.start) : start])

    def _clause_start(self, hit: _Hit, rest: str) -> int | None:
        """Where the reported clause begins after the verb, if it has one."""
        pos = _skip_adverbials(rest, 0)
        if hit.verb in ("told", "tells"):
            listener = LISTENER.match(rest, pos)
            if listener is None:
                return None
            pos = _skip_adverbials(rest, listener.end())
        if that := re.match(r"\s*,?\s*that\s+", rest[pos:]):
            return hit.end + pos + that.end()
        if colon := re.match(r"\s*:\s*", rest[pos:]):
            return hit.end + pos + colon.end()
        if hit.kind in ("say", "psay") or hit.verb in ("told", "tells"):
            if SUBJECT_START.match(rest, pos) and not rest[pos:].lstrip().startswith((",", ".")):
                return hit.end + pos + (len(rest[pos:]) - len(rest[pos:].lstrip()))
        # "repeated Moscow's claim that …": a short object, then the clause.
        short = re.match(r"((?:\s+[^\s\x01,;]+){1,3}?)\s+that\s+", rest)
        if short and not re.search(r"\b(?:which|who|what|whether|the|a|an)\b", short.group(1), re.I):
            return hit.end + short.end()
        return None

    def _trailing(self, hit: _Hit, speaker: Speaker) -> None:
        """`Moscow will not discuss it, the Kremlin said on Thursday.` The clause comes before the speaker."""
        comma = self.masked.rfind(",", 0, hit.start)
        if (
            comma < 0
            or MASK in self.masked[:comma]
            or self.found
            or (hit.kind != "say" and hit.verb not in TRAIL)
        ):
            return
        # Only the speaker may stand between the comma and the verb ("…, even though Moscow declared" is no
        # attribution).
        between = self._words(self.masked[comma + 1 : hit.start])
        if between and between[0].lower() == "the":
            between = between[1:]
        if not between or len(between) > 8:
            return
        allowed = ROLE_WORDS | CONNECTORS | GAP_WORDS
        if not all(is_cap(w) or w.lower() in allowed or w.endswith(("'s", "’s")) for w in between):
            return
        words = self.sentence[:comma].split()
        if len(words) < 5 or words[0].lower() in NOT_A_CLAUSE_START:
            return
        rest = self.masked[hit.end :]
        pos = _skip_adverbials(rest, 0)
        if hit.verb in ("told", "tells") and (listener := LISTENER.match(rest, pos)):
            pos = _skip_adverbials(rest, listener.end())
        tail = rest[pos:]
        comma_after = re.match(r"\s*,\s*", tail)
        if comma_after and SUBJECT_START.match(tail, comma_after.end()):
            if not re.match(r"[a-z]+ing\b|according\b", tail[comma_after.end() :]):
                # "If the files are not found soon, Dellon says, they could lose their chance to vote":
                # the attribution interrupts the statement.
                after = hit.end + pos + comma_after.end()
                joined = self.sentence[:comma] + ", " + self.sentence[after:].strip()
                self._emit(speaker, 0, len(self.sentence), "reported", self.masked[comma:after], text=joined)
                return
        # Only the end, a comma or a short phrase may follow ("…, Peskov said of the idea."), not a clause.
        if re.match(r"\s*(?:[,;.!?]|$|[a-z]+ing\b)", tail) or SHORT_PHRASE.match(tail):
            self._emit(speaker, 0, comma, "reported", self.masked[comma:])

    def _left_bound(self, pos: int) -> int:
        """Start of the text that may date the statement at `pos`: after any earlier statement's clause."""
        return max((end for _, end in self.covered if end <= pos), default=0)


def _hit(m: re.Match[str]) -> _Hit:
    kind = m.lastgroup or "say"
    return _Hit(start=m.start(), end=m.end(), verb=m.group(kind), kind=kind)


def _tidy(text: str, *, quote: bool) -> str:
    text = re.sub(r"(?:\s+(?:and|but|or))+$", "", " ".join(text.split()).strip(" ,;:—–-"))
    if quote:
        text = text.strip('"“”„«»').strip(" ,;:—–-")
    if len(text.split()) < (1 if quote else 3):
        return ""
    text = re.sub(r',(["”’»])$', r"\1", text)  # '…of entertainment,"' ends the clause, not the quote
    closed = text[-1] in '"”’»' and len(text) > 1 and text[-2] in TERMINAL
    if text[-1] not in TERMINAL and not closed:
        text += "."
    return text


def _inverted(after: str, state: State) -> Speaker | None:
    """'… said Kremlin spokesman Dmitry Peskov.' — the speaker follows the verb."""
    m = re.match(r"\s*([^,.;:\x01]{2,80})", after)
    if m is None:
        return None
    words = [w.group() for w in TOKEN.finditer(m.group(1))]
    if not words or not all(is_cap(w) or w.lower() in ROLE_WORDS | CONNECTORS for w in words):
        return None
    return speaker_from_words(words, state)


def _skip_adverbials(rest: str, pos: int) -> int:
    while (adverbial := ADVERBIAL.match(rest, pos)) and adverbial.end() > pos:
        pos = adverbial.end()
    return pos


def _remember_date(speaker: Speaker, attribution: str, state: State) -> None:
    said_on = explicit_date(attribution, state.published)
    if said_on is not None:
        state.dates[speaker.name] = said_on


def _initial_subject(masked: str, state: State) -> Speaker | None:
    """The subject opening the sentence, for a participle ('He did not say …, adding that …')."""
    m = re.match(r"\s*((?:[^\s,\x01]+\s+){1,6}?)(?=[a-z])", masked)
    if m is None:
        return None
    speaker, real = subject_before(m.group(1), state, None)
    return speaker if real else None
