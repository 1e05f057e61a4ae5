"""Where a statement's words begin and end inside its sentence: page stamps and datelines before the first
word, and the journalist's own words after or inside a reported clause ("– an idea Russia has firmly
rejected",
", despite not fully controlling …", "regions it claimed via illegal referendums"), which are cut off."""

from __future__ import annotations

import re

from retrieval._sentences import MASK, TERMINAL, mask

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
    r"|,\s+(?:and|but)\s+(?=(?:the\s+|a\s+|an\s+)?(?:[A-Z][\w'’.&-]*\s+){1,4}(?:also\s+)?[a-z]+(?:ed|s)\b)"
    r"|,\s*(?:despite|even though|even as|although|though|in which|a claim|an? (?:claim|assertion|idea|move|"
    r"statement|position|view|stance|charge|accusation)\b)"
)
_DASH_APPOSITION = re.compile(
    r"\s+[–—-]{1,2}\s+(?=(?:an?|the|which|who|something|one|what|another|despite|even|although|though)\b)"
)
# A relative clause with no "that" in which the writer says what a party claims: "the four regions it claimed
# via illegal referendums", "five regions it claims to have annexed".
_CLAIM_CLAUSE = re.compile(
    r"(?<=[a-z])\s+(?:it|they|he|she|Russia|Moscow|Kyiv|Beijing|Washington|the\s+Kremlin)\s+(?:has\s+|had\s+)?"
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


def tidy(text: str, *, quote: bool) -> str:
    text = re.sub(r"(?:\s+(?:and|but|or|as|while))+$", "", " ".join(text.split()).strip(" ,;:—–-"))
    if quote:
        text = text.strip('"“”„«»').strip(" ,;:—–-")
    if len(text.split()) < (1 if quote else 3):
        return ""
    text = re.sub(r',(["”’»])$', r"\1", text)  # '…of entertainment,"' ends the clause, not the quote
    if text.count("“") > text.count("”") and not quote:
        text += "”"
    closed = text[-1] in '"”’»' and len(text) > 1 and text[-2] in TERMINAL
    if text[-1] not in TERMINAL and not closed:
        text += "."
    return text
