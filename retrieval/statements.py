"""Attributed statements (who said what, and when) found in article text by rules: no model, no network.

Precision comes first: a statement shown under the wrong speaker or date misleads more than a missed one
does, so every pattern needs a speech verb next to a named speaker, or a pronoun or "the spokesman" that
resolves to a speaker named just before. Quotation marks are masked while the attribution around them is
parsed, so words inside a quote never become speakers or verbs.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from retrieval.library import Statement, speaker_key
from retrieval.types import Article

__all__ = ["extract_statements", "opens_with_verb"]

_MASK = "\x01"
_OPEN_QUOTES = "“„«"
_CLOSE_QUOTES = "”»"
_TERMINAL = ".!?…"
_ABBREVIATIONS = frozenset(
    "mr mrs ms dr st gen lt col sgt capt gov sen rep rev prof jr sr inc co corp ltd vs etc no jan feb mar "
    "apr jun jul aug sep sept oct nov dec u.s u.k u.n e.u a.m p.m".split()
)
# Capitalised words that start sentences or name times, never a speaker's name.
_STOP_CAPS = frozenset(
    """the a an but and or so yet on in at for from with after before since while when if as by then
    this that these those he she it they we i his her their its our my meanwhile however also
    earlier later speaking asked according still now today yesterday tomorrow last next addressing
    despite although though until during monday tuesday wednesday thursday friday saturday sunday
    january february march april may june july august september october november december jan feb
    mar apr jun jul aug sep sept oct nov dec officials analysts experts witnesses residents critics
    diplomats sources observers lawmakers authorities protesters scientists researchers economists
    investors people many some others both several most police doctors soldiers troops leaders
    ministers negotiators reports documents will can could should would does did is are was were why what how
    who where which whose one two three four five six seven eight nine ten eleven twelve twenty thirty
    hundreds thousands dozens meet watch read see listen opinion analysis exclusive breaking update live
    video photos""".split()
)
_COUNTRY_ABBREVIATIONS = frozenset({"u.s", "u.k", "u.n", "e.u"})
_CONNECTORS = frozenset("de da di du van von der den al el bin ibn la le dos das del ter zu".split())
# Title words before a name inside a capitalised run ("Russian Foreign Minister Sergey Lavrov").
_TITLE_WORDS = frozenset(
    """president vice prime minister foreign defence defense secretary state treasury deputy chancellor
    ambassador spokesman spokeswoman spokesperson mayor governor senator sen rep gov gen general lt
    col colonel admiral commander chief head director chairman chairwoman chair king queen prince
    princess pope patriarch cardinal archbishop bishop sheikh emir sultan mr mrs ms dr prof
    professor judge justice attorney envoy special representative senior adviser advisor aide
    officer official leader premier secretary-general speaker kremlin ministry office press security
    council national interior economy finance energy health former acting white house department
    pentagon president-elect vice-president sir dame lord lady ceo cfo coo cto founder united states
    kingdom nations""".split()
)
# A role must contain one of these to count as a role at all.
_ROLE_NOUNS = frozenset(
    """spokesperson spokesman spokeswoman minister president secretary aide envoy ambassador chairman
    chairwoman chair adviser advisor chief head leader official governor mayor chancellor senator
    lawmaker commander general director representative premier king queen pope negotiator diplomat
    deputy speaker prosecutor judge secretary-general gov sen rep gen adm amb ceo cfo coo cto
    founder president-elect""".split()
)
# Lowercase words that may stand in a role before a name ("Kremlin spokesperson Dmitry Peskov").
_ROLE_WORDS = _ROLE_NOUNS | frozenset(
    "foreign policy special press deputy former acting top senior chief presidential military defence "
    "defense security national affairs state interior prime vice".split()
)
_INSTITUTION_NOUNS = frozenset(
    """ministry office department council assembly government parliament duma commission agency service
    committee court administration cabinet embassy mission command staff forces army navy kremlin
    pentagon house bank union organization organisation""".split()
)
_SOURCE_WORDS = re.compile(
    r"\b(?:agency|news|media|outlet|newspaper|reports?|data|survey|estimates?|sources?|study|tass|ria|"
    r"reuters|interfax|ap|afp|bloomberg|cnn|bbc|meduza|analysts?|experts?)\b",
    re.IGNORECASE,
)

_SAY = r"said|says|say|added|adds"
_SAY_THAT = (
    r"told|tells|stated|wrote|writes|explained|explains|claimed|claims|announced|announces|declared|"
    r"declares|confirmed|confirms|reiterated|reiterates|repeated|repeats|replied|responded|argued|argues|"
    r"insisted|insists|stressed|stresses|emphasi[sz]ed|emphasi[sz]es|noted|notes|asserted|asserts|maintained|"
    r"maintains|believes|thinks|recalled|reconfirmed|pointed out"
)
_POSITION = (
    r"warned|warns|denied|denies|rejected|rejects|dismissed|dismisses|ruled out|rules out|condemned|condemns|"
    r"denounced|denounces|critici[sz]ed|critici[sz]es|welcomed|welcomes|praised|praises|urged|urges|demanded|"
    r"demands|called for|calls for|called on|calls on|accused|accuses|vowed|vows|pledged|pledges|promised|"
    r"promises|threatened|threatens|suggested|suggests|proposed|proposes|admitted|admits|acknowledged|"
    r"acknowledges|predicted|predicts|ridiculed|ridicules|mocked|mocks|slammed|slams|described|describes|"
    r"called|calls"
)
_PARTICIPLE_SAY = r"adding|saying|stating|noting|arguing|insisting|stressing|claiming|explaining"
_PARTICIPLE_POSITION = r"warning|accusing|urging|calling for|calling"
_VERB = re.compile(
    rf"(?<![\w-])(?P<say>{_SAY})\b|(?<![\w-])(?P<that>{_SAY_THAT})\b|(?<![\w-])(?P<pos>{_POSITION})\b"
    rf"|,\s*(?P<psay>{_PARTICIPLE_SAY})\b|,\s*(?P<ppos>{_PARTICIPLE_POSITION})\b"
)

_MONTH_NAMES = (
    r"Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|Sept?(?:ember)?|"
    r"Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?"
)
_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_NUMBERS = {"a": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7}
_MONTH_DAY = re.compile(
    rf"\b(?P<mon>{_MONTH_NAMES})\.?\s+(?P<day>\d{{1,2}})(?:st|nd|rd|th)?\b(?:,?\s+(?P<year>\d{{4}}))?"
)
_DAY_MONTH = re.compile(
    rf"\b(?P<day>\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?(?P<mon>{_MONTH_NAMES})\b\.?"
    r"(?:,?\s+(?P<year>\d{4}))?"
)
_MONTH_YEAR = re.compile(rf"\bin\s+(?P<mon>{_MONTH_NAMES})\.?\s+(?P<year>\d{{4}})\b")
_ISO_DATE = re.compile(r"\b(?P<year>\d{4})-(?P<mon>\d{2})-(?P<day>\d{2})\b")
_WEEKDAY = re.compile(
    r"\b(?:(?P<last>last)\s+)?(?P<wd>Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)\b"
)
_RELATIVE = re.compile(
    r"\b(?P<yesterday>yesterday)\b|\b(?P<today>today|this morning|tonight)\b(?!['’])"
    r"|\b(?P<daybefore>the day before|a day earlier|a day before|the previous day)\b"
    r"|\b(?P<n>a|one|two|three|four|five|six|seven|\d)\s+(?P<unit>days?|weeks?)\s+(?:earlier|ago|before)\b"
    r"|\b(?P<lastweek>last week)\b|\b(?P<lastmonth>last month)\b",
    re.IGNORECASE,
)
_TIMEREF = (
    rf"in\s+(?:{_MONTH_NAMES})\.?\s+\d{{4}}|in\s+\d{{4}}|last\s+(?:week|month|year|Monday|Tuesday|Wednesday|"
    r"Thursday|Friday|Saturday|Sunday)|earlier\s+this\s+(?:week|month|year)|(?:a|one|two|three|four|five|six|"
    r"seven|\d)\s+(?:days?|weeks?)\s+(?:ago|earlier|before)|the\s+(?:day\s+before|previous\s+day)"
)
_DAYREF = (
    rf"(?:(?:{_MONTH_NAMES})\.?\s+\d{{1,2}}(?:,?\s+\d{{4}})?|\d{{1,2}}\s+(?:{_MONTH_NAMES})(?:\s+\d{{4}})?"
    r"|Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)"
)
# "states" is left out on purpose: in news it is nearly always the noun ("Nine states reported that …").
# Words and time phrases that may stand between a subject and its verb ("Putin on Friday also said").
_GAP = re.compile(
    r"(?:\s+(?:has|have|had|also|later|previously|again|repeatedly|reportedly|then|once|earlier|further|"
    r"publicly|privately|firmly|flatly|bluntly|openly|recently|separately|subsequently|similarly|already|still|just|"
    rf"swiftly|quickly|immediately|today|yesterday|this\s+week|{_TIMEREF}|on\s+{_DAYREF}|{_DAYREF}))*\s*$"
)
# What may follow "said" before the reported clause starts ("said on Feb. 12, according to TASS, that").
_ADVERBIAL = re.compile(
    rf"\s*,?\s*(?:{_TIMEREF}|on\s+{_DAYREF}|{_DAYREF}|today|yesterday|earlier|later|this\s+week"
    r"|in\s+(?:response|reply|reference)\s+to\s+(?:[^\s,\x01]+\s+){0,5}?(?=that\b)"
    r"|the\s+day\s+before|on\s+(?:Telegram|X|social\s+media|television|state\s+television)|to\s+(?:reporters|"
    r"journalists|the\s+press)|according\s+to\s+[^,\x01]{2,60}?,"
    r"|(?:in|at|on|during|after|before|to)\s+(?:a|an|the|his|her|their)\s+(?:[\w-]+\s+){0,3}?(?:statement|"
    r"interview|speech|conference|briefing|call|address|post|message|meeting|summit|session|broadcast|video|"
    r"remarks?|vote|talks)(?:\s+(?:call|briefing|session))?(?:\s+(?:with|in|on)\s+(?:the\s+)?(?:[A-Z][\w'’-]*\s*)+)?)\s*,?"
)
_SUBJECT_START = re.compile(
    r"\s*(?:he|she|it|they|we|i|you|there|this|these|those|the|a|an|any|no|all|some|many|most|his|her|its|"
    r"their|our|my|both|neither|every|each|such|only|once|if)\b|\s*[A-Z\u00C0-\u00DE\u0410-\u042F\d]",
)
_LISTENER = re.compile(
    r"\s*(?:reporters|journalists|the\s+press|lawmakers|parliament|him|her|them|us|me"
    r"|(?:the|a|an|his|her|their)\s+(?:[\w-]+\s+){0,3}?(?:conference|briefing|meeting|audience|newspaper|"
    r"broadcaster|channel|interviewer|crowd|forum|gathering|committee|session|summit|assembly|council|nation|"
    r"officers?|police|court|judge|jury|investigators|voters|supporters|students|lawmakers|senators|media)"
    r"|(?:state|local)\s+(?:media|television|TV)"
    r"|[A-Z][\w'’.-]*(?:\s+[A-Z][\w'’.-]*)*)\b"
)
_TRAIL = frozenset(("told", "tells", "wrote", "writes", "stated", "announced", "declared"))
_GAP_WORDS = frozenset(
    "has have had also later previously again repeatedly reportedly then once earlier".split()
)
_HONORIFICS = {"sir": "he", "lord": "he", "mr": "he", "dame": "she", "lady": "she", "mrs": "she", "ms": "she"}
_NATIONALITY = re.compile(r"(?:an|ian|ean|ese|ish|i|ch|ic)$")
_PREPOSITIONS = frozenset(
    "in of at from for with by to on about against into over under across between among near without within "
    "like than including via toward towards".split()
)
_SHORT_PHRASE = re.compile(rf"\s*(?:{'|'.join(sorted(_PREPOSITIONS))})\b[^,;\x01]{{0,60}}?(?:[,;.!?]|$)")
# Plural nouns standing alone before "said": Americans, Climatologists, Advocates, Officials.
_GROUP_NOUN = re.compile(r"(?:ans|ists|ers|ates|ats|ics|ors|ents|ants|ials)$")
_MAX_SENTENCE_WORDS = 200
# Longer unpunctuated paragraphs are prose cut off by the page, not headlines.
_SHORT_LINE_WORDS = 25
_CUT = re.compile(
    r",\s*(?:according to|as (?:cited|quoted|reported) by|(?:he|she|they)\s+(?:said|says|added))\b"
)
_NOT_A_CLAUSE_START = frozenset(
    "speaking asked addressing in at on during after before when while as earlier later responding "
    "according".split()
)


@dataclass(slots=True)
class _Speaker:
    name: str
    role: str | None
    person: bool


@dataclass(slots=True)
class _Hit:
    start: int  # where the attribution begins (the verb, or the comma before a participle)
    end: int  # the verb's end
    verb: str
    kind: str  # say | that | pos | psay | ppos


@dataclass(slots=True)
class _State:
    """What the reader of the article remembers: names seen, who spoke last, and when each speaker spoke."""

    published: datetime | None
    registry: dict[str, _Speaker] = field(default_factory=dict)
    spoken: list[tuple[_Speaker, int]] = field(default_factory=list)
    dates: dict[str, datetime] = field(default_factory=dict)
    gender: dict[str, str] = field(default_factory=dict)
    paragraph: int = 0


# ---- entry point ------------------------------------------------------------------------------------------


def extract_statements(article: Article) -> list[Statement]:
    """Direct quotes and reported speech in the article, each with its speaker, role and date."""
    published = article.published_at
    if published is not None:
        published = published.astimezone(UTC) if published.tzinfo else published.replace(tzinfo=UTC)
        published = published.replace(hour=0, minute=0, second=0, microsecond=0)
    state = _State(published=published)
    paragraphs = [p for p in _paragraphs(article.text) if _is_prose(p, article.title)]
    # A "sentence" of hundreds of words is extraction debris (a list or menu run together): skipping it keeps
    # the work per article linear and loses no real attribution.
    split = [
        [s for s in _sentences(p) if s.strip() and len(s.split()) <= _MAX_SENTENCE_WORDS] for p in paragraphs
    ]
    for sentences in split:
        for sentence in sentences:
            _register_names(_mask(sentence), state)

    found: list[Statement] = []
    seen: set[tuple[str, str]] = set()
    previous_quote: tuple[_Speaker, datetime | None] | None = None
    for number, sentences in enumerate(split):
        state.paragraph = number
        for sentence in sentences:
            items = _SentenceReader(sentence, state).read(previous_quote)
            previous_quote = None
            for speaker, text, kind, said_on in items:
                key = (speaker_key(speaker.name), _fingerprint(text))
                if key in seen:
                    continue
                seen.add(key)
                found.append(
                    Statement(
                        article_id=article.id,
                        speaker=speaker.name,
                        role=speaker.role,
                        text=text,
                        kind=kind,
                        said_on=said_on,
                        sentence=" ".join(sentence.split()),
                    )
                )
            if items and items[-1][2] == "quote":
                previous_quote = (items[-1][0], items[-1][3])
    return found


def opens_with_verb(text: str) -> bool:
    """Whether a reported statement starts with its own verb ("rejected the idea …") rather than being the
    bare clause of "said" ("Russia would never …"), so a reader knows whether to put "said" before it."""
    return bool(re.match(rf"(?:{_POSITION}|{_PARTICIPLE_SAY}|{_PARTICIPLE_POSITION})\b", text))


# ---- text structure ---------------------------------------------------------------------------------------


def _paragraphs(text: str) -> list[str]:
    return [" ".join(p.split()) for p in re.split(r"\n\s*\n", text) if p.strip()]


def _is_prose(paragraph: str, title: str) -> bool:
    """Headlines, bylines, header lines and menus are short and carry no sentence-final punctuation."""
    if paragraph == " ".join(title.split()) or len(paragraph.split()) < 4:
        return False
    return _terminated(paragraph) or len(paragraph.split()) > _SHORT_LINE_WORDS


def _terminated(text: str) -> bool:
    tail = text.rstrip()
    if tail[-1] in '"' + _CLOSE_QUOTES + "’":
        return len(tail) > 1 and tail[-2] in _TERMINAL + ","
    return tail[-1] in _TERMINAL


def _sentences(paragraph: str) -> list[str]:
    """Split at sentence ends outside quotations; an unbalanced quote falls back to ignoring quotes.
    A cut-off last sentence (a truncated page or teaser) is dropped: its statement would be cut off too."""
    result = _split(paragraph, respect_quotes=True)
    if result is None:
        result = _split(paragraph, respect_quotes=False) or [paragraph]
    if result and not _terminated(result[-1]):
        result.pop()
    return result


def _split(text: str, *, respect_quotes: bool) -> list[str] | None:
    out: list[str] = []
    start = 0
    inside = False
    n = len(text)
    for i, ch in enumerate(text):
        closing = False
        if respect_quotes and ch in _OPEN_QUOTES:
            inside = True
            continue
        if respect_quotes and (ch in _CLOSE_QUOTES or ch == '"'):
            closing = ch != '"' or inside
            inside = not closing
            if not closing:
                continue
        if inside:
            continue
        if closing:
            if i > 0 and text[i - 1] in _TERMINAL and _starts_sentence(text, i + 1):
                out.append(text[start : i + 1])
                start = i + 1
            continue
        if ch in _TERMINAL and i + 1 < n and text[i + 1] not in '"' + _CLOSE_QUOTES:
            if _starts_sentence(text, i + 1) and not (ch == "." and _abbreviation_before(text, i)):
                out.append(text[start : i + 1])
                start = i + 1
        elif ch in _TERMINAL and not respect_quotes and text[i + 1 : i + 2] in ('"', *_CLOSE_QUOTES):
            if not _starts_sentence(text, i + 2):
                continue
            out.append(text[start : i + 2])  # `…reliable." "Over…` when the quotes could not be paired
            start = i + 2
    if inside:
        return None
    out.append(text[start:])
    return [s.strip() for s in out if s.strip()]


def _starts_sentence(text: str, pos: int) -> bool:
    if pos >= len(text) or not text[pos].isspace():
        return False
    rest = text[pos:].lstrip()
    return bool(rest) and (rest[0].isupper() or rest[0].isdigit() or rest[0] in _OPEN_QUOTES + '"(‘')


def _abbreviation_before(text: str, dot: int) -> bool:
    word = re.search(r"([\w.]+)$", text[:dot])
    if word is None:
        return False
    token = word.group(1).lower()
    if token in _COUNTRY_ABBREVIATIONS:
        # "U.S. President" continues the sentence; "…compared to the U.S. Following his victory" does not.
        following = re.match(r"\s+([\w-]+)", text[dot + 1 :])
        return following is not None and _plain(following.group(1)) in _TITLE_WORDS | _INSTITUTION_NOUNS
    return token in _ABBREVIATIONS or (len(token) == 1 and token.isalpha())


def _quote_spans(sentence: str) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    open_at: int | None = None
    for i, ch in enumerate(sentence):
        if open_at is None and (ch in _OPEN_QUOTES or ch == '"'):
            open_at = i
        elif open_at is not None and (ch in _CLOSE_QUOTES or ch == '"'):
            spans.append((open_at, i + 1))
            open_at = None
    return spans


def _mask(sentence: str) -> str:
    chars = list(sentence)
    for start, end in _quote_spans(sentence):
        chars[start:end] = _MASK * (end - start)
    return "".join(chars)


def _fingerprint(text: str) -> str:
    return " ".join(re.findall(r"\w+", text.lower()))


# ---- speakers ---------------------------------------------------------------------------------------------

_TOKEN = re.compile(
    r"[A-Z]+&[A-Z]+|(?:Mr|Mrs|Ms|Dr|Gov|Sen|Rep|Gen|Lt|Col|Sgt|Capt|Prof|Jr|Sr|Adm|Amb)\.|[^\W_](?:[\w'’.-]*\w)?|[^\w\s]"
)


def _is_cap(word: str) -> bool:
    return word[:1].isupper() and word.lower().rstrip(".") not in _STOP_CAPS


def _plain(word: str) -> str:
    return re.sub(r"(?:'s|’s)$", "", word).lower().rstrip(".")


def _run_before(words: list[str]) -> tuple[list[str], int]:
    """The capitalised name run ending the word list, and where it starts."""
    i = len(words)
    while i > 0:
        word = words[i - 1]
        if _is_cap(word):
            i -= 1
        elif word.lower() in _CONNECTORS and i < len(words):
            # "Ursula von der Leyen": particles count only between capitalised words.
            k = i - 1
            while k > 0 and words[k - 1].lower() in _CONNECTORS:
                k -= 1
            if k == 0 or not _is_cap(words[k - 1]):
                break
            i = k
        else:
            break
    return words[i:], i


def _speaker_from_words(words: list[str], state: _State, *, subject: bool = True) -> _Speaker | None:
    """Parse 'Russian Foreign Minister Sergey Lavrov' / 'the Kremlin' / 'Lavrov' ending the word list.

    As a `subject`, a name governed by a preposition ("… machines in New Hampshire say") is refused."""
    run, start = _run_before(words)
    if not run and len(words) >= 2 and words[-2].lower() == "the":
        return _by_role(words[-1:], state)  # "the spokesman said"
    if not run or run[-1].endswith(("'s", "’s")) or len(run) > 8:
        return None
    if _plain(run[-1]) in _INSTITUTION_NOUNS:
        # Russia's Foreign Ministry, the UN General Assembly, the Kremlin.
        return _Speaker(" ".join(run), None, person=False)
    split = max(
        (i for i, w in enumerate(run) if _plain(w) in _TITLE_WORDS or w.endswith(("'s", "’s"))), default=-1
    )
    name, role_words = run[split + 1 :], run[: split + 1]
    # Only words that can belong to a title stay in the role ("Kate Holton Reuters British Prime Minister"
    # is a byline glued to one).
    keep = len(role_words)
    while keep > 0 and _modifier(role_words[keep - 1]):
        keep -= 1
    if keep == 1 and (start == 0 or not _is_cap(words[start - 1])):
        keep = 0  # one organisation name may lead a title: "Apple Senior Vice President"
    role_words = role_words[keep:]
    if split >= 0 and run[split].endswith(("'s", "’s")) and len(name) == 1 and not _titled(role_words):
        if name[0].lower() not in state.registry:
            name, role_words = run, []  # "Emily's List" is one name, not a role and a surname
    while (
        len(name) > 2 and (name[0].isupper() or name[0].endswith("s")) and name[0].lower() not in _CONNECTORS
    ):
        role_words.append(name.pop(0))  # "Indians DH Mike Napoli": a team and a position, then the name
    j = start
    while j > 0:
        word = words[j - 1]
        if _modifier(word):
            role_words.insert(0, word)
            j -= 1
        elif role_words and (link := _role_link(words[:j])):
            role_words[:0] = words[j - link : j]  # "ambassador to the UN", "head of the IAEA"
            j -= link
        else:
            if _is_cap(word) and _titled(role_words) and (j == 1 or not _is_cap(words[j - 2])):
                role_words.insert(0, word)  # "Ford spokesman", "Starbucks spokesperson"
                j -= 1
            break
    if subject and j > 0:
        before = words[j - 2] if words[j - 1].lower() == "the" and j > 1 else words[j - 1]
        if before.lower() in _PREPOSITIONS:
            return None
    honorifics = [w for w in role_words if _plain(w) in _HONORIFICS]
    role_words = [w for w in role_words if _plain(w) not in _HONORIFICS]
    role = " ".join(role_words) if _titled(role_words) else None
    if not name:
        return _by_role(role_words, state) if role_words else None
    if len(name) > 4:
        return None
    if (
        len(name) >= 3
        and (known := state.registry.get(name[-1].lower()))
        and known.name.split()[0] != name[-3]
    ):
        name = known.name.split()  # "Doug Burgum Trump said": a list heading glued to "Trump said"
    speaker = _resolve(_Speaker(" ".join(name), role, person=True), state)
    if honorifics:
        state.gender.setdefault(speaker.name, _HONORIFICS[_plain(honorifics[0])])
    if " " not in speaker.name and _GROUP_NOUN.search(speaker.name) and not speaker.role:
        return None  # "Americans said", "Advocates say": a crowd, not a speaker
    return speaker


def _modifier(word: str) -> bool:
    """A word that can stand in a role: a title, a nationality, an acronym or a possessor."""
    if word.lower() in _ROLE_WORDS or _plain(word) in _TITLE_WORDS or word.endswith(("'s", "’s")):
        return True
    if not _is_cap(word):
        return False
    return (word.isupper() and len(word) <= 5) or bool(_NATIONALITY.search(word))


def _role_link(words: list[str]) -> int:
    """How many words at the end of `words` join a role noun to an organisation: "ambassador to (the)"."""
    for size in (3, 2):
        if len(words) >= size:
            tail = [w.lower() for w in words[-size:]]
            if (
                tail[1] in ("to", "of", "for", "at")
                and tail[2:] in ([], ["the"])
                and _plain(tail[0]) in _ROLE_NOUNS
            ):
                return size
    return 0


def _titled(words: list[str]) -> bool:
    return any(_plain(w) in _ROLE_NOUNS for w in words)


def _resolve(speaker: _Speaker, state: _State) -> _Speaker:
    """A bare surname becomes the full name seen earlier in the article; a missing role is filled in."""
    known = state.registry.get(speaker.name.split()[-1].lower())
    if known is None and " " not in speaker.name:
        # Family name first ("Hu Xiang" … "Hu said").
        known = next(
            (
                k
                for k in state.registry.values()
                if k.name.split()[0] == speaker.name and all(w.isalpha() for w in k.name.split()[1:])
            ),
            None,
        )
    if known is None:
        return speaker
    if " " not in speaker.name or speaker.name == known.name:
        return _Speaker(known.name, speaker.role or known.role, person=True)
    return speaker


def _by_role(role_words: list[str], state: _State) -> _Speaker | None:
    """'The spokesman' or 'the foreign minister': the latest speaker whose role has that noun."""
    noun = _plain(role_words[-1])
    if noun not in _ROLE_NOUNS:
        return None
    for speaker, paragraph in reversed(state.spoken):
        if speaker.role and noun in speaker.role.lower() and state.paragraph - paragraph <= 2:
            return speaker
    return None


def _register_names(masked: str, state: _State) -> None:
    """Remember full names (and their roles) so later surname-only mentions resolve."""
    words = [m.group() for m in _TOKEN.finditer(masked)]
    i = 0
    while i < len(words):
        if not _is_cap(words[i]):
            i += 1
            continue
        j = i
        while j < len(words) and (
            _is_cap(words[j]) or (words[j].lower() in _CONNECTORS and j + 1 < len(words))
        ):
            j += 1
        # "Meet Kerri Lubeski, …": an imperative or question word opening the sentence is not a first name.
        first = 1 if i == 0 and j >= 3 and not _modifier(words[0]) else 0
        speaker = _speaker_from_words(words[first:j], state, subject=False)
        if speaker is not None and speaker.person and " " in speaker.name:
            role = speaker.role or _apposition(words[j:])
            key = speaker.name.split()[-1].lower()
            known = state.registry.get(key)
            if known is None:
                state.registry[key] = _Speaker(speaker.name, role, person=True)
            elif known.role is None and role and known.name == speaker.name:
                known.role = role
        i = max(j, i + 1)


def _apposition(words: list[str]) -> str | None:
    """', the Kremlin's spokesman,' right after a name."""
    if len(words) < 3 or words[0] != ",":
        return None
    try:
        end = words.index(",", 1)
    except ValueError:
        return None
    phrase = words[1:end]
    if phrase and phrase[0].lower() in ("the", "a", "an"):
        phrase = phrase[1:]
    if not 1 <= len(phrase) <= 10 or not any(_plain(w) in _ROLE_NOUNS for w in phrase):
        return None
    if any(_VERB.fullmatch(w) for w in phrase):
        return None
    return " ".join(phrase)


def _subject(left: str, state: _State, current: _Speaker | None) -> tuple[_Speaker | None, bool]:
    """The speaker ending `left` (text before a verb), and whether the phrase is a real statement
    (False for "what Lavrov said the day before", which only tells us when he spoke)."""
    left = left[: _GAP.search(left).start()]  # type: ignore[union-attr]
    if re.search(r"(?:,|\b(?:and|but))\s*$", left) and current is not None:
        return current, True
    left = re.sub(r",\s*who\s*$", "", left)
    pronoun = re.search(r"(?:^|[\s,;(])(he|she)\s*$", left, re.IGNORECASE)
    if pronoun:
        return _antecedent(pronoun.group(1).lower(), state), True
    appositive: str | None = None
    if (split := _apposition_before(left)) is not None:
        left, appositive = split
    institution = re.search(
        r"((?:[A-Z][\w.-]*\s+)*[A-Z][\w.-]*(?:'s|’s))\s+((?:foreign|defen[cs]e|interior|justice|finance|"
        r"economy|energy|health)\s+)?(ministry|government|parliament|military|army|embassy|presidency)\s*$",
        left,
    )
    if institution:
        name = " ".join(w.capitalize() if w.islower() else w for w in institution.group().split())
        return _Speaker(name, None, person=False), _real(left[: institution.start()])
    words = [m.group() for m in _TOKEN.finditer(left)]
    found = _speaker_from_words(words, state)
    if found is None:
        return None, True
    speaker = found
    if appositive and speaker.person:
        speaker = _Speaker(speaker.name, speaker.role or appositive, person=True)
    _, start = _run_before(words)
    return speaker, _real(
        " ".join(words[: start - (1 if start and words[start - 1].lower() == "the" else 0)])
    )


def _antecedent(pronoun: str, state: _State) -> _Speaker | None:
    """The latest person who spoke in this or the previous paragraph and may be called `pronoun`."""
    for speaker, paragraph in reversed(state.spoken):
        if state.paragraph - paragraph > 1:
            break
        if not speaker.person:
            continue
        known = state.gender.get(speaker.name) or _role_gender(speaker.role)
        if known and known != pronoun:
            continue
        state.gender.setdefault(speaker.name, pronoun)
        return speaker
    return None


def _role_gender(role: str | None) -> str | None:
    words = set(re.findall(r"\w+", (role or "").lower()))
    if words & {"spokeswoman", "chairwoman", "queen", "princess", "mrs", "ms", "congresswoman", "madam"}:
        return "she"
    if words & {"spokesman", "chairman", "king", "prince", "mr", "congressman"}:
        return "he"
    return None


def _apposition_before(left: str) -> tuple[str, str] | None:
    match = re.search(r",\s*(?:the\s+|a\s+|an\s+)?([^,\x01]{3,80}),\s*$", left)
    if match is None:
        return None
    phrase = match.group(1).strip()
    words = phrase.split()
    if len(words) > 10 or not any(_plain(w) in _ROLE_NOUNS for w in words) or _VERB.search(phrase):
        return None
    return left[: match.start()], phrase


def _real(before_subject: str) -> bool:
    return not re.search(r"\b(?:what|how|whatever|whether|if)\s*$", before_subject, re.IGNORECASE)


# ---- dates ------------------------------------------------------------------------------------------------


def _month(name: str) -> int:
    return ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"].index(
        name[:3].lower()
    ) + 1


def _day(year: int, month: int, day: int) -> datetime | None:
    try:
        return datetime(year, month, day, tzinfo=UTC)
    except ValueError:
        return None


def _explicit_date(text: str, published: datetime | None) -> datetime | None:
    """A date the attribution states ("on Feb. 26", "Thursday", "a day earlier"), resolved against the
    article's date; None when there is none or it cannot be resolved."""
    text = text.replace(_MASK, " ")
    if m := _ISO_DATE.search(text):
        return _day(int(m["year"]), int(m["mon"]), int(m["day"]))
    for pattern in (_MONTH_DAY, _DAY_MONTH):
        if m := pattern.search(text):
            month, day = _month(m["mon"]), int(m["day"])
            if m["year"]:
                return _day(int(m["year"]), month, day)
            if published is None:
                return None
            found = _day(published.year, month, day)
            if found is not None and found > published + timedelta(days=2):
                found = _day(published.year - 1, month, day)
            return found
    if m := _MONTH_YEAR.search(text):
        return _day(int(m["year"]), _month(m["mon"]), 1)
    if published is None:
        return None
    if m := _WEEKDAY.search(text):
        back = (published.weekday() - _WEEKDAYS.index(m["wd"].lower())) % 7
        return published - timedelta(days=back or (7 if m["last"] else 0))
    if m := _RELATIVE.search(text):
        if m["yesterday"] or m["daybefore"]:
            return published - timedelta(days=1)
        if m["today"]:
            return published
        if m["n"]:
            count = _NUMBERS.get(m["n"].lower()) or int(m["n"])
            return published - timedelta(days=count * (7 if m["unit"].startswith("week") else 1))
        if m["lastweek"]:
            return published - timedelta(days=7)
        if m["lastmonth"]:
            month = published.month - 1 or 12
            year = published.year - (1 if published.month == 1 else 0)
            return _day(year, month, min(published.day, 28))
    return None


# ---- one sentence -----------------------------------------------------------------------------------------

_Found = tuple[_Speaker, str, str, datetime | None]


class _SentenceReader:
    """Finds the statements of one sentence; verbs are matched on the masked text, statement text is cut
    from the original."""

    def __init__(self, sentence: str, state: _State) -> None:
        self.sentence = sentence
        self.masked = _mask(sentence)
        self.state = state
        self.spans = _quote_spans(sentence)
        self.hits = [_hit(m) for m in _VERB.finditer(self.masked)]
        self.used: set[int] = set()
        self.covered: list[tuple[int, int]] = []
        self.found: list[_Found] = []

    @property
    def latest(self) -> _Speaker | None:
        return self.found[-1][0] if self.found else None

    def read(self, previous_quote: tuple[_Speaker, datetime | None] | None) -> list[_Found]:
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
        self, speaker: _Speaker, start: int, end: int, kind: str, attribution: str, text: str | None = None
    ) -> None:
        state = self.state
        said_on = _explicit_date(attribution, state.published)
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
        return [m.group() for m in _TOKEN.finditer(text)]

    # -- quotes ----------------------------------------------------------------------------------------------

    def _quote(self, qstart: int, qend: int) -> None:
        """`"…," Peskov said`, `"…" said Peskov`, `Peskov said: "…"` and `Peskov: "…"`."""
        masked, content = self.masked, self.sentence[qstart + 1 : qend - 1]
        ends_open = bool(re.search(r"[,?!—–…-]\s*$", content)) or masked[qend:].lstrip().startswith(",")
        # 'the passage of the "One Big Beautiful Bill Act," Musk announced': a title in quotes, not speech.
        lead = re.search(r"([\w'’]+)\s*$", masked[:qstart])
        if lead and lead.group(1).lower() in _PREPOSITIONS | {"the", "a", "an", "called", "named", "titled"}:
            ends_open = False
        for index, hit in enumerate(self.hits):
            if index in self.used or hit.start < qend or hit.kind in ("psay", "ppos"):
                continue
            between = masked[qend : hit.start]
            if not ends_open or _MASK in between or re.search(r"\.\s", between) or len(between.split()) > 12:
                break
            segment = between.lstrip(" ,")
            if segment.strip():
                speaker, real = _subject(segment, self.state, None)
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
            if not _VERB.search(colon.group(1)) and len(colon.group(1).split()) <= 8:
                speaker = _speaker_from_words(self._words(colon.group(1)), self.state)
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
            speaker, real = _subject(masked[: hit.start], self.state, self.latest)
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

    def _continued_quote(self, speaker: _Speaker, said_on: datetime | None) -> None:
        """A sentence that is only a quote continues the quote of the sentence before it."""
        if (
            not self.spans
            or self.masked.strip().strip(_MASK).strip(" .,!?")
            or not self.masked.lstrip().startswith(_MASK)
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
        if m is None or _SOURCE_WORDS.search(m.group(1)) or len(m.group(1).split()) > 8:
            return
        words = self._words(m.group(1))
        if not all(_is_cap(w) or w.lower() in _ROLE_WORDS | _CONNECTORS | {"the", "'s"} for w in words):
            return
        speaker = _speaker_from_words(words, self.state)
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
        if not all(_is_cap(w) or w.lower() in _ROLE_WORDS | _CONNECTORS for w in words):
            return
        speaker = _speaker_from_words(words, self.state)
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
                    end = min(end, other.start() + (self.masked[other.start()] == _MASK))
        cut = _CUT.search(self.masked, start, end)
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
            speaker, real = _subject(masked[: hit.start], self.state, self.latest)
        if speaker is None:
            return
        self.used.add(index)
        rest = masked[hit.end :]
        if hit.kind in ("pos", "ppos"):
            if hit.verb in ("called", "calls", "calling") and _MASK not in re.split(r"[.;]", rest)[0]:
                return
            verb_at = hit.end - len(hit.verb)
            end = self._content_end(hit.end)
            if hit.verb in ("called", "calls", "calling"):
                # 'called the conditions "very simple"': the label is the statement, not what follows it.
                first = masked.index(_MASK, hit.end)
                end = min(end, first + len(masked[first:]) - len(masked[first:].lstrip(_MASK)))
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
            start, end = start + masked[start:end].index(_MASK) + 1, start + masked[start:end].rindex(_MASK)
        self._emit(speaker, start, end, kind, masked[self._left_bound(hit.start) : start])

    def _clause_start(self, hit: _Hit, rest: str) -> int | None:
        """Where the reported clause begins after the verb, if it has one."""
        pos = _skip_adverbials(rest, 0)
        if hit.verb in ("told", "tells"):
            listener = _LISTENER.match(rest, pos)
            if listener is None:
                return None
            pos = _skip_adverbials(rest, listener.end())
        if that := re.match(r"\s*,?\s*that\s+", rest[pos:]):
            return hit.end + pos + that.end()
        if colon := re.match(r"\s*:\s*", rest[pos:]):
            return hit.end + pos + colon.end()
        if hit.kind in ("say", "psay") or hit.verb in ("told", "tells"):
            if _SUBJECT_START.match(rest, pos) and not rest[pos:].lstrip().startswith((",", ".")):
                return hit.end + pos + (len(rest[pos:]) - len(rest[pos:].lstrip()))
        # "repeated Moscow's claim that …": a short object, then the clause.
        short = re.match(r"((?:\s+[^\s\x01,;]+){1,3}?)\s+that\s+", rest)
        if short and not re.search(r"\b(?:which|who|what|whether|the|a|an)\b", short.group(1), re.I):
            return hit.end + short.end()
        return None

    def _trailing(self, hit: _Hit, speaker: _Speaker) -> None:
        """`Moscow will not discuss it, the Kremlin said on Thursday.` The clause comes before the speaker."""
        comma = self.masked.rfind(",", 0, hit.start)
        if (
            comma < 0
            or _MASK in self.masked[:comma]
            or self.found
            or (hit.kind != "say" and hit.verb not in _TRAIL)
        ):
            return
        # Only the speaker may stand between the comma and the verb ("…, even though Moscow declared" is no
        # attribution).
        between = self._words(self.masked[comma + 1 : hit.start])
        if between and between[0].lower() == "the":
            between = between[1:]
        if not between or len(between) > 8:
            return
        allowed = _ROLE_WORDS | _CONNECTORS | _GAP_WORDS
        if not all(_is_cap(w) or w.lower() in allowed or w.endswith(("'s", "’s")) for w in between):
            return
        words = self.sentence[:comma].split()
        if len(words) < 5 or words[0].lower() in _NOT_A_CLAUSE_START:
            return
        rest = self.masked[hit.end :]
        pos = _skip_adverbials(rest, 0)
        if hit.verb in ("told", "tells") and (listener := _LISTENER.match(rest, pos)):
            pos = _skip_adverbials(rest, listener.end())
        tail = rest[pos:]
        comma_after = re.match(r"\s*,\s*", tail)
        if comma_after and _SUBJECT_START.match(tail, comma_after.end()):
            if not re.match(r"[a-z]+ing\b|according\b", tail[comma_after.end() :]):
                # "If the files are not found soon, Dellon says, they could lose their chance to vote":
                # the attribution interrupts the statement.
                after = hit.end + pos + comma_after.end()
                joined = self.sentence[:comma] + ", " + self.sentence[after:].strip()
                self._emit(speaker, 0, len(self.sentence), "reported", self.masked[comma:after], text=joined)
                return
        # Only the end, a comma or a short phrase may follow ("…, Peskov said of the idea."), not a clause.
        if re.match(r"\s*(?:[,;.!?]|$|[a-z]+ing\b)", tail) or _SHORT_PHRASE.match(tail):
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
    closed = text[-1] in '"”’»' and len(text) > 1 and text[-2] in _TERMINAL
    if text[-1] not in _TERMINAL and not closed:
        text += "."
    return text


def _inverted(after: str, state: _State) -> _Speaker | None:
    """'… said Kremlin spokesman Dmitry Peskov.' — the speaker follows the verb."""
    m = re.match(r"\s*([^,.;:\x01]{2,80})", after)
    if m is None:
        return None
    words = [w.group() for w in _TOKEN.finditer(m.group(1))]
    if not words or not all(_is_cap(w) or w.lower() in _ROLE_WORDS | _CONNECTORS for w in words):
        return None
    return _speaker_from_words(words, state)


def _skip_adverbials(rest: str, pos: int) -> int:
    while (adverbial := _ADVERBIAL.match(rest, pos)) and adverbial.end() > pos:
        pos = adverbial.end()
    return pos


def _remember_date(speaker: _Speaker, attribution: str, state: _State) -> None:
    said_on = _explicit_date(attribution, state.published)
    if said_on is not None:
        state.dates[speaker.name] = said_on


def _initial_subject(masked: str, state: _State) -> _Speaker | None:
    """The subject opening the sentence, for a participle ('He did not say …, adding that …')."""
    m = re.match(r"\s*((?:[^\s,\x01]+\s+){1,6}?)(?=[a-z])", masked)
    if m is None:
        return None
    speaker, real = _subject(m.group(1), state, None)
    return speaker if real else None
