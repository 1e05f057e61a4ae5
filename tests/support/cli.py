"""Runs the real CLI in a child process."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path


def briefbot(
    data_dir: Path, *args: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """`briefbot --data-dir DATA_DIR ARGS`, with this process's environment plus `env`."""
    return subprocess.run(
        [sys.executable, "-m", "bot.cli", "--data-dir", str(data_dir), *args],
        capture_output=True, text=True, timeout=300, env={**os.environ, **(env or {})},
    )  # fmt: skip
