"""Shared test setup: paths, settings, and a small corpus written for the tests."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bot.settings import Settings
from retrieval.store import Extracted

REPO = Path(__file__).resolve().parents[2]
FIXTURES = REPO / "tests" / "fixtures"
DEMO = REPO / "bot" / "demo_articles"
# The data sets beside the checkout; tests that read them skip when they are absent.
SHARED_DATA = REPO.parent / "shared" / "data"


def settings_env_names() -> dict[str, str]:
    """Every environment name `Settings` reads, mapped to its field (derived, so no setting is forgotten)."""
    names: dict[str, str] = {}
    for field_name, field in Settings.model_fields.items():
        choices = getattr(field.validation_alias, "choices", None)
        aliases = [c for c in choices if isinstance(c, str) and c.isupper()] if choices else []
        for name in aliases or [field_name.upper()]:
            names[name] = field_name
    return names


def make_settings(data_dir: Path, **overrides: Any) -> Settings:
    return Settings(_env_file=None, data_dir=data_dir, **overrides)  # type: ignore[call-arg]


def article(title: str, text: str, *, url: str, outlet: str, date: str | None) -> Extracted:
    published = datetime.fromisoformat(date).replace(tzinfo=UTC) if date else None
    return Extracted(text=text, title=title, url=url, published=published, site=outlet)


# A small corpus written for the tests: distinct topics, so the right article has to be found among others.
CORPUS = [
    article(
        "Harbour city opens tidal power plant",
        "The coastal city of Porthaven switched on a tidal power plant on Monday. The plant uses twelve "
        "underwater turbines placed in the harbour mouth and is expected to supply about a fifth of the "
        "city's electricity. Engineers said the turbines turn with both the rising and the falling tide.\n\n"
        "Mayor Ines Carvalho said the project had taken nine years from the first survey to the opening. "
        "Fishermen had worried about the turbines, but a two-year study found no harm to local fish stocks.",
        url="https://news.example.org/energy/tidal-plant",
        outlet="Coastal Courier",
        date="2025-03-03",
    ),
    article(
        "Mountain village bans cars from its centre",
        "The alpine village of Steinbach banned private cars from its old centre starting this weekend. "
        "Delivery vans may enter before ten in the morning, and residents receive free bus passes. "
        "Shop owners were divided: some feared losing customers, others expected more visitors on foot.\n\n"
        "The council voted seven to two for the ban after a summer of traffic jams on the narrow main "
        "street.",
        url="https://alpine.example.net/steinbach-car-ban",
        outlet="Alpine Herald",
        date="2025-04-12",
    ),
    article(
        "Central bank holds interest rate at 3.5 percent",
        "The central bank of Norland kept its main interest rate at 3.5 percent on Thursday, citing "
        "inflation that remains above its two percent target. Governor Petra Lind told reporters that the "
        "bank would "
        "wait for clearer signs that price growth is slowing before cutting rates.\n\n"
        "Economists had widely expected the decision. Mortgage holders will see no change in their payments.",
        url="https://finance.example.com/norland-rates-hold",
        outlet="Finance Daily",
        date="2025-05-08",
    ),
    article(
        "Library digitises medieval maps",
        "The national library has finished scanning its collection of 4,000 medieval maps, making them "
        "free to view online. Archivists used a special camera that captures faded ink invisible to the "
        "eye.\n\n"
        "The oldest map in the collection dates from around 1150 and shows pilgrimage routes across Europe.",
        url="https://culture.example.org/maps-digitised",
        outlet="Culture Weekly",
        date=None,
    ),
]


# A news page about the corpus's tidal plant, served by the tests' local web site.
TURBINES_PAGE = """<html><head><title>Harbour turbines start turning</title>
<meta property="og:site_name" content="Coastal Courier">
<meta property="article:published_time" content="2025-03-03T09:00:00Z"></head>
<body><article><h1>Harbour turbines start turning</h1>
<p>The coastal city of Porthaven switched on its tidal power plant on Monday after nine years of planning.
Twelve turbines sit on the sea floor in the harbour mouth and turn with both tides.</p>
<p>"Every tide now lights our streets," Mayor Ines Carvalho said at the opening ceremony on the quay.</p>
</article></body></html>"""
