"""Speech verbs ("said", "told", "accused … of", ", adding") grouped by the shape of what follows them, and
the
patterns for the phrases that may stand around them in an attribution: time adverbials, listeners, the start
of a
reported clause."""

from __future__ import annotations

import re

from ._said_dates import DAYREF, TIMEREF


def _forms(*stems: str) -> str:
    return "|".join(sorted({f for s in stems for f in s.split("/")}, key=len, reverse=True))


# Verbs whose complement is a clause ("said (that) …"), a quotation, or that stand after the statement
# ("…, the agency said"). "states" is left out: in news it is nearly always the noun.
_SAY = _forms(
    "said/says/say",
    "added/adds",
    "told/tells",
    "stated",
    "wrote/writes",
    "posted/posts",
    "tweeted/tweets",
    "explained/explains",
    "claimed/claims",
    "argued/argues",
    "insisted/insists",
    "noted/notes",
    "stressed/stresses",
    "emphasized/emphasizes/emphasised/emphasises",
    "underscored/underscores",
    "predicted/predicts",
    "forecast/forecasts",
    "confirmed/confirms",
    "acknowledged/acknowledges",
    "admitted/admits",
    "conceded/concedes",
    "replied/replies",
    "responded/responds",
    "warned/warns",
    "revealed/reveals",
    "indicated/indicates",
    "signaled/signals/signalled",
    "mentioned/mentions",
    "announced/announces",
    "declared/declares",
    "reported/reports",
    "reiterated/reiterates",
    "repeated/repeats",
    "asserted/asserts",
    "maintained/maintains",
    "contended/contends",
    "alleged/alleges",
    "suggested/suggests",
    "cautioned/cautions",
    "complained/complains",
    "recalled/recalls",
    "remarked",
    "observed",
    "testified/testifies",
    "concurred",
    "conveyed",
    "boasted/boasts",
    "lamented/laments",
    "countered/counters",
    "retorted",
    "hinted",
    "teased/teases",
    "reconfirmed",
    "pointed out/points out",
    "made clear/makes clear/made it clear/makes it clear",
    "shared",
    "affirmed/affirms",
    "disclosed",
    "reaffirmed/reaffirms",
    "expressed/expresses",
    "vowed/vows",
    "pledged/pledges",
    "promised/promises",
    "threatened/threatens",
    "agreed",
    "estimated",
    "continued",
    "asked",
    "read/reads",
    "echoed",
)
# Verbs that only introduce or follow a quotation ("…," he continued / asked), never a reported clause.
QUOTE_ONLY = frozenset({"continued", "asked", "read", "reads", "echoed"})
# Verbs whose reported clause must open with "that" (bare, they mostly mean something else: "agreed to").
NEEDS_THAT = frozenset(
    {
        "agreed",
        "estimated",
        "shared",
        "observed",
        "maintained",
        "maintains",
        "recalled",
        "recalls",
        "repeated",
        "repeats",
        "threatened",
        "threatens",
        "teased",
        "teases",
        "hinted",
    }
)
# Verbs of an evaluative speech act with an object: "accused X of Y", "called X Y", "urged X to Y".
_OBJECT = _forms(
    "accused/accuses",
    "blamed/blames",
    "criticized/criticizes/criticised/criticises",
    "praised/praises",
    "credited/credits",
    "condemned/condemns",
    "chastised/chastises",
    "assailed/assails",
    "slammed/slams",
    "blasted/blasts",
    "lambasted",
    "derided",
    "described/describes",
    "portrayed/portrays",
    "labeled/labelled",
    "branded/brands",
    "hailed/hails",
    "called/calls",
    "urged/urges",
    "encouraged/encourages",
    "advised/advises",
    "implored",
    "called on/calls on",
    "called for/calls for",
    "denied/denies",
    "rejected/rejects",
    "dismissed/dismisses",
    "ruled out/rules out",
    "denounced/denounces",
    "lauded/lauds",
    "thanked/thanks",
    "welcomed/welcomes",
    "demanded/demands",
    "proposed/proposes",
    "ridiculed/ridicules",
    "mocked/mocks",
)
PARTICIPLE_SAY = (
    r"adding|saying|stating|noting|arguing|insisting|stressing|claiming|explaining|writing|telling|underscoring|"
    r"announcing|declaring|asserting|acknowledging|admitting|predicting|suggesting|emphasizing"
)
PARTICIPLE_POSITION = (
    r"warning|accusing|urging|calling for|calling on|calling|vowing|pledging|promising|blaming"
)
POSITION = _OBJECT

VERB = re.compile(
    rf"(?<![\w'’-])(?P<say>{_SAY})(?![\w'’-])|(?<![\w'’-])(?P<pos>{_OBJECT})(?![\w'’-])"
    rf"|(?:,\s*(?:and\s+)?|\bby\s+)(?P<psay>{PARTICIPLE_SAY})(?![\w'’-])"
    rf"|(?:,\s*(?:and\s+)?|\bby\s+)(?P<ppos>{PARTICIPLE_POSITION})(?![\w'’-])"
)
# What the object verbs need after their object for the act to have content beyond a bare target.
OBJECT_LINK = {
    "accus": r"of",
    "blam": r"for",
    "critici": r"for|over",
    "prais": r"for",
    "credit": r"for|with",
    "condemn": r"as|for",
    "chastis": r"for",
    "assail": r"for|as",
    "slam": r"for|as|over",
    "blast": r"for|as",
    "lambast": r"for|as",
    "derid": r"as",
    "describ": r"as",
    "portray": r"as",
    "label": r"as",
    "brand": r"as",
    "hail": r"as",
    "laud": r"as|for",
    "thank": r"for",
    "dismiss": r"as",
    "denounc": r"as",
    "mock": r"as|for",
    "ridicul": r"as",
    "urg": r"to",
    "encourag": r"to",
    "advis": r"to",
    "implor": r"to",
    "called on": r"to",
    "calls on": r"to",
    "calling on": r"to",
}
# Verbs of position whose object alone is the statement ("denied backing the rebels", "rejected the idea").
BARE_OBJECT = (
    "denied", "denies", "deny", "reject", "dismiss", "ruled out", "rules out", "called for", "calls for",
    "calling for", "demand", "propos", "welcom",
)  # fmt: skip
# Verbs that take a noun phrase as their content ("announced a $1,776 dividend", "CDC confirmed a case").
NP_OBJECT = (
    "announc", "confirm", "report", "emphasi", "underscor", "predict", "forecast", "promis", "pledg", "vow",
    "acknowledg", "admit", "teas", "disclos", "stress", "suggest", "affirm", "reaffirm", "express",
)  # fmt: skip

# Words and time phrases that may stand between a subject and its verb ("Putin on Friday also said").
_MEDIUM = (
    r"(?:statement|interview|speech|conference|briefing|call|address|post|message|meeting|summit|session|"
    r"broadcast|video|remarks?|vote|talks|letter|email|op-ed|appearance|hearing|filing|update|release|"
    r"news\s+conference|press\s+conference|tweet|podcast|rally|event|report|episode|plea|appeal|testimony|"
    r"ruling|opinion|editorial|column|essay|blog\s+post|newsletter|show|program|documentary|book|memoir|"
    r"announcement|ceremony|debate|forum|panel|hearing|session|visit|trip|town\s+hall)"
)
_ADVERB = (
    r"[a-z]{3,}(?:ally|ously|ively|ently|antly|arly|ately|edly|ingly|fully|ically|iously|tly)|"
    r"has|have|had|also|later|previously|again|repeatedly|reportedly|then|once|earlier|further|publicly|"
    r"privately|firmly|flatly|bluntly|openly|recently|separately|subsequently|similarly|already|still|just|"
    r"swiftly|quickly|immediately|initially|first|frequently|often|long|since|even|both|all|now|only|"
    r"ultimately|officially|formally|explicitly|directly|simply|apparently|allegedly|further|additionally|"
    r"so\s+far|thus\s+far|too|likewise|meanwhile|here|there|once\s+again|yet\s+again|"
    r"today|yesterday|tonight|this\s+week|last\s+week|this\s+month|this\s+year|last\s+year|"
    r"(?:late|early)\s+(?:on\s+)?(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)"
)
GAP = re.compile(
    rf"(?:\s*,?\s*(?:{_ADVERB}|{TIMEREF}|on\s+{DAYREF}|{DAYREF}(?:\s+(?:morning|afternoon|evening|night))?"
    rf"|(?:in|at|on|during|after|before|via|through)\s+(?:a|an|the|his|her|their|its|one|two)\s+"
    rf"(?:[\w'’-]+\s+){{0,4}}?{_MEDIUM}(?:\s+(?:with|to|on|at)\s+(?:the\s+)?(?:[A-Z][\w'’.-]*\s*)+)?"
    r"|on\s+(?:Telegram|X|Twitter|Facebook|Instagram|TikTok|social\s+media|television|state\s+television|"
    r"Truth\s+Social|CNN|Fox\s+News|MSNBC)))*\s*,?\s*$"
)
# What may follow the verb before the reported clause starts ("said on Feb. 12, according to TASS, that").
ADVERBIAL = re.compile(
    rf"\s*,?\s*(?:as\s+(?:early|late|recently)\s+as\s+(?:{DAYREF}|{TIMEREF}|\w+)|{TIMEREF}|"
    rf"(?:issued|released|published|posted|dated|sent)\s+(?:on\s+)?{DAYREF}|on\s+{DAYREF}|{DAYREF}(?:\s+(?:morning|afternoon|evening|night))?|today|"
    r"yesterday|tonight|earlier|later|again|also|previously|repeatedly|publicly|privately|recently|this\s+week"
    r"|last\s+week|in\s+(?:a\s+)?(?:response|reply|reference)\s+to\s+(?:[^\s,\x01]+\s+){0,5}?(?=that\b)"
    r"|the\s+day\s+before|on\s+(?:Telegram|X|Twitter|Facebook|Instagram|social\s+media|television|"
    r"state\s+television|Truth\s+Social)|to\s+(?:reporters|journalists|the\s+press|the\s+media)"
    r"|according\s+to\s+[^,\x01]{2,60}?,"
    rf"|(?:in|at|on|during|after|before|via|through)\s+(?:a|an|the|his|her|their|its)\s+(?:[\w'’-]+\s+){{0,4}}?"
    rf"{_MEDIUM}(?:\s+(?:call|briefing|session))?(?:\s+(?:with|in|on|to|at)\s+(?:the\s+)?"
    r"(?:[A-Z][\w'’.-]*\s*)+)?)\s*,?"
)
SUBJECT_START = re.compile(
    r"\s*(?:he|she|it|they|we|i|you|there|this|these|those|that|the|a|an|any|no|all|some|many|most|his|her|"
    r"its|their|our|my|both|neither|every|each|such|only|once|if|when|while|because|although|even|as|"
    r"more|less|nearly|about|almost|roughly|around|over|under|not|"
    r"nobody|everyone|everything|anyone|one|two|three|four|five|six|seven|eight|nine|ten|half|few|several|"
    r"whoever|what|whether|how|why|where|despite|given|since|until|unless)\b"
    r"|\s*[a-z]+ing\s+(?:the|a|an|his|her|their|its|[A-Z])"
    r"|\s*[A-Z\u00C0-\u00DE\u0410-\u042F\d$€£]",
)
LISTENER = re.compile(
    r"\s*(?:reporters|journalists|the\s+press|the\s+media|lawmakers|parliament|legislators|senators|"
    r"him|her|them|us|me|supporters|voters|viewers|listeners|readers|followers|attendees|students|"
    r"(?:the|a|an|his|her|their|its)\s+(?:[\w'’-]+\s+){0,4}?(?:conference|briefing|meeting|audience|newspaper|"
    r"broadcaster|channel|interviewer|crowd|forum|gathering|committee|session|summit|assembly|council|nation|"
    r"officers?|police|court|judge|jury|investigators|voters|supporters|students|lawmakers|senators|media|"
    r"board|outlet|station|network|agency|magazine|paper|site|show|program|programme|podcast|hosts?|"
    r"reporters?|journalists?|congregation|audiences?|country|world|public)"
    r"|(?:state|local|national)\s+(?:media|television|TV|radio)"
    r"|(?:the\s+)?[A-Z][\w'’.&-]*(?:\s+(?:[A-Z][\w'’.&-]*|of|the|and))*(?<!\sof)(?<!\sthe)(?<!\sand))\b"
)
TRAIL = frozenset(("told", "tells", "wrote", "writes", "stated", "announced", "declared"))
NOT_A_CLAUSE_START = frozenset(
    "speaking asked addressing in at on during after before when while as earlier later responding "
    "according".split()
)
