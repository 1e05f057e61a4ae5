"""Model files shipped inside installed wheels: found without importing the wheels' code, checked by hash."""

from __future__ import annotations

import importlib.metadata
from pathlib import Path

from ._base import EmbeddingError
from ._files import sha256_of

__all__ = ["sha256_of", "wheel_data_file"]


def wheel_data_file(distribution: str, relative: str) -> Path:
    """Locate a data file shipped in an installed wheel without importing the package's code."""
    try:
        dist = importlib.metadata.distribution(distribution)
    except importlib.metadata.PackageNotFoundError as exc:
        raise EmbeddingError(f"package {distribution!r} is not installed (pip install -e .)") from exc
    path = Path(str(dist.locate_file(relative)))
    if not path.is_file():
        raise EmbeddingError(f"{relative} is missing from the installed {distribution!r} package")
    return path
