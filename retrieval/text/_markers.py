"""The citation marker: `[n]` in a briefing points at source n."""

from __future__ import annotations

import re

# One marker, for building longer patterns (no group, so it shifts no group numbers).
MARKER_PATTERN = r"\[\d+\]"
# One marker, its number in group 1.
MARKER = re.compile(r"\[(\d+)\]")
