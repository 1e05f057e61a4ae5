"""Direct quotations and their attribution: `"…," Peskov said`, `"…" said Peskov`, `Peskov said: "…"`,
`Peskov: "…"`, a quotation closing a sentence after a colon, and a sentence that only continues the quote
before."""

from __future__ import annotations

import re

from ._discourse import Speaker, resolve_name
from ._names import parse_name
from ._register import name_runs
from ._sentences import MASK
from ._speaker_words import PREPOSITIONS
from ._speakers import parse_subject, words_of
from ._speech_verbs import GAP, LISTENER, VERB
from ._subjects import SubjectReader, _skip_adverbials


class QuoteReader(SubjectReader):
    """The quotations of one sentence with their speakers."""

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
                self.state.quoting = True
                try:
                    found = self._left_subject(hit)
                finally:
                    self.state.quoting = False
                speaker = found[0] if found else None
            else:
                speaker = self._inverted(hit.end)  # "…," said the agency / "…," on Tuesday said …
            if speaker is None:
                break
            self.used.add(index)
            stop = re.search(r"[,.;]", masked[hit.end :])
            told = len(masked) - hit.end - len(_skip_adverbials(masked[hit.end :]))
            date_text = masked[qend : hit.end + max(stop.start() if stop else len(masked) - hit.end, told)]
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
        first = re.fullmatch(
            r"\s*(?:Adds|Added|Says|Said|Writes|Wrote|Asks|Asked)\s+([^,:;\x01]{2,60}?)\s*[,:]\s*", before
        )
        if first:
            # 'Adds Heslov, "And I'm a big fan of the bangs."': the verb first, then the speaker
            speaker = parse_subject(words_of(first.group(1)), self.state)
            if speaker is not None and not speaker.unnamed:
                self._add(speaker, 0, first.end(1), "quote", qstart + 1, qend - 1, before)
            return
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
