"""Speech verbs ("said", "told", "rejected", ", adding") and the patterns for the phrases that may stand
around them in an attribution: time adverbials, listeners, the start of a reported clause."""

from __future__ import annotations

import re

from retrieval._said_dates import DAYREF, TIMEREF
from retrieval._speaker_words import PREPOSITIONS

SOURCE_WORDS = re.compile(
    r"\b(?:agency|news|media|outlet|newspaper|reports?|data|survey|estimates?|sources?|study|tass|ria|"
    r"reuters|interfax|ap|afp|bloomberg|cnn|bbc|meduza|analysts?|experts?)\b",
    re.IGNORECASE,
)

_SAY = r"said|says|say|added|adds"
# "states" is left out on purpose: in news it is nearly always the noun ("Nine states reported that …").
_SAY_THAT = (
    r"told|tells|stated|wrote|writes|explained|explains|claimed|claims|announced|announces|declared|"
    r"declares|confirmed|confirms|reiterated|reiterates|repeated|repeats|replied|responded|argued|argues|"
    r"insisted|insists|stressed|stresses|emphasi[sz]ed|emphasi[sz]es|noted|notes|asserted|asserts|maintained|"
    r"maintains|believes|thinks|recalled|reconfirmed|pointed out"
)
POSITION = (
    r"warned|warns|denied|denies|rejected|rejects|dismissed|dismisses|ruled out|rules out|condemned|condemns|"
    r"denounced|denounces|critici[sz]ed|critici[sz]es|welcomed|welcomes|praised|praises|urged|urges|demanded|"
    r"demands|called for|calls for|called on|calls on|accused|accuses|vowed|vows|pledged|pledges|promised|"
    r"promises|threatened|threatens|suggested|suggests|proposed|proposes|admitted|admits|acknowledged|"
    r"acknowledges|predicted|predicts|ridiculed|ridicules|mocked|mocks|slammed|slams|described|describes|"
    r"called|calls"
)
PARTICIPLE_SAY = r"adding|saying|stating|noting|arguing|insisting|stressing|claiming|explaining"
PARTICIPLE_POSITION = r"warning|accusing|urging|calling for|calling"
VERB = re.compile(
    rf"(?<![\w-])(?P<say>{_SAY})\b|(?<![\w-])(?P<that>{_SAY_THAT})\b|(?<![\w-])(?P<pos>{POSITION})\b"
    rf"|,\s*(?P<psay>{PARTICIPLE_SAY})\b|,\s*(?P<ppos>{PARTICIPLE_POSITION})\b"
)

# Words and time phrases that may stand between a subject and its verb ("Putin on Friday also said").
GAP = re.compile(
    r"(?:\s+(?:has|have|had|also|later|previously|again|repeatedly|reportedly|then|once|earlier|further|"
    r"publicly|privately|firmly|flatly|bluntly|openly|recently|separately|subsequently|similarly|already|still|just|"
    rf"swiftly|quickly|immediately|today|yesterday|this\s+week|{TIMEREF}|on\s+{DAYREF}|{DAYREF}))*\s*$"
)
# What may follow "said" before the reported clause starts ("said on Feb. 12, according to TASS, that").
ADVERBIAL = re.compile(
    rf"\s*,?\s*(?:{TIMEREF}|on\s+{DAYREF}|{DAYREF}|today|yesterday|earlier|later|this\s+week"
    r"|in\s+(?:response|reply|reference)\s+to\s+(?:[^\s,\x01]+\s+){0,5}?(?=that\b)"
    r"|the\s+day\s+before|on\s+(?:Telegram|X|social\s+media|television|state\s+television)|to\s+(?:reporters|"
    r"journalists|the\s+press)|according\s+to\s+[^,\x01]{2,60}?,"
    r"|(?:in|at|on|during|after|before|to)\s+(?:a|an|the|his|her|their)\s+(?:[\w-]+\s+){0,3}?(?:statement|"
    r"interview|speech|conference|briefing|call|address|post|message|meeting|summit|session|broadcast|video|"
    r"remarks?|vote|talks)(?:\s+(?:call|briefing|session))?(?:\s+(?:with|in|on)\s+(?:the\s+)?(?:[A-Z][\w'’-]*\s*)+)?)\s*,?"
)
SUBJECT_START = re.compile(
    r"\s*(?:he|she|it|they|we|i|you|there|this|these|those|the|a|an|any|no|all|some|many|most|his|her|its|"
    r"their|our|my|both|neither|every|each|such|only|once|if)\b|\s*[A-Z\u00C0-\u00DE\u0410-\u042F\d]",
)
LISTENER = re.compile(
    r"\s*(?:reporters|journalists|the\s+press|lawmakers|parliament|him|her|them|us|me"
    r"|(?:the|a|an|his|her|their)\s+(?:[\w-]+\s+){0,3}?(?:conference|briefing|meeting|audience|newspaper|"
    r"broadcaster|channel|interviewer|crowd|forum|gathering|committee|session|summit|assembly|council|nation|"
    r"officers?|police|court|judge|jury|investigators|voters|supporters|students|lawmakers|senators|media)"
    r"|(?:state|local)\s+(?:media|television|TV)"
    r"|[A-Z][\w'’.-]*(?:\s+[A-Z][\w'’.-]*)*)\b"
)
TRAIL = frozenset(("told", "tells", "wrote", "writes", "stated", "announced", "declared"))
GAP_WORDS = frozenset(
    "has have had also later previously again repeatedly reportedly then once earlier".split()
)
SHORT_PHRASE = re.compile(rf"\s*(?:{'|'.join(sorted(PREPOSITIONS))})\b[^,;\x01]{{0,60}}?(?:[,;.!?]|$)")
CUT = re.compile(
    r",\s*(?:according to|as (?:cited|quoted|reported) by|(?:he|she|they)\s+(?:said|says|added))\b"
)
NOT_A_CLAUSE_START = frozenset(
    "speaking asked addressing in at on during after before when while as earlier later responding "
    "according".split()
)
