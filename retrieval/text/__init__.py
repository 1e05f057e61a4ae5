"""The text toolbox: sentences and paragraphs, invisible characters, dates as shown, stopwords and the
citation marker, one of each for the whole product. It imports nothing of ours, so every layer can use it."""

from ._dates import format_date, format_moment
from ._invisible import CONTROL, INVISIBLE, strip_invisible
from ._markers import MARKER, MARKER_PATTERN
from ._sentences import (
    CLOSE_QUOTES,
    OPEN_QUOTES,
    TERMINAL,
    ends_sentence,
    paragraphs,
    passage_sentences,
    sentence_spans,
    split_sentences,
    text_sentences,
)
from ._stopwords import STOPWORDS

__all__ = [
    "CLOSE_QUOTES",
    "CONTROL",
    "INVISIBLE",
    "MARKER",
    "MARKER_PATTERN",
    "OPEN_QUOTES",
    "STOPWORDS",
    "TERMINAL",
    "ends_sentence",
    "format_date",
    "format_moment",
    "paragraphs",
    "passage_sentences",
    "sentence_spans",
    "split_sentences",
    "strip_invisible",
    "text_sentences",
]
