"""Shared fixtures: every test gets its own data dir and an environment free of the user's settings."""

from __future__ import annotations

import itertools
import os
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from bot import delivery
from bot.settings import Settings
from retrieval.embed import E5Embedder, LocalEmbedder
from tests.support.chroma_server import ChromaServer
from tests.support.corpus import make_settings, settings_env_names


@pytest.fixture(scope="session")
def models_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One models folder for the whole run: E5's graph is built there once, at its first use."""
    return tmp_path_factory.mktemp("models")


@pytest.fixture(autouse=True)
def _isolated_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, models_dir: Path) -> None:
    # Every setting, and the openai client's own variables (OPENAI_BASE_URL would redirect the LLM tests).
    for key in [*settings_env_names(), *(k for k in os.environ if k.startswith(("OPENAI_", "BRIEFBOT_")))]:
        monkeypatch.delenv(key, raising=False)
    # Every data dir a test makes shares the run's built models instead of building its own (seconds each).
    monkeypatch.setenv("BRIEFBOT_MODELS_DIR", str(models_dir))
    # A stray .env in the working directory must not leak into tests.
    monkeypatch.chdir(tmp_path)
    # "typing…" at once, as the bot showed it before the delay: several tests read a chat action as the sign
    # that a handler took a message up. The delay itself is tested on its own (tests/bot/test_app.py).
    monkeypatch.setattr(delivery, "TYPING_AFTER", 0.0)


@pytest.fixture(scope="session")
def embedder() -> LocalEmbedder:
    """The real offline embedder, loaded once: it is the slow part of start-up."""
    return LocalEmbedder()


@pytest.fixture(scope="session")
def e5(models_dir: Path) -> E5Embedder:
    """The ensemble's E5 (the default build), its graph built once for the run."""
    return E5Embedder(models_dir)


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
