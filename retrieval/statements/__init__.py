"""Who said what: attributed statements (quotes and reported speech) read from article text by rules."""

from ._extractor import EXTRACTOR_VERSION, article_sentences, extract_statements, opens_with_verb, reported
from ._slavic_names import name_from_genitive

__all__ = [
    "EXTRACTOR_VERSION",
    "article_sentences",
    "extract_statements",
    "name_from_genitive",
    "opens_with_verb",
    "reported",
]
