"""The records under their old import path. Outside tools written against earlier releases import them
from here (the attribution set's scorer reads `retrieval.types.Article`); the product imports
`retrieval.store`."""

from retrieval.store import SHARED_SCOPE, Article, Extracted, Hit, SearchFilters
from retrieval.store._records import Chunk

__all__ = ["SHARED_SCOPE", "Article", "Chunk", "Extracted", "Hit", "SearchFilters"]
