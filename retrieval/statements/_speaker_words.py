"""The words speakers are named with, for the statement rules in `retrieval.statements`: capitalised words
that
are never names, name particles, titles, role nouns, organisation and group nouns, and the tokeniser that
splits
an attribution into words."""

from __future__ import annotations

import re

# Capitalised words that start sentences or name times, never a speaker's name.
_STOP_CAPS = frozenset(
    """the a an but and or so yet on in at for from with after before since while when if as by then
    this that these those he she it they we i his her their its our my meanwhile however also
    earlier later speaking asked according still now today yesterday tomorrow last next addressing
    despite although though until during monday tuesday wednesday thursday friday saturday sunday
    january february march april may june july august september october november december jan feb
    mar apr jun jul aug sep sept oct nov dec will can could should would does did is are was were why what
    how who where which whose one two three four five six seven eight nine ten eleven twelve twenty thirty
    hundreds thousands dozens meet watch read see listen opinion analysis exclusive breaking update updated
    amid among amongst following under over like unlike speaking asked currently recently ultimately overall
    adds added says said writes wrote asks
    live video photos here there ultimately instead indeed even yes no not only other others another both
    many some several most all each every such more""".split()
)
CONNECTORS = frozenset("de da di du van von der den al el bin ibn la le dos das del ter zu".split())
# Title words before a name inside a capitalised run ("Russian Foreign Minister Sergey Lavrov").
TITLE_WORDS = frozenset(
    """president vice prime minister foreign defence defense secretary state treasury deputy chancellor
    ambassador spokesman spokeswoman spokesperson mayor governor senator sen rep gov gen general lt
    col colonel admiral commander chief head director chairman chairwoman chair prince
    princess patriarch cardinal archbishop bishop sheikh emir sultan mr mrs ms dr prof
    professor judge justice attorney envoy special representative senior adviser advisor aide
    officer official leader premier secretary-general speaker kremlin ministry office press security
    council national interior economy finance energy health former acting white house department
    pentagon president-elect vice-president sir dame lord lady ceo cfo coo cto founder united states
    kingdom nations capt sgt cpl pvt maj lieutenant sergeant captain major commodore marshal rev reverend
    rabbi imam father sister brother coach manager editor correspondent analyst economist commissioner
    sheriff superintendent inspector detective constable chancellor provost dean principal rep.
    congressman congresswoman councilman councilwoman councilmember assemblyman assemblywoman delegate
    lawmaker legislator trustee president-elect vp gop lt. gov. sen. dr. prof. gen. col. adm amb""".split()
)
# A role must contain one of these to count as a role at all.
ROLE_NOUNS = frozenset(
    """spokesperson spokesman spokeswoman minister president secretary aide envoy ambassador chairman
    chairwoman chair adviser advisor chief head leader official governor mayor chancellor senator
    lawmaker commander general director representative premier king queen pope negotiator diplomat
    deputy speaker prosecutor judge secretary-general gov sen rep gen adm amb ceo cfo coo cto
    founder president-elect sheriff commissioner superintendent professor economist analyst coach manager
    editor correspondent captain capt lieutenant sergeant officer inspector detective attorney lawyer
    congressman congresswoman councilman councilwoman councilmember legislator delegate trustee
    dean provost principal rabbi imam pastor bishop cardinal archbishop rev reverend justice
    scientist researcher author expert strategist consultant executive partner owner cofounder co-founder
    administrator physician doctor dr nurse historian activist organizer pollster
    commodore marshal admiral colonel col major maj""".split()
)
# Lowercase words that may stand in a role before a name ("Kremlin spokesperson Dmitry Peskov").
ROLE_WORDS = ROLE_NOUNS | frozenset(
    "foreign policy special press deputy former acting top senior chief presidential military defence "
    "defense security national affairs state interior prime vice interim executive managing general "
    "assistant associate retired then-president then-".split()
)
INSTITUTION_NOUNS = frozenset(
    """ministry office department council assembly government parliament duma commission agency service
    committee court administration cabinet embassy mission command staff forces army navy kremlin
    pentagon house bank union organization organisation bureau centers center centre institute
    university college school foundation association society party league federation board authority
    corporation corp inc co ltd llc company group network news times post journal herald tribune press
    library archives museum fund trust campaign coalition alliance police guard survey observatory
    hospital clinic church diocese vatican senate congress agency ministry airlines airways motors
    systems technologies labs laboratories partners holdings capital media television tv radio
    channel magazine gazette telegraph guardian observer independent economist monitor review reuters
    daily weekly""".split()
)
# Lowercase nouns a passage uses for an organisation named before ("the agency said", "the retail giant").
ORG_NOUNS = frozenset(
    """agency company department ministry bureau administration government office court university
    organization organisation group firm network league union party campaign commission committee council
    board service retailer chain automaker carmaker manufacturer maker giant airline bank lender insurer
    insurance provider operator utility brand business corporation startup school college district
    foundation charity hospital station outlet newspaper paper site magazine broadcaster team club
    institute center centre library archive archives association federation alliance coalition monitor
    observatory regulator watchdog authority police military army navy embassy cabinet legislature
    senate parliament restaurant platform app developer studio publisher label band""".split()
)
# Capitalised nouns that end the name of a thing, never a person's: "McKinney Fire", "Camp David Accords",
# "Hurricane Ian" has its noun first, so it is not here. Such a name can be a subject, never a "he" or "she".
THING_NOUNS = frozenset(
    """fire fires wildfire complex storm flood floods earthquake quake war wars act bill accord accords treaty
    agreement summit cup games olympics award awards prize festival bridge street avenue road highway river
    lake mountain mountains island islands park airport station square building tower stadium arena hall
    canal dam pipeline program programme plan deal initiative project""".split()
)
# Nouns for documents that speak for their issuer ("the statement said", "the order says").
DOC_NOUNS = frozenset(
    """statement announcement release memo memorandum order post tweet letter filing complaint lawsuit suit
    petition resolution bulletin advisory notice email message update video decree proclamation
    declaration communique communiqué report""".split()
)
# Plural (or mass) nouns for unnamed groups of people ("officials said", "Experts say").
GROUP_NOUNS = frozenset(
    """media officials experts analysts authorities organizers organisers researchers scientists critics
    residents witnesses sources lawmakers legislators observers diplomats economists investigators
    prosecutors police doctors physicians lawyers attorneys advocates activists supporters opponents
    leaders ministers members users commenters fans people protesters demonstrators voters parents
    teachers students workers employees staff staffers aides insiders executives managers historians
    forecasters meteorologists strategists pollsters consultants observers agencies negotiators
    republicans democrats conservatives liberals progressives others officers firefighters rescuers
    responders medics nurses volunteers survivors victims families relatives neighbors neighbours
    scholars academics educators epidemiologists specialists representatives delegates senators
    governments countries nations states allies partners companies firms""".split()
)
# Singular nouns for one unnamed person ("a government spokesman", "a commenter", "one official").
PERSON_NOUNS = ROLE_NOUNS | frozenset(
    """person source insider commenter user resident witness member employee worker staffer student
    parent teacher voter fan supporter critic observer friend buddy relative neighbor neighbour man woman
    official spokesperson representative one another someone somebody dictator singer actor actress star
    rapper musician artist designer comedian host anchor player athlete billionaire entrepreneur
    businessman businesswoman candidate nominee incumbent challenger veteran survivor victim mother father
    wife husband son daughter pontiff monarch""".split()
)
PREPOSITIONS = frozenset(
    "in of at from for with by to on about against into over under across between among near without within "
    "like than including via toward towards".split()
)

TOKEN = re.compile(
    r"\x01+|[A-Z]+&[A-Z]+|[A-Z]\.(?=\s+[A-Z])|(?:Mr|Mrs|Ms|Dr|Gov|Sen|Rep|Gen|Lt|Col|Sgt|Capt|Prof|Jr|Sr|Adm|Amb|St|Rev|Maj|Cpl|Ft|Mt)\."
    r"|(?:[A-Z]\.){2,}|[^\W_](?:[\w'’.&-]*\w)?|[^\w\s]"
)


def is_cap(word: str) -> bool:
    low = word.lower().rstrip(".")
    return word[:1].isupper() and low not in _STOP_CAPS and low not in GROUP_NOUNS


def plain(word: str) -> str:
    return re.sub(r"(?:'s|’s|'|’)$", "", word).lower().rstrip(".")
