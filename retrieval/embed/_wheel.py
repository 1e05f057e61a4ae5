"""Model files shipped inside installed wheels: found without importing the wheels' code, checked by hash."""

from __future__ import annotations

import hashlib
import importlib.metadata
from pathlib import Path

from ._base import EmbeddingError


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


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
