"""Runs the real CLI in a child process."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path


def briefbot(data_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot.cli", "--data-dir", str(data_dir), *args],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
