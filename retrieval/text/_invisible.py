"""Characters a reader cannot see but a program reads: stripped from article text before it is stored and
from source text before a model reads it, so neither can carry hidden or reordered words."""

from __future__ import annotations

import re

# The soft hyphen, the Arabic letter mark, the Mongolian vowel separator, zero-width spaces and joiners, the
# direction marks, the bidi embeddings and overrides (U+202A-202E), the word joiner and invisible operators
# (U+2060-2064), the bidi isolates and the deprecated format characters (U+2066-206F), the byte order mark and
# the "tag" characters (U+E0000-E007F), which spell out ASCII no font shows.
INVISIBLE = re.compile(
    "[\u00ad\u061c\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff\U000e0000-\U000e007f]"
)
# C0 and C1 control characters other than tab, line feed and carriage return.
CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def strip_invisible(text: str) -> str:
    return INVISIBLE.sub("", text)
