"""The statements of one Russian or Ukrainian sentence: quotations and dash dialogue (`_slavic_quotes`), then
reported speech: "X заявил, что …", "…, заявил X", "по словам X, …", "как отметил X, …", "в министерстве
пояснили, что …", "об этом сообщил X" (the sentence before), participles ("…, заявив, что …"), and verbs with
an object ("призвал власти провести …", "пообещал помочь …", "назвал X «Y»", "обвинил X в …"). A reported
clause stops where the reporter's framing starts ("…, несмотря на …", "…, хотя …") or the next attribution
does ("…, и добавил, что …")."""

from __future__ import annotations

import re

from ._discourse import Speaker
from ._sentences import MASK
from ._slavic_names import lemma
from ._slavic_quotes import Frame, QuoteReader, Who
from ._slavic_speakers import WEEKDAYS, cut_np, possessive, speaker_of
from ._slavic_words import (
    ACCUSE,
    ANNOUNCE,
    ASK,
    CALL,
    DENY,
    DOC_VERBS,
    EXPRESS,
    FRAMING,
    LINKS,
    LISTENERS,
    NEGATION,
    ORG_WORDS,
    PARTICIPLES,
    PROMISE,
    QUOTE,
    SAY,
    URGE,
)

_THAT = frozenset({"что", "що"})
_AND = frozenset({"и", "і", "й", "та"})
# Words that open a new noun phrase: "в администрации президента | эту информацию назвали …".
_DETERMINERS = frozenset(
    "эту этот это эти эта такую свою свой его ее её их цю цей це ці свій його її їх".split()
)
_CONDITIONAL = frozenset({"если", "якщо", "бы", "б", "якби", "коли-небудь"})
_ABOUT = frozenset({"о", "об", "про"})
_ANNOUNCING = frozenset("объявил объявила объявили оголосив оголосила оголосили предупредил предупредила "
                        "предупредили попередив попередила попередили".split())  # fmt: skip
_FEELINGS = re.compile(
    r"^(?:надежд|уверенност|сожалени|протест|обеспокоенност|озабоченност|сподіван|впевненіст|жаль|"
    r"стурбованіст|занепокоєнн|співчутт|соболезнован|благодарност|вдячніст)"
)
_QUESTION = frozenset(
    "когда коли будет ли чи где де куда куди как як почему чому сколько скільки зачем навіщо кто хто".split()
)
_ACCORDING = re.compile(
    r"(?:по\s+словам|со\s+слов|за\s+словами|словами)\s+(?P<np>[^,;.\x01]+(?:\x01+[^,;.\x01]*)?)",
    re.IGNORECASE,
)
_ACCORDING_POSSESSIVE = re.compile(
    r"(?:по\s+(?P<a>его|её|ее|их)\s+словам|за\s+(?P<b>його|її|їх|їхніми)\s+словами)", re.IGNORECASE
)
_AS_SAID = re.compile(r"(?:^|(?<=[,;]\s))(?:как|як)\s+(?P<verb>[\w']+)\s+", re.IGNORECASE)
_ABOUT_THIS = re.compile(r"^(?:об\s+этом|про\s+це)\b", re.IGNORECASE)
_INFINITIVE = re.compile(r"(?:ть|ти|чь|тися|ться|тись)$")


class SentenceReader(QuoteReader):
    def read(self, previous: str | None) -> list[Frame]:
        if not self.read_dash_line():
            self.read_quotes()
        self._according()
        self._as_said()
        self._about_this(previous)
        for k, word in enumerate(self.words):
            if not self.claimed.covers(word.start):
                self._verb_at(k)
        return self.frames

    # --- "по словам X", "как отметил X" ---------------------------------------------------------------

    def _according(self) -> None:
        for m in _ACCORDING_POSSESSIVE.finditer(self.masked):
            owner = possessive(m["a"] or m["b"], self.memory)
            if owner is not None:
                self._around(m.start(), m.end(), owner, None)
        for m in _ACCORDING.finditer(self.masked):
            if self.claimed.covers(m.start()):
                continue
            words = cut_np(
                self.words[self.index_at(m.start("np")) : self.index_at(m.end("np"))], leading=False
            )
            who = speaker_of(words, self.memory, self.sentence, case="gen") if words else None
            if who is not None:
                self._around(m.start(), m.end(), who[0], who[1])

    def _as_said(self) -> None:
        for m in _AS_SAID.finditer(self.masked):
            found = self.verbs.get(m["verb"].lower())
            if found is None or found[0] not in (SAY,):
                continue
            k = self.index_at(m.start("verb"))
            end = k + 1
            while end < len(self.words) and self.words[end].text not in (",", ".", ";"):
                end += 1
            if end >= len(self.words) or self.words[end].text != ",":
                continue
            who = self.speaker_after(k + 1, end, found[1])
            if who is not None:
                self._around(m.start(), self.words[end - 1].end, who[0], who[1])

    def _around(self, astart: int, aend: int, who: Speaker, gender: str | None) -> None:
        """A statement around an attribution phrase: after it ("По словам X, …"), on both sides ("…, по словам
        X, …") or before it ("…, по словам X.")."""
        lead = self.masked[:astart].rstrip()
        tail = self.masked[aend:]
        after = aend + len(tail) - len(tail.lstrip(" ,"))
        end = self._clause_end(after)
        if not lead:
            if end - after > 0:
                self.add(Frame(who, "reported", [(after, end)], (astart, aend), gender, clause=True))
        elif lead.endswith(","):
            first = (0, len(lead) - 1)
            if MASK in self.masked[: len(lead)]:
                return
            parts = [first]
            if tail.strip(" .!?…"):
                parts.append((after, end))
            self.add(Frame(who, "reported", parts, (astart, aend), gender))

    # --- "Об этом сообщил X" ---------------------------------------------------------------------------

    def _about_this(self, previous: str | None) -> None:
        if previous is None or not _ABOUT_THIS.match(self.masked) or previous.rstrip().endswith("?"):
            return
        for k, word in enumerate(self.words[:6]):
            found = self.verb(word)
            if found is None:
                continue
            who = self.speaker_after(k + 1, len(self.words), found[1])
            if who is not None:
                frame = Frame(who[0], "reported", [], (0, len(self.sentence)), who[1], text=previous)
                self.frames.append(frame)
                self.claimed.add(0, len(self.sentence))
            return

    # --- verbs ---------------------------------------------------------------------------------------------

    def _verb_at(self, k: int) -> None:
        word = self.words[k]
        participle = PARTICIPLES[self.memory.language].get(word.low)
        found = self.verb(word)
        if word.low in DOC_VERBS:
            self._document_verb(k)
            return
        if participle is None and found is None:
            return
        if NEGATION.search(self.masked[max(0, word.start - 30) : word.start]) or self._hypothetical(k):
            return
        if found is not None and found[0] == QUOTE:
            return
        if participle is not None and (self.memory.language == "ru" or found is None):
            self._participle(k, participle)
            return
        assert found is not None
        kind, gender = found
        start = self.clause_start(k)
        who = self._locative_body(start, k) if gender == "pl" else None
        if who is None and start and self.words[start - 1].low in _AND and self._only_adverbials(start, k):
            # "…, и добавил, что …": the same subject goes on
            owner = self.frames[-1] if self.frames else None
            who = (owner.speaker, owner.gender) if owner else None
        if who is None and k and self.words[k - 1].text == "," and self._trailing(k, gender):
            return  # "…, заявил Шевчук.": the verb opens the attribution after its clause
        if who is None:
            who = self.subject_before(k, gender)
        if who is None:
            self._trailing(k, gender)
            return
        self._complement(k, kind, who[0], who[1], start)

    def _hypothetical(self, k: int) -> bool:
        """ "Если бы мэр сказал, что …", "якщо міністр заявить": a condition or a wish, not something said."""
        around = self.words[self.clause_start(k) : k + 2]
        return any(w.low in _CONDITIONAL for w in around)

    def _only_adverbials(self, start: int, k: int) -> bool:
        return all(w.low in LINKS or _is_day(w.low) or w.low in ("в", "во", "у") for w in self.words[start:k])

    def _locative_body(self, start: int, k: int) -> Who | None:
        """ "В министерстве пояснили", "у міністерстві зазначили": the body the plural verb's "they" is."""
        for i in range(k - 1, max(start - 1, k - 7), -1):
            w = self.words[i]
            if w.low in ("в", "во", "у") and i + 1 < k and lemma(self.words[i + 1].text, ORG_WORDS):
                end = i + 2
                while (
                    end < k
                    and not _is_day(self.words[end].low)
                    and self.words[end].low not in LINKS | _DETERMINERS | {"в", "у"}
                ):
                    end += 1
                return speaker_of(self.words[i + 1 : end], self.memory, self.sentence, case="loc")
        return None

    def _document_verb(self, k: int) -> None:
        issuer = self.document_before(k)
        if issuer is None:
            return
        start = self._that(k + 1)
        if start is not None:
            self.add(Frame(issuer, "reported", [(start, self._clause_end(start))], (0, self.words[k].end)))

    def _participle(self, k: int, kind: str) -> None:
        if k == 0 or self.words[k - 1].text != ",":
            return
        owner = next((f for f in self.frames if f.parts and f.parts[0][0] < self.words[k].start), None)
        if owner is not None:
            who = (owner.speaker, owner.gender)
        else:
            first = self.words[: k - 1]
            cut = max(
                (i for i, w in enumerate(first[:12]) if w.quoted or (w.text[:1].isupper() and i)), default=-1
            )
            if cut < 0:
                return
            subject = cut_np(first[: cut + 1], leading=True)
            found = speaker_of(subject, self.memory, self.sentence) if subject else None
            if found is None:
                return
            who = found
        self._complement(k, kind, who[0], who[1], 0)

    def _trailing(self, k: int, gender: str | None) -> bool:
        """ "…, заявил Шевчук." / "…, сообщает агентство «Речной курьер»." / "…, наголосили в мерії."."""
        if k == 0 or self.words[k - 1].text != ",":
            return False
        end = len(self.words)
        if any(w.low in _THAT for w in self.words[k + 1 :]) or end - k > 14:
            return False
        who = self.speaker_after(k + 1, end, gender)
        if who is None:
            return False
        comma = self.words[k - 1].start
        start = self.words[self.clause_start(k - 1)].start if self.clause_start(k - 1) < k else 0
        if MASK in self.masked[start:comma] and self.masked[start:comma].strip().startswith(MASK):
            return False
        self.add(Frame(who[0], "reported", [(start, comma)], (comma, len(self.sentence)), who[1]))
        return True

    def _complement(self, k: int, kind: str, who: Speaker, gender: str | None, attr_start: int) -> None:
        words = self.words
        first = words[attr_start].start if attr_start < len(words) else 0
        j = k + 1
        if kind in (SAY, PROMISE, EXPRESS, ANNOUNCE, ACCUSE, URGE, CALL, DENY):
            start = self._that(j)
            if start is not None:
                end = self._clause_end(start)
                self.add(Frame(who, "reported", [(start, end)], (first, start), gender, clause=True))
                return
        j = self._skip_adverbials(j)
        if j >= len(words):
            return
        start = words[j].start
        attribution = (first, start)
        if kind == PROMISE and (_INFINITIVE.search(words[j].low) or (
            j + 1 < len(words) and _INFINITIVE.search(words[j + 1].low))):  # fmt: skip
            self.add(Frame(who, "reported", [(start, self._clause_end(start))], attribution, gender))
        elif kind == URGE and any(_INFINITIVE.search(w.low) or w.quoted for w in words[j : j + 4]):
            self.add(Frame(who, "reported", [(start, self._clause_end(start))], attribution, gender))
        elif kind == ACCUSE and any(w.low in ("в", "у") for w in words[j : j + 6]):
            verb_start = words[k].start
            self.add(Frame(who, "reported", [(verb_start, self._clause_end(start))], attribution, gender))
        elif kind == CALL and any(w.quoted for w in words[j : j + 6]):
            quoted = next(i for i in range(j, min(j + 6, len(words))) if words[i].quoted)
            end = words[quoted].end
            while quoted + 1 < len(words) and words[quoted + 1].text != "," and words[quoted + 1].text != ".":
                quoted += 1
                end = words[quoted].end
            self.add(Frame(who, "reported", [(start, end)], attribution, gender))
        elif kind == DENY:
            self.add(Frame(who, "reported", [(start, self._clause_end(start))], attribution, gender))
        elif kind in (ANNOUNCE, SAY) and words[j].low in _ABOUT and words[k].low in _ANNOUNCING:
            if j + 1 < len(words):
                inner = words[j + 1].start
                self.add(Frame(who, "reported", [(inner, self._clause_end(inner))], attribution, gender))
        elif kind == EXPRESS and _FEELINGS.match(words[j].low):
            self.add(Frame(who, "reported", [(start, self._clause_end(start))], attribution, gender))
        elif kind == ASK:
            for i in range(j, min(j + 8, len(words) - 1)):
                if words[i].text == "," and words[i + 1].low in _QUESTION:
                    qs = words[i + 1].start
                    self.add(Frame(who, "reported", [(qs, self._clause_end(qs))], attribution, gender))
                    break

    def _skip_adverbials(self, j: int) -> int:
        words = self.words
        while j < len(words):
            w = words[j]
            if w.low in LINKS or w.low in LISTENERS:
                j += 1
            elif w.low in ("в", "во", "у") and j + 1 < len(words) and _is_day(words[j + 1].low):
                j += 2
            else:
                break
        return j

    def _that(self, j: int) -> int | None:
        """Where the clause of ", что …" (or ": …") after the verb starts, if the verb has one within a few
        words (listeners, dates, settings in between)."""
        words = self.words
        for i in range(j, min(j + 10, len(words))):
            w = words[i]
            if w.text == "," and i + 1 < len(words) and words[i + 1].low in _THAT:
                return words[i + 2].start if i + 2 < len(words) else None
            if w.text == ":" and i + 1 < len(words) and not words[i + 1].quoted:
                return words[i + 1].start
            if w.quoted and (i == j or words[i - 1].low in LISTENERS):
                continue  # "сказала «Речному курьеру», что", "рассказал агентству «Кряжск-Инфо», что"
            if w.text in (".", ";", ":") or w.quoted or self.verb(w) is not None:
                return None
            if w.text == "," and not (i + 1 < len(words) and words[i + 1].low in _THAT):
                return None
        return None

    def _clause_end(self, start: int) -> int:
        """Where a reported clause starting at `start` stops: the reporter's framing, the next attribution, a
        quotation's own attribution, or the sentence's end."""
        end = len(self.sentence.rstrip())
        while end > start and self.sentence[end - 1] in ".!?…":
            end -= 1
        masked = self.masked
        m = FRAMING.search(masked, start, end)
        if m is not None:
            end = m.start()
        for k, w in enumerate(self.words):
            if w.start <= start or w.start >= end or w.text != ",":
                continue
            nxt = self.words[k + 1 : k + 7]
            if nxt and nxt[0].low in PARTICIPLES[self.memory.language] and nxt[0].low not in self.verbs:
                return w.start
            if (
                nxt
                and nxt[0].low in ("и", "а", "і", "та", "й")
                and any((found := self.verb(x)) is not None and found[0] != QUOTE for x in nxt[1:])
            ):
                return w.start
            if nxt and self.verb(nxt[0]) is not None and any(x.text[:1].isupper() for x in nxt[1:4]):
                return w.start  # "…, сообщает агентство «…»" after the clause
        return end


def _is_day(word: str) -> bool:
    return word in WEEKDAYS
