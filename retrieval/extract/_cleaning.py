"""Text normalisation and removal of page furniture from article text.

Works on plain text only, so the same rules serve HTML extraction output, .txt/.md files and
forwarded messages. Each rule looks at the shape of a line (length, punctuation, capitals), its
position (furniture gathers after the article) and repetition, never at one site's wording.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

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
# Label that introduces a teaser link: "Related: …", "SEE MORE: …", "Read more » …".
_TEASER_LABEL = re.compile(
    r"^(?:read\s+more|see\s+more|see\s+also|more|related(?:\s+(?:article|story|stories|news|coverage))?"
    r"|recommended|also\s+read|read\s+also|must\s+read|don'?t\s+miss|watch|listen|trending|popular"
    r"|most\s+read|editor'?s\s+picks?|up\s+next|in\s+other\s+news|further\s+reading)"
    r"\s*(?::|»|\||>|-\s)",
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
# Promotional pitch: "If you enjoyed this article, … subscribe / join / support us".
_PITCH = re.compile(
    r"^if\s+you\s+(?:enjoyed|liked|like|value|appreciate|found|rely\s+on)\b.{0,100}"
    r"\b(?:subscri|donat|support|join|member|contribut|proposition|sign\s+up)",
    re.IGNORECASE,
)
_STAMP_START = re.compile(
    r"^(?:updated|published|posted|last\s+(?:updated|modified)|first\s+published)\b", re.IGNORECASE
)
_CLOCK = re.compile(r"\b\d{1,2}[:h]\d{2}\b")
_YEAR = re.compile(r"\b(?:19|20)\d\d\b")
_URL_ONLY = re.compile(r"^(?:https?://|www\.)\S+$")
_COPYRIGHT = re.compile(r"©|^\(c\)\s|^copyright\b", re.IGNORECASE)
_SHORTCODE = re.compile(r"\[/[a-z_]+\]")
# "Headline [VIDEO]" / "Headline [Pictures]|": a teaser tagged with its media type.
_TAGGED_TEASER = re.compile(r"\[[A-Z][A-Za-z]{2,15}\]\s*\|?$")
_BYLINE = re.compile(
    r"^(?i:by|words\s+by|written\s+by|reporting\s+by)\s+[A-Z][\w.'’-]*(?:[\s,]+(?:and\s+|&\s+)?[A-Z][\w.'’-]*){0,5}"
    r"(?:\s*[|,/]\s*.{0,40})?$"
)
_ABOUT_HEADER = re.compile(r"^about\s+(?:the\s+)?[A-Z0-9][\w&.'’ -]{0,60}:?$", re.IGNORECASE)
# An organisation describing itself: "X is Ukraine's oldest news organisation", "X was founded in".
_SELF_DESCRIPTION = re.compile(
    r"\b(?:founded|established|launched)\b|\bsince\s+(?:1[89]|20)\d\d\b|headquartered|"
    r"news\s+(?:organi[sz]ation|outlet|agency|site|website|service|network)|media\s+(?:company|outlet|group|"
    r"organi[sz]ation)|publisher|newspaper|magazine|independent\s+(?:news|media|journalism)",
    re.IGNORECASE,
)
_NAME_IS = re.compile(r"^([A-Z][\w&.'’-]*(?:\s+[A-Z][\w&.'’-]*){0,4})(?:\s+|['’]s\s+)(is|are|was|has)\b")
_EMAIL_OR_HANDLE = re.compile(r"[\w.+-]+@[\w-]+\.[\w.]+|(?<![\w@])@\w{2,}")
_CONTACT = re.compile(r"\b(?:follow|reach(?:ed)?|contact|e-?mail|tips?|write to)\b", re.IGNORECASE)

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


def is_furniture(line: str) -> bool:
    """A line that is page furniture wherever it stands (ads, promos, navigation, stamps, credits)."""
    if not any(ch.isalnum() for ch in line):
        return True
    if _FURNITURE_LINE.match(line) or _CORRECTION.search(line) or _NAVIGATION.match(line):
        return True
    if _BYLINE.match(line) or _URL_ONLY.match(line) or _SHORTCODE.search(line):
        return True
    words = _word_count(line)
    if words <= 30 and _CTA_START.match(line) and _CHANNEL.search(line):
        return True
    if words <= 30 and (_TEASER_LABEL.match(line) or _COPYRIGHT.search(line)):
        return True
    if words <= 80 and _PITCH.match(line):
        return True
    if words <= 8 and _STAMP_START.match(line) and any(ch.isdigit() for ch in line):
        return True
    if words <= 10 and _YEAR.search(line) and _CLOCK.search(line) and not _ends_sentence(line):
        return True
    if is_headline_like(line) and words >= 3 and _TAGGED_TEASER.search(line):
        return True
    return _is_shouted(line) and words <= 15 and bool(_CTA_START.match(line) or _LIST_HEADER.match(line))


def _is_shouted(line: str) -> bool:
    letters = [c for c in line if c.isalpha()]
    return len(letters) >= 6 and sum(c.isupper() for c in letters) >= 0.9 * len(letters)


def _is_list_member(line: str) -> bool:
    """A line that can sit in a list of links: headline, byline, timestamp, category word."""
    return is_headline_like(line) or is_furniture(line)


def _drop_link_lists(paras: list[str], keep: list[bool]) -> set[str]:
    """A list header and the run of headline-shaped lines under it; an inline related-story box may
    also carry a one-sentence standfirst after its single headline. Returns the dropped headlines."""
    dropped: set[str] = set()
    i = 0
    while i < len(paras):
        if not (keep[i] and _LIST_HEADER.match(paras[i]) and _word_count(paras[i]) <= 10):
            i += 1
            continue
        j = i + 1
        headlines = 0
        while j < len(paras) and _is_list_member(paras[j]):
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
                dropped.add(paras[k].casefold())
        i = j
    return dropped


def _drop_teaser_repeats(paras: list[str], keep: list[bool], listed: set[str]) -> None:
    """Headlines from a dropped link list that also stand elsewhere are teasers for those stories.

    "Headline Section" lines count too: list entries often carry their section label appended."""
    for k, para in enumerate(paras):
        if not keep[k] or not is_headline_like(para):
            continue
        folded = para.casefold()
        if any(folded == h or h.startswith(folded + " ") or folded.startswith(h + " ") for h in listed):
            keep[k] = False


def _is_teaser_sentence(line: str) -> bool:
    sentences = re.findall(r"[.!?…](?:\s|$)", line.rstrip(_CLOSERS) + " ")
    return _ends_sentence(line) and len(sentences) <= 1 and _word_count(line) <= _MAX_TEASER_WORDS


def _at_tail(paras: list[str], keep: list[bool], index: int) -> bool:
    return not any(keep[k] and is_prose(paras[k]) for k in range(index + 1, len(paras)))


def _drop_tail(paras: list[str], keep: list[bool], site: str | None) -> None:
    """Trailing boilerplate: an "About X" section, the outlet's self-description (with the name
    lines that head it) and reader-contact lines. Short lines in general stay: articles do end
    with lists (tour dates, sources). The article's first paragraph is never tail."""
    kept = [k for k, flag in enumerate(keep) if flag]
    if len(kept) < 2:
        return
    names = {site.casefold()} if site else set()
    for k in reversed(kept[1:]):
        para = paras[k]
        if _ABOUT_HEADER.match(para) and _word_count(para) <= 8 and _at_tail(paras, keep, k):
            for m in range(k, len(paras)):
                keep[m] = False
            continue
        name = _self_described_name(para, paras, names)
        if name is not None:
            keep[k] = False
            names.add(name)
            continue
        if para.casefold() in names or _is_contact_line(para):
            keep[k] = False
            continue
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


def _is_contact_line(para: str) -> bool:
    return bool(_EMAIL_OR_HANDLE.search(para) and _CONTACT.search(para)) and _word_count(para) <= 60


def clean_paragraphs(paras: Iterable[str], site: str | None = None) -> list[str]:
    """Drop furniture from normalised paragraphs, keeping the article's own text in order."""
    paras = [p for p in paras if p]
    keep = [not is_furniture(p) for p in paras]
    _drop_teaser_repeats(paras, keep, _drop_link_lists(paras, keep))
    _drop_tail(paras, keep, site)
    kept = [p for p, flag in zip(paras, keep, strict=True) if flag]
    return _dedupe_adjacent(kept)


def _dedupe_adjacent(paras: list[str]) -> list[str]:
    out: list[str] = []
    for para in paras:
        if not out or out[-1] != para:
            out.append(para)
    return out


def clean_text(text: str, site: str | None = None) -> str:
    """Normalise text and remove page furniture; paragraphs come out separated by one blank line."""
    return "\n\n".join(clean_paragraphs(split_lines(text), site))
