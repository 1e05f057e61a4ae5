"""Quotations in Russian and Ukrainian sentences: «…», — сказал X; «…, — сказал X, — …»; X сказал: «…»;
«…», — говорится в заявлении X; and dash dialogue (`— …, — сказал X. — …`). The base of the sentence reader
(`_slavic_reader`), which adds reported speech."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ._discourse import Speaker
from ._sentences import MASK, quote_spans
from ._slavic_memory import Memory
from ._slavic_names import Token, given_name, is_capital, lemma, tokens
from ._slavic_speakers import cut_np, segments, speaker_of
from ._slavic_words import (
    DOC_NOUNS,
    DOC_VERBS,
    ORG_WORDS,
    POSSESSIVES,
    QUOTE,
    ROLE_WORDS,
    UNNAMED_WORDS,
    VERBS,
)

_DASH = "—–"
Who = tuple[Speaker, str | None]  # a speaker and the gender the text shows, if any


@dataclass(slots=True)
class Frame:
    """One statement being read: who, which stretches of the sentence are its words, and the words of its
    attribution (where its date is looked for)."""

    speaker: Speaker
    kind: str
    parts: list[tuple[int, int]]
    attribution: tuple[int, int]
    gender: str | None = None
    text: str | None = None  # set when the words are not a plain stretch of the sentence
    continued: bool = False  # a dash line that goes on from the previous sentence's quotation
    clause: bool = False  # a clause of "say" ("заявил, что …", "по словам X, …"): wholly quoted, a quotation


@dataclass(slots=True)
class Claimed:
    spans: list[tuple[int, int]] = field(default_factory=list)

    def add(self, start: int, end: int) -> None:
        self.spans.append((start, end))

    def covers(self, i: int) -> bool:
        return any(a <= i < b for a, b in self.spans)


class QuoteReader:
    def __init__(self, sentence: str, masked: str, memory: Memory, dash_speaker: Speaker | None) -> None:
        self.sentence = sentence
        self.masked = masked
        self.memory = memory
        self.verbs = VERBS[memory.language]
        self.words = tokens(sentence, masked)
        self.frames: list[Frame] = []
        self.claimed = Claimed()
        self.dash_speaker = dash_speaker  # who was quoted just before, for a quotation that goes on

    # --- helpers -----------------------------------------------------------------------------------------

    def index_at(self, offset: int) -> int:
        """The first word at or after a character offset."""
        return next((i for i, w in enumerate(self.words) if w.start >= offset), len(self.words))

    def verb(self, token: Token) -> tuple[str, str] | None:
        return None if token.quoted else self.verbs.get(token.low)

    def add(self, frame: Frame) -> None:
        self.frames.append(frame)
        for a, b in frame.parts:
            self.claimed.add(a, b)
        self.claimed.add(*frame.attribution)

    def speaker_after(self, start: int, end: int, gender: str | None) -> Who | None:
        """The speaker named after a verb ("— сказал в понедельник глава департамента Руслан Абдуллаев"),
        from word `start` up to word `end`."""
        return self._speaker_in(self.words[start:end], gender)

    def _speaker_in(self, words: list[Token], gender: str | None) -> Who | None:
        words = cut_np(words, leading=True)
        if words and words[0].low in ("в", "во", "у") and len(words) > 1 and lemma(words[1].text, ORG_WORDS):
            words = words[1:]  # "наголосили в мерії"
        pieces = segments(words)
        if not pieces:
            return None
        first = pieces[0]
        if first and any(lemma(w.text, UNNAMED_WORDS) for w in first[:3]) and words:
            return Speaker(
                " ".join(self.sentence[words[0].start : words[-1].end].split()), None, True, True
            ), None
        return speaker_of(first, self.memory, self.sentence, gender=gender)

    # --- quotations --------------------------------------------------------------------------------------

    def read_quotes(self) -> None:
        spans = quote_spans(self.sentence)
        for qstart, qend in spans:
            inner = self.sentence[qstart + 1 : qend - 1]
            if len(inner.split()) < 2:
                continue  # a name or a label in marks, not a quotation
            if self._broken_quote(qstart, qend) or self._quote_then_dash(qstart, qend):
                continue
            self._colon_then_quote(qstart, qend)
        if not self.frames and len(spans) == 1 and self.dash_speaker is not None:
            # "«…», — сказал он. «…»." A sentence that is nothing but a quotation goes on with the one before.
            qstart, qend = spans[0]
            if not self.sentence[:qstart].strip() and not self.sentence[qend:].strip(" .!?…"):
                self.add(Frame(self.dash_speaker, "quote", [(qstart + 1, qend - 1)], (0, 0), continued=True))

    def _broken_quote(self, qstart: int, qend: int) -> bool:
        """«Первая часть, — сказала Мартыненко, — вторая часть»."""
        inner = self.sentence[qstart + 1 : qend - 1]
        m = re.search(rf"[,.!?…]?\s+[{_DASH}]\s+(\S+)\s+([^{_DASH}]+?)[,.]\s+[{_DASH}]\s+", inner)
        if m is None:
            return False
        found = self.verbs.get(m.group(1).lower())
        if found is None:
            return False
        base = qstart + 1
        # Inside the quotation the masked sentence has no words: read the original there.
        words = tokens(self.sentence, self.sentence, base + m.start(2), base + m.end(2))
        who = self._speaker_in(words, found[1])
        if who is None:
            return False
        first = (qstart + 1, base + m.start())
        second = (base + m.end(), qend - 1)
        self.add(Frame(who[0], "quote", [first, second], (base + m.start(1), base + m.end(2)), who[1]))
        return True

    def _quote_then_dash(self, qstart: int, qend: int) -> bool:
        """«…», — сказал X. / «…», — говорится в заявлении X."""
        m = re.match(rf"\s*,?\s*[{_DASH}]\s+", self.masked[qend:])
        if m is None:
            return False
        k = self.index_at(qend + m.end())
        if k >= len(self.words):
            return False
        end = self._line_end(k)
        if self.words[k].low in DOC_VERBS:
            issuer = self._document(k + 1, end)
            if issuer is None:
                return False
            self.add(
                Frame(
                    issuer, "quote", [(qstart + 1, qend - 1)], (self.words[k].start, self.words[end - 1].end)
                )
            )
            return True
        found = self.verb(self.words[k])
        if found is None:
            return False
        who = self.speaker_after(k + 1, end, found[1])
        if who is None:
            return False
        attribution = (self.words[k].start, self.words[end - 1].end if end > k else self.words[k].end)
        self.add(Frame(who[0], "quote", [(qstart + 1, qend - 1)], attribution, who[1]))
        return True

    def _line_end(self, k: int) -> int:
        """Where an attribution after a dash stops: at the next dash (the line goes on) or the sentence's
        end."""
        j = k
        while j < len(self.words) and self.words[j].text not in _DASH:
            j += 1
        return j

    def _document(self, start: int, end: int) -> Speaker | None:
        """ "говорится в сообщении управления …", "йдеться в його зверненні": the issuer."""
        words = self.words[start:end]
        while words and words[0].low in ("в", "во", "у"):
            words = words[1:]
        if len(words) > 1 and words[0].low in POSSESSIVES and words[1].low in DOC_NOUNS:
            return self.memory.pronoun(POSSESSIVES[words[0].low])  # "в его обращении"
        if not words or words[0].low not in DOC_NOUNS:
            return None
        owner = words[1:]
        if not owner:
            return None
        if owner[0].low in POSSESSIVES:
            return self.memory.pronoun(POSSESSIVES[owner[0].low])
        found = speaker_of(cut_np(owner, leading=False), self.memory, self.sentence, case="gen")
        return found[0] if found else None

    def document_before(self, k: int) -> Speaker | None:
        """ "В заявлении ведомства говорится, что …": the issuer named before the verb at word `k`."""
        start = k
        while start and self.words[start - 1].text not in (",", ":", ";"):
            start -= 1
        return self._document(start, k)

    def _colon_then_quote(self, qstart: int, qend: int) -> None:
        """X сказал: «…» (a verb within the few words before the colon)."""
        before = self.masked[:qstart].rstrip()
        if not before.endswith(":"):
            return
        colon = self.index_at(len(before) - 1)
        attribution = (self.words[0].start, self.words[colon].end)
        for k in range(colon - 1, max(-1, colon - 6), -1):
            found = self.verb(self.words[k])
            if found is None or found[0] == QUOTE:
                continue
            who = self.subject_before(k, found[1])
            if who is not None:
                self.add(Frame(who[0], "quote", [(qstart + 1, qend - 1)], attribution, who[1]))
            return
        # "Его поддержала депутат Светлана Ким: «…»": a colon right after a person's full name.
        if colon >= 2 and is_capital(self.words[colon - 1]) and given_name(self.words[colon - 2].text):
            who = self.subject_before(colon, None)
            if who is not None and who[0].person and not who[0].unnamed and " " in who[0].name:
                self.add(Frame(who[0], "quote", [(qstart + 1, qend - 1)], attribution, who[1]))

    # --- dash dialogue -------------------------------------------------------------------------------------

    def read_dash_line(self) -> bool:
        """A sentence that opens with a dash: "— …, — сказал X." (and what follows a second dash), or a line
        that goes on from the previous sentence's dash quotation. True when it was one."""
        text = self.sentence
        if not re.match(rf"[{_DASH}]\s", text):
            return False
        opened = len(text) - len(text[1:].lstrip())
        for m in re.finditer(rf"[,!?…]?\s+[{_DASH}]\s+", self.masked):
            if m.start() < opened:
                continue
            k = self.index_at(m.end())
            if k >= len(self.words):
                break
            found = self.verb(self.words[k])
            if found is None:
                continue
            end = self._line_end(k + 1)
            who = self.speaker_after(k + 1, end, found[1])
            if who is None:
                return True
            punct = m.group()[0] if m.group()[0] in "!?…" else ""
            parts = [(opened, m.start() + len(punct))]
            if end < len(self.words):
                rest = self.words[end].end
                parts.append((self.index_to_offset(rest), len(text)))
            attribution = (self.words[k].start, self.words[end - 1].end)
            self.add(Frame(who[0], "quote", parts, attribution, who[1]))
            return True
        if self.dash_speaker is not None:
            self.add(Frame(self.dash_speaker, "quote", [(opened, len(text))], (0, 0), continued=True))
        return True

    def index_to_offset(self, offset: int) -> int:
        while offset < len(self.sentence) and self.sentence[offset].isspace():
            offset += 1
        return offset

    def subject_before(self, k: int, gender: str | None) -> Who | None:
        """The subject of the verb at word `k`: the phrase from the clause's start up to it."""
        start = self.clause_start(k)
        words = [w for w in self.words[start:k] if MASK not in w.text or w.quoted]
        pieces = segments(words)
        while pieces:
            piece = cut_np(pieces[-1], leading=True)
            if piece and len(pieces) > 1 and _apposition(piece):
                pieces.pop()  # "Ірина Савчук, голова фракції «Народна дія», заявила"
                continue
            if piece:
                return speaker_of(piece, self.memory, self.sentence, gender=gender)
            pieces.pop()
        return None

    def clause_start(self, k: int) -> int:
        """The first word of the clause the word at `k` is in: after a semicolon, or after ", а", ", и",
        ", та", ", але" and the like."""
        j = k
        while j > 0:
            w = self.words[j - 1]
            if w.text in (";", ":"):
                return j
            if (
                w.text == ","
                and j < len(self.words)
                and self.words[j].low in ("а", "и", "но", "та", "і", "й", "але")
            ):
                return j + 1
            j -= 1
        return 0


def _apposition(piece: list[Token]) -> bool:
    """A title after the name it describes: a role word and no name of its own."""
    return bool(lemma(piece[0].text, ROLE_WORDS)) and not any(
        given_name(w.text) for w in piece[1:] if is_capital(w)
    )
