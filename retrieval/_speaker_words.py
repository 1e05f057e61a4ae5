"""The words a speaker's name, title and role are built from, for the statement rules in
`retrieval.statements`: capitalised words that are never names, name particles, titles, role nouns,
institutions, and the tokeniser that splits an attribution into words."""

from __future__ import annotations

import re

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
CONNECTORS = frozenset("de da di du van von der den al el bin ibn la le dos das del ter zu".split())
# Title words before a name inside a capitalised run ("Russian Foreign Minister Sergey Lavrov").
TITLE_WORDS = frozenset(
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
ROLE_NOUNS = frozenset(
    """spokesperson spokesman spokeswoman minister president secretary aide envoy ambassador chairman
    chairwoman chair adviser advisor chief head leader official governor mayor chancellor senator
    lawmaker commander general director representative premier king queen pope negotiator diplomat
    deputy speaker prosecutor judge secretary-general gov sen rep gen adm amb ceo cfo coo cto
    founder president-elect""".split()
)
# Lowercase words that may stand in a role before a name ("Kremlin spokesperson Dmitry Peskov").
ROLE_WORDS = ROLE_NOUNS | frozenset(
    "foreign policy special press deputy former acting top senior chief presidential military defence "
    "defense security national affairs state interior prime vice".split()
)
INSTITUTION_NOUNS = frozenset(
    """ministry office department council assembly government parliament duma commission agency service
    committee court administration cabinet embassy mission command staff forces army navy kremlin
    pentagon house bank union organization organisation""".split()
)
PREPOSITIONS = frozenset(
    "in of at from for with by to on about against into over under across between among near without within "
    "like than including via toward towards".split()
)

TOKEN = re.compile(
    r"[A-Z]+&[A-Z]+|(?:Mr|Mrs|Ms|Dr|Gov|Sen|Rep|Gen|Lt|Col|Sgt|Capt|Prof|Jr|Sr|Adm|Amb)\.|[^\W_](?:[\w'’.-]*\w)?|[^\w\s]"
)


def is_cap(word: str) -> bool:
    return word[:1].isupper() and word.lower().rstrip(".") not in _STOP_CAPS


def plain(word: str) -> str:
    return re.sub(r"(?:'s|’s)$", "", word).lower().rstrip(".")
