"""Where a statement's words begin and end inside its sentence: page stamps and datelines before the first
word, and the journalist's own words after or inside a reported clause ("– an idea Russia has firmly
rejected",
", despite not fully controlling …", "regions it claimed via illegal referendums"), which are cut off."""

from __future__ import annotations

import re

from retrieval.text import TERMINAL

from ._sentences import MASK, mask
from ._speaker_words import DOC_NOUNS, PREPOSITIONS, plain

_MONTH = (
    r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|Sept?(?:ember)?|"
    r"Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\.?"
)
_STAMP_DATE = (
    rf"{_MONTH}\s+\d{{1,2}},?\s+\d{{4}}(?:,?\s+\d{{1,2}}:\d{{2}}\s*[ap]\.?m\.?(?:\s+[A-Z]{{2,4}})?)?"
)
# "Nov. 2, 2025 Updated Nov. 5, 2025, 9:34 a.m. ET", "Published 6:01 a.m. ET Jan. 3, 2024".
_STAMP = re.compile(
    rf"^\s*(?:(?:Published|Updated|Posted)\s*:?\s*)?(?:\d{{1,2}}:\d{{2}}\s*[ap]\.?m\.?\s+[A-Z]{{2,4}}\s+)?"
    rf"{_STAMP_DATE}(?:\s+(?:Updated|Published)\s*:?\s*(?:\d{{1,2}}:\d{{2}}\s*[ap]\.?m\.?\s+[A-Z]{{2,4}}\s+)?"
    rf"{_STAMP_DATE})?\s*(?:AI-assisted summary\s*)?"
)
# "WASHINGTON —", "Kyiv, Ukraine CNN —", "PUTRAJAYA, Malaysia, July 28 (Reuters) -", "CNN —".
_DATELINE = re.compile(
    r"^\s*(?:[A-Z][\w.'’]*(?:,?\s+[A-Z][\w.'’]*){0,5}(?:,\s+" + _MONTH + r"\s+\d{1,2})?"
    r"(?:\s+\((?:Reuters|AP|AFP|CNN|UPI|dpa)\))?)\s+[-–—−]+\s+(?=[A-Z\"“])"
)
_LIST_MARK = re.compile(rf"^\s*(?:{_MONTH}\s+\d{{1,2}}|\d{{4}}|[A-Z][\w ]{{0,30}}):\s+(?=[A-Z])")


def intro_end(masked: str) -> int:
    """Length of the page stamp, dateline or list marker opening a sentence, which no statement includes."""
    return _intro(masked)[0]


def list_mark(masked: str) -> str:
    """A timeline's entry label opening the sentence ("Jan. 7: …"): it dates what follows, unlike a page's
    "Updated …" stamp or a dateline, which only date the page."""
    return _intro(masked)[1]


def _intro(masked: str) -> tuple[int, str]:
    end, mark = 0, ""
    for pattern in (_STAMP, _DATELINE, _LIST_MARK):
        m = pattern.match(masked, end) if end else pattern.match(masked)
        if m and m.end() > end and MASK not in m.group():
            if pattern is _LIST_MARK:
                if len(m.group().split()) > 3:
                    continue
                mark = m.group()
            end = m.end()
    return end, mark


_CUT = re.compile(
    r",?\s*(?:according to|as (?:cited|quoted|reported|noted) by|as (?:first )?reported by)\b"
    r"|;\s"
    r"|,\s+(?=(?:he|she|they|we|I)\s+(?:also\s+)?[a-z]+(?:ed|s)?\b)"
    r"|,\s+and\s+(?=(?:[\w'’-]+\s+){1,4}(?:has|have|had|is|are|was|were|will|would)\b)"
    r"|,\s+(?:and|but)\s+(?=(?:the\s+|a\s+|an\s+)?(?:[A-Z][\w'’.&-]*\s+){1,4}(?:also\s+)?[a-z]+(?:ed|s)\b)"
    r"|,\s*(?:despite|even though|even as|although|though|in which|a claim|an? (?:claim|assertion|idea|move|"
    r"statement|position|view|stance|charge|accusation)\b)"
)
_DASH_APPOSITION = re.compile(
    r"\s+[–—-]{1,2}\s+(?=(?:an?|the|which|who|something|one|what|another|despite|even|although|though)\b)"
)
# A relative clause with no "that" in which the writer says what a party claims: "the four regions it claimed
# via illegal referendums", "five regions it claims to have annexed". Not "what Moscow calls its 'new
# regions'": there the clause is the object itself, and cutting it leaves "what" hanging.
_CLAIM_CLAUSE = re.compile(
    r"(?<=[a-z])(?<!\bwhat)\s+(?:it|they|he|she|Russia|Moscow|Kyiv|Beijing|Washington|the\s+Kremlin)\s+"
    r"(?:has\s+|had\s+)?"
    r"(?:claims|claimed|calls|called|considers|regards|deems|describes|annexed|seized|occupies|occupied)\b"
    r"[^,;\x01]*"
)
_WHOSE = re.compile(r"\s+whose\s+[^\x01]*$")
_WHICH = re.compile(r",\s*(?:which|who)\s+(?:[^,\x01]|,(?=\d))*(?:,|$)")
# The attribution's own medium after the statement: "… in a June 20 post on social media".
_MEDIUM_TAIL = re.compile(
    r"\s+(?:in|on|during|at)\s+(?:an?|the|his|her|their|its)\s+(?:[\w'’-]+\s+){0,4}?(?:post|statement|"
    r"interview|speech|news conference|press conference|briefing|address|remarks|video|tweet|letter|op-ed)"
    r"(?:\s+(?:on|to|with)\s+[^,;.\x01]{1,40})?\s*[.,]?\s*$"
)


def clause_end(masked: str, start: int, stops: list[int]) -> int:
    """Where a reported clause starting at `start` ends: the sentence end, a later attribution's start, or a
    source or concession marker."""
    end = len(masked.rstrip())
    for stop in stops:
        if start < stop < end:
            end = stop
    cut = _CUT.search(masked, start, end)
    if cut and cut.start() > start:
        end = cut.start()
    return end


def framing_cut(text: str) -> tuple[str, str]:
    """A reported clause without the journalist's additions; also returns what was cut (it may date the
    statement: "in a June 20 post")."""
    masked = mask(text)
    removed: list[str] = []

    def drop(start: int, end: int) -> None:
        nonlocal text, masked
        removed.append(text[start:end])
        text = text[:start] + text[end:]
        masked = masked[:start] + masked[end:]

    if (m := _DASH_APPOSITION.search(masked)) is not None and m.start() > 0:
        if not re.search(r"\s[–—-]{1,2}\s", masked[m.end() :]):
            drop(m.start(), len(masked))  # "… – an idea Russia has firmly rejected": the writer's aside
    if (m := _CLAIM_CLAUSE.search(masked)) is not None and m.start() > 0:
        drop(m.start(), m.end())
    while (m := _WHICH.search(masked)) is not None and m.start() > 0:
        end = m.end() - 1 if m.group().endswith(",") else m.end()
        drop(m.start(), end)
    if (m := _WHOSE.search(masked)) is not None and m.start() > 0:
        drop(m.start(), m.end())  # "an extremist whose politics they will wield …": the writer's elaboration
    if (m := _MEDIUM_TAIL.search(masked)) is not None and m.start() > 0:
        drop(m.start(), m.end())
    return text, " ".join(removed)


def tidy(text: str, *, quote: bool, min_words: int = 3) -> str:
    """A statement's words as stored: trimmed, closed with a full stop; "" when a reported clause is shorter
    than `min_words` (Russian and Ukrainian say "граница открыта" in two)."""
    text = re.sub(r"(?:\s+(?:and|but|or|as|while))+$", "", " ".join(text.split()).strip(" ,;:—–-"))
    if quote:
        text = text.strip('"“”„«»').strip(" ,;:—–-")
    if len(text.split()) < (1 if quote else min_words):
        return ""
    text = re.sub(r',(["”’»])$', r"\1", text)  # '…of entertainment,"' ends the clause, not the quote
    if text.count("“") > text.count("”") and not quote:
        text += "”"
    closed = text[-1] in '"”’»' and len(text) > 1 and text[-2] in TERMINAL
    if text[-1] not in TERMINAL and not closed:
        text += "."
    return text


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
    return (verb is not None and not strict) or (
        verb is not None
        and not re.search(
            r"\b(?:that|which|who|whom|whose|when|where|after|before|because|if|while|since|until)\b",
            text[: verb.start()],
        )
    )


def _voiceless(words: list[str]) -> bool:
    """ "According to federal data / a new study / the lawsuit": a document with no issuer named."""
    head = _head(words) if any(w.lower() not in PREPOSITIONS for w in words) else ""
    # A capitalised head ends a name: "the U.S. Geological Survey" is an agency, not a survey.
    named = len(words) > 1 and head[:1].isupper()
    nouns = {plain(head)} if head and not named else set()
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
