"""Comparing a new statement with earlier ones: the polarity rules, and the verdicts on labelled pairs with
the real sentence model (MiniLM).

The first set was written with the rules and its thresholds were set on it; the held-out set was written
after, and run once with the thresholds fixed (result: every shift found, no false shift, 2 of 4 repeats
found, the other 2 shown as "earlier"). Both must keep the one property the alerts promise: never a false
"shift".
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from briefing.citations import SentenceEmbeddings
from briefing.positions import compare, polarity, without_polarity
from retrieval.embed import LocalEmbedder

# (label, earlier statement, new statement). Written for these tests.
TUNING = [
    (
        "repeated",
        "The annexed regions will never be returned to Ukraine.",
        "Russia will never give the regions back to Kyiv.",
    ),
    (
        "repeated",
        "The four regions are an inseparable part of Russia.",
        "The new regions are an integral part of the Russian Federation.",
    ),
    (
        "repeated",
        "Ukraine must withdraw its troops from the four regions before any talks.",
        "Kyiv has to pull its forces out of the four regions before negotiations can begin.",
    ),
    (
        "repeated",
        "We will not accept a ceasefire that lets Ukraine rearm.",
        "A truce that allows Kyiv to rearm is not acceptable to us.",
    ),
    (
        "repeated",
        "The sanctions will stay in place until a ceasefire holds.",
        "Sanctions will remain until the ceasefire is holding.",
    ),
    (
        "repeated",
        "Tariffs on Chinese steel will rise to 50 percent.",
        "The tariff on steel from China goes up to 50 percent.",
    ),
    (
        "repeated",
        "Crimea is Russian territory and the question is closed.",
        "The question of Crimea is closed; it is Russian.",
    ),
    (
        "repeated",
        "NATO membership for Ukraine is not on the table.",
        "Ukraine joining NATO is not under discussion.",
    ),
    (
        "shift",
        "The annexed regions will never be returned to Ukraine.",
        "Russia is ready to discuss the return of some regions to Ukraine.",
    ),
    ("shift", "We reject the 30-day ceasefire proposal.", "We accept the 30-day ceasefire proposal."),
    ("shift", "The Kremlin rules out talks with Zelensky.", "The Kremlin is open to talks with Zelensky."),
    (
        "shift",
        "The United States will not send Patriot missiles to Ukraine.",
        "The United States will send Patriot missiles to Ukraine.",
    ),
    (
        "shift",
        "Germany opposes sending Taurus missiles to Kyiv.",
        "Germany now supports sending Taurus missiles to Kyiv.",
    ),
    ("shift", "A territory swap is out of the question.", "A territory swap is possible as part of a deal."),
    (
        "shift",
        "Hungary will veto the new sanctions package.",
        "Hungary will not block the new sanctions package.",
    ),
    (
        "shift",
        "The EU supports using frozen Russian assets for Ukraine.",
        "The EU rejects using frozen Russian assets for Ukraine.",
    ),
    (
        "earlier",
        "The annexed regions will never be returned to Ukraine.",
        "Russia will hold elections in the new regions in September.",
    ),
    (
        "earlier",
        "We will not allow the regions to be taken from us.",
        "The regions will remain part of Russia forever.",
    ),
    (
        "earlier",
        "A ceasefire is impossible without guarantees.",
        "A ceasefire would need monitoring by neutral countries.",
    ),
    ("earlier", "The sanctions are not working.", "New sanctions will target the oil trade."),
    ("earlier", "Russia does not intend to attack NATO countries.", "NATO is preparing for war with Russia."),
    (
        "earlier",
        "The peace plan has no chance without Russia.",
        "The peace plan includes security guarantees for Ukraine.",
    ),
    (
        "earlier",
        "There is no alternative to negotiations.",
        "Negotiations will take place in Istanbul next week.",
    ),
    (
        "earlier",
        "We never discussed a territory exchange.",
        "Any territory exchange must be approved in a referendum.",
    ),
    (
        "earlier",
        "The sanctions will stay in place until a ceasefire holds.",
        "The sanctions will stay in place until Russia pays for the damage.",
    ),
    (
        "earlier",
        "Tariffs on Chinese steel will rise to 50 percent.",
        "Tariffs on Chinese cars will rise to 100 percent.",
    ),
]
HELD_OUT = [
    (
        "repeated",
        "Israel will continue the operation until all hostages are home.",
        "The operation goes on until every hostage has returned.",
    ),
    (
        "repeated",
        "China will not accept any interference in Taiwan.",
        "Beijing rejects all foreign interference over Taiwan.",
    ),
    (
        "repeated",
        "The Fed sees no reason to cut rates this year.",
        "There is no case for lowering interest rates in 2025, the Fed said.",
    ),
    (
        "repeated",
        "Grain exports through the Black Sea must continue.",
        "Shipments of grain across the Black Sea have to go on.",
    ),
    (
        "shift",
        "Turkey will not approve Sweden's NATO membership.",
        "Turkey approves Sweden's NATO membership.",
    ),
    (
        "shift",
        "The government rules out new taxes on fuel.",
        "The government is ready to introduce new taxes on fuel.",
    ),
    (
        "shift",
        "Poland supports sending fighter jets to Ukraine.",
        "Poland will not send fighter jets to Ukraine.",
    ),
    ("shift", "Iran refuses direct talks with Washington.", "Iran agrees to direct talks with Washington."),
    (
        "earlier",
        "Turkey will not approve Sweden's NATO membership.",
        "Sweden must do more against terrorism, Turkey said.",
    ),
    (
        "earlier",
        "The government rules out new taxes on fuel.",
        "Fuel prices have risen by 20 percent since January.",
    ),
    ("earlier", "Iran refuses direct talks with Washington.", "Iran will not give up uranium enrichment."),
    ("earlier", "Poland supports sending fighter jets to Ukraine.", "Poland is not a party to the war."),
    (
        "earlier",
        "China will not accept any interference in Taiwan.",
        "China will hold military drills near Taiwan next month.",
    ),
    (
        "earlier",
        "The Fed sees no reason to cut rates this year.",
        "Inflation is coming down faster than expected.",
    ),
]


@pytest.fixture(scope="module")
def embeddings(embedder: LocalEmbedder) -> SentenceEmbeddings:
    return SentenceEmbeddings(embedder)


async def _verdicts(
    pairs: list[tuple[str, str, str]], embeddings: SentenceEmbeddings
) -> list[tuple[str, str]]:
    return [(label, (await compare(new, [(old, None)], embeddings)).verdict) for label, old, new in pairs]


def _count(verdicts: list[tuple[str, str]], label: str, got: str) -> int:
    return sum(1 for want, have in verdicts if want == label and have == got)


async def test_tuning_pairs(embeddings: SentenceEmbeddings) -> None:
    verdicts = await _verdicts(TUNING, embeddings)
    assert _count(verdicts, "shift", "shift") == 8
    assert sum(have == "shift" for want, have in verdicts if want != "shift") == 0  # never a false shift
    assert _count(verdicts, "repeated", "repeated") >= 6
    # One known miss: the same sanctions under another condition reads as a repeat (cosine 0.78).
    assert sum(have == "repeated" for want, have in verdicts if want != "repeated") <= 1


async def test_held_out_pairs(embeddings: SentenceEmbeddings) -> None:
    verdicts = await _verdicts(HELD_OUT, embeddings)
    assert _count(verdicts, "shift", "shift") == 4
    assert sum(have == "shift" for want, have in verdicts if want != "shift") == 0
    assert sum(have == "repeated" for want, have in verdicts if want != "repeated") == 0
    assert _count(verdicts, "repeated", "repeated") >= 2


@pytest.mark.parametrize(
    ("text", "sign"),
    [
        ("The regions will never be returned.", -1),
        ("We reject the proposal.", -1),
        ("We will not reject the proposal.", 1),
        ("Moscow won't rule out talks.", 1),
        ("A deal is out of the question.", -1),
        ("Russia is ready to talk.", 1),
    ],
)
def test_polarity(text: str, sign: int) -> None:
    assert polarity(text) == sign


def test_without_polarity_keeps_what_it_is_about() -> None:
    assert without_polarity("We reject the 30-day ceasefire proposal.") == "We the 30-day ceasefire proposal."
    assert without_polarity("Moscow won't rule out talks.") == "Moscow will talks."


async def test_the_latest_statement_on_the_point_decides(embeddings: SentenceEmbeddings) -> None:
    # Said no, then yes: a new "no" is a shift back from the yes, not a repeat of the first no.
    earlier = [
        ("We reject the 30-day ceasefire proposal.", datetime(2025, 3, 1, tzinfo=UTC)),
        ("We accept the 30-day ceasefire proposal.", datetime(2025, 3, 10, tzinfo=UTC)),
    ]
    found = await compare("We reject the 30-day ceasefire proposal.", earlier, embeddings)
    assert (found.verdict, found.earlier) == ("shift", 1)
    found = await compare("We reject the 30-day ceasefire proposal.", earlier[:1], embeddings)
    assert (found.verdict, found.earlier) == ("repeated", 0)
    assert (await compare("Anything at all.", [], embeddings)).verdict == "new"
