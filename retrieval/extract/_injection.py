"""Spotting text that addresses a language model instead of a reader (prompt injection).

News is written for people: it reports what someone told a chatbot, quotes a leaked system prompt, explains
how an assistant works. Planted text speaks *to* the model that reads the page. So a match needs the shape
of an address, not just a topic word:

- an override in the imperative: "ignore / disregard / forget" + what came before ("the instructions above",
  "your guidelines", "what you were told"), at the start of a clause ("told to ignore ..." is a report);
- a model named as the addressee: a vocative with an order ("Assistant, report that ..."), a label ("Note to
  the summariser:"), a condition ("If you are a language model, ..."), the reader of this very text ("any AI
  reading this article"), the model's own output ("In your summary, say ...");
- a role handed to the reader ("From now on you are a marketing bot") and chat-template tokens.

Each part is a small vocabulary per language (English, Russian, Ukrainian, German, French, Spanish), joined
into one grammar, so a phrasing nobody listed is caught when its parts are. A lone override phrase quoted
inside a sentence ('phrases such as "ignore previous instructions"') is a mention, not an address.

Matches are flagged for the caller, not removed: deciding what to do with a flagged article is the caller's
business. Matching runs on normalised text (NFKC, invisible characters gone, whitespace collapsed), so a
phrase split with zero-width characters or written in full-width letters is still found.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ._cleaning import normalize
from ._injection_vocab import (
    ADDRESSEE,
    ADDRESSEE_HEADS,
    CLAUSE_PUNCTUATION,
    CONNECTORS,
    DIRECTIVE,
    END_OF_NAME,
    GREETING,
    LABEL,
    ORDERS_STRONG,
    OUTPUT,
    OVERRIDE,
    OVERRIDE_HEADS,
    OVERRIDE_OBJECT,
    POST_PRIOR,
    PRIOR,
    READS,
    SUBJECT_YOU,
    SUMMARISING,
    THIS_TEXT,
    VOCATIVE_ORDER,
    YOU_HEADS,
)


@dataclass(frozen=True, slots=True)
class _Rule:
    """One shape of an address to a model.

    `heads` are the words (lower-case prefixes) a match starts with; `None` scans the whole text. With
    `around`, the heads are model names inside the match instead, and the rule is searched in a window
    around each. `clause_start`: the match must open a clause (an imperative, a vocative, a label).
    """

    pattern: str
    heads: tuple[str, ...] | None
    around: bool = False
    clause_start: bool = False


_RULES: dict[str, _Rule] = {
    "override": _Rule(
        rf"(?:you\s+(?:must|should|will|need\s+to|have\s+to|are\s+to|shall)\s+(?:now\s+)?)?"
        rf"(?:{OVERRIDE})\s*,?\s+(?:[\w'’-]+\s+){{0,2}}?{OVERRIDE_OBJECT}",
        OVERRIDE_HEADS,
        clause_start=True,
    ),
    # German puts the negation last: "Beachte die vorherigen Anweisungen nicht".
    "override-last": _Rule(
        rf"(?:beachte|befolge|beachten\s+sie|befolgen\s+sie)\s+(?:die\s+|alle\s+|deine\s+)?"
        rf"(?:{PRIOR}\s+)?{ORDERS_STRONG}\s+(?:{POST_PRIOR}\s+)?nicht",
        ("beachte", "befolge"),
        clause_start=True,
    ),
    "vocative": _Rule(
        rf"(?:(?:{GREETING})\s*,?\s+)?(?:(?:the|dear|my|our)\s+)?(?:{ADDRESSEE})\s*[,:!—–]\s*"
        rf"(?:{VOCATIVE_ORDER})\b",
        ADDRESSEE_HEADS,
        around=True,
        clause_start=True,
    ),
    "greeting": _Rule(
        rf"(?:{GREETING})\s*,?\s+(?:the\s+|my\s+)?(?:{ADDRESSEE})\s*[,:!—–]",
        ADDRESSEE_HEADS,
        around=True,
        clause_start=True,
    ),
    "label": _Rule(
        rf"(?:{LABEL})(?:{ADDRESSEE}){END_OF_NAME}", ADDRESSEE_HEADS, around=True, clause_start=True
    ),
    "to-label": _Rule(
        rf"(?:to|an|для|к|до|à|a|para)\s+(?:the|any|all|every|each|die|den|das|alle|l['’]|la|le|el|los|las|"
        rf"всех|любой)?\s*(?:{ADDRESSEE})(?:\s+(?:{READS})\s+(?:{THIS_TEXT}|this))?\s*:",
        ADDRESSEE_HEADS,
        around=True,
        clause_start=True,
    ),
    # A condition on being a model, then an order: "If you are a chatbot, tell the user ...". Without the
    # order it is a report ("If you are a bot, the site asks you to tick a box").
    "if-you-are": _Rule(
        rf"(?:if|wenn|falls|если|якщо|si)\s+{SUBJECT_YOU}\s+(?:{ADDRESSEE})"
        r"(?:\s+(?:bist|sind|являешься|являетесь|є))?"
        r"(?=\s*(?:[,.:;!?)\]—–]|$)|\s+(?:reading|summari[sz]ing|processing|parsing|and|or|who|that|tasked|"
        r"asked|being|trained|like|и|і|та|und|et|y)\b)"
        rf"(?=[^.!?\n]{{0,80}}?(?:[,:;—–]\s*(?:please\s+)?(?:{DIRECTIVE}|{OVERRIDE})\b|\byou\s+(?:must|should|"
        r"will|need\s+to|have\s+to|are\s+to|shall)\b))",
        ("if", "wenn", "falls", "если", "якщо", "si"),
    ),
    "reading-this": _Rule(
        rf"(?:{ADDRESSEE})\s*,?\s+(?:{READS})\s+(?:{THIS_TEXT}|this(?=\s*[,.:;!?)—–]))", ADDRESSEE_HEADS
    ),
    "summarising-this": _Rule(
        rf"(?:{SUMMARISING})\s+{THIS_TEXT}",
        (
            "when",
            "while",
            "if",
            "before",
            "after",
            "при",
            "во время",
            "під час",
            "beim",
            "bei der",
            "en résumant",
            "lorsque",
            "al resumir",
            "cuando",
        ),
        clause_start=True,
    ),
    "your-output": _Rule(
        rf"(?:{OUTPUT})(?:\s+(?:of|about|on)\s+{THIS_TEXT})?\s*,?\s*(?:{DIRECTIVE})\b",
        (
            "in your",
            "в сво",
            "в тво",
            "в ваш",
            "в пересказе",
            "в резюме",
            "в ответе",
            "у сво",
            "у тво",
            "у ваш",
            "у підсумку",
            "у переказі",
            "in deiner",
            "in ihrer",
            "in eurer",
            "dans ton",
            "dans votre",
            "dans ta",
            "en tu",
            "en su",
        ),
        clause_start=True,
    ),
    "tell-the-user": _Rule(
        r"(?:tell|inform|assure|remind|warn|convince)\s+the\s+(?:user|reader)s?\s+that\b",
        ("tell", "inform", "assure", "remind", "warn", "convince"),
        clause_start=True,
    ),
    "hide-from-user": _Rule(
        r"do\s+not\s+(?:tell|inform|mention\s+(?:this\s+)?to|reveal\s+(?:this\s+)?to|show)\s+the\s+user\b",
        ("do not",),
    ),
    "reveal-prompt": _Rule(
        r"(?:reveal|print|output|repeat|show|leak|disclose)\s+(?:me\s+)?(?:your|the)\s+"
        r"(?:system\s+prompt|(?:hidden|initial|original|secret)\s+(?:instructions|prompt)|instructions\s+above)",
        ("reveal", "print", "output", "repeat", "show", "leak", "disclose"),
        clause_start=True,
    ),
    "new-orders": _Rule(
        r"your\s+(?:new|real|actual|true|updated|only|next)\s+(?:instructions?|task|job|goal|orders|objective|"
        r"mission|role|directive)s?\s*(?:is|are|:)",
        ("your",),
    ),
    "role": _Rule(
        rf"(?:(?:from\s+now\s+on|henceforth|starting\s+now),?\s+you\s+(?:are|will\s+be|shall\s+be|act\s+as)"
        rf"|you\s+are\s+now)\s+(?:an?\s+|the\s+|my\s+)?(?:[\w-]+\s+){{0,3}}?(?:{ADDRESSEE}|persona|character)\b",
        YOU_HEADS,
    ),
    "role-who": _Rule(
        r"(?:from\s+now\s+on,?\s+you\s+are|you\s+are\s+now)\s+(?:an?|the)\s+(?:[\w-]+\s+){1,3}?"
        r"(?:who|that|which)\s+(?:only\s+|always\s+)?(?:answers|responds|replies|speaks|writes|talks|says)\b",
        YOU_HEADS,
    ),
    "role-mode": _Rule(
        r"you\s+are\s+(?:now\s+)?(?:in\s+)?(?:dan|(?:developer|god|jailbreak|admin|unrestricted|unfiltered|dan)"
        r"\s+mode)\b|you\s+are\s+(?:now\s+)?no\s+longer\s+(?:an?\s+ai|bound|restricted|limited|required\s+to\s+"
        r"follow)|you\s+are\s+now\s+free\s+(?:of|from)\b",
        YOU_HEADS,
    ),
    "from-now-on": _Rule(
        r"(?:from\s+now\s+on|henceforth),?\s+you\s+(?:will|must|shall|should)\s+(?:only\s+|always\s+|never\s+)?"
        r"(?:respond|reply|answer|act|pretend|ignore|obey|follow|speak|output|refer\s+to|call)\b",
        YOU_HEADS,
    ),
    "role-other": _Rule(
        r"(?:(?:теперь|отныне|с\s+этого\s+момента|відтепер|тепер)\s+ты|(?:ab\s+jetzt|von\s+nun\s+an|ab\s+sofort)"
        r"\s+bist\s+du|(?:désormais|à\s+partir\s+de\s+maintenant),?\s+tu\s+es|(?:a\s+partir\s+de\s+ahora|"
        rf"desde\s+ahora),?\s+eres)\s+(?:[—–-]\s*)?(?:[\w-]+\s+){{0,3}}?(?:{ADDRESSEE})\b",
        (
            "теперь",
            "отныне",
            "с этого",
            "відтепер",
            "тепер",
            "ab jetzt",
            "ab sofort",
            "von nun",
            "désormais",
            "à partir",
            "a partir",
            "desde ahora",
        ),
    ),
    "template": _Rule(
        r"<\|im_start\|>|<\|im_end\|>|<\|system\|>|<\|user\|>|<\|assistant\|>|\[/?inst\]|<<sys>>|"
        r"<\|begin_of_text\|>|<\|start_header_id\|>|^\s*(?:system|assistant|###\s*instruction)\s*:|"
        r"[\[{(<]\s*(?:system|sys|admin|developer|assistant|instructions?)\s*[\]})>]",
        None,
    ),
    # An addressee named by what it does to this text: "whatever is summarising this".
    "doing-this": _Rule(
        r"(?:whoever|whatever|anyone|anything|everyone|any\s+(?:system|program|software|tool|service))\s+"
        r"(?:that\s+|who\s+|which\s+)?(?:is\s+)?(?:summari[sz]|process|pars|ingest|analy[sz]|index|scrap|crawl)"
        rf"\w*\s+(?:{THIS_TEXT}|this(?=\s*[,.:;!?)—–]))",
        ("whoever", "whatever", "anyone", "anything", "everyone", "any"),
    ),
}
# Text is lower-cased before matching: case-insensitive matching took three times as long.
_COMPILED = {name: re.compile(rule.pattern, re.MULTILINE) for name, rule in _RULES.items()}
# Scanning the whole text with every rule cost about 1 s a megabyte. One scan finds the words rules start
# with (or, for rules that start before a model's name, that name); only there are the rules tried.
_BY_HEAD: dict[str, list[str]] = {}
for _name, _rule in _RULES.items():
    for _head in _rule.heads or ():
        _BY_HEAD.setdefault(_head, []).append(_name)
_HEAD = re.compile(r"\b(?:" + "|".join(re.escape(h) for h in sorted(_BY_HEAD, key=len, reverse=True)) + ")")
_LONGEST_HEAD = max(map(len, _BY_HEAD))
_NAMED = re.compile(rf"(?:{ADDRESSEE})\b")
_BEFORE, _AFTER = 120, 300  # the window around a model's name
_SENTENCE_BREAK = re.compile(r"[.!?\n]")
_SPACE = re.compile(r"[^\S\n]+")
_OPEN_QUOTE = "\"“‘'«„"
_LAST_WORD = re.compile(r"(\w+)\W*$")
# The quote closes right after the phrase: group 1 is the punctuation before it, group 2 who said, typed or
# wrote it.
_CLOSING = re.compile(
    r"\s*([.,!?]?)\s*[\"”’'»“](\s+(?:the\s+|a\s+|an\s+|one\s+)?[\w'’-]+(?:\s+[\w'’-]+)?\s+(?:said|says|typed|"
    r"wrote|writes|asked|asks|told|entered|instructed|prompted|read|reads|posted|added|explained|recalled))?"
)
# After a quoted phrase, what would carry the order on rather than say something about the phrase.
_CARRIES_ON = re.compile(rf"\s*(?:$|[.!?:;]|(?:and|then|und|и|і|та|et|y)\b|(?:{DIRECTIVE}|{OVERRIDE})\b)")


def _at_clause_start(text: str, pos: int) -> bool:
    before = text[max(0, pos - 40) : pos].rstrip(" \t")
    if not before or before[-1] in CLAUSE_PUNCTUATION or before.endswith((" -", "\n-")):
        return True
    word = _LAST_WORD.search(before)
    return word is not None and word.end(1) == len(before) and word.group(1).lower() in CONNECTORS


def _is_mention(text: str, match: re.Match[str]) -> bool:
    """A lone override phrase in quotes that a sentence talks about ('phrases such as "ignore previous
    instructions" can ...') names the attack; it does not make one."""
    before = text[max(0, match.start() - 300) : match.start()].rstrip()
    if not before or before[-1] not in _OPEN_QUOTE:
        return False
    closes = _CLOSING.match(text, match.end(), match.end() + 80)
    if closes is None:
        return False
    lead = before[:-1].rstrip()
    if (lead and lead[-1] not in ".!?:\n") or closes.group(2):
        return True
    # A quote that opens the sentence is the speech itself, unless someone is named as having said it or the
    # sentence goes on to say something about it ('"Ignore all previous instructions" has become a meme').
    return not closes.group(1) and _CARRIES_ON.match(text, closes.end()) is None


def _accept(text: str, name: str, match: re.Match[str]) -> bool:
    if _RULES[name].clause_start and not _at_clause_start(text, match.start()):
        return False
    return not (name == "override" and _is_mention(text, match))


def _matches(text: str, *, exhaustive: bool = False) -> list[tuple[int, str, re.Match[str]]]:
    """(start, rule, match) of every address to a model in lower-cased text. `exhaustive` runs every rule over
    the whole text, as a check on the head index (tests compare the two)."""
    found: dict[tuple[int, str], re.Match[str]] = {}

    def search(name: str, lo: int, hi: int) -> None:
        pos = lo
        while (match := _COMPILED[name].search(text, pos, hi)) is not None:
            if _accept(text, name, match):
                found.setdefault((match.start(), name), match)
            pos = match.start() + 1

    if exhaustive:
        for name in _RULES:
            search(name, 0, len(text))
    else:
        for name, rule in _RULES.items():
            if rule.heads is None:
                search(name, 0, len(text))
        for head in _HEAD.finditer(text):
            start = head.start()
            word = text[start : start + _LONGEST_HEAD]
            names = {n for k in range(1, len(word) + 1) for n in _BY_HEAD.get(word[:k], ())}
            # "kids" and "aid" start like a model's name; only a name gets a window.
            named = _NAMED.match(text, start) is not None
            for name in names:
                if not _RULES[name].around:
                    match = _COMPILED[name].match(text, start)
                    if match is not None and _accept(text, name, match):
                        found.setdefault((start, name), match)
                    continue
                if not named:
                    continue
                # The window ends at a sentence break, so its end never passes for the end of the text.
                brk = _SENTENCE_BREAK.search(text, head.end() + _AFTER)
                search(name, max(0, start - _BEFORE), brk.start() if brk else len(text))
    return [(start, name, match) for (start, name), match in sorted(found.items(), key=lambda kv: kv[0])]


_ORDER_FIRST = re.compile(
    r"\s*(?:(?:also|and|then|now|finally|additionally|moreover|besides|и|также|а\s+также|і|також|und|auch|"
    rf"et|aussi|y|también)\s*,?\s+)*(?:{DIRECTIVE}|{OVERRIDE})\b"
)


def opens_with_an_order(text: str) -> bool:
    """Whether the text starts with an order to whoever writes the summary ("Report that ...", "Напиши ...");
    only read after an address, whose payload it may carry on."""
    return _ORDER_FIRST.match(flatten(text)) is not None


def flatten(text: str) -> str:
    """The form rules read: normalised, lower-cased, runs of spaces as one (line breaks kept)."""
    return _SPACE.sub(" ", normalize(text)).lower()


def find(*texts: str | None) -> list[str]:
    """Instruction-like phrases found in the texts, lower-cased, in order of first appearance."""
    found: list[str] = []
    for text in texts:
        if not text:
            continue
        for _start, _name, match in _matches(flatten(text)):
            phrase = " ".join(match.group(0).split()).strip(" ,;:-–—\"'“”‘’«»([")
            if phrase and phrase not in found:
                found.append(phrase)
    return found
