"""Helpers shared by the benchmarks: memory and timing figures measured in the running process."""

from __future__ import annotations

import math
import resource
import sys
import threading
import time
from collections.abc import Sequence
from pathlib import Path
from types import TracebackType
from typing import Self

_STATM = Path("/proc/self/statm")


def peak_rss_mb() -> float:
    """The process's peak resident set so far (getrusage), in MiB."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    # Linux reports kibibytes, macOS bytes.
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024


def current_rss_mb() -> float | None:
    """The resident set right now, or None where /proc is not available."""
    try:
        pages = int(_STATM.read_text().split()[1])
    except (OSError, ValueError, IndexError):
        return None
    return pages * resource.getpagesize() / (1024 * 1024)


class Sampler:
    """Calls `_sample` in a background thread every `interval` seconds while a `with` block runs.

    getrusage only knows the peak of the whole process; sampling shows what one phase (e.g. ingestion) needs.
    """

    def __init__(self, interval: float = 0.25) -> None:
        self.interval = interval
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def _sample(self) -> None:
        raise NotImplementedError

    def _loop(self) -> None:
        while not self._stop.wait(self.interval):
            self._sample()

    def __enter__(self) -> Self:
        self._sample()
        self._thread = threading.Thread(target=self._loop, name=type(self).__name__, daemon=True)
        self._thread.start()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
        self._sample()


class RssSampler(Sampler):
    """This process's resident set; `peak_mb` is the largest seen."""

    def __init__(self, interval: float = 0.25) -> None:
        super().__init__(interval)
        self.peak_mb = 0.0
        self.samples = 0

    def _sample(self) -> None:
        now = current_rss_mb()
        if now is not None:
            self.peak_mb = max(self.peak_mb, now)
            self.samples += 1


class Stopwatch:
    """Accumulates wall time over several `with` blocks."""

    def __init__(self) -> None:
        self.seconds = 0.0
        self._start = 0.0

    def __enter__(self) -> Stopwatch:
        self._start = time.perf_counter()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.seconds += time.perf_counter() - self._start


def percentile(values: Sequence[float], p: float) -> float:
    """The p-th percentile (0-100) with linear interpolation between closest ranks; NaN when empty."""
    if not values:
        return math.nan
    ordered = sorted(values)
    pos = (len(ordered) - 1) * p / 100
    low = math.floor(pos)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (pos - low)
