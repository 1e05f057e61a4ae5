"""Text normalisation and removal of page furniture from article text.

Works on plain text only, so the same rules serve HTML extraction output, .txt/.md files and
forwarded messages. Each rule looks at the shape of a line (length, punctuation, capitals), its
position (furniture gathers after the article) and repetition, never at one site's wording.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from retrieval.text import CONTROL, TERMINAL, paragraphs, strip_invisible

_HSPACE = re.compile(r"[^\S\n]+")
_CLOSERS = "\"'”’»)]*"
_BULLET = re.compile(r"^(?:[-*•·▪►]|\d{1,2}[.)])\s+")

# A line that is never prose, wherever it stands.
_FURNITURE_LINE = re.compile(
    r"""^(?:
        advert(?:isement|isements)?|ads?|sponsored(?:\s+content)?|promoted|paid\s+content
      | (?:story|article)\s+continues(?:\s+below)?(?:\s+advertisement)?
      | continue\s+reading(?:\s+(?:below|the\s+main\s+story))?
      | scroll\s+(?:down\s+)?to\s+continue(?:\s+reading)?
      | skip\s+advert(?:isement)?|loading\.*|share(?:\s+this)?(?:\s+(?:article|story|post))?
      | (?:print|e-?mail|tweet|share|comments?)(?:\s*[|/·]\s*(?:print|e-?mail|tweet|share|comments?))+
      | (?:\d+\s+)?comments?|(?:tell\s+us|let\s+us\s+know)\s+what\s+you\s+think.{0,40}
      | (?:image|photo|video)\s*(?:credit)?\s*:.{0,60}
      | (?:filed\s+under|tags?|tagged(?:\s+with)?|categories|category|topics)\s*:.{0,150}
      | \d{1,3}\s*(?:-|\s)?min(?:ute)?s?\.?\s+read|(?:estimated\s+)?reading\s+time\s*:.{0,20}
      | \d{1,3}\s*(?:s|secs?|m|mins?|minutes?|h|hrs?|hours?|d|days?|w|wks?|weeks?|mo|months?|y|yrs?|years?)
        \s+ago
    )\s*$""",
    re.IGNORECASE | re.VERBOSE,
)
# Reader-facing requests to report errors ("highlight the text and press Ctrl + Enter").
_CORRECTION = re.compile(
    r"ctrl\s*\+\s*enter|^to\s+(?:suggest|submit|report)\s+(?:a\s+)?(?:correction|typo|error)"
    r"|^(?:spotted|found|see|notice)\s+(?:a|an)\s+(?:mistake|typo|error)",
    re.IGNORECASE,
)
# « Previous / Next » article navigation.
_NAVIGATION = re.compile(
    r"^(?:[«‹←<]+\s*(?:previous|prev|older|newer|next)\b"
    r"|(?:previous|prev|next|older|newer)(?:\s+(?:post|article|story|page|entry))?\s*(?:[»›→>:]|$))",
    re.IGNORECASE,
)
# A call to action aimed at a channel: "Join us on Telegram", "Follow our coverage on @handle",
# "Sign up for our newsletter", "Click here to get the app".
_CTA_START = re.compile(
    r"^(?:please\s+)?(?:join|follow|subscribe|sign\s+up|like\s+us|download|get|click|tap|read|watch|listen"
    r"|stay\s+(?:up\s+to\s+date|informed|tuned|connected)|don'?t\s+miss|never\s+miss|check\s+out|support"
    r"|become|share|send\s+us|tell\s+us|have\s+a\s+(?:news\s+)?tip|contact\s+us|email\s+us)\b",
    re.IGNORECASE,
)
_CHANNEL = re.compile(
    r"telegram|twitter|\bx\.com|facebook|instagram|youtube|tiktok|whatsapp|linkedin|threads|mastodon"
    r"|bluesky|newsletter|inbox|podcast|\bapp\b|@\w{2,}|(?:click|tap)\s+here|\bhere\s+to\b|subscri|sign\s+up"
    r"|channel|feed|alerts?\b",
    re.IGNORECASE,
)
# Header of a list of links to other articles.
_LIST_HEADER = re.compile(
    r"""^(?:
        read\s+next|read\s+more|more\s+(?:on|from|in|about)\s+.{1,60}|more\s+(?:stories|news|articles|coverage)
      | related(?:\s+(?:articles?|stories|posts?|coverage|news|topics|content|links|reading|videos?))?
      | other\s+topics\s+of\s+interest|(?:you|we\s+think\s+you)\s+(?:may|might|could)\s+(?:also\s+)?like.*
      | recommended(?:\s+(?:for\s+you|stories|articles|reading|videos?))?
      | most\s+(?:read|popular|viewed|shared|recent)(?:\s+(?:stories|articles|news))?
        (?:\s+(?:in|on)(?:\s+\S+){1,4})?
      | trending(?:\s+(?:now|stories|news|topics))?|popular(?:\s+(?:now|posts|stories|articles))?
      | latest(?:\s+(?:news|stories|posts|articles|headlines))?|top\s+(?:stories|news|headlines)
      | editor'?s\s+picks?|don'?t\s+miss|see\s+also|also\s+read|further\s+reading|in\s+other\s+news
      | what\s+to\s+read\s+next|up\s+next|more\s+to\s+(?:read|explore)|keep\s+reading|news\s+feed
      | (?:more\s+)?top\s+picks|also\s+on\s+.{1,40}|around\s+the\s+web|from\s+(?:the\s+)?web
      | explore\s+(?:further|more)
    )\s*[:.»>]?\s*$""",
    re.IGNORECASE | re.VERBOSE,
)
_BYLINE = re.compile(
    r"^(?i:by|words\s+by|written\s+by|reporting\s+by)\s+[A-Z][\w.'’-]*(?:[\s,]+(?:and\s+|&\s+)?[A-Z][\w.'’-]*){0,5}"
    r"(?:\s*[|,/]\s*.{0,40})?$"
)
# An organisation describing itself: "X is Ukraine's oldest news organisation", "X was founded in".
_SELF_DESCRIPTION = re.compile(
    r"\b(?:founded|established|launched)\b|\bsince\s+(?:1[89]|20)\d\d\b|headquartered|"
    r"news\s+(?:organi[sz]ation|outlet|agency|site|website|service|network)|media\s+(?:company|outlet|group|"
    r"organi[sz]ation)|publisher|newspaper|magazine|independent\s+(?:news|media|journalism)",
    re.IGNORECASE,
)
_NAME_IS = re.compile(r"^([A-Z][\w&.'’-]*(?:\s+[A-Z][\w&.'’-]*){0,4})(?:\s+|['’]s\s+)(is|are|was|has)\b")

_MAX_HEADLINE_WORDS = 20
_MAX_TEASER_WORDS = 50
_MAX_BLURB_WORDS = 150
_MIN_REPEATED_WORDS = 4


def normalize(text: str) -> str:
    """NFKC, invisible and control characters removed, whitespace tidied line by line."""
    text = unicodedata.normalize("NFKC", text)
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\u2028", "\n").replace("\u2029", "\n\n")
    text = strip_invisible(text)
    text = CONTROL.sub("", text.replace("\t", " "))
    lines = (_HSPACE.sub(" ", line).strip() for line in text.split("\n"))
    return "\n".join(lines)


def split_lines(text: str) -> list[str]:
    """Normalised text split into paragraphs and single lines.

    Blank lines separate blocks; inside a block each line is its own paragraph unless the block
    looks hard-wrapped (prose broken at a fixed width), in which case its lines are joined.
    """
    result: list[str] = []
    for block in paragraphs(normalize(text), keep_lines=True):
        result.extend(_unwrap(block.split("\n")))
    return result


def _unwrap(lines: list[str]) -> list[str]:
    if len(lines) < 2:
        return lines
    longest = max(len(line) for line in lines)
    wrapped = (
        40 <= longest <= 120
        and all(len(line) >= 0.6 * longest for line in lines[:-1])
        and not any(_BULLET.match(line) for line in lines)
        # headlines stacked in a block have similar lengths too, but never start in lower case
        and any(line[0].islower() for line in lines[1:])
    )
    if wrapped:
        return [" ".join(lines)]
    # Otherwise only join a line to the next when the sentence visibly runs on.
    out = [lines[0]]
    for line in lines[1:]:
        prev = out[-1]
        runs_on = prev[-1] in ",;-–(" or (not _ends_sentence(prev) and len(prev) >= 40 and line[0].islower())
        if runs_on and not _BULLET.match(line):
            out[-1] = f"{prev} {line}"
        else:
            out.append(line)
    return out


def _ends_sentence(line: str) -> bool:
    stripped = line.rstrip(_CLOSERS)
    return bool(stripped) and stripped[-1] in TERMINAL + ":;"


def _word_count(line: str) -> int:
    return len(line.split())


def is_headline_like(line: str) -> bool:
    """Short line without closing sentence punctuation, starting like a title (a question is allowed)."""
    words = _word_count(line)
    if not 1 <= words <= _MAX_HEADLINE_WORDS:
        return False
    stripped = line.rstrip(_CLOSERS)
    if not stripped or stripped[-1] in ".!…:;,":
        return False
    first = line.lstrip("\"'“‘«([")[:1]
    return first.isupper() or first.isdigit()


def is_prose(line: str) -> bool:
    words = _word_count(line)
    return (_ends_sentence(line) and words >= 6) or words > _MAX_HEADLINE_WORDS


def is_furniture(line: str, skip: frozenset[str] = frozenset()) -> bool:
    """A line that is page furniture wherever it stands (ads, promos, navigation, correction requests).

    `skip` names LINE_RULES to leave out, for measuring what each earns."""
    return any(test(line) for name, test in LINE_RULES if name not in skip)


def _furniture_phrase(line: str) -> bool:
    return bool(_FURNITURE_LINE.match(line))


def _correction_request(line: str) -> bool:
    return bool(_CORRECTION.search(line))


def _prev_next(line: str) -> bool:
    return bool(_NAVIGATION.match(line))


def _byline(line: str) -> bool:
    return bool(_BYLINE.match(line))


def _call_to_action(line: str) -> bool:
    return _word_count(line) <= 30 and bool(_CTA_START.match(line) and _CHANNEL.search(line))


# Each rule with what leaving it out costs in F1 on the 91 dev pages (bench/extraction.py --ablate).
# The seed page, a real article pasted as text, loses its test without any of them.
LINE_RULES: tuple[tuple[str, Callable[[str], bool]], ...] = (
    ("furniture-phrase", _furniture_phrase),  # 0.0002 over 3 pages; the seed's "Advertisement", "3h ago"
    ("correction-request", _correction_request),  # 0 on HTML pages; the seed's "press Ctrl + Enter"
    ("prev-next", _prev_next),  # 0 on HTML pages; the seed's "« Previous" and "Next »" lines
    ("byline", _byline),  # 0 on HTML pages; atop pasted text it became the title (test_ingest's wire copy)
    ("call-to-action", _call_to_action),  # 0.0010 over 6 pages (5 better, 1 worse); the seed's "JOIN US"
)


@dataclass(slots=True)
class _Text:
    """Paragraphs being cleaned, with which are kept so far: what the paragraph rules work on."""

    paras: list[str]
    keep: list[bool]
    site: str | None
    skip: frozenset[str]
    listed: set[str] = field(default_factory=set)  # headlines of the link lists dropped so far


def _is_list_member(line: str, skip: frozenset[str]) -> bool:
    """A line that can sit in a list of links: a headline (bylines and section words are shaped like
    one too) or furniture such as "3h ago"."""
    return is_headline_like(line) or is_furniture(line, skip)


def _drop_link_lists(text: _Text) -> None:
    """A list header and the run of headline-shaped lines under it; an inline related-story box may
    also carry a one-sentence standfirst after its single headline. Notes the dropped headlines."""
    paras, keep = text.paras, text.keep
    i = 0
    while i < len(paras):
        if not (keep[i] and _LIST_HEADER.match(paras[i]) and _word_count(paras[i]) <= 10):
            i += 1
            continue
        j = i + 1
        headlines = 0
        while j < len(paras) and _is_list_member(paras[j], text.skip):
            headlines += is_headline_like(paras[j])
            j += 1
        if j == i + 1 and not _at_tail(paras, keep, i):
            i += 1  # a lone header followed by prose is probably a real subheading
            continue
        if j < len(paras) and headlines <= 2 and _is_teaser_sentence(paras[j]):
            j += 1
        for k in range(i, j):
            keep[k] = False
            if is_headline_like(paras[k]) and _word_count(paras[k]) >= _MIN_REPEATED_WORDS:
                text.listed.add(paras[k].casefold())
        i = j


def _drop_teaser_repeats(text: _Text) -> None:
    """Headlines from a dropped link list that also stand elsewhere are teasers for those stories.

    "Headline Section" lines count too: list entries often carry their section label appended."""
    for k, para in enumerate(text.paras):
        if not text.keep[k] or not is_headline_like(para):
            continue
        folded = para.casefold()
        if any(folded == h or h.startswith(folded + " ") or folded.startswith(h + " ") for h in text.listed):
            text.keep[k] = False


def _is_teaser_sentence(line: str) -> bool:
    sentences = re.findall(r"[.!?…](?:\s|$)", line.rstrip(_CLOSERS) + " ")
    return _ends_sentence(line) and len(sentences) <= 1 and _word_count(line) <= _MAX_TEASER_WORDS


def _at_tail(paras: list[str], keep: list[bool], index: int) -> bool:
    return not any(keep[k] and is_prose(paras[k]) for k in range(index + 1, len(paras)))


def _drop_tail(text: _Text) -> None:
    """The outlet's self-description after the article, with the lines of its name that head it.
    Short lines in general stay: articles do end with lists (tour dates, sources). The article's
    first paragraph is never tail."""
    paras, keep = text.paras, text.keep
    kept = [k for k, flag in enumerate(keep) if flag]
    if len(kept) < 2:
        return
    names = {text.site.casefold()} if text.site else set()
    for k in reversed(kept[1:]):
        para = paras[k]
        name = _self_described_name(para, paras, names)
        if name is not None:
            keep[k] = False
            names.add(name)
        elif para.casefold() in names:
            keep[k] = False
        else:
            break


def _self_described_name(para: str, paras: list[str], names: set[str]) -> str | None:
    """The organisation's name if this paragraph is the organisation describing itself: a short
    "X is …" paragraph where X is the outlet, stands alone on a line nearby, or the paragraph
    reads like a company profile."""
    match = _NAME_IS.match(para)
    if not match or _word_count(para) > _MAX_BLURB_WORDS:
        return None
    name = match.group(1).casefold()
    standalone = any(p.casefold() == name for p in paras)
    if name in names or standalone or (match.group(2) in ("is", "are") and _SELF_DESCRIPTION.search(para)):
        return name
    return None


# The rules over the whole text, in the order they run, with what leaving each out costs in F1 on the
# dev pages. The seed page loses its test without any of them.
PARAGRAPH_RULES: tuple[tuple[str, Callable[[_Text], None]], ...] = (
    ("link-lists", _drop_link_lists),  # 0.0006 over 3 pages ("DON'T MISS" boxes); the seed's three lists
    ("teaser-repeats", _drop_teaser_repeats),  # 0 on HTML pages; the seed's inline "Other Topics" teaser
    ("outlet-tail", _drop_tail),  # 0.0028, two pages of one site; the seed's "Kyiv Post is Ukraine's ..."
)


def clean_paragraphs(
    paras: Iterable[str], site: str | None = None, skip: frozenset[str] = frozenset()
) -> list[str]:
    """Drop furniture from normalised paragraphs, keeping the article's own text in order.

    `skip` names rules (of LINE_RULES and PARAGRAPH_RULES) to leave out, for measuring what each earns."""
    paras = [p for p in paras if p]
    text = _Text(paras, [not is_furniture(p, skip) for p in paras], site, skip)
    for name, rule in PARAGRAPH_RULES:
        if name not in skip:
            rule(text)
    return [p for p, flag in zip(paras, text.keep, strict=True) if flag]


def clean_text(text: str, site: str | None = None, skip: frozenset[str] = frozenset()) -> str:
    """Normalise text and remove page furniture; paragraphs come out separated by one blank line."""
    return "\n\n".join(clean_paragraphs(split_lines(text), site, skip))


def rule_names() -> tuple[str, ...]:
    return (*(name for name, _ in LINE_RULES), *(name for name, _ in PARAGRAPH_RULES))
