"""The text toolbox: sentences and paragraphs, invisible characters, dates as shown, stopwords, the citation
marker, languages and names across scripts, one of each for the whole product. It imports nothing of ours,
so every layer can use it."""

from ._dates import format_date, format_moment
from ._invisible import CONTROL, INVISIBLE, strip_invisible
from ._language import detect_language, guess_language, load_language_model, script_of
from ._markers import MARKER, MARKER_PATTERN
from ._names import (
    fold_words,
    lookup_keys,
    name_key,
    name_keys,
    person_key,
    person_keys,
    romanisations,
    romanise,
    same_person,
)
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
    "detect_language",
    "ends_sentence",
    "fold_words",
    "format_date",
    "format_moment",
    "guess_language",
    "load_language_model",
    "lookup_keys",
    "name_key",
    "name_keys",
    "paragraphs",
    "passage_sentences",
    "person_key",
    "person_keys",
    "romanisations",
    "romanise",
    "same_person",
    "script_of",
    "sentence_spans",
    "split_sentences",
    "strip_invisible",
    "text_sentences",
]
