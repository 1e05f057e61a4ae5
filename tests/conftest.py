"""Shared fixtures: every test gets its own data dir and an environment free of the user's settings."""

from __future__ import annotations

import itertools
import os
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from bot.settings import Settings
from retrieval.embed import LocalEmbedder
from retrieval.store import Extracted
from tests.support.chroma_server import ChromaServer

SHARED_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"


def settings_env_names() -> dict[str, str]:
    """Every environment name `Settings` reads, mapped to its field (derived, so no setting is forgotten)."""
    names: dict[str, str] = {}
    for field_name, field in Settings.model_fields.items():
        choices = getattr(field.validation_alias, "choices", None)
        aliases = [c for c in choices if isinstance(c, str) and c.isupper()] if choices else []
        for name in aliases or [field_name.upper()]:
            names[name] = field_name
    return names


@pytest.fixture(autouse=True)
def _isolated_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    # Every setting, and the openai client's own variables (OPENAI_BASE_URL would redirect the LLM tests).
    for key in [*settings_env_names(), *(k for k in os.environ if k.startswith(("OPENAI_", "BRIEFBOT_")))]:
        monkeypatch.delenv(key, raising=False)
    # A stray .env in the working directory must not leak into tests.
    monkeypatch.chdir(tmp_path)


@pytest.fixture(scope="session")
def embedder() -> LocalEmbedder:
    """The real offline embedder, loaded once: it is the slow part of start-up."""
    return LocalEmbedder()


def make_settings(data_dir: Path, **overrides: Any) -> Settings:
    return Settings(_env_file=None, data_dir=data_dir, **overrides)  # type: ignore[call-arg]


@pytest.fixture(scope="session")
def chroma_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ChromaServer]:
    server = ChromaServer(tmp_path_factory.mktemp("chroma-server")).start()
    yield server
    server.stop()


_database_ids = itertools.count(1)


@pytest.fixture(params=["embedded", "server"])
def store_mode(request: pytest.FixtureRequest) -> str:
    """Store and search tests run against both dense-index deployments."""
    return str(request.param)


@pytest.fixture
def settings(tmp_path: Path, request: pytest.FixtureRequest) -> Settings:
    mode = request.getfixturevalue("store_mode") if "store_mode" in request.fixturenames else "embedded"
    if mode == "server":
        server: ChromaServer = request.getfixturevalue("chroma_server")
        # A fresh database per test keeps tests apart on the one shared server.
        return make_settings(
            tmp_path / "data", chroma_host=server.host, chroma_port=server.port,
            chroma_database=f"test-{os.getpid()}-{next(_database_ids)}",
        )  # fmt: skip
    return make_settings(tmp_path / "data")


@pytest.fixture
async def services(settings: Settings, embedder: LocalEmbedder) -> AsyncIterator[object]:
    from bot.services import open_services

    svc = await open_services(settings, embedder=embedder)
    try:
        yield svc
    finally:
        # The shared embedder outlives each test; only close what the test opened.
        svc.index.close()
        svc.library.close()
        aclose = getattr(svc.fetcher, "aclose", None)
        if aclose is not None:
            await aclose()


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
