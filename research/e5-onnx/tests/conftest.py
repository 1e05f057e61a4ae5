"""Shared, expensive things built once per session: the default graph and the reference engine."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import e5_cache
import e5_oracle
from e5_onnx import DEFAULT_VARIANT
from e5_tokenizer import E5Tokenizer
from e5_weights import read_vocabulary


@pytest.fixture(scope="session")
def graph_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("e5-graphs")
    e5_cache.cached_graph(directory, DEFAULT_VARIANT)
    return directory


@pytest.fixture(scope="session")
def engine() -> Any:
    return e5_oracle.engine(threads=2)


@pytest.fixture(scope="session")
def tokenizer() -> E5Tokenizer:
    return E5Tokenizer(read_vocabulary())
