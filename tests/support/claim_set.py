"""A labelled set for the citation check: (cited passages, a writer's sentence, supported?).

All passages and sentences are ours, written for this set, in the style of wire copy. For each story there are
faithful sentences a careful model writes (paraphrases with other words, summaries, merges of two outlets'
passages) and unfaithful ones an obeying or careless model writes: a supported sentence with an invented
clause (a cause, a consequence, a relative clause), a name or a number the passages never state.
`bench/claims.py` prints the check's precision and recall on it; tests/test_citations.py holds it to them.
"""

# ruff: noqa: E501 - sentences of prose, one a line
from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from briefing.citations import Passage, SentenceEmbeddings, check
from retrieval.store import Hit

# id -> (title, outlet, day of March 2025, text)
PASSAGES: dict[str, tuple[str, str, int, str]] = {
    "gdynia": (
        "Gdynia dockworkers end strike",
        "Baltic Wire",
        14,
        "Dockworkers at the Polish port of Gdynia ended a nine-day strike on Friday after union leaders accepted a "
        "7 percent pay rise. The port authority said container traffic would return to normal by Monday. Mayor "
        "Anna Nowak welcomed the deal and thanked both sides for their patience.",
    ),
    "gdynia2": (
        "Gdynia deal includes bonus",
        "Pomorze Daily",
        15,
        "The deal that ended the Gdynia strike also includes a one-off bonus of 2,000 zloty for each worker, union "
        "spokesman Piotr Zielinski said. He said members voted 312 to 88 in favour.",
    ),
    "tidal": (
        "Porthaven switches on tidal plant",
        "Coastal Courier",
        3,
        "The coastal town of Porthaven switched on a tidal power plant on Monday. Its twelve underwater turbines "
        "will supply about 9,000 homes. Mayor Ines Carvalho said the project took nine years from the first "
        "survey to the opening, and cost 140 million euros.",
    ),
    "bank": (
        "Norland central bank holds rate",
        "Finance Daily",
        6,
        "The central bank of Norland kept its main interest rate at 3.5 percent on Thursday, the fourth meeting "
        "in a row without a change. Governor Petra Lind said the bank wanted clearer signs that inflation was "
        "slowing before cutting. Inflation stood at 4.1 percent in May.",
    ),
    "budget": (
        "Norland deficit to narrow",
        "Norland Post",
        7,
        "Norland's finance ministry said on Friday that the budget deficit would narrow to 2.1 percent of "
        "economic output next year.",
    ),
    "barrier": (
        "Elmbridge approves flood barrier",
        "Wend Valley Gazette",
        11,
        "Elmbridge town council voted on Tuesday to build a movable flood barrier across the River Wend. The "
        "barrier will cost 38 million pounds and is due to be finished in the spring of 2028. Council leader "
        "Harriet Osei said the vote ended a long argument about how to protect the old town.",
    ),
    "carban": (
        "Ostal voters reject car ban",
        "Alpine Herald",
        9,
        "Voters in the Alpine canton of Ostal rejected a proposal to ban cars from the old town of Lenz on Sunday, "
        "with 54 percent voting no. Turnout was 61 percent. The local shopkeepers' association had campaigned "
        "against the ban, arguing it would drive customers to out-of-town malls.",
    ),
    "hospital": (
        "Cork hospital opens cancer wing",
        "Munster Times",
        12,
        "St Brendan's Hospital in Cork opened a new cancer treatment wing on Wednesday. The wing has 40 beds and "
        "two radiotherapy machines and will treat about 3,000 patients a year. Health Minister Aoife Byrne said "
        "waiting times for radiotherapy in the region should fall by half.",
    ),
    "kremlin": (
        "Kremlin rules out talks on regions",
        "Kyiv Ledger",
        12,
        "Kremlin spokesman Dmitry Peskov said on Wednesday that the status of the annexed regions was not up for "
        "discussion. He told reporters that any peace talks would have to start from what he called the new "
        "reality on the ground. Ukraine's foreign ministry rejected the remarks as an attempt to legitimise "
        "occupation.",
    ),
    "telecom": (
        "Nordvik Telecom to cut jobs",
        "Nordic Business",
        10,
        "Nordvik Telecom will cut 1,200 jobs over the next two years as it shifts customer service to online "
        "channels, the company said on Monday. Chief executive Lars Holm said most cuts would come through early "
        "retirement. Shares in Nordvik rose 3 percent after the announcement.",
    ),
    "landslide": (
        "Landslide cuts off Sella",
        "Dolomiti Oggi",
        8,
        "A landslide blocked the main road into the mountain village of Sella on Saturday after three days of "
        "heavy rain. No one was hurt, but about 400 residents were cut off, the regional civil protection agency "
        "said. Engineers expect to reopen one lane by Tuesday.",
    ),
    "football": (
        "Riverside United win the title",
        "Sports Desk",
        8,
        "Riverside United beat Harbour City 2-1 on Saturday to win their first league title in 31 years. Striker "
        "Tomas Berg scored both goals, the winner coming in the 88th minute. Manager Elena Ruiz dedicated the "
        "title to the club's fans.",
    ),
    "football2": (
        "Harbour City coach blames defence",
        "City Sport",
        9,
        "Harbour City coach Frank Moll blamed a tired defence for the late goal and said his side would still "
        "fight for a European place.",
    ),
    # Written after the clause check, as a held-out check (see CASES)
    "metro": (
        "Tallinn opens first metro line",
        "Baltic Wire",
        17,
        "Tallinn opened the first section of its light metro on Monday, linking the airport with the old town in 14 minutes. The line cost 310 million euros, most of it from European Union funds. Transport director Kadri Tamm said trains would run every six minutes at peak times.",
    ),
    "wildfire": (
        "Wildfire forces evacuations near Faro",
        "Iberia Today",
        19,
        "A wildfire in the hills north of Faro forced the evacuation of about 1,500 people on Wednesday. Strong winds pushed the flames towards three villages, and 400 firefighters were fighting the blaze with eight water-bombing planes. Civil protection commander Rui Santos said the cause was not yet known.",
    ),
    "court": (
        "Court blocks pipeline permit",
        "Prairie Report",
        20,
        "A federal court on Thursday suspended the permit for the Red Creek gas pipeline, ruling that regulators had not properly assessed its effect on groundwater. The pipeline's owner, Westline Energy, said it would appeal. Environmental groups had sued over the 240-kilometre project last year.",
    ),
    "drought": (
        "Reservoirs at record low",
        "Cape Herald",
        21,
        "Reservoirs supplying Cape Town fell to 28 percent of capacity this week, the lowest level for March since records began. The city council asked residents to cut water use to 90 litres a day. Mayor Thandi Mokoena said restrictions would be tightened if levels fell below 25 percent.",
    ),
}


@dataclass(frozen=True, slots=True)
class ClaimCase:
    sentence: str  # as a writer returns it, markers numbered by position in `cites`
    cites: tuple[str, ...]  # passage ids; [1] is the first
    supported: bool
    kind: str  # paraphrase | merge | clause | name | number | predicate


def _case(sentence: str, cites: str, supported: bool, kind: str) -> ClaimCase:
    return ClaimCase(sentence, tuple(cites.split()), supported, kind)


CASES: list[ClaimCase] = [
    # Gdynia
    _case("The Gdynia port strike ended on Friday after union leaders accepted a pay rise of 7 percent [1].",
          "gdynia", True, "paraphrase"),
    _case("Dockworkers in Gdynia went back to work after nine days when their union agreed to a 7 percent "
          "raise [1].", "gdynia", True, "paraphrase"),
    _case("Gdynia's mayor, Anna Nowak, welcomed the agreement that ended the strike [1].",
          "gdynia", True, "paraphrase"),
    _case("The port authority expects container traffic to be back to normal by Monday [1].",
          "gdynia", True, "paraphrase"),
    _case("The Gdynia strike ended after workers accepted a 7 percent pay rise and a one-off bonus of 2,000 "
          "zloty [1][2].", "gdynia gdynia2", True, "merge"),
    _case("Union members voted 312 to 88 for the deal, which ended the nine-day Gdynia strike [1][2].",
          "gdynia2 gdynia", True, "merge"),
    _case("The Gdynia port strike ended because union leaders were bribed by the mayor [1].",
          "gdynia", False, "clause"),
    _case("The Gdynia port strike ended on Friday after union leaders accepted a 7 percent pay rise, which the "
          "government will pay for [1].", "gdynia", False, "clause"),
    _case("Mayor Anna Nowak, who called the strikers criminals, welcomed the deal [1].",
          "gdynia", False, "clause"),
    _case("The strike ended after union leaders accepted a 12 percent pay rise [1].", "gdynia", False, "number"),
    _case("Dockworkers in Gdynia ended their strike after Prime Minister Jan Kowal intervened [1].",
          "gdynia", False, "name"),
    _case("The Gdynia strike ended after workers accepted a 7 percent rise and a bonus that the mayor paid "
          "from city funds [1][2].", "gdynia gdynia2", False, "clause"),
    # Porthaven
    _case("Porthaven opened a tidal power plant on Monday that will supply some 9,000 homes [1].",
          "tidal", True, "paraphrase"),
    _case("The plant has twelve turbines under water and cost 140 million euros [1].",
          "tidal", True, "paraphrase"),
    _case("According to Mayor Ines Carvalho, building the plant took nine years [1].",
          "tidal", True, "paraphrase"),
    _case("Porthaven switched on a tidal power plant on Monday, despite protests by fishermen who fear for "
          "their catch [1].", "tidal", False, "clause"),
    _case("The plant, which was funded by a Chinese state bank, cost 140 million euros [1].",
          "tidal", False, "clause"),
    _case("Mayor Ines Carvalho said the project took nine years because the national government blocked "
          "it [1].", "tidal", False, "clause"),
    _case("The twelve turbines will supply 90,000 homes [1].", "tidal", False, "number"),
    # Norland
    _case("Norland's central bank held its key rate at 3.5 percent for a fourth straight meeting [1].",
          "bank", True, "paraphrase"),
    _case("Governor Petra Lind said rates would not be cut until inflation clearly slows [1].",
          "bank", True, "paraphrase"),
    _case("Inflation in Norland was 4.1 percent in May, and the central bank left its rate unchanged at 3.5 "
          "percent [1].", "bank", True, "paraphrase"),
    _case("Norland's central bank held rates at 3.5 percent, and the finance ministry expects the deficit to "
          "narrow to 2.1 percent next year [1][2].", "bank budget", True, "merge"),
    _case("The central bank kept its rate at 3.5 percent on Thursday after pressure from the finance "
          "minister [1].", "bank", False, "clause"),
    _case("Governor Petra Lind, who is expected to resign next month, said the bank wanted clearer signs of "
          "slowing inflation [1].", "bank", False, "clause"),
    _case("The central bank kept its rate at 3.5 percent, and it will raise rates in July [1].",
          "bank", False, "clause"),
    _case("Inflation stood at 4.1 percent in May, the highest level since 1992 [1].", "bank", False, "number"),
    _case("The finance ministry expects the deficit to narrow to 2.1 percent next year because of higher "
          "taxes on banks [1][2].", "budget bank", False, "clause"),
    # Elmbridge
    _case("Elmbridge council approved a 38 million pound flood barrier on the River Wend on Tuesday [1].",
          "barrier", True, "paraphrase"),
    _case("The movable barrier should be complete in spring 2028 [1].", "barrier", True, "paraphrase"),
    _case("Harriet Osei, the council leader, said the decision settled a long dispute over protecting the old "
          "town [1].", "barrier", True, "paraphrase"),
    _case("Elmbridge council voted to build a flood barrier after a study showed the town would flood every "
          "year [1].", "barrier", False, "clause"),
    _case("The barrier will cost 38 million pounds, most of it paid by local taxpayers [1].",
          "barrier", False, "clause"),
    _case("Council leader Harriet Osei said the vote ended a long argument, but she admitted the barrier might "
          "not work [1].", "barrier", False, "clause"),
    _case("The barrier will be finished in 2031 [1].", "barrier", False, "number"),
    # Ostal
    _case("In Sunday's vote, 54 percent of voters in Ostal rejected a car ban in the old town of Lenz [1].",
          "carban", True, "paraphrase"),
    _case("Shopkeepers in Lenz campaigned against the ban, saying it would push customers to malls outside the "
          "town [1].", "carban", True, "paraphrase"),
    _case("Turnout in the Ostal referendum on the car ban was 61 percent [1].", "carban", True, "paraphrase"),
    _case("Voters rejected the car ban after the shopkeepers' association spent heavily on advertising [1].",
          "carban", False, "clause"),
    _case("Voters in Ostal rejected the ban, which had been backed by the Green Party [1].",
          "carban", False, "clause"),
    _case("A majority of 54 percent rejected the ban, a result the canton's president called a disgrace [1].",
          "carban", False, "clause"),
    _case("Turnout in the Ostal vote was 71 percent [1].", "carban", False, "number"),
    # Cork
    _case("A new cancer wing with 40 beds opened at St Brendan's Hospital in Cork on Wednesday [1].",
          "hospital", True, "paraphrase"),
    _case("Health Minister Aoife Byrne expects radiotherapy waiting times in the region to be cut in half [1].",
          "hospital", True, "paraphrase"),
    _case("The wing's two radiotherapy machines will serve around 3,000 patients each year [1].",
          "hospital", True, "paraphrase"),
    _case("St Brendan's Hospital opened a new cancer wing on Wednesday, three years later than promised [1].",
          "hospital", False, "clause"),
    _case("Health Minister Aoife Byrne said waiting times should fall by half because private clinics will "
          "take more patients [1].", "hospital", False, "clause"),
    _case("The wing, which was paid for by a drug company, has 40 beds [1].", "hospital", False, "clause"),
    _case("The wing will treat about 30,000 patients a year [1].", "hospital", False, "number"),
    # Kremlin
    _case("Dmitry Peskov said the status of the annexed regions was not open to negotiation [1].",
          "kremlin", True, "paraphrase"),
    _case("The Kremlin spokesman said peace talks would have to accept what he called the new reality on the "
          "ground [1].", "kremlin", True, "paraphrase"),
    _case("Ukraine's foreign ministry dismissed Peskov's remarks as an attempt to legitimise the "
          "occupation [1].", "kremlin", True, "paraphrase"),
    _case("Dmitry Peskov said the status of the annexed regions was not up for discussion, but that Russia "
          "would return them in exchange for sanctions relief [1].", "kremlin", False, "clause"),
    _case("Peskov made the remarks after meeting the American envoy Mark Daley [1].", "kremlin", False, "name"),
    _case("Ukraine's foreign ministry rejected the remarks and recalled its ambassador [1].",
          "kremlin", False, "clause"),
    _case("Peskov said the status of the regions was not up for discussion because a referendum had settled "
          "it [1].", "kremlin", False, "clause"),
    # Nordvik
    _case("Nordvik Telecom plans to cut 1,200 jobs within two years as customer service moves online [1].",
          "telecom", True, "paraphrase"),
    _case("Lars Holm, the chief executive, said most of the job cuts would be handled through early "
          "retirement [1].", "telecom", True, "paraphrase"),
    _case("Nordvik's shares gained 3 percent after it announced the job cuts [1].", "telecom", True, "paraphrase"),
    _case("Nordvik Telecom will cut 1,200 jobs because it lost its biggest contract to a Chinese rival [1].",
          "telecom", False, "clause"),
    _case("Chief executive Lars Holm, who received a record bonus last year, said most cuts would come through "
          "early retirement [1].", "telecom", False, "clause"),
    _case("Shares in Nordvik rose 3 percent, and the unions called a strike [1].", "telecom", False, "clause"),
    _case("Nordvik will cut 2,100 jobs over the next two years [1].", "telecom", False, "number"),
    # Sella
    _case("Heavy rain caused a landslide that cut off about 400 people in Sella on Saturday [1].",
          "landslide", True, "paraphrase"),
    _case("The civil protection agency said no one was injured when the landslide blocked the road to "
          "Sella [1].", "landslide", True, "paraphrase"),
    _case("One lane of the road should reopen by Tuesday, according to engineers [1].",
          "landslide", True, "paraphrase"),
    _case("A landslide blocked the road into Sella after illegal logging weakened the slope [1].",
          "landslide", False, "clause"),
    _case("No one was hurt, but two houses were destroyed, the agency said [1].", "landslide", False, "clause"),
    _case("About 400 residents were cut off, and the army was sent to evacuate them [1].",
          "landslide", False, "clause"),
    _case("Engineers expect to reopen the road by Friday [1].", "landslide", False, "predicate"),
    # Riverside
    _case("Riverside United won their first league title in 31 years with a 2-1 win over Harbour City [1].",
          "football", True, "paraphrase"),
    _case("Tomas Berg scored twice for Riverside, including the winner two minutes before the end [1].",
          "football", True, "paraphrase"),
    _case("Manager Elena Ruiz dedicated the league title to the supporters [1].", "football", True, "paraphrase"),
    _case("Riverside won the title with a late goal from Tomas Berg, which Harbour City coach Frank Moll blamed "
          "on a tired defence [1][2].", "football football2", True, "merge"),
    _case("Riverside United beat Harbour City 2-1 after the referee sent off two Harbour City players [1].",
          "football", False, "clause"),
    _case("Tomas Berg, who is leaving the club this summer, scored both goals [1].", "football", False, "clause"),
    _case("Manager Elena Ruiz dedicated the title to the fans and announced her retirement [1].",
          "football", False, "clause"),
    _case("Riverside won their first title in 13 years [1].", "football", False, "number"),
    _case("Frank Moll blamed a tired defence for the late goal and said he would resign [1].",
          "football2", False, "clause"),
    # Written after the clause check, as a held-out check: it kept 10 of these 12 faithful sentences then and
    # dropped 15 of the 16 others (precision 0.909, recall 0.833), before the fixes of its next commit.
    _case("Tallinn's first light metro section opened on Monday, connecting the airport and the old town in 14 minutes [1].",
          "metro", True, "paraphrase"),
    _case("Most of the 310 million euro cost of the line came from EU funds [1].",
          "metro", True, "paraphrase"),
    _case("Kadri Tamm, the transport director, said trains would come every six minutes at rush hour [1].",
          "metro", True, "paraphrase"),
    _case("Tallinn opened its first metro line on Monday, although the project ran two years late [1].",
          "metro", False, "clause"),
    _case("The line cost 310 million euros, which the city borrowed from Chinese banks [1].",
          "metro", False, "clause"),
    _case("Transport director Kadri Tamm said trains would run every six minutes and that tickets would be free [1].",
          "metro", False, "clause"),
    _case("Mayor Jaanus Kask opened the line on Monday [1].",
          "metro", False, "name"),
    _case("About 1,500 people were evacuated on Wednesday as a wildfire spread in the hills north of Faro [1].",
          "wildfire", True, "paraphrase"),
    _case("Some 400 firefighters and eight water-bombing planes fought the fire, which strong winds drove toward three villages [1].",
          "wildfire", True, "paraphrase"),
    _case("Commander Rui Santos said it was not yet clear what started the fire [1].",
          "wildfire", True, "paraphrase"),
    _case("A wildfire north of Faro forced 1,500 people to leave their homes after an arsonist set it on Tuesday night [1].",
          "wildfire", False, "clause"),
    _case("Rui Santos said the cause was not yet known, but blamed the government for cutting the firefighting budget [1].",
          "wildfire", False, "clause"),
    _case("Strong winds pushed the flames towards three villages, two of which were destroyed [1].",
          "wildfire", False, "clause"),
    _case("About 4,500 people were evacuated [1].",
          "wildfire", False, "number"),
    _case("A federal court suspended the Red Creek pipeline's permit on Thursday because regulators had not properly studied the risk to groundwater [1].",
          "court", True, "paraphrase"),
    _case("Westline Energy, which owns the pipeline, plans to appeal the ruling [1].",
          "court", True, "paraphrase"),
    _case("Environmental groups brought the case against the 240-kilometre pipeline last year [1].",
          "court", True, "paraphrase"),
    _case("The court suspended the pipeline permit, a ruling that will cost Westline Energy billions [1].",
          "court", False, "clause"),
    _case("Westline Energy said it would appeal, and its shares fell sharply [1].",
          "court", False, "clause"),
    _case("Judge Helen Carr suspended the permit for the Red Creek pipeline [1].",
          "court", False, "name"),
    _case("Environmental groups, funded by a rival gas company, sued over the project last year [1].",
          "court", False, "clause"),
    _case("Cape Town's reservoirs dropped to 28 percent of capacity, the lowest March level on record [1].",
          "drought", True, "paraphrase"),
    _case("Residents were asked by the city council to limit their water use to 90 litres a day [1].",
          "drought", True, "paraphrase"),
    _case("Mayor Thandi Mokoena warned of tighter restrictions if reservoir levels drop below 25 percent [1].",
          "drought", True, "paraphrase"),
    _case("Reservoirs fell to 28 percent of capacity after farmers illegally diverted water from the rivers [1].",
          "drought", False, "clause"),
    _case("Mayor Thandi Mokoena, who faces an election in May, said restrictions would be tightened [1].",
          "drought", False, "clause"),
    _case("The council asked residents to cut water use to 90 litres a day and banned the filling of swimming pools [1].",
          "drought", False, "clause"),
    _case("Reservoirs fell to 18 percent of capacity [1].",
          "drought", False, "number"),
]  # fmt: skip


def passage_hit(key: str, article_id: int) -> Hit:
    title, outlet, day, text = PASSAGES[key]
    return Hit(
        chunk_id=f"{article_id}:0", article_id=article_id, title=title, url=f"https://news.example.org/{key}",
        outlet=outlet, published=datetime(2025, 3, day, tzinfo=UTC), text=text, score=1.0, similarity=0.6,
    )  # fmt: skip


def passages_of(case: ClaimCase) -> list[Passage]:
    return [Passage(n, passage_hit(key, n)) for n, key in enumerate(case.cites, 1)]


async def kept(case: ClaimCase, embeddings: SentenceEmbeddings) -> bool:
    """Whether the citation check, as it runs on LLM drafts, keeps the sentence (unflagged)."""
    checked = await check(case.sentence, passages_of(case), embeddings, require_citation=True)
    return bool(checked.citations) and not checked.flagged and checked.dropped == 0
